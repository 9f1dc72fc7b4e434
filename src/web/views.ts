import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { TFunction } from 'i18next';
import { removeControlCharacters } from '../lib/control-characters.js';
import { type AnswerKey, INTERVIEW_QUESTIONS, LIMITS } from '../modules/rounds/rounds.content.js';
import {
  WALK_UP_ANSWER_LIMIT,
  type WalkUpCode,
  type WalkUpField,
} from '../modules/service-points/walk-up.usecases.js';

/**
 * The patron pages as pure functions from what a page shows to its HTML. Templates (under
 * ./templates, found from this file, whatever the working directory) escape every value they print;
 * the words come from the catalogue (./i18n.ts) through `t`.
 */
const eta = new Eta({
  views: fileURLToPath(new URL('./templates', import.meta.url)),
  autoEscape: true,
  autoTrim: false,
  cache: true,
});

/** What every page shares: its language, the library's name, the language switch. */
export interface PageContext {
  lang: string;
  t: TFunction;
  libraryName: string;
  /** Every language offered, with the link that switches to it. */
  languages: { code: string; name: string; href: string; current: boolean }[];
}

const RIGHT_TO_LEFT = new Set(['ar', 'fa', 'he', 'ur', 'yi', 'ps', 'dv']);

function layout(page: PageContext, title: string, body: string): string {
  return eta.render('./layout', {
    page: {
      ...page,
      dir: RIGHT_TO_LEFT.has(page.lang.split('-')[0] ?? '') ? 'rtl' : 'ltr',
      switchLabel: page.t('language.switch'),
    },
    title,
    body,
  });
}

/** Typed text shown back as typed, without what could reorder the page around it (open bidi overrides). */
const asTyped = (value: string | null | undefined): string => removeControlCharacters(value ?? '');

function describedBy(...ids: (string | false | undefined)[]): string {
  return ids.filter(Boolean).join(' ');
}

interface SummaryError {
  target: string;
  text: string;
}

function summary(t: TFunction, errors: SummaryError[]) {
  return { title: t('common.errorSummary'), errors };
}

function scale(t: TFunction, name: string, legend: string, value: string | null, error: string | undefined) {
  return {
    name,
    legend,
    value: value ?? '',
    error,
    required: true,
    scaleHint: t('common.scale'),
    describedBy: describedBy(`${name}-hint`, error && `${name}-error`),
  };
}

function textAnswer(
  t: TFunction,
  field: { name: string; label: string; optional: boolean; limit: number },
  value: string | null,
  error: string | undefined,
) {
  return {
    ...field,
    value: asTyped(value),
    error,
    optionalText: t('common.optional'),
    hint: t('common.characters', { limit: field.limit }),
    describedBy: describedBy(`${field.name}-hint`, error && `${field.name}-error`),
  };
}

/** A page with a heading and a few sentences: thanks, a refused link, a refused request. */
export function messagePage(page: PageContext, title: string, paragraphs: string[]): string {
  return layout(page, title, eta.render('./message', { title, paragraphs }));
}

export interface WalkUpValues {
  experience: string | null;
  expectation: string | null;
  doBetter: string | null;
  noLongerNeed: string | null;
}

export interface WalkUpPageModel {
  page: PageContext;
  pointName: string;
  /** Where the form posts: the page's own path. */
  action: string;
  csrf: string;
  values: WalkUpValues;
  errors: Partial<Record<WalkUpField, WalkUpCode>>;
}

/** The radio button an error summary links to for a 1-10 scale: its first option. */
const firstOption = (name: string) => `${name}-1`;

