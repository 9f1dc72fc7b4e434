/**
 * `npm run demo`: Service Radar end to end, with no Slack workspace.
 *
 * Starts the real app (HTTP receiver, Bolt, scheduler jobs, an embedded database in a temporary
 * folder) against the local Slack stand-in from the tests, then plays four weeks: an admin subscribes
 * a committee channel with /service-digest, staff in four units start rounds with /rate-service,
 * their customers click the button in their DM and answer, all as signed HTTP requests to
 * /slack/events. Each Monday at 09:00 (London) the scheduler posts the digest of the week before;
 * the demo prints it as text, and saves its chart as a PNG whose path it prints.
 *
 * The app's clock is set back to the Monday four weeks ago and moves forward day by day, so the
 * rounds, the weeks and the digests fall where they would have. Requests are signed at the real
 * time, as Slack signs them; the app checks signatures against the real time, not its clock.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ViewStateValue } from '@slack/bolt';
import { DateTime } from 'luxon';
import { loadConfig } from '../src/config.js';
import { fixedClock } from '../src/lib/clock.js';
import { createLogger } from '../src/logger.js';
import { COMMITTEE_MODAL } from '../src/modules/committees/committees.views.js';
import { RESPONSE_MODAL, ROUND_ACTIONS, ROUND_MODAL } from '../src/modules/rounds/rounds.views.js';
import { startServiceRadar } from '../src/service.js';
import {
  blockAction,
  checkboxes,
  datePicker,
  plainInput,
  postToSlackEvents,
  radio,
  type SlackRequest,
  slashCommand,
  staticSelect,
  TEST_SIGNING_SECRET,
  usersSelect,
  viewSubmission,
} from '../test/helpers/slack-requests.js';
import { type RecordedCall, startSlackStandIn } from '../test/helpers/slack-stand-in.js';

const ZONE = 'Europe/London';
const CHANNEL = 'C0SERVICECOMMITTEE';
const ADMIN = 'UADMIN';
const WEEKS = 4;

/** Staff, their unit, and how they and their customers see their service. */
const STAFF = [
  { id: 'USAM', name: 'Sam', unit: 'Reference', self: 8, customer: [4, 5, 6, 6] },
  { id: 'UROBIN', name: 'Robin', unit: 'Reference', self: 8, customer: [5, 5, 6, 7] },
  { id: 'UKIM', name: 'Kim', unit: 'Reference', self: 9, customer: [6, 5, 7, 7] },
  { id: 'UMAX', name: 'Max', unit: 'Reference', self: 7, customer: [5, 6, 6, 7] },
  { id: 'UCHRIS', name: 'Chris', unit: 'Circulation', self: 6, customer: [7, 8, 7, 8] },
  { id: 'UPAT', name: 'Pat', unit: 'Circulation', self: 7, customer: [7, 7, 8, 8] },
  { id: 'UJO', name: 'Jo', unit: 'Circulation', self: 6, customer: [6, 7, 7, 7] },
  { id: 'ULEE', name: 'Lee', unit: "Children's", self: 7, customer: [5, 6, 5, 6] },
  { id: 'UALEX', name: 'Alex', unit: "Children's", self: 8, customer: [6, 6, 7, 6] },
  { id: 'UTAY', name: 'Tay', unit: "Children's", self: 7, customer: [6, 5, 6, 7] },
  { id: 'UDANA', name: 'Dana', unit: 'Archives', self: 9, customer: [3, 4, 5, 5] },
] as const;
const CUSTOMERS = STAFF.map((_, index) => `UCUST${'ABCDEFGHIJK'[index]}`);
const SERVICES = ['Interlibrary loans', 'Reading lists', 'Room bookings', 'Study skills sessions'];

const DAY_MS = 86_400_000;

