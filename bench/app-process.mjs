// The app as `npm start` runs it: the compiled dist/ (built by the install), config from the
// environment, database, Bolt, HTTP server and scheduler, in a process of its own so the benchmark
// measures its memory and nothing else. It answers the benchmark over IPC (bench/child.mjs).
import { loadConfig } from '../dist/config.js';
import { createLogger } from '../dist/logger.js';
import { startServiceRadar } from '../dist/service.js';
import { serveBenchRequests } from './child.mjs';

const config = loadConfig();
const radar = await startServiceRadar({ config, logger: createLogger(config.LOG_LEVEL) });
serveBenchRequests(radar.port, () => radar.stop());
