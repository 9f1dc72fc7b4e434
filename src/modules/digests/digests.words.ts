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
};

export const digestWords = (code: DigestCode, values: DigestValues = {}): string =>
  DIGEST_WORDS[code](values);
