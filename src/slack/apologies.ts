/**
 * What every listener says when the app itself failed (the database, a timeout): one set of
 * apologies, so a person hears the same words whichever form or button it was.
 */
export const APOLOGIES = {
  /** A form's save failed; Slack keeps the form open with what was typed. */
  try_again_kept:
    "Sorry, that didn't save: please press the button again in a moment. What you typed is still here.",
  /** A form's save failed, where pressing the button again is all there is to say. */
  try_again_save: "Sorry, that didn't save: please press the button again in a moment.",
  /** A command failed after its acknowledgement. */
  try_again: "Sorry, that didn't work just now. Please try again in a moment.",
  /** A button failed. */
  press_again: "Sorry, that didn't work just now. Please press the button again in a moment.",
  /** `/rate-service` could not load its form in time. */
  form_not_opened: "Sorry, I couldn't open the form just now. Please try `/rate-service` again in a moment.",
} as const;
