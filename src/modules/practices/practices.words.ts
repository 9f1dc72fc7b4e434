/**
 * Every way the best practices' use cases answer, as codes, and the one place their sentences live.
 * Use cases return codes (tests assert on them); the Slack layer turns them into these words.
 */
export const PRACTICE_LIMITS = {
  /** As the round form's service: one line, the same words the rounds use. */
  service: 75,
  unit: 60,
  whatYouDo: 1500,
  whyItWorks: 1500,
} as const;

export const PRACTICE_WORDS = {
  service_missing: 'Say which service this practice concerns.',
  service_too_long: `Keep the service to ${PRACTICE_LIMITS.service} characters.`,
  unit_missing: 'Say which department or branch you work in.',
  unit_too_long: `Keep the unit to ${PRACTICE_LIMITS.unit} characters.`,
  what_missing: 'Say what you do.',
  what_too_long: `Keep this to ${PRACTICE_LIMITS.whatYouDo} characters.`,
  why_missing: 'Say why you think it works.',
  why_too_long: `Keep this to ${PRACTICE_LIMITS.whyItWorks} characters.`,
  practice_form_out_of_date: 'This form is out of date. Close it and press "Share a best practice" again.',
  // Withdrawing, from the Home tab.
  withdrawn: 'Withdrawn: it is no longer shown on Home tabs or in digests.',
  already_withdrawn: 'You had already withdrawn it.',
  not_yours: 'Only the person who shared a practice can withdraw it.',
  not_found: 'That practice is no longer here.',
} as const;

export type PracticeCode = keyof typeof PRACTICE_WORDS;

export const practiceWords = (code: PracticeCode): string => PRACTICE_WORDS[code];

/** What the form says, plainly, before anything is shared. */
export const PRACTICE_PROMISE =
  'What you share here is shown with your name to the committees whose digest covers your unit, ' +
  'and on the Home tab of everyone in your unit. You can withdraw it from your Home tab at any time; ' +
  'it is then shown nowhere.';

/** The hidden-strength result's invitation. */
export const PRACTICE_INVITATION =
  'Your customer sees more in your service than you do. What are you doing well that others should know about? Share it as a best practice.';
