// @ts-check
// How backup sets, their items, comparisons and drift findings read on screen, what a run's Related section links
// to, and the requests the backup pages send. DOM-free. proto3 JSON leaves out defaults (0, '', false, empty lists)
// and carries enums as their full names.

import { enumName, humanize, num, outcomeOf, statusOf } from './format.mjs';
import { href } from './routes.mjs';

/**
 * @typedef {{ family?: string | number, listed?: number | string, captured?: number | string, listComplete?: boolean }} FamilyCoverage
 * @typedef {{ backupSetId: string, workspaceId?: string, tenantId?: string, displayName?: string, status?: string | number,
 *   itemCount?: number | string, coverage?: FamilyCoverage[], lastRunId?: string, createdBy?: string, createdAt?: string,
 *   capturedAt?: string, scheduleId?: string }} BackupSet
 * @typedef {{ itemId: string, policyId?: string, family?: string | number, odataType?: string, displayName?: string,
 *   outcome?: string | number, contentHash?: string, failureCode?: string, failureMessage?: string,
 *   redactedSecrets?: number | string, assignmentCount?: number | string, runId?: string, capturedAt?: string }} BackupItem
 * @typedef {{ path?: string, oldValueJson?: string, newValueJson?: string, secret?: boolean }} DriftChange
 * @typedef {{ findingId?: string, runId?: string, kind?: string | number, family?: string | number, policyId?: string,
 *   displayName?: string, odataType?: string, changes?: DriftChange[] }} DriftFinding
 * @typedef {'added' | 'removed' | 'changed'} FindingKind
 * @typedef {{ path: string, change: string }} ChangeLine one changed value as shown: its pointer, and "old → new"
 * @typedef {{ kind: 'backup-set' | 'schedule' | 'drift-findings' | 'baseline' | 'restore', label: string, href: string }} RelatedLink
 * @typedef {import('./format.mjs').Run & { context?: Record<string, unknown> }} RunWithContext
 */

export const ADD_POLICIES = 'backup_set.add_policies';
export const RUN_NOW = 'backup_schedule.run_now';
export const RETRY = 'backup_schedule.retry';
export const SCHEDULED = 'backup_schedule.scheduled';
export const DRIFT = 'drift.generate';
export const SCHEDULE_RUN_PREFIX = 'backup_schedule.';

export const SETS_PAGE_SIZE = 25;
export const ITEMS_PAGE_SIZE = 100;
export const FINDINGS_PAGE_SIZE = 100;

/** Every policy of every family: what "New backup set" and a schedule capture (the API wants the families named). */
export const ALL_POLICIES = Object.freeze({
  families: Object.freeze(['POLICY_FAMILY_DEVICE_CONFIGURATIONS', 'POLICY_FAMILY_COMPLIANCE_POLICIES']),
});

const SET_STATUSES = ['UNSPECIFIED', 'EMPTY', 'CAPTURING', 'COMPLETE', 'COMPLETED_WITH_WARNINGS', 'INCOMPLETE', 'FAILED'];
const ITEM_OUTCOMES = ['UNSPECIFIED', 'CAPTURED', 'FAILED'];
const DRIFT_KINDS = ['UNSPECIFIED', 'ADDED', 'REMOVED', 'CHANGED'];
const FAMILIES = ['UNSPECIFIED', 'DEVICE_CONFIGURATIONS', 'COMPLIANCE_POLICIES'];

/** The badge class of each set status: the run badges' colours (complete green, warnings amber, …). */
const SET_BADGES = /** @type {Readonly<Record<string, string>>} */ (Object.freeze({
  EMPTY: 'queued',
  CAPTURING: 'running',
  COMPLETE: 'succeeded',
  COMPLETED_WITH_WARNINGS: 'partially_succeeded',
  INCOMPLETE: 'failed',
  FAILED: 'failed',
}));

/** 'COMPLETED_WITH_WARNINGS'. @param {BackupSet} set */
export const setStatusOf = (set) => enumName(set.status, 'BACKUP_SET_STATUS_', SET_STATUSES);

/**
 * The set's status as its badge shows it: the words, and the class that colours it.
 * @param {BackupSet} set
 * @returns {{ text: string, cls: string }}
 */
export function setStatusBadge(set) {
  const status = setStatusOf(set);
  return { text: humanize(status), cls: `badge ${SET_BADGES[status] ?? 'queued'}` };
}

/** A capture is queued or running, so the set is still changing (and polled). @param {BackupSet} set */
export const isCapturing = (set) => setStatusOf(set) === 'CAPTURING';

