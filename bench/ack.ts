/**
 * Acknowledgement benchmark: the real app, in its own process, over HTTP on loopback, on PostgreSQL
 * and on PGlite, with its Web API pointed at the Slack stand-in (which enforces trigger expiry,
 * Block Kit limits and, in the rate-limit phase, Tier 4 on views.open). A bare Bolt app that only
 * acknowledges runs the same commands and submissions first, as the yardstick.
 *
 * Phases, each at CONCURRENCY requests in flight:
 *  - commands: COMMANDS signed `/rate-service` commands. Time to the HTTP response, and time until
 *    the views.open for that command's trigger_id reaches the stand-in.
 *  - submissions: as many round-modal `view_submission`s, each a new round (validation, insert and
 *    outbox before the ack; the customer's request and the staff member's note after it).
 *  - slow views.open: the commands again with the stand-in taking SLOW_VIEWS_OPEN_MS over views.open.
 *  - rate limited: views.open limited to Tier 4 (100 a minute): every refused user must be told.
 *  - steady rate: PACED_REQUESTS commands and submissions sent at PACED_PER_SECOND, an open loop
 *    like Slack's traffic rather than 50 clients waiting on each other.
 *  - connections (PostgreSQL): WRITES submissions at once; pg_stat_activity sampled throughout.
 *  - heap: HEAP_REQUESTS requests (half `help`, 4 in 10 forms opened, 1 in 10 rounds saved, so
 *    the whole benchmark fits in 10 minutes); heap used after a forced GC, before and after.
 *
 * Throughput phases lift Slack's rate limits on purpose: 2,000 modal opens in a few seconds are
 * about 20 times Tier 4's 100 a minute, and with the limit on, the figures would measure Slack's
 * refusals rather than the app. The rate-limited phase measures that path on its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import {
  postToSlackEvents,
  roundFormSubmission,
  type SlackRequest,
  slashCommand,
  TEST_SIGNING_SECRET,
} from '../test/helpers/slack-requests.js';
import type { StandInUser } from '../test/helpers/slack-stand-in.js';
import type { ChildMessage, ChildRequest } from './child.js';
import { benchAdminUrl, type Engine, withEmptyPostgresDatabase } from './engines.js';
import type { StandInMessage, StandInRequest } from './stand-in-process.js';
import { startScriptNodeFlags } from './start-flags.js';

const CONCURRENCY = 50;
const COMMANDS = Number(process.env.BENCH_ACK_REQUESTS ?? 2_000);
const SUBMISSIONS = COMMANDS;
const HEAP_REQUESTS = Number(process.env.BENCH_HEAP_REQUESTS ?? 50_000);
const WARMUP = 500;
const WRITES = 500;
const POOL_SIZE = 10;
const SLOW_VIEWS_OPEN_MS = 2_500;
const TRIGGER_TTL_MS = 3_000;
const TIER_4_PER_MINUTE = 100;
const RATE_LIMITED_COMMANDS = 300;
const STAFF = 500;
const PACED_REQUESTS = 500;
const PACED_PER_SECOND = 50;

const root = new URL('..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;
const mib = (bytes: number) => round1(bytes / 2 ** 20);

// ---------------------------------------------------------------------------------------------
// Child processes

interface Memory {
  rss: number;
  heapUsed: number;
}

interface Child<In, Out extends { type: string }> {
  /** The next message of that type from the child. */
  next<T extends Out['type']>(type: T): Promise<Extract<Out, { type: T }>>;
  send(message: In): void;
  /** Lines the child logged at error level or above (pino's levels 50 and 60). */
  errors: string[];
  /** Waits for the child to exit after `message` (killing it after 15 s). */
  stopWith(message: In): Promise<void>;
}

