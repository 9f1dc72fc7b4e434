import type { ViewStateValue } from '@slack/bolt';
import { desc } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { actionPlans, rounds } from '../../src/db/schema.js';
import { COMMITTEE_MODAL } from '../../src/modules/committees/committees.views.js';
import {
  CLOSE_MODAL,
  NOTE_MODAL,
  PLAN_ACTIONS,
  PLAN_MODAL,
  PLAN_OPEN_MODAL,
} from '../../src/modules/plans/plans.views.js';
import { PRACTICE_ACTIONS, PRACTICE_MODAL } from '../../src/modules/practices/practices.views.js';
import { RESPONSE_MODAL, ROUND_ACTIONS, ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import type { TestApp } from './app-harness.js';
import {
  blockAction,
  checkboxes,
  conversationsSelect,
  datePicker,
  type PostResult,
  plainInput,
  radio,
  slashCommand,
  staticSelect,
  usersSelect,
  viewSubmission,
} from './slack-requests.js';
import type { SlackStandIn } from './slack-stand-in.js';

/**
 * Every modal of the app, opened as a person opens it (a command or a button, then the view the app
 * asked Slack to open) and submitted through signed HTTP, for tests that care about what is typed
 * into each field rather than about the flow itself.
 */
export interface OpenedView {
  id: string;
  callback_id: string;
  private_metadata: string;
}

export type StateValues = Record<string, Record<string, ViewStateValue>>;

export const inDays = (days: number): string =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** One value per block, all under the modal's one action id. */
export function stateOf(actionId: string, values: Record<string, ViewStateValue>): StateValues {
  return Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { [actionId]: value }]));
}

export interface RoundForm {
  customerUserId?: string;
  customerName?: string;
  service: string;
  unit?: string;
  selfNote?: string;
}

export function roundFormState(form: RoundForm): StateValues {
  const ids = ROUND_MODAL.blocks;
  return stateOf(ROUND_MODAL.actionId, {
    [ids.customerUser]: usersSelect(form.customerUserId ?? null),
    [ids.customerName]: plainInput(form.customerName ?? null),
    [ids.newService]: plainInput(form.service),
    [ids.segment]: staticSelect('core'),
    [ids.unit]: plainInput(form.unit ?? 'Reference'),
    [ids.selfScore]: staticSelect('8'),
    [ids.selfNote]: plainInput(form.selfNote ?? null),
    [ids.interviewOn]: datePicker(inDays(7)),
  });
}

export type Answers = Record<
  Exclude<keyof typeof RESPONSE_MODAL.blocks, 'customerScore' | 'share' | 'consent'>,
  string
>;

/**
 * The answers form, as submitted. `agreed` is a recorded interview's required confirmation (the
 * customer's form has no such box, and ignores it); `share` is the customer's opt-in, off by default.
 */
export function responseState(
  answers: Answers,
  score = '4',
  { share = false, agreed = true }: { share?: boolean; agreed?: boolean } = {},
): StateValues {
  const ids = RESPONSE_MODAL.blocks;
  const { values } = RESPONSE_MODAL;
  return stateOf(RESPONSE_MODAL.actionId, {
    ...Object.fromEntries(
      Object.entries(answers).map(([key, value]) => [ids[key as keyof Answers], plainInput(value)]),
    ),
    [ids.customerScore]: staticSelect(score),
    [ids.share]: checkboxes(share ? [values.share] : []),
    [ids.consent]: checkboxes(agreed ? [values.agreed] : []),
  });
}

export interface PlanForm {
  strengths: string;
  improvements: string;
  steps: string;
  successMeasure: string;
}

/** The plan's form; `share` ticks the share option (refused unless the customer agreed). */
export function planState(form: PlanForm, { share = false }: { share?: boolean } = {}): StateValues {
  const ids = PLAN_MODAL.blocks;
  return stateOf(PLAN_MODAL.actionId, {
    [ids.strengths]: plainInput(form.strengths),
    [ids.improvements]: plainInput(form.improvements),
    [ids.steps]: plainInput(form.steps),
    [ids.successMeasure]: plainInput(form.successMeasure),
    [ids.checkinEvery]: staticSelect('14'),
    [ids.remeasureOn]: datePicker(inDays(60)),
    [ids.share]: checkboxes(share ? [PLAN_MODAL.shareValue] : []),
  });
}

export const noteState = (text: string): StateValues =>
  stateOf(NOTE_MODAL.actionId, { [NOTE_MODAL.block]: plainInput(text) });

export const closeState = (note: string): StateValues =>
  stateOf(CLOSE_MODAL.actionId, {
    [CLOSE_MODAL.blocks.outcome]: radio('improved'),
    [CLOSE_MODAL.blocks.note]: plainInput(note),
  });

export interface PracticeForm {
  whatYouDo: string;
  whyItWorks: string;
  service: string;
  unit: string;
}

export function practiceState(form: PracticeForm): StateValues {
  const ids = PRACTICE_MODAL.blocks;
  return stateOf(PRACTICE_MODAL.actionId, {
    [ids.whatYouDo]: plainInput(form.whatYouDo),
    [ids.whyItWorks]: plainInput(form.whyItWorks),
    [ids.service]: plainInput(form.service),
    [ids.unit]: plainInput(form.unit),
  });
}

export function committeeState(form: { units: string; timeZone?: string }): StateValues {
  const ids = COMMITTEE_MODAL.blocks;
  return stateOf(COMMITTEE_MODAL.actionId, {
    [ids.scope]: radio('units'),
    [ids.units]: plainInput(form.units),
    [ids.weekday]: staticSelect('1'),
    [ids.hour]: staticSelect('9'),
    [ids.timeZone]: plainInput(form.timeZone ?? 'Europe/London'),
    [ids.minGroupSize]: staticSelect('3'),
    [ids.showIndividuals]: checkboxes([]),
  });
}