/** 'Device configurations'. @param {unknown} family */
export function familyLabel(family) {
  const name = humanize(enumName(family, 'POLICY_FAMILY_', FAMILIES));
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The set's coverage, one line per family of its latest capture: listed versus captured, and whether the list was
 * read to its end (an incomplete list may have lost policies).
 * @param {BackupSet} set
 * @returns {{ family: string, listed: number, captured: number, complete: boolean, text: string }[]}
 */
export function coverageRows(set) {
  return (set.coverage ?? []).map((c) => {
    const listed = num(c.listed);
    const captured = num(c.captured);
    const complete = c.listComplete === true;
    return {
      family: familyLabel(c.family),
      listed,
      captured,
      complete,
      text: `${captured} of ${listed} captured${complete ? '' : ' · list incomplete'}`,
    };
  });
}

/** The list row's and the detail's counts line. @param {BackupSet} set */
export function setCounts(set) {
  const items = num(set.itemCount);
  const captured = (set.coverage ?? []).reduce((sum, c) => sum + num(c.captured), 0);
  const listed = (set.coverage ?? []).reduce((sum, c) => sum + num(c.listed), 0);
  return `${items} ${items === 1 ? 'item' : 'items'} · ${captured}/${listed} captured`;
}

/** 'captured' or 'failed'. @param {BackupItem} item */
export const itemOutcome = (item) => humanize(enumName(item.outcome, 'BACKUP_ITEM_OUTCOME_', ITEM_OUTCOMES));

/** The item's badge class: captured green, failed red. @param {BackupItem} item */
export function itemBadge(item) {
  const outcome = itemOutcome(item);
  return `badge ${outcome === 'captured' ? 'succeeded' : outcome === 'failed' ? 'failed' : 'queued'}`;
}

/** 'Device configurations · #microsoft.graph.x · 2 assignments · 1 secret redacted'. @param {BackupItem} item */
export function itemMeta(item) {
  const assignments = num(item.assignmentCount);
  const secrets = num(item.redactedSecrets);
  return [
    familyLabel(item.family),
    item.odataType || '',
    `${assignments} ${assignments === 1 ? 'assignment' : 'assignments'}`,
    secrets ? `${secrets} ${secrets === 1 ? 'secret' : 'secrets'} redacted` : '',
  ].filter(Boolean).join(' · ');
}

/** 'graph.item_unreadable: Graph answered 500', or '' for an item that did not fail. @param {BackupItem} item */
export function itemFailure(item) {
  if (!item.failureCode && !item.failureMessage) return '';
  return [item.failureCode, item.failureMessage].filter(Boolean).join(': ');
}

/**
 * The stored content, indented for reading; text that is not JSON is shown as it came.
 * @param {string | undefined} contentJson
 */
export function prettyJson(contentJson) {
  if (!contentJson) return '';
  try {
    return JSON.stringify(JSON.parse(contentJson), null, 2);
  } catch {
    return contentJson;
  }
}

/** @param {DriftFinding} finding @returns {FindingKind | 'unspecified'} */
export function findingKind(finding) {
  const kind = enumName(finding.kind, 'DRIFT_KIND_', DRIFT_KINDS).toLowerCase();
  return kind === 'added' || kind === 'removed' || kind === 'changed' ? kind : 'unspecified';
}

/** The badge class of a finding: added green, removed red, changed amber. @param {DriftFinding} finding */
export function findingBadge(finding) {
  const kind = findingKind(finding);
  return `badge ${kind === 'added' ? 'succeeded' : kind === 'removed' ? 'failed' : kind === 'changed' ? 'partially_succeeded' : 'queued'}`;
}

/**
 * A changed value as shown: the JSON pointer, and "old → new" (the values' JSON; 'null' when absent on one side);
 * a secret only says it changed.
 * @param {DriftChange} change
 * @returns {ChangeLine}
 */
export function changeLine(change) {
  const path = change.path || '/';
  if (change.secret === true) return { path, change: 'secret changed (values not shown)' };
  return { path, change: `${change.oldValueJson || 'null'} → ${change.newValueJson || 'null'}` };
}

/** 'Device configurations · #microsoft.graph.x · policy-id'. @param {DriftFinding} finding */
export function findingMeta(finding) {
  return [familyLabel(finding.family), finding.odataType || '', finding.policyId || ''].filter(Boolean).join(' · ');
}

/**
 * How many findings of each kind, as a summary line: '1 added · 0 removed · 2 changed' (and the unchanged count
 * when a comparison gives it).
 * @param {readonly DriftFinding[]} findings
 * @param {number | string} [unchanged]
 */
export function findingSummary(findings, unchanged) {
  /** @type {Record<FindingKind, number>} */
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const finding of findings) {
    const kind = findingKind(finding);
    if (kind !== 'unspecified') counts[kind]++;
  }
  const parts = [`${counts.added} added`, `${counts.removed} removed`, `${counts.changed} changed`];
  if (unchanged !== undefined) parts.push(`${num(unchanged)} unchanged`);
  return parts.join(' · ');
}

