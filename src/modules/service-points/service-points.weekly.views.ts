import type { KnownBlock, RichTextBlock } from '@slack/types';
import { mrkdwn, plain, type SlackMessage } from '../../lib/block-kit.js';
import { formatDay } from '../../lib/clock.js';
import { bold, italic, paragraph, quoted, richText, text } from '../../lib/rich-text.js';
import { charLength, inertMrkdwn, truncate } from '../../lib/text.js';
import type { OwnerAnswer } from './service-points.repository.js';

/**
 * The weekly DM to a service point's owner: the week's figures for their point and every written
 * answer, as quoted rich text (a patron's words are shown as typed: no mrkdwn, mention or link is
 * parsed in them). Long weeks are split over several messages, each inside Slack's limits: at most
 * 50 blocks, about 12,000 characters in all.
 */

/** Written answers per message, at most (one block each, beside a few of the message's own). */
export const ANSWERS_PER_MESSAGE = 40;
/** Characters of patrons' words per message, at most: what is left of Slack's 12,000 for labels and figures. */
export const ANSWER_TEXT_PER_MESSAGE = 9_000;
const NAME_MAX = 80;
/** One written answer is at most 1,000 characters (WALK_UP_ANSWER_LIMIT); this is only a guard. */
const QUOTE_MAX = 2_900;

export interface OwnerWeekFigures {
  answers: number;
  experience: number;
  expectation: number;
  gap: number;
}

export interface OwnerWeeklyView {
  point: { name: string; unit: string };
  week: { id: string; label: string; timeZone: string };
  /** Null when no answer that week (not suspected spam) is left: then there is nothing to send. */
  figures: OwnerWeekFigures | null;
  spam: number;
  /** Answers with at least one written answer, oldest first. */
  written: OwnerAnswer[];
}

const hasWords = (answer: OwnerAnswer) => Boolean(answer.doBetter || answer.noLongerNeed);
const wordsLength = (answer: OwnerAnswer) =>
  charLength(answer.doBetter ?? '') + charLength(answer.noLongerNeed ?? '');

/** The answers that carry words, oldest first. */
export const writtenAnswers = (answers: OwnerAnswer[]): OwnerAnswer[] => answers.filter(hasWords);

/**
 * The written answers split into messages: a new message once the next answer would pass either
 * budget. The split depends only on the answers, so the sweep (which queues one DM per part) and
 * the handler (which builds part n) cut the same way. Always at least one part: the first message
 * carries the figures even when no answer has words.
 */
export function answerParts(written: OwnerAnswer[]): OwnerAnswer[][] {
  const parts: OwnerAnswer[][] = [[]];
  let size = 0;
  for (const answer of written) {
    const current = parts[parts.length - 1] as OwnerAnswer[];
    const length = Math.min(wordsLength(answer), 2 * QUOTE_MAX);
    if (
      current.length > 0 &&
      (current.length >= ANSWERS_PER_MESSAGE || size + length > ANSWER_TEXT_PER_MESSAGE)
    ) {
      parts.push([answer]);
      size = length;
    } else {
      current.push(answer);
      size += length;
    }
  }
  return parts;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const score = (value: number) => value.toFixed(1);

function gapWords(gap: number): string {
  const shown = `${gap > 0 ? '+' : ''}${score(gap)}`;
  if (gap < 0) return `${shown}: expectations not met, by ${score(Math.abs(gap))}`;
  if (gap > 0) return `${shown}: expectations exceeded, by ${score(gap)}`;
  return `${shown}: expectations met exactly`;
}

function answerBlock(answer: OwnerAnswer, index: number, timeZone: string): RichTextBlock {
  return richText(
    paragraph(
      bold(`Answer ${index}`),
      text(
        ` · ${formatDay(answer.createdAt, timeZone)} · experience ${answer.experience}, expected ${answer.expectation}`,
      ),
    ),
    answer.doBetter && paragraph(italic('What could we do better?')),
    answer.doBetter && quoted(truncate(answer.doBetter, QUOTE_MAX)),
    answer.noLongerNeed && paragraph(italic('Anything we offer here that you no longer need?')),
    answer.noLongerNeed && quoted(truncate(answer.noLongerNeed, QUOTE_MAX)),
  );
}

/**
 * Part `part` (1-based) of the owner's DM for the week, or undefined when there is no such part
 * (nothing to send, or fewer parts than the sweep queued: answers erased since).
 */
export function buildOwnerWeeklyMessage(view: OwnerWeeklyView, part: number): SlackMessage | undefined {
  const { figures } = view;
  if (!figures) return undefined;
  const parts = answerParts(view.written);
  const answers = parts[part - 1];
  if (!answers) return undefined;
  const first = parts.slice(0, part - 1).reduce((sum, earlier) => sum + earlier.length, 0) + 1;
  const name = truncate(view.point.name, NAME_MAX);
  const of = parts.length > 1 ? ` (part ${part} of ${parts.length})` : '';
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Walk-up answers · ${view.week.label}${of}`) },
    // The point's name and unit were typed by an admin: rich text, never mrkdwn.
    richText(
      paragraph(
        bold(name),
        text(` (${truncate(view.point.unit, NAME_MAX)}) · week ${view.week.id}, ${view.week.timeZone}`),
      ),
    ),
  ];
  if (part === 1) {
    blocks.push({
      type: 'section',
      fields: [
        mrkdwn(`*Answers*\n${figures.answers}`),
        mrkdwn(`*Expectation gap*\n${gapWords(figures.gap)}`),
        mrkdwn(`*Experience (average)*\n${score(figures.experience)} / 10`),
        mrkdwn(`*Expected (average)*\n${score(figures.expectation)} / 10`),
      ],
    });
    const notes = [
      view.written.length === 0
        ? 'Nobody wrote an answer this week: only scores.'
        : `${plural(view.written.length, 'answer')} with written comments, oldest first.`,
      view.spam > 0
        ? `${plural(view.spam, 'answer')} that looked like spam ${view.spam === 1 ? 'is' : 'are'} left out.`
        : null,
      'Walk-up answers are anonymous. You get the written ones as the owner of this point; committees see only the figures of points with enough answers, never these words. They are erased after the library’s retention period.',
    ].filter((note): note is string => note !== null);
    blocks.push({ type: 'context', elements: [mrkdwn(notes.join(' '))] });
  }
  answers.forEach((answer, offset) => {
    blocks.push(answerBlock(answer, first + offset, view.week.timeZone));
  });
  return {
    text: inertMrkdwn(
      `Walk-up answers for ${name}, ${view.week.label}${of}: ${plural(figures.answers, 'answer')}, expectation gap ${score(figures.gap)}.`,
    ),
    blocks,
  };
}
