import type { WebClient } from '@slack/web-api';
import type { HomeSurface } from '../modules/home/home.port.js';
import { slackErrorCode } from './slack-errors.js';

/** Publishes Home tabs with `views.publish` (Tier 4). The chart block is newer than @slack/types. */
export function createHomeSurface(client: WebClient): HomeSurface {
  return {
    async publish(userId, view) {
      try {
        await client.views.publish({
          user_id: userId,
          view: view as Parameters<WebClient['views']['publish']>[0]['view'],
        });
        return { ok: true };
      } catch (error) {
        return { ok: false, error: slackErrorCode(error) ?? 'unknown_error' };
      }
    },
  };
}