function startChild<In, Out extends { type: string }>(
  script: string,
  env: Record<string, string>,
): Child<In, Out> {
  // BENCH_CHILD_ARGS passes Node options to the children, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const extra = process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? [];
  // The app and the bare Bolt app run as production does (plain JavaScript); the stand-in through tsx.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  // The app and the bare Bolt app with the Node options `npm start` gives the app; the stand-in without.
  const flags = script.endsWith('.ts') ? [] : startScriptNodeFlags();
  const child: ChildProcess = spawn(
    process.execPath,
    [...flags, ...extra, '--expose-gc', ...loader, script],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const errors: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (/"level":(50|60)/.test(line)) errors.push(line);
  });
  return {
    errors,
    next: (type) =>
      new Promise((resolve, reject) => {
        const onMessage = (message: Out) => {
          if (message.type !== type) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message as Extract<Out, { type: typeof type }>);
        };
        const onExit = (code: number | null) =>
          reject(new Error(`${script} exited (${code}): ${errors.slice(0, 3).join('\n')}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
      }),
    send: (message) => child.send(message as object),
    async stopWith(message) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send(message as object);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface BenchApp {
  url: string;
  memory(gc?: boolean): Promise<Memory>;
  errors: string[];
  stop(): Promise<void>;
}

/** Starts the app (or the bare Bolt app) and waits until it listens. */
async function startApp(script: string, env: Record<string, string>): Promise<BenchApp> {
  const child = startChild<ChildRequest, ChildMessage>(script, env);
  const ready = await child.next('ready');
  return {
    url: `http://127.0.0.1:${ready.port}`,
    errors: child.errors,
    async memory(gc = false) {
      const answer = child.next('memory');
      child.send({ type: 'memory', gc });
      const { rss, heapUsed } = await answer;
      return { rss, heapUsed };
    },
    stop: () => child.stopWith({ type: 'stop' }),
  };
}

// ---------------------------------------------------------------------------------------------
// Load

function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: round1(at(0.5)), p95: round1(at(0.95)), p99: round1(at(0.99)), max: round1(at(1)) };
}

interface Driven {
  ms: number[];
  /** Answers that were not a plain 200 acknowledgement, by status or by the error they carried. */
  notAcked: Record<string, number>;
  seconds: number;
}

/** Collects answers: each one's time, and those that were not a plain acknowledgement. */
function tally() {
  const ms: number[] = [];
  const notAcked: Record<string, number> = {};
  const started = performance.now();
  return {
    send: async (url: string, request: SlackRequest) => {
      const result = await postToSlackEvents(url, TEST_SIGNING_SECRET, request);
      ms.push(result.ms);
      const refused = result.status !== 200 ? `http_${result.status}` : result.json?.response_action;
      if (refused) notAcked[refused] = (notAcked[refused] ?? 0) + 1;
    },
    done: (): Driven => ({ ms, notAcked, seconds: round1((performance.now() - started) / 1000) }),
  };
}

/**
 * Sends `total` requests at a steady `perSecond`, each at its time whether or not earlier ones have
 * been answered (an open loop, as Slack's traffic is), and measures each answer.
 */
async function paced(
  url: string,
  total: number,
  perSecond: number,
  make: (i: number) => SlackRequest,
): Promise<Driven> {
  const answers = tally();
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(answers.send(url, make(i)));
  }
  await Promise.all(sends);
  return answers.done();
}

/** Sends `total` requests, `concurrency` at a time; `make(i)` builds each just before it is sent. */
async function drive(
  url: string,
  total: number,
  make: (i: number) => SlackRequest,
  concurrency = CONCURRENCY,
  every?: { n: number; run: () => void },
): Promise<Driven> {
  const answers = tally();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      await answers.send(url, make(i));
      if (every && (i + 1) % every.n === 0) every.run();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers.done();
}

// ---------------------------------------------------------------------------------------------
// The Slack side

interface Traffic {
  standIn: Child<StandInRequest, StandInMessage>;
  url: string;
  /** trigger_id -> Date.now() when its command was sent, until its views.open is answered. */
  sentAt: Map<string, number>;
  responseUrl: string;
  nextCustomer: number;
  nextTrigger: number;
  /** The stand-in's answers so far, by method and outcome. */
  replies: Record<string, Record<string, number>>;
  /** views.open arrival latencies (ms after the command was sent) harvested so far. */
  viewsOpenMs: number[];
  harvesting: Promise<void>;
}

const CUSTOMERS = WARMUP + SUBMISSIONS * 2 + WRITES + PACED_REQUESTS + HEAP_REQUESTS;

async function startTraffic(): Promise<Traffic> {
  const standIn = startChild<StandInRequest, StandInMessage>('bench/stand-in-process.ts', {
    TRIGGER_TTL_MS: String(TRIGGER_TTL_MS),
  });
  const { url } = await standIn.next('ready');
  const users: StandInUser[] = [];
  for (let i = 0; i < STAFF; i++) users.push({ id: `UBS${i}`, name: `staff${i}`, tz: 'Europe/London' });
  for (let n = 0; n < CUSTOMERS; n++)
    users.push({ id: `UBC${n}`, name: `customer${n}`, tz: 'Europe/London' });
  standIn.send({ type: 'users', users });
  const traffic: Traffic = {
    standIn,
    url,
    sentAt: new Map(),
    responseUrl: url.replace(/\/api\/$/, '/respond/command'),
    nextCustomer: 0,
    nextTrigger: 0,
    replies: {},
    viewsOpenMs: [],
    harvesting: Promise.resolve(),
  };
  await harvest(traffic); // IPC keeps order: the users are in once this answers
  return traffic;
}

