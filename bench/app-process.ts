/**
 * The app as `npm start` runs it (config from the environment, database, Bolt, HTTP server and
 * scheduler), in a process of its own so the benchmark measures its memory and nothing else. It
 * answers the benchmark over IPC: its port once listening, its memory on request (after a forced
 * GC when asked: run it with --expose-gc), and a clean stop.
 */
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServiceRadar } from '../src/service.js';
import { serveBenchRequests } from './child.js';

const config = loadConfig();
const radar = await startServiceRadar({ config, logger: createLogger(config.LOG_LEVEL) });
serveBenchRequests(radar.port, () => radar.stop());