export function walkUpPage({ page, pointName, action, csrf, values, errors }: WalkUpPageModel): string {
  const { t } = page;
  const message = (field: WalkUpField) =>
    errors[field] ? t(`errors.${errors[field]}`, { limit: WALK_UP_ANSWER_LIMIT }) : undefined;
  const labels: Record<WalkUpField, string> = {
    experience: t('walkUp.experience'),
    expectation: t('walkUp.expectation'),
    doBetter: t('walkUp.doBetter'),
    noLongerNeed: t('walkUp.noLongerNeed'),
  };
  const order: WalkUpField[] = ['experience', 'expectation', 'doBetter', 'noLongerNeed'];
  const summaryErrors = order
    .filter((field) => errors[field])
    .map((field) => ({
      target: field === 'experience' || field === 'expectation' ? firstOption(field) : field,
      text: t('common.errorField', { field: labels[field], message: message(field) }),
    }));
  const title = t('walkUp.title', { point: pointName });
  const body = eta.render('./walk-up', {
    page,
    title,
    summary: summary(t, summaryErrors),
    intro: t('walkUp.intro', { library: page.libraryName }),
    anonymous: t('walkUp.anonymous'),
    action,
    csrf,
    experience: scale(t, 'experience', labels.experience, values.experience, message('experience')),
    expectation: scale(t, 'expectation', labels.expectation, values.expectation, message('expectation')),
    doBetter: textAnswer(
      t,
      { name: 'doBetter', label: labels.doBetter, optional: true, limit: WALK_UP_ANSWER_LIMIT },
      values.doBetter,
      message('doBetter'),
    ),
    noLongerNeed: textAnswer(
      t,
      { name: 'noLongerNeed', label: labels.noLongerNeed, optional: true, limit: WALK_UP_ANSWER_LIMIT },
      values.noLongerNeed,
      message('noLongerNeed'),
    ),
    honeypot: t('walkUp.honeypot'),
    submit: t('common.submit'),
  });
  return layout(page, title, body);
}

export type NamedField = AnswerKey | 'customerScore';
export type NamedCode = 'answer_missing' | 'answer_too_long' | 'score_missing';

export interface NamedPatronPageModel {
  page: PageContext;
  staffName: string;
  service: string;
  /** The link's last day, as the library writes dates. */
  expiresOn: string;
  action: string;
  csrf: string;
  values: {
    answers: Partial<Record<AnswerKey, string | null>>;
    customerScore: string | null;
    shareWithManager: boolean;
  };
  errors: Partial<Record<NamedField, NamedCode>>;
}

/** The named patron's page: who asks and why, who sees what, the six questions and the 1-10 rating. */
export function namedPatronPage({
  page,
  staffName,
  service,
  expiresOn,
  action,
  csrf,
  values,
  errors,
}: NamedPatronPageModel): string {
  const { t } = page;
  const staff = staffName;
  const message = (field: NamedField) =>
    errors[field] ? t(`errors.${errors[field]}`, { limit: LIMITS.answer }) : undefined;
  const questions = INTERVIEW_QUESTIONS.map((question) =>
    textAnswer(
      t,
      {
        name: question.key,
        label: t(`named.questions.${question.key}`),
        optional: question.optional,
        limit: LIMITS.answer,
      },
      values.answers[question.key] ?? null,
      message(question.key),
    ),
  );
  const ratingLegend = t('named.ratingLegend', { staff });
  const summaryErrors = [
    ...INTERVIEW_QUESTIONS.filter((question) => errors[question.key]).map((question) => ({
      target: question.key as string,
      text: t('common.errorField', {
        field: t(`named.questions.${question.key}`),
        message: message(question.key),
      }),
    })),
    ...(errors.customerScore
      ? [
          {
            target: firstOption('customerScore'),
            text: t('common.errorField', { field: t('named.scoreLabel'), message: message('customerScore') }),
          },
        ]
      : []),
  ];
  const title = t('named.title', { staff });
  const body = eta.render('./named', {
    page,
    title,
    summary: summary(t, summaryErrors),
    intro: t('named.intro', { staff, library: page.libraryName, service }),
    why: t('named.why', { staff }),
    whoSees: t('named.whoSees'),
    promises: [
      t('named.notAnonymous', { staff }),
      t('named.promiseStaff', { staff }),
      t('named.promiseManager'),
      t('named.promiseCommittee'),
    ],
    expires: t('named.expires', { date: expiresOn }),
    questionsNote: t('named.questionsNote', { staff }),
    action,
    csrf,
    questions,
    score: scale(t, 'customerScore', ratingLegend, values.customerScore, message('customerScore')),
    share: {
      legend: t('named.shareLegend'),
      label: t('named.shareOptIn', { staff }),
      hint: t('named.shareHint', { staff }),
      checked: values.shareWithManager,
    },
    submit: t('common.submit'),
  });
  return layout(page, title, body);
}
