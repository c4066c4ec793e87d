// @ts-check
// The signed-in session's data, shared by the views, and the app's one API client and one scheduler.

import { createApi } from './api.mjs';
import { RunList } from './runlist.mjs';
import { Scheduler, systemClock } from './scheduler.mjs';

/**
 * @typedef {{ workspaceId: string, name?: string }} Workspace
 * @typedef {{ role?: string | number, capabilities?: string[] }} Member
 * @typedef {{ workspace: Workspace, member?: Member }} Membership
 * @typedef {{ tenantId: string, displayName?: string }} Tenant
 */

export const state = {
  /** @type {string | null} */
  token: null,
  /** @type {Membership[]} */
  workspaces: [],
  /** the workspace picked ('' = none) */
  workspaceId: '',
  /** @type {Tenant[]} of the selected workspace */
  tenants: [],
  /** @type {import('./runtypes.mjs').RunType[]} of the selected workspace; empty until loaded or if it failed */
  runTypes: [],
  /** the rows of the run list */
  list: new RunList(),
  /** guards against out-of-order responses: each bumps on a new request or a reset, a response of an older one is dropped */
  listSeq: 0,
  detailSeq: 0,
  notificationSeq: 0,
  workspaceSeq: 0,
  /** bumps on each page shown (router): a backup, schedule or drift page's response for an older page is dropped */
  pageSeq: 0,
  /** @type {string | null} run shown in the detail panel */
  detailRunId: null,
  /** where the trace viewer lives (/ui/config.json); '' = same origin */
  traceViewerUrl: '',
};

export const api = createApi({ fetch: (path, init) => fetch(path, init), token: () => state.token });

/** The browser's fetch, for watch streams (their response bodies are read as they arrive). @type {import('./watch.mjs').StreamFetch} */
export const streamFetch = (path, init) => fetch(path, init);

export const scheduler = new Scheduler(systemClock);

/** The scheduler's task names: one per periodic refresh. */
export const Task = Object.freeze({
  DETAIL: 'run-detail', LIST: 'run-list', LIST_NEW: 'run-list-new', NOTIFICATIONS: 'notifications', BACKUP_SET: 'backup-set', DRIFT: 'drift-run',
  RESTORE: 'restore',
});

/** @param {string | undefined} tenantId @returns {string} the tenant's display name, 'Workspace' for workspace-plane runs */
export function tenantName(tenantId) {
  if (!tenantId) return 'Workspace';
  const tenant = state.tenants.find((t) => t.tenantId === tenantId);
  return tenant && tenant.displayName ? tenant.displayName : tenantId;
}

/** @returns {Membership | null} the membership of the workspace picked */
export function currentMembership() {
  return state.workspaces.find((w) => w.workspace.workspaceId === state.workspaceId) ?? null;
}
