import type { KnownBlock } from '@slack/types';
import { mrkdwn, type SlackMessage } from '../../lib/block-kit.js';
import { bold, code, link, paragraph, richText, text, user } from '../../lib/rich-text.js';
import { charLength, inertMrkdwn, truncate } from '../../lib/text.js';
import type { PostersSent, ServicePointOutcome, ServicePointShown } from './service-points.outcomes.js';
import { SERVICE_POINT_COMMAND, servicePointWords } from './service-points.words.js';

/**
 * The command's replies and the posters' DM, as pure functions. Names and units are typed by
 * admins, so in blocks they are rich text (shown as typed, never parsed), and in the fallback
 * `text` they are made inert.
 */

/** The most points one list reply shows: Slack allows 50 blocks, and the rest says how many more. */
export const LIST_MAX_POINTS = 40;
/** Slack refuses a message whose blocks hold much more than 12,000 characters; stay well under. */
const LIST_TEXT_BUDGET = 10_000;

const pointLine = (point: ServicePointShown) =>
  paragraph(
    bold(point.name),
    text(` · unit ${point.unit} · owner `),
    user(point.ownerUserId),
    text('\n'),
    link(point.url),
  );

/** A name as the admin would type it after `poster`: in quotes, unless it holds a quote itself. */
const typedName = (name: string) => (/["\u201c\u201d\u201e]/.test(name) ? name : `"${name}"`);

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function postersLine(posters: PostersSent, name: string) {
  return posters.ok
    ? paragraph(text('I’ve sent you its posters (A4 and US Letter) in our direct messages.'))
    : paragraph(
        text('I couldn’t send you its posters just now. Try again with '),
        code(`${SERVICE_POINT_COMMAND} poster ${typedName(name)}`),
        text('.'),
      );
}

export function buildAddedMessage(point: ServicePointShown, posters: PostersSent): SlackMessage {
  return {
    text: `Added the service point ${inertMrkdwn(point.name)}. Its link: ${point.url}`,
    blocks: [
      richText(
        paragraph(
          text('Added the service point '),
          bold(point.name),
          text(` (unit ${point.unit}, owner `),
          user(point.ownerUserId),
          text(').'),
        ),
        paragraph(text('Its link, which never changes: '), link(point.url)),
        postersLine(posters, point.name),
      ),
    ],
  };
}

export function buildPostersResentMessage(point: ServicePointShown, posters: PostersSent): SlackMessage {
  return {
    text: posters.ok
      ? `I’ve sent you the posters of ${inertMrkdwn(point.name)} in our direct messages.`
      : `I couldn’t send you the posters of ${inertMrkdwn(point.name)} just now. Please try again.`,
    blocks: [
      richText(
        posters.ok
          ? paragraph(
              text('I’ve sent you the posters of '),
              bold(point.name),
              text(' in our direct messages.'),
            )
          : paragraph(
              text('I couldn’t send you the posters of '),
              bold(point.name),
              text(' just now. Please try again in a moment.'),
            ),
      ),
    ],
  };
}

/** The DM that comes just before the two poster files. */
export function buildPostersMessage(point: ServicePointShown): SlackMessage {
  return {
    text: `Posters for the service point ${inertMrkdwn(point.name)}: A4 and US Letter.`,
    blocks: [
      richText(
        paragraph(
          text('Posters for the service point '),
          bold(point.name),
          text(': A4 and US Letter, below.'),
        ),
        paragraph(
          text(
            'Print one and put it where patrons are served. Patrons who scan its code answer four short questions, without giving a name. Its link: ',
          ),
          link(point.url),
        ),
      ),
    ],
  };
}

export function buildRetiredMessage(point: { name: string }): SlackMessage {
  return {
    text: `Retired the service point ${inertMrkdwn(point.name)}. Its link now says so; its answers are kept.`,
    blocks: [
      richText(
        paragraph(
          text('Retired the service point '),
          bold(point.name),
          text('. Its link now tells patrons it no longer takes answers; the answers it had are kept.'),
        ),
      ),
    ],
  };
}

/**
 * The active points, each with unit, owner and link. A long list shows as many as fit in one
 * message and says how many more there are.
 */
export function buildListMessage(points: readonly ServicePointShown[]): SlackMessage {
  if (points.length === 0)
    return {
      text: 'There are no active service points yet.',
      blocks: [
        richText(
          paragraph(
            text('There are no active service points yet. Add one with '),
            code(`${SERVICE_POINT_COMMAND} add "Reference desk" unit:Reference`),
            text('.'),
          ),
        ),
      ],
    };
  const count = plural(points.length, 'active service point', 'active service points');
  const blocks: KnownBlock[] = [richText(paragraph(bold(`${count}:`)))];
  let budget = LIST_TEXT_BUDGET;
  let shownCount = 0;
  for (const point of points) {
    const size = charLength(point.name) + charLength(point.unit) + charLength(point.url) + 40;
    if (shownCount >= LIST_MAX_POINTS || size > budget) break;
    blocks.push(richText(pointLine(point)));
    budget -= size;
    shownCount++;
  }
  const more = points.length - shownCount;
  if (more > 0)
    blocks.push(
      richText(
        paragraph(
          text(
            `…and ${plural(more, 'more', 'more')} not shown here: Slack allows only so much in one message. `,
          ),
          text('Each one’s link comes with its posters: '),
          code(`${SERVICE_POINT_COMMAND} poster "name"`),
          text('.'),
        ),
      ),
    );
  return { text: `${count}.`, blocks };
}

/** The answer to a sub-command it does not know: what was typed (cut short), then the help. */
export function buildUnknownMessage(typed: string, help: string): SlackMessage {
  const echo = truncate(typed, 40);
  return {
    text: `I don't know \`${inertMrkdwn(echo)}\`.\n${help}`,
    blocks: [
      richText(
        paragraph(text("I don't know "), code(echo), text(' after '), code(SERVICE_POINT_COMMAND), text('.')),
      ),
      { type: 'section', text: mrkdwn(help) },
    ],
  };
}

/** What the admin is told once a command has run (help and unknown words are answered before). */
export function buildServicePointReply(outcome: ServicePointOutcome): SlackMessage | string {
  if (!outcome.ok) return servicePointWords(outcome.code);
  switch (outcome.kind) {
    case 'added':
      return buildAddedMessage(outcome.point, outcome.posters);
    case 'listed':
      return buildListMessage(outcome.points);
    case 'posters_sent':
      return buildPostersResentMessage(outcome.point, outcome.posters);
    case 'retired':
      return buildRetiredMessage(outcome.point);
  }
}