/** Collects the stand-in's tallies and the views.open arrivals since the last harvest. */
function harvest(traffic: Traffic): Promise<void> {
  // One at a time: each answer belongs to the request that asked for it.
  traffic.harvesting = traffic.harvesting.then(() => harvestNow(traffic));
  return traffic.harvesting;
}

async function harvestNow(traffic: Traffic): Promise<void> {
  const answer = traffic.standIn.next('harvest');
  traffic.standIn.send({ type: 'harvest' });
  const { replies, viewsOpen } = await answer;
  traffic.replies = replies;
  for (const [triggerId, at] of viewsOpen) {
    const sent = traffic.sentAt.get(triggerId);
    if (sent === undefined) continue;
    traffic.viewsOpenMs.push(at - sent);
    traffic.sentAt.delete(triggerId);
  }
}

/** Waits until every command sent has had its views.open answered (or `timeoutMs` passes). */
async function settleViewsOpen(traffic: Traffic, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await harvest(traffic);
    if (traffic.sentAt.size === 0 || Date.now() > deadline) return;
    await sleep(100);
  }
}

/** A signed `/rate-service` with a trigger id issued now, as Slack's edge issues it. */
function command(traffic: Traffic, i: number): SlackRequest {
  const issuedAt = Date.now();
  const triggerId = `${issuedAt}.${++traffic.nextTrigger}.${randomBytes(8).toString('hex')}`;
  traffic.sentAt.set(triggerId, issuedAt);
  return {
    kind: 'command',
    fields: slashCommand({
      command: '/rate-service',
      text: '',
      userId: `UBS${i % STAFF}`,
      triggerId,
      responseUrl: traffic.responseUrl,
    }),
  };
}

/** `/rate-service help`: answered in the acknowledgement itself. */
function help(traffic: Traffic, i: number): SlackRequest {
  return {
    kind: 'command',
    fields: slashCommand({
      command: '/rate-service',
      text: 'help',
      userId: `UBS${i % STAFF}`,
      responseUrl: traffic.responseUrl,
    }),
  };
}

const interviewOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);

/** A round-modal submission for a new round: a staff member and a customer never paired before. */
function submission(traffic: Traffic, i: number): SlackRequest {
  const n = traffic.nextCustomer++;
  return roundFormSubmission({
    userId: `UBS${i % STAFF}`,
    viewId: `VB${n}`,
    answers: {
      customerUserId: `UBC${n}`,
      service: 'Interlibrary loans',
      unit: `Unit ${i % 60}`,
      selfScore: String(1 + (i % 10)),
      interviewOn,
    },
  });
}

function ackFigures(driven: Driven) {
  return { ...percentiles(driven.ms), seconds: driven.seconds, notAcked: driven.notAcked };
}

