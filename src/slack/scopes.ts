/**
 * Every Web API method the app calls, with the bot scope it needs (null: none). manifest.yml asks for
 * exactly these scopes plus `commands`; a test holds the two together, and the end-to-end tests check
 * that the app calls nothing missing from this list.
 */
export const WEB_API_SCOPES: Record<string, string | null> = {
  'auth.test': null,
  'views.open': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'users.info': 'users:read',
  // After a crash or a timed-out send: is the reminder already in the person's DM?
  'conversations.open': 'im:write',
  'conversations.history': 'im:history',
};