async function main() {
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), 'service-radar-demo-'));
  const standIn = await startSlackStandIn();
  standIn.addUser({ id: ADMIN, name: 'ada', real_name: 'Ada Admin', is_admin: true, tz: ZONE });
  for (const person of STAFF)
    standIn.addUser({ id: person.id, name: person.name.toLowerCase(), real_name: person.name, tz: ZONE });
  for (const [index, id] of CUSTOMERS.entries())
    standIn.addUser({
      id,
      name: `customer${index}`,
      real_name: `Customer ${'ABCDEFGHIJK'[index]}`,
      tz: ZONE,
    });

  // Monday four weeks ago, 08:00 in London: the first week played. The last digest is last week's.
  const firstMonday = DateTime.now().setZone(ZONE).startOf('week').minus({ weeks: WEEKS }).set({ hour: 8 });
  const clock = fixedClock(firstMonday.toJSDate());
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-demo-token-0000000000',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: standIn.url,
    PORT: '0',
    PGLITE_DIR: join(work, 'data'),
    LOG_LEVEL: 'silent',
    SCHEDULER_ENABLED: 'false',
    LIBRARY_TIME_ZONE: ZONE,
  });
  const radar = await startServiceRadar({ config, logger: createLogger('silent'), clock });
  const baseUrl = `http://127.0.0.1:${radar.port}`;

  const send = async (request: SlackRequest) => {
    const response = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, request);
    if (response.status !== 200) throw new Error(`the app answered ${response.status}`);
    if (response.json?.response_action === 'errors')
      throw new Error(`the app refused a form: ${JSON.stringify(response.json.errors)}`);
    return response;
  };
  const after = (mark: number) => (call: RecordedCall) => standIn.calls.indexOf(call) >= mark;
  const viewIdOf = async (call: RecordedCall) => {
    for (let i = 0; i < 100 && !call.reply; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return (call.reply?.body.view as { id?: string } | undefined)?.id ?? '';
  };
  const state = (ids: Record<string, string>, actionId: string, values: Record<string, ViewStateValue>) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [ids[key], { [actionId]: value }]));

  // 1. An admin makes the channel a committee channel.
  let mark = standIn.calls.length;
  await send({
    kind: 'command',
    fields: slashCommand({
      command: '/service-digest',
      text: 'subscribe',
      userId: ADMIN,
      channelId: CHANNEL,
    }),
  });
  const form = await standIn.waitForCall('views.open', after(mark));
  await send({
    kind: 'interactive',
    payload: viewSubmission({
      userId: ADMIN,
      view: {
        id: await viewIdOf(form),
        callback_id: COMMITTEE_MODAL.callbackId,
        private_metadata: form.args.view.private_metadata,
        state_values: state(COMMITTEE_MODAL.blocks, COMMITTEE_MODAL.actionId, {
          scope: radio('all'),
          units: plainInput(null),
          weekday: staticSelect('1'),
          hour: staticSelect('9'),
          timeZone: plainInput(ZONE),
          minGroupSize: staticSelect('3'),
          showIndividuals: checkboxes([]),
        }),
      },
    }),
  });
  process.stdout.write(
    `Service Radar demo: #${CHANNEL} subscribed by an admin; posts Mondays 09:00 ${ZONE}.\n` +
      `Playing ${WEEKS} weeks of rounds for ${STAFF.length} staff in 4 units, from ${firstMonday.toFormat('d MMM yyyy')}.\n\n`,
  );

  // 2. Each week, each staff member rates their service to one customer, who answers (mostly).
  let rounds = 0;
  for (let week = 0; week < WEEKS; week++) {
    for (const [index, person] of STAFF.entries()) {
      // Spread over Monday to Friday, in working hours.
      clock.set(
        firstMonday.plus({ weeks: week, days: index % 5, hours: 1 + Math.floor(index / 5) }).toJSDate(),
      );
      const customer = CUSTOMERS[index] as string;
      mark = standIn.calls.length;
      await send({
        kind: 'command',
        fields: slashCommand({
          command: '/rate-service',
          text: '',
          userId: person.id,
          channelId: `D${person.id.slice(1)}`,
        }),
      });
      const modal = await standIn.waitForCall('views.open', after(mark));
      const interviewOn = DateTime.fromJSDate(clock.now(), { zone: ZONE })
        .plus({ days: 2 })
        .toISODate() as string;
      await send({
        kind: 'interactive',
        payload: viewSubmission({
          userId: person.id,
          view: {
            id: await viewIdOf(modal),
            callback_id: ROUND_MODAL.callbackId,
            private_metadata: modal.args.view.private_metadata,
            state_values: state(ROUND_MODAL.blocks, ROUND_MODAL.actionId, {
              customerUser: usersSelect(customer),
              customerName: plainInput(null),
              newService: plainInput(SERVICES[week] as string),
              segment: staticSelect('core'),
              unit: plainInput(person.unit),
              selfScore: staticSelect(String(person.self)),
              selfNote: plainInput(null),
              interviewOn: datePicker(interviewOn),
            }),
          },
        }),
      });
      rounds++;
      // Now and then a customer does not answer (yet): it shows as a follow-up.
      if ((index + week) % 9 === 4) continue;
      const request = await standIn.waitForCall(
        'chat.postMessage',
        (c) => after(mark)(c) && c.args.channel === customer,
      );
      const roundId = (request.args.blocks as { elements?: { action_id?: string; value?: string }[] }[])
        .flatMap((block) => block.elements ?? [])
        .find((element) => element.action_id === ROUND_ACTIONS.answer)?.value;
      clock.advance(3 * 3_600_000);
      mark = standIn.calls.length;
      await send({
        kind: 'interactive',
        payload: blockAction({
          userId: customer,
          actionId: ROUND_ACTIONS.answer,
          value: roundId ?? '',
          channelId: `D${customer.slice(1)}`,
        }),
      });
      const response = await standIn.waitForCall('views.open', after(mark));
      await send({
        kind: 'interactive',
        payload: viewSubmission({
          userId: customer,
          view: {
            id: await viewIdOf(response),
            callback_id: RESPONSE_MODAL.callbackId,
            private_metadata: response.args.view.private_metadata,
            state_values: state(RESPONSE_MODAL.blocks, RESPONSE_MODAL.actionId, {
              needFromMe: plainInput('Requests handled within the week.'),
              whyDependOnMe: plainInput('Nobody else can do it.'),
              notAdequatelyProviding: plainInput('Updates while I wait.'),
              concentrateOn: plainInput('Telling me when something is late.'),
              noLongerNeed: plainInput(index % 3 === 0 ? 'The printed weekly summary.' : 'Nothing.'),
              additionalComments: plainInput(null),
              customerScore: staticSelect(String(person.customer[week])),
            }),
          },
        }),
      });
    }

    // 3. Monday 09:00 London: the scheduler's tick posts last week's digest.
    const postTime = firstMonday
      .plus({ weeks: week + 1 })
      .set({ hour: 9 })
      .toJSDate();
    clock.set(postTime);
    mark = standIn.calls.length;
    await radar.scheduler.tick(postTime);
    const digest = standIn.calls.find(
      (c) => after(mark)(c) && c.method === 'chat.postMessage' && c.args.channel === CHANNEL,
    );
    if (!digest) throw new Error('no digest was posted');
    process.stdout.write(`${'─'.repeat(100)}\n${blocksToText(digest.args.blocks)}\n`);
    const upload = await standIn.waitForCall('upload', after(mark)).catch(() => undefined);
    if (upload) {
      const file = join(work, `digest-week-${week + 1}.png`);
      await writeFile(file, upload.args.bytes as Buffer);
      process.stdout.write(`Chart (in the digest's thread): ${file}\n`);
    }
    process.stdout.write('\n');
    clock.set(new Date(postTime.getTime() + DAY_MS / 24));
  }

  await radar.stop();
  await standIn.close();
  await rm(join(work, 'data'), { recursive: true, force: true });
  process.stdout.write(
    `${'─'.repeat(100)}\n${rounds} rounds played through signed requests to /slack/events in ${((performance.now() - started) / 1000).toFixed(1)} s. Charts are in ${work}\n`,
  );
}