export function walkThrough(app: TestApp, standIn: SlackStandIn, db: () => Database) {
  /** The next view the app opens after `mark` calls, with the id the stand-in gave it. */
  const openedAfter = async (mark: number, callbackId: string): Promise<OpenedView> => {
    const call = await standIn.waitForCall(
      'views.open',
      (c) => standIn.calls.indexOf(c) >= mark && c.args.view?.callback_id === callbackId,
    );
    expect(call.violations ?? []).toEqual([]);
    await expect.poll(() => call.reply?.body.ok).toBe(true);
    const view = call.reply?.body.view as { id: string } | undefined;
    return { ...call.args.view, id: view?.id ?? '' };
  };

  const command = (command: string, userId: string, text: string, channelId?: string) =>
    app.send({
      kind: 'command',
      fields: slashCommand({
        command,
        text,
        userId,
        responseUrl: app.responseUrl,
        ...(channelId ? { channelId } : {}),
      }),
    });

  const click = (userId: string, actionId: string, value: string, channelId?: string) =>
    app.send({
      kind: 'interactive',
      payload: blockAction({
        userId,
        actionId,
        value,
        responseUrl: app.responseUrl,
        ...(channelId ? { channelId } : {}),
      }),
    });

  const submit = (userId: string, view: OpenedView, state: StateValues): Promise<PostResult> =>
    app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId,
        view: {
          id: view.id,
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          state_values: state,
        },
      }),
    });

  return {
    submit,
    async openRoundModal(userId: string): Promise<OpenedView> {
      const mark = standIn.calls.length;
      expect((await command('/rate-service', userId, '')).status).toBe(200);
      return openedAfter(mark, ROUND_MODAL.callbackId);
    },
    /** The newest round of this staff member, once stored. */
    async latestRound(staffUserId: string) {
      let found: typeof rounds.$inferSelect | undefined;
      await expect
        .poll(async () => {
          const rows = await db().select().from(rounds).orderBy(desc(rounds.id));
          found = rows.find((row) => row.staffUserId === staffUserId);
          return found;
        })
        .toBeDefined();
      return found as typeof rounds.$inferSelect;
    },
    async openResponseModal(userId: string, roundId: number, channelId?: string): Promise<OpenedView> {
      const mark = standIn.calls.length;
      expect((await click(userId, ROUND_ACTIONS.answer, String(roundId), channelId)).status).toBe(200);
      return openedAfter(mark, RESPONSE_MODAL.callbackId);
    },
    /**
     * `/action-plan @staff` by a manager, typed in a channel, then the manager's form submitted: in
     * the group DM, or in the private channel `privateChannelId`. The plan's id once stored.
     */
    async openPlan(
      managerId: string,
      staffUserId: string,
      channelId: string,
      privateChannelId: string | null = null,
    ): Promise<number> {
      const mark = standIn.calls.length;
      expect((await command('/action-plan', managerId, `<@${staffUserId}>`, channelId)).status).toBe(200);
      const form = await openedAfter(mark, PLAN_OPEN_MODAL.callbackId);
      const submitted = await submit(
        managerId,
        form,
        stateOf(PLAN_OPEN_MODAL.actionId, {
          [PLAN_OPEN_MODAL.blocks.channel]: conversationsSelect(privateChannelId),
        }),
      );
      expect(submitted.json.response_action).toBe('update');
      const told = await standIn.waitForCall(
        'views.update',
        (c) => standIn.calls.indexOf(c) >= mark && c.args.view_id === form.id,
      );
      expect(JSON.stringify(told.args.view)).toContain('is open');
      const [plan] = await db().select().from(actionPlans).orderBy(desc(actionPlans.id)).limit(1);
      if (!plan) throw new Error('no plan stored');
      return plan.id;
    },
    async openPlanModal(
      userId: string,
      button: 'write' | 'addNote' | 'close',
      planId: number,
      channelId: string,
    ): Promise<OpenedView> {
      const callbackId = { write: PLAN_MODAL, addNote: NOTE_MODAL, close: CLOSE_MODAL }[button].callbackId;
      const mark = standIn.calls.length;
      expect((await click(userId, PLAN_ACTIONS[button], String(planId), channelId)).status).toBe(200);
      return openedAfter(mark, callbackId);
    },
    /** `/service-digest subscribe` by an admin in a channel. */
    async openCommitteeModal(adminId: string, channelId: string): Promise<OpenedView> {
      const mark = standIn.calls.length;
      expect((await command('/service-digest', adminId, 'subscribe', channelId)).status).toBe(200);
      return openedAfter(mark, COMMITTEE_MODAL.callbackId);
    },
    /** "Share a best practice", pressed on the Home tab (or, with a round id, on its result). */
    async openPracticeModal(userId: string, value = 'home'): Promise<OpenedView> {
      const mark = standIn.calls.length;
      expect((await click(userId, PRACTICE_ACTIONS.share, value)).status).toBe(200);
      return openedAfter(mark, PRACTICE_MODAL.callbackId);
    },
    /**
     * Waits until the app has finished everything it acknowledged (messages after the ack included)
     * and the Home tabs those changes republish.
     */
    async settled(): Promise<void> {
      await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 10_000 }).toBe(0);
      await expect.poll(() => app.radar.dependencies.homePublishing.active(), { timeout: 10_000 }).toBe(0);
    },
  };
}
