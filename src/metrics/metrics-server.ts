import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuardedServer } from '../http/guarded-server.js';
import { createRefusalLog } from '../http/refusal-log.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * GET /metrics on METRICS_PORT, a server of its own: the Slack port faces the internet, this one
 * should face only the scraper. Every other path is a 404 and every other method a 405, from the
 * same guarded server the Slack port uses.
 */
export async function startMetricsServer({
  port,
  metrics,
  logger,
}: {
  port: number;
  metrics: Metrics;
  logger: Logger;
}): Promise<MetricsServer> {
  const refusals = createRefusalLog({ logger });
  const server: Server = createGuardedServer({
    logger,
    refusals,
    routes: {
      [METRICS_PATH]: {
        GET: async (_req, res) => {
          const { contentType, body } = await metrics.render();
          res.writeHead(200, {
            'content-type': contentType,
            'content-length': String(Buffer.byteLength(body)),
            'cache-control': 'no-store',
          });
          res.end(body);
        },
      },
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  logger.info({ port: bound }, 'metrics are served');
  return {
    port: bound,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      refusals.flush();
    },
  };
}
