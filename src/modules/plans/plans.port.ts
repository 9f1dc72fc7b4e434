/**
 * What plans need to ask of the outside world: who is a manager, and the private conversations
 * plans live in. Declared here, by the plans module; src/slack/manager-access.ts and
 * src/slack/plan-conversations.ts answer from Slack.
 */

export type ManagerCheck = 'manager' | 'not_manager' | 'unknown';

export interface ManagerAccess {
  /**
   * Workspace admins and owners, members of MANAGER_USERGROUP, and MANAGER_USER_IDS. `timeoutMs`
   * bounds the whole check (a form's submission has to be answered within Slack's 3 seconds).
   */
  check(userId: string, options?: { timeoutMs?: number }): Promise<ManagerCheck>;
}

/** What a channel a manager chose for a plan turns out to be, asked of Slack at that moment. */
export type ChannelCheck = 'private' | 'public' | 'direct_message' | 'not_member' | 'archived' | 'unknown';

/** The private conversations plans live in (src/slack/plan-conversations.ts). */
export interface PlanConversations {
  /** The app's conversation with these people: the DM for one, a group DM for several. */
  open(userIds: readonly string[]): Promise<{ ok: true; channel: string } | { ok: false; error: string }>;
  /** Whether a channel is a private channel the app is in (a cut-off leaves it 'unknown'). */
  check(channelId: string, options: { timeoutMs: number }): Promise<ChannelCheck>;
}
