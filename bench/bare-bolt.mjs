// The yardstick: a Bolt app with the same receiver settings as Service Radar whose listeners only
// acknowledge, run like the app (plain JavaScript, no loader). The ack latency of the real app is
// reported as a ratio to this one's.
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { serveBenchRequests } from './child.mjs';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  endpoints: '/slack/events',
  processBeforeResponse: false,
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command(/.*/, async ({ ack }) => {
  await ack();
});
app.view(/.*/, async ({ ack }) => {
  await ack();
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
const server = await app.start(0);
const address = server.address();
serveBenchRequests(typeof address === 'object' && address ? address.port : 0, () => app.stop());
