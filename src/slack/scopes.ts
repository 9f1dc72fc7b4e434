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
  // After a crash or a timed-out send: is the reminder already in the person's DM? (im:write). An
  // action plan lives in the app's group DM with the manager and the staff member (mpim:write), or
  // in the app's DM with someone who opens a plan for themselves (im:write).
  'conversations.open': ['im:write', 'mpim:write'],
  // ...and, for digests, whether a committee channel already has this week's digest: public
  // channels, private channels, DMs.
  'conversations.history': ['im:history', 'channels:history', 'groups:history'],
  // Committee digests: is the app in the channel (public or private)? Action plans: is the channel
  // a manager chose private, with the app in it (groups:read), or a public one sent in its place
  // (channels:read), refused?
  'conversations.info': ['channels:read', 'groups:read'],
  // A settings modal opened while Slack was slow to answer is updated in place.
  'views.update': null,
  'views.publish': null,
  // The digest's chart goes into its thread (files upload v2).
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  // A Home's customer circles replaced by a newer picture: the old file is deleted.
  'files.delete': 'files:write',
  // Action plans: who is a manager (MANAGER_USERGROUP), and, after a crash, whether a check-in is
  // already in the plan's thread: in a private channel (groups:history), the group DM
  // (mpim:history), or the app's DM with someone planning for themselves (im:history). Plans
  // opened before they moved into private conversations may still be in public channels
  // (channels:history).
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'conversations.replies': ['channels:history', 'groups:history', 'mpim:history', 'im:history'],
};

/** Every Events API event the app subscribes to, with the bot scope Slack requires for it. */
export const EVENT_SCOPES: Record<string, string | null> = {
  app_uninstalled: null,
  tokens_revoked: null,
  // A person's profile changed; the app acts when they were deactivated.
  user_change: 'users:read',
  // A person opened the app's Home tab: it is published for them.
  app_home_opened: null,
};
