import { NAME_LIMIT, UNIT_LIMIT } from './service-points.command.js';
import type { ServicePointCode } from './service-points.outcomes.js';

/**
 * The one place the service points' sentences live, in Slack and on the posters. Use cases say no
 * in codes (tests assert on them); the Slack layer turns them into these words.
 */

export const SERVICE_POINT_COMMAND = '/service-point';

/** Said in reply to `/service-point`, to the admin who typed it (plain mrkdwn, none of it typed). */
export const SERVICE_POINT_WORDS = {
  not_admin:
    'Only workspace admins and owners (and the people listed in ADMIN_USER_IDS) can manage service points. Ask one of them.',
  admin_unknown:
    "Sorry, I couldn't check your permissions with Slack just now. Nothing was changed. Please try again in a moment.",
  links_not_configured:
    'Service points need the patron pages, which are not set up: the app needs `PUBLIC_URL` and `LINK_SECRET` (see docs/patron-pages.md). Nothing was stored.',
  name_missing:
    'Give the service point’s name, for example `/service-point add "Reference desk" unit:Reference`.',
  name_unclosed:
    'The name’s closing quote is missing: put the name between two quotes, like `"Reference desk"`.',
  name_too_long: `A service point’s name is at most ${NAME_LIMIT} characters, so that it fits on its poster.`,
  name_not_text:
    'The name holds characters that are not text (control or direction characters, perhaps from pasting). Type it again by hand.',
  name_markup: 'A service point’s name is plain words: no mentions, channels or links.',
  unit_missing: 'Say which unit the service point belongs to, with `unit:`, for example `unit:Reference`.',
  unit_too_long: `A unit’s name is at most ${UNIT_LIMIT} characters.`,
  unit_not_text:
    'The unit holds characters that are not text (control or direction characters, perhaps from pasting). Type it again by hand.',
  unit_markup: 'A unit is plain words: no mentions, channels or links.',
  owner_not_mention:
    'Name the owner as a mention, `owner:@someone`: they get the patrons’ written answers each week. Leave it out to be the owner yourself.',
  owner_unknown: 'Slack does not know the person named as owner. Name someone in this workspace.',
  owner_bot:
    'The owner gets the patrons’ written answers each week, so it has to be a person, not a bot or an app.',
  owner_left: 'The person named as owner has left the workspace. Name someone else, or leave `owner:` out.',
  owner_lookup_failed:
    "Sorry, I couldn't check the owner with Slack just now. Nothing was stored. Please try again in a moment.",
  option_repeated: 'Give `unit:` and `owner:` once each.',
  unexpected_text:
    'I could not tell the name from the rest. Put the name in quotes, then `unit:` and (if you like) `owner:@someone`.',
  name_taken:
    'There is already an active service point with that name. Choose another name, or retire that one first.',
  not_found: 'There is no active service point with that name. `/service-point list` shows them.',
} as const satisfies Record<ServicePointCode, string>;

export const servicePointWords = (code: ServicePointCode): string => SERVICE_POINT_WORDS[code];

export const SERVICE_POINT_HELP = [
  '*Service points*: the desks and services where patrons give walk-up feedback, by a QR code on a poster. For workspace admins and owners (and people named in the app’s `ADMIN_USER_IDS`).',
  '• `/service-point add "Reference desk" unit:Reference` adds one, with its link, and sends you its posters. Add `owner:@someone` to have a unit lead, not you, get the patrons’ written answers each week.',
  '• `/service-point list` shows the active service points, with their links.',
  '• `/service-point poster "Reference desk"` sends you its posters again (PDF, A4 and US Letter).',
  '• `/service-point retire "Reference desk"` retires it: its link then says so, and its answers are kept.',
  'A service point’s link never changes, so a printed poster keeps working.',
].join('\n');

/** The poster's words, and the names of its files. */
export const POSTER_WORDS = {
  invitation: 'Tell us how we did today. It takes a minute, and we ask for no name.',
  scan: 'Scan the code with your phone’s camera, or type this address:',
  title: (pointName: string) => `Feedback poster: ${pointName}`,
  fileTitle: (pointName: string, paper: string) => `Poster for ${pointName} (${paper})`,
} as const;