async function commandPhase(url: string, traffic: Traffic, count: number) {
  traffic.viewsOpenMs = [];
  const driven = await drive(url, count, (i) => command(traffic, i));
  await settleViewsOpen(traffic, SLOW_VIEWS_OPEN_MS + 15_000);
  return {
    ack: ackFigures(driven),
    viewsOpen: {
      ...percentiles(traffic.viewsOpenMs),
      arrived: traffic.viewsOpenMs.length,
      lost: traffic.sentAt.size,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Runs

const appEnv = (traffic: Traffic) => ({
  SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_API_URL: traffic.url,
  PORT: '0',
  LOG_LEVEL: 'info',
});

const mixed = (traffic: Traffic) => (i: number) => (i % 2 ? submission(traffic, i) : command(traffic, i));

async function runBareBolt() {
  const traffic = await startTraffic();
  const app = await startApp('bench/bare-bolt.mjs', appEnv(traffic));
  try {
    await sleep(1_000);
    const idle = await app.memory();
    await drive(app.url, WARMUP, mixed(traffic));
    const commands = ackFigures(await drive(app.url, COMMANDS, (i) => command(traffic, i)));
    const submissions = ackFigures(await drive(app.url, SUBMISSIONS, (i) => submission(traffic, i)));
    const after = await app.memory();
    return { commands, submissions, memoryMiB: { rssIdle: mib(idle.rss), rssAfterLoad: mib(after.rss) } };
  } finally {
    await app.stop();
    await traffic.standIn.stopWith({ type: 'close' });
  }
}

/** Commands while views.open is limited to Tier 4: every command refused by Slack must be answered. */
async function rateLimitedPhase(url: string, traffic: Traffic) {
  await harvest(traffic);
  const before = { opened: traffic.replies['views.open']?.ok ?? 0, told: traffic.replies.respond?.ok ?? 0 };
  const refusedBefore = traffic.replies['views.open']?.ratelimited ?? 0;
  traffic.standIn.send({
    type: 'rateLimits',
    limits: { 'views.open': { limit: TIER_4_PER_MINUTE, windowMs: 60_000 } },
  });
  const driven = await drive(url, RATE_LIMITED_COMMANDS, (i) => command(traffic, i));
  await sleep(3_000);
  traffic.standIn.send({ type: 'rateLimits', limits: undefined });
  await harvest(traffic);
  traffic.sentAt.clear(); // the refused ones never open
  const refused = (traffic.replies['views.open']?.ratelimited ?? 0) - refusedBefore;
  const told = (traffic.replies.respond?.ok ?? 0) - before.told;
  return {
    commands: RATE_LIMITED_COMMANDS,
    limitPerMinute: TIER_4_PER_MINUTE,
    ack: ackFigures(driven),
    opened: (traffic.replies['views.open']?.ok ?? 0) - before.opened,
    refusedBySlack: refused,
    toldToTryAgain: told,
    leftWithoutAnswer: Math.max(0, refused - told),
  };
}

async function runApp(engine: Engine) {
  const traffic = await startTraffic();
  const dir = engine === 'pglite' ? await mkdtemp(join(tmpdir(), 'service-radar-bench-')) : undefined;
  const withDatabase = <T>(run: (env: Record<string, string>, name?: string) => Promise<T>) =>
    dir
      ? run({ PGLITE_DIR: dir })
      : withEmptyPostgresDatabase('ack', (url, name) =>
          run({ DATABASE_URL: url, DATABASE_POOL_SIZE: String(POOL_SIZE) }, name),
        );
  try {
    return await withDatabase(async (databaseEnv, databaseName) => {
      const app = await startApp('bench/app-process.mjs', { ...appEnv(traffic), ...databaseEnv });
      let figures: Awaited<ReturnType<typeof measureApp>>;
      try {
        figures = await measureApp(app, traffic, databaseName);
      } finally {
        await app.stop();
      }
      // Every submission was a valid new round: each must be in the database, including those whose
      // save outlived the form's 2 s budget (the user saw "try again"; the save still counted).
      const stored = await countRounds(databaseEnv);
      return {
        ...figures,
        rounds: { submitted: traffic.nextCustomer, stored, lost: traffic.nextCustomer - stored },
      };
    });
  } finally {
    await traffic.standIn.stopWith({ type: 'close' });
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** Every phase, against one running app. */
async function measureApp(app: BenchApp, traffic: Traffic, databaseName: string | undefined) {
  await sleep(1_000);
  const idle = await app.memory();
  await drive(app.url, WARMUP, mixed(traffic));
  await settleViewsOpen(traffic);

  const commands = await commandPhase(app.url, traffic, COMMANDS);
  const submissions = ackFigures(await drive(app.url, SUBMISSIONS, (i) => submission(traffic, i)));

  traffic.standIn.send({ type: 'slow', ms: SLOW_VIEWS_OPEN_MS });
  const slowViewsOpen = await commandPhase(app.url, traffic, COMMANDS);
  traffic.standIn.send({ type: 'slow', ms: 0 });

  const rateLimited = await rateLimitedPhase(app.url, traffic);

  // Far above a library's busiest hour, but below what the app can do: requests as Slack sends
  // them, at a steady rate, half forms opened and half rounds saved.
  traffic.viewsOpenMs = [];
  const steady = await paced(app.url, PACED_REQUESTS, PACED_PER_SECOND, (i) =>
    i % 2 ? submission(traffic, i) : command(traffic, i),
  );
  await settleViewsOpen(traffic);
  const steadyRate = {
    perSecond: PACED_PER_SECOND,
    requests: PACED_REQUESTS,
    ack: ackFigures(steady),
    viewsOpen: percentiles(traffic.viewsOpenMs),
  };
  const connections = databaseName ? await connectionPhase(app.url, traffic, databaseName) : undefined;

  const heapBefore = await app.memory(true);
  // Every path a day's traffic takes: help and other quick answers, forms opened, rounds saved.
  const dayMix = (i: number) =>
    i % 10 < 5 ? help(traffic, i) : i % 10 < 9 ? command(traffic, i) : submission(traffic, i);
  const heapRun = await drive(app.url, HEAP_REQUESTS, dayMix, CONCURRENCY, {
    n: 2_000,
    run: () => void harvest(traffic),
  });
  await settleViewsOpen(traffic);
  await sleep(2_000);
  const afterLoad = await app.memory();
  const heapAfter = await app.memory(true);
  await harvest(traffic);
  return {
    commands,
    submissions,
    slowViewsOpen: { standInMs: SLOW_VIEWS_OPEN_MS, ...slowViewsOpen },
    rateLimited,
    steadyRate,
    ...(connections ? { connections } : {}),
    heap: {
      requests: HEAP_REQUESTS,
      seconds: heapRun.seconds,
      requestsPerSecond: Math.round(HEAP_REQUESTS / heapRun.seconds),
      notAcked: heapRun.notAcked,
      heapUsedBeforeMiB: mib(heapBefore.heapUsed),
      heapUsedAfterMiB: mib(heapAfter.heapUsed),
      growthMiB: mib(heapAfter.heapUsed - heapBefore.heapUsed),
    },
    memoryMiB: {
      rssIdle: mib(idle.rss),
      rssAfterLoad: mib(afterLoad.rss),
      rssAfterGc: mib(heapAfter.rss),
    },
    expiredTriggerIds: traffic.replies['views.open']?.expired_trigger_id ?? 0,
    slack: traffic.replies,
    appErrorsLogged: app.errors.length,
    ...(app.errors.length > 0 ? { firstAppError: app.errors[0]?.slice(0, 400) } : {}),
  };
}

async function countRounds(databaseEnv: Record<string, string>): Promise<number> {
  if (databaseEnv.PGLITE_DIR) {
    const pglite = await PGlite.create(databaseEnv.PGLITE_DIR);
    try {
      const { rows } = await pglite.query<{ n: number }>('select count(*)::int as n from rounds');
      return rows[0]?.n ?? 0;
    } finally {
      await pglite.close();
    }
  }
  const client = postgres(databaseEnv.DATABASE_URL as string, { max: 1, onnotice: () => {} });
  try {
    const [row] = await client<{ n: number }[]>`select count(*)::int as n from rounds`;
    return row?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** WRITES submissions at once, with pg_stat_activity sampled for the app's database throughout. */
async function connectionPhase(url: string, traffic: Traffic, databaseName: string) {
  const sampler = postgres(benchAdminUrl(), { max: 1, onnotice: () => {} });
  let peak = 0;
  let samples = 0;
  let sampling = true;
  const sampling$ = (async () => {
    while (sampling) {
      const [row] = await sampler<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where datname = ${databaseName}`;
      peak = Math.max(peak, row?.n ?? 0);
      samples++;
      await sleep(5);
    }
  })();
  try {
    const driven = await drive(url, WRITES, (i) => submission(traffic, i), WRITES);
    return {
      concurrentWrites: WRITES,
      poolSize: POOL_SIZE,
      peakConnections: peak,
      samples,
      ack: ackFigures(driven),
    };
  } finally {
    sampling = false;
    await sampling$;
    await sampler.end();
  }
}

export async function runAckBenchmark() {
  process.stderr.write('   bare Bolt app\n');
  const bareBolt = await runBareBolt();
  process.stderr.write('   app on PostgreSQL\n');
  const postgresFigures = await runApp('postgres');
  process.stderr.write('   app on PGlite\n');
  const pgliteFigures = await runApp('pglite');
  const ratio = (figures: typeof postgresFigures, kind: 'commands' | 'submissions', q: 'p50' | 'p99') => {
    const app = kind === 'commands' ? figures.commands.ack[q] : figures.submissions[q];
    return round1(app / bareBolt[kind][q]);
  };
  const ratios = (figures: typeof postgresFigures) => ({
    commandsP50: ratio(figures, 'commands', 'p50'),
    commandsP99: ratio(figures, 'commands', 'p99'),
    submissionsP50: ratio(figures, 'submissions', 'p50'),
    submissionsP99: ratio(figures, 'submissions', 'p99'),
  });
  return {
    concurrency: CONCURRENCY,
    commands: COMMANDS,
    submissions: SUBMISSIONS,
    targets: {
      ackP99Ms: 100,
      viewsOpenP99Ms: 250,
      expiredTriggerIds: 0,
      ratioToBareBolt: 2,
      heapGrowthMiB: 20,
    },
    bareBolt,
    postgres: { ...postgresFigures, ratioToBareBolt: ratios(postgresFigures) },
    pglite: { ...pgliteFigures, ratioToBareBolt: ratios(pgliteFigures) },
  };
}
