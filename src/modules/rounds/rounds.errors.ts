/** Domain errors carry stable codes, as Bolt's do, so callers branch on codes rather than messages. */

export class DuplicateOpenRoundError extends Error {
  readonly code = 'service_radar_duplicate_open_round';
  constructor() {
    super('There is already an open round for this customer and service.');
    this.name = 'DuplicateOpenRoundError';
  }
}

export class RoundNotOpenError extends Error {
  readonly code = 'service_radar_round_not_open';
  constructor(readonly status: string) {
    super(`The round is not awaiting its customer (status: ${status}).`);
    this.name = 'RoundNotOpenError';
  }
}
