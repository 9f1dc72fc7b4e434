import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH } from '../../src/slack/app.js';
import { ACTION_PLAN_COMMAND } from '../../src/slack/listeners/commands/action-plan.js';
import { RATE_SERVICE_COMMAND } from '../../src/slack/listeners/commands/rate-service.js';
import { SERVICE_DIGEST_COMMAND } from '../../src/slack/listeners/commands/service-digest.js';
import { SERVICE_POINT_COMMAND } from '../../src/slack/listeners/commands/service-point.js';
import { SUBSCRIBED_EVENTS } from '../../src/slack/listeners/events/index.js';
import { EVENT_SCOPES, WEB_API_SCOPES } from '../../src/slack/scopes.js';

interface Manifest {
  display_information: { name: string; description: string };
  features: {
    bot_user: { display_name: string };
    slash_commands: { command: string; url: string; description: string }[];
    app_home: Record<string, boolean>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
    event_subscriptions?: { request_url: string; bot_events: string[]; user_events?: string[] };
  };
}

const manifest = parse(await readFile(new URL('../../manifest.yml', import.meta.url), 'utf8')) as Manifest;

describe('manifest.yml', () => {
  it('has the fields Slack requires, within its lengths', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    for (const command of manifest.features.slash_commands) {
      expect(command.command).toMatch(/^\/[a-z0-9-_]{1,31}$/);
      expect(command.description.length).toBeLessThanOrEqual(100);
    }
  });

  it('lists exactly the slash commands the app answers, all on /slack/events', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(
      [RATE_SERVICE_COMMAND, SERVICE_DIGEST_COMMAND, SERVICE_POINT_COMMAND, ACTION_PLAN_COMMAND].sort(),
    );
    for (const command of manifest.features.slash_commands)
      expect(new URL(command.url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
  });

  it('subscribes, on /slack/events, to exactly the events the app handles: uninstall, revoked tokens, deactivations, the Home tab', () => {
    const events = manifest.settings.event_subscriptions;
    expect(events).toBeDefined();
    expect(new URL(events?.request_url ?? '').pathname).toBe(SLACK_EVENTS_PATH);
    expect([...(events?.bot_events ?? [])].sort()).toEqual(
      ['app_uninstalled', 'tokens_revoked', 'user_change', 'app_home_opened'].sort(),
    );
    expect([...(events?.bot_events ?? [])].sort()).toEqual([...SUBSCRIBED_EVENTS].sort());
    expect(Object.keys(EVENT_SCOPES).sort()).toEqual([...SUBSCRIBED_EVENTS].sort());
    expect(events?.user_events).toBeUndefined();
  });

  it('asks for the scopes the app uses and no more', () => {
    const needed = new Set([
      'commands',
      ...[...Object.values(WEB_API_SCOPES), ...Object.values(EVENT_SCOPES)]
        .flat()
        .filter((scope): scope is string => scope !== null),
    ]);
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });

  it('keeps Socket Mode off by default and lets the app message people', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });
});