const EMOJI: Record<string, string> = {
  ':red_circle:': '🔴',
  ':large_yellow_circle:': '🟡',
  ':large_green_circle:': '🟢',
};

interface RichPart {
  type: string;
  text?: string;
  name?: string;
  style?: string;
  elements?: RichPart[];
}
interface Block {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: RichPart[];
}

/** A rich text block's words (unit rows, follow-ups), one list item a line. */
function richTextToText(parts: RichPart[]): string {
  return parts
    .map((part) => {
      if (part.type === 'emoji') return EMOJI[`:${part.name}:`] ?? `:${part.name}:`;
      if (part.type === 'rich_text_list')
        return (part.elements ?? []).map((item) => `\n  • ${richTextToText(item.elements ?? [])}`).join('');
      if (part.elements) return richTextToText(part.elements);
      return part.text ?? '';
    })
    .join('');
}

/** The digest as a person would read it in Slack, for a terminal. */
function blocksToText(blocks: Block[]): string {
  const clean = (text: string) =>
    text
      .replace(/:[a-z_]+:/g, (code) => EMOJI[code] ?? code)
      .replace(/[*_]/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return blocks
    .map((block) => {
      if (block.type === 'header') return (block.text?.text ?? '').toUpperCase();
      if (block.type === 'divider') return '';
      if (block.type === 'rich_text') return richTextToText(block.elements ?? []);
      if (block.type === 'context') return clean((block.elements ?? []).map((e) => e.text ?? '').join(' '));
      if (block.fields) return block.fields.map((field) => clean(field.text).replace('\n', ': ')).join('\n');
      return clean(block.text?.text ?? '');
    })
    .join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`The demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