/** The query of a page of a tenant's sets. @param {string} pageToken */
export function setsQuery(pageToken) {
  const params = new URLSearchParams({ pageSize: String(SETS_PAGE_SIZE) });
  if (pageToken) params.set('pageToken', pageToken);
  return params;
}

/** The query of a page of a set's items or a drift run's findings. @param {number} pageSize @param {string} pageToken */
export function pageQuery(pageSize, pageToken) {
  const params = new URLSearchParams({ pageSize: String(pageSize) });
  if (pageToken) params.set('pageToken', pageToken);
  return params;
}

/** The compare request's path: this set is the base, the other is compared with it. @param {string} setId @param {string} otherId */
export function comparePath(setId, otherId) {
  return `/v1/backup-sets/${encodeURIComponent(setId)}:compare?${new URLSearchParams({ otherBackupSetId: otherId })}`;
}

/**
 * "New backup set": the set's request body (its name), then the capture of every policy into it.
 * @param {string} displayName what the user typed; '' gets a dated default
 * @param {Date} now
 * @returns {{ create: { displayName: string }, addPolicies: { selection: { families: string[] } } }}
 */
export function newBackupSetRequests(displayName, now) {
  const name = displayName.trim() || `Backup ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return { create: { displayName: name.slice(0, 200) }, addPolicies: { selection: { families: [...ALL_POLICIES.families] } } };
}

/** A string field of a run's context ('' when absent). @param {RunWithContext} run @param {string} key */
export function contextValue(run, key) {
  const value = run.context ? run.context[key] : undefined;
  return typeof value === 'string' ? value : '';
}

/**
 * The backup set a backup run captured into: backup_set.add_policies and a retry carry it in their context
 * (backup_set_id); a run-now or scheduled run captures into a set whose id is the run's own id.
 * @param {RunWithContext} run
 */
export function backupSetOf(run) {
  const type = run.type || '';
  const fromContext = contextValue(run, 'backup_set_id');
  if (type === ADD_POLICIES) return fromContext;
  if (type === RUN_NOW || type === SCHEDULED) return fromContext || run.runId;
  if (type === RETRY) return fromContext;
  return '';
}

/**
 * What a run's Related section links to, from its type and context.
 * @param {RunWithContext} run
 * @returns {RelatedLink[]}
 */
export function relatedLinks(run) {
  const type = run.type || '';
  /** @type {RelatedLink[]} */
  const links = [];
  const setId = backupSetOf(run);
  if (setId) links.push({ kind: 'backup-set', label: 'Backup set', href: href.backupSet(setId) });
  const scheduleId = type.startsWith(SCHEDULE_RUN_PREFIX) ? contextValue(run, 'schedule_id') : '';
  if (scheduleId) {
    const name = contextValue(run, 'schedule_name');
    links.push({ kind: 'schedule', label: name ? `Schedule: ${name}` : 'Schedule', href: href.schedule(scheduleId) });
  }
  if (type === DRIFT) {
    links.push({ kind: 'drift-findings', label: 'Drift findings', href: href.drift(run.runId) });
    const baseline = contextValue(run, 'baseline_backup_set_id');
    if (baseline) links.push({ kind: 'baseline', label: 'Baseline backup set', href: href.backupSet(baseline) });
  }
  // restore.preview and restore.execute (seed 054's adapter run): Monitoring links to the restore's own page.
  const restoreId = type.startsWith('restore.') ? contextValue(run, 'restore_run_id') : '';
  if (restoreId) links.push({ kind: 'restore', label: 'Restore', href: href.restore(restoreId) });
  return links;
}

/**
 * Whether "Retry" applies to a run: a completed failed or partially succeeded run of a schedule (the server refuses
 * any other).
 * @param {RunWithContext} run
 */
export function isRetryable(run) {
  const outcome = outcomeOf(run);
  return (run.type || '').startsWith(SCHEDULE_RUN_PREFIX) && statusOf(run) === 'COMPLETED'
    && (outcome === 'FAILED' || outcome === 'PARTIALLY_SUCCEEDED') && contextValue(run, 'schedule_id') !== '';
}

/**
 * A fresh click id for a per-click start (run now, retry): every click a new run, a retried request the same one.
 * @param {() => string} [random]
 */
export function newClickId(random = () => globalThis.crypto.randomUUID()) {
  return random();
}
