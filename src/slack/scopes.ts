/**
 * Every Web API method the app calls, with the bot scope it needs (null: none; a list: one per kind
 * of conversation the method is used on). manifest.yml asks for exactly these scopes plus
 * `commands`; a test holds the two together, and the end-to-end tests check that the app calls
 * nothing missing from this list.
 */
export const WEB_API_SCOPES: Record<string, string | readonly string[] | null> = {
  'auth.test': null,
  'views.open': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'users.info': 'users:read',
  // After a crash or a timed-out send: is the reminder already in the person's DM?
  'conversations.open': 'im:write',
  // ...and, for digests, whether a committee channel already has this week's digest: public
  // channels, private channels, DMs.
  'conversations.history': ['im:history', 'channels:history', 'groups:history'],
  // Committee digests: is the app in the channel (public or private)?
  'conversations.info': ['channels:read', 'groups:read'],
  // A settings modal opened while Slack was slow to answer is updated in place.
  'views.update': null,
  // The digest's chart goes into its thread (files upload v2).
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  // Action plans: who is a manager (MANAGER_USERGROUP), and, after a crash, whether a check-in is
  // already in the plan's thread.
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'conversations.replies': ['channels:history', 'groups:history'],
};

/** Every Events API event the app subscribes to, with the bot scope Slack requires for it. */
export const EVENT_SCOPES: Record<string, string | null> = {
  app_uninstalled: null,
  tokens_revoked: null,
  // A person's profile changed; the app acts when they were deactivated.
  user_change: 'users:read',
};
