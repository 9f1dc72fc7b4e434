/**
 * Who may administer the app: Slack's workspace admins and owners, and the people listed in
 * ADMIN_USER_IDS. Committees and service points ask the same question the same way; the port is
 * answered by src/slack/committee-access.ts with users.info.
 */
export interface AdministratorAccess {
  /** Whether Slack calls the person a workspace admin or owner, and their time zone. */
  person(userId: string): Promise<{ isWorkspaceAdmin: boolean; timeZone: string | null } | 'unknown'>;
}

/** Why a person may not act as an admin: not one, or Slack did not say in time. */
export type AdministratorRefusal = 'not_admin' | 'admin_unknown';

export type AdministratorStatus =
  | { status: 'admin'; timeZone: string | null }
  | { status: 'not_admin' }
  | { status: 'unknown' };

/** Slack's word on admin status, asked every time; ADMIN_USER_IDS stand even when Slack is silent. */
export async function administratorStatus(
  access: AdministratorAccess,
  adminUserIds: readonly string[],
  userId: string,
): Promise<AdministratorStatus> {
  const person = await access.person(userId).catch(() => 'unknown' as const);
  const listed = adminUserIds.includes(userId);
  if (person === 'unknown') return listed ? { status: 'admin', timeZone: null } : { status: 'unknown' };
  if (!listed && !person.isWorkspaceAdmin) return { status: 'not_admin' };
  return { status: 'admin', timeZone: person.timeZone };
}

/** The same, as a yes or a refusal code. */
export async function checkAdministrator(
  access: AdministratorAccess,
  adminUserIds: readonly string[],
  userId: string,
): Promise<{ ok: true; timeZone: string | null } | { ok: false; code: AdministratorRefusal }> {
  const admin = await administratorStatus(access, adminUserIds, userId);
  if (admin.status === 'unknown') return { ok: false, code: 'admin_unknown' };
  if (admin.status === 'not_admin') return { ok: false, code: 'not_admin' };
  return { ok: true, timeZone: admin.timeZone };
}
