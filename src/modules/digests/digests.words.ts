import type { DigestCode, DigestValues } from './digests.usecases.js';

/**
 * The one place the digests' refusals are worded. Use cases say no in codes (tests assert on them);
 * `/service-digest` and the operator CLI turn them into these words.
 */
const DIGEST_WORDS: { [C in DigestCode]: (values: DigestValues) => string } = {
  not_a_committee_channel: () =>
    'This channel is not a committee channel yet. An admin can subscribe it with `/service-digest subscribe`.',
  channel_not_subscribed: ({ channelId }) => `Channel ${channelId} is not subscribed to the digest.`,
  not_a_week: ({ week }) => `${week} is not an ISO week such as 2026-W47.`,
  week_not_over: ({ week, timeZone }) =>
    `Week ${week} is not over yet in ${timeZone} (LIBRARY_TIME_ZONE); only finished weeks are shown or sent.`,
  not_a_date_or_week: ({ text }) =>
    `“${text}” is neither a date (2026-01-31) nor an ISO week (2026-W05). Give the range as two of those, from and to.`,
  range_backwards: () => 'The range ends before it starts: give the earlier date or week first.',
  range_too_long: ({ weeks }) => `An export covers at most ${weeks} weeks; ask for a shorter range.`,
};

export const digestWords = (code: DigestCode, values: DigestValues = {}): string =>
  DIGEST_WORDS[code](values);

/** What `/service-digest export` says once the file is in the admin's DM. */
export const exportSentWords = (first: string, last: string, rows: number): string =>
  `The digest's figures for ${first} to ${last} (${rows} ${rows === 1 ? 'row' : 'rows'}) are in your DM with the app, as a CSV file. They are what the digests published: units too small to show are in no row.`;

/** When Slack would not take the export's file. */
export const exportFailedWords = (error: string): string =>
  `Slack would not let the app send you the file (${error}). Nothing was sent; try again in a moment.`;
