// @ts-check
// What the restore pages decide, DOM-free (unit-tested): labels of statuses, actions and results, which group mappings
// need the user's choice, when "Execute restore" may be pressed and why not, and the SetGroupMappings payload.

export const RESTORE_EXECUTE = 'restore.execute';
export const RESTORE_PREVIEW = 'restore.preview';

/**
 * @typedef {{ sourceGroupId: string, sourceDisplayName?: string, state?: string, targetGroupId?: string,
 *   targetDisplayName?: string, candidateGroupIds?: string[], itemCount?: number }} GroupMapping
 * @typedef {{ items?: number, create?: number, update?: number, skipIdentical?: number, blocked?: number, created?: number,
 *   updated?: number, unchanged?: number, failed?: number, needsReconcile?: number, blockedAtExecute?: number }} RestoreCounts
 * @typedef {{ restoreId: string, status?: string, backupSetId?: string, targetTenantId?: string, crossTenant?: boolean,
 *   planHash?: string, planExpiresAt?: string, executeRunId?: string, previewRunId?: string, groupMappings?: GroupMapping[],
 *   counts?: RestoreCounts, failureCode?: string, failureMessage?: string, createdAt?: string,
 *   options?: { allowOverwrite?: boolean, allowBroadTargets?: boolean, dryRun?: boolean } }} Restore
 * @typedef {{ step?: string, requestId?: string, targetPolicyId?: string, detail?: string, at?: string }} JournalStep
 * @typedef {{ itemId: string, displayName?: string, odataType?: string, action?: string, blockedReason?: string,
 *   targetPolicyId?: string, result?: string, failureCode?: string, failureMessage?: string,
 *   changes?: { path?: string, current?: string, restored?: string }[], calls?: { method?: string, path?: string, step?: string }[],
 *   references?: { kind?: string, sourceValue?: string, decision?: string, targetValue?: string, detail?: string }[],
 *   journal?: JournalStep[] }} RestoreItem
 * @typedef {'map' | 'skip' | 'omit'} Decision
 * @typedef {{ decision: Decision, targetGroupId?: string }} Choice
 */

const STATUS = /** @type {Record<string, [string, string]>} */ ({
  RESTORE_STATUS_DRAFT: ['draft', 'queued'],
  RESTORE_STATUS_PREVIEWING: ['previewing', 'running'],
  RESTORE_STATUS_PREVIEWED: ['previewed', 'queued'],
  RESTORE_STATUS_QUEUED: ['queued', 'queued'],
  RESTORE_STATUS_RUNNING: ['running', 'running'],
  RESTORE_STATUS_COMPLETED: ['completed', 'succeeded'],
  RESTORE_STATUS_PARTIAL: ['partial', 'partially_succeeded'],
  RESTORE_STATUS_FAILED: ['failed', 'failed'],
  RESTORE_STATUS_CANCELLED: ['cancelled', 'cancelled'],
});

/** @param {string | undefined} status @returns {{ text: string, cls: string }} */
export function statusBadge(status) {
  const [text, cls] = STATUS[status ?? ''] ?? ['unknown', ''];
  return { text, cls: `badge ${cls}` };
}

/** While these last the page refreshes itself. @param {Restore} restore */
export const isLive = (restore) =>
  ['RESTORE_STATUS_PREVIEWING', 'RESTORE_STATUS_QUEUED', 'RESTORE_STATUS_RUNNING'].includes(restore.status ?? '');

/** @param {Restore} restore */
export const isCancellable = (restore) =>
  ['RESTORE_STATUS_DRAFT', 'RESTORE_STATUS_PREVIEWING', 'RESTORE_STATUS_PREVIEWED', 'RESTORE_STATUS_QUEUED'].includes(restore.status ?? '');

/** @param {GroupMapping} mapping */
export const needsChoice = (mapping) => mapping.state === 'GROUP_MAPPING_STATE_MISSING' || mapping.state === 'GROUP_MAPPING_STATE_AMBIGUOUS';

const MAPPING = /** @type {Record<string, string>} */ ({
  GROUP_MAPPING_STATE_MAPPED_BY_ID: 'same group (by id)',
  GROUP_MAPPING_STATE_MAPPED_BY_NAME: 'mapped by name',
  GROUP_MAPPING_STATE_MISSING: 'missing in the target: choose',
  GROUP_MAPPING_STATE_AMBIGUOUS: 'several groups of this name: choose',
  GROUP_MAPPING_STATE_CHOSEN: 'mapped by your choice',
  GROUP_MAPPING_STATE_SKIPPED: 'skipped by your choice',
  GROUP_MAPPING_STATE_ASSIGNMENTS_OMITTED: 'assignments left out by your choice',
});

/** @param {GroupMapping} mapping */
export function mappingText(mapping) {
  const what = MAPPING[mapping.state ?? ''] ?? 'unknown';
  return mapping.targetDisplayName ? `${what} → ${mapping.targetDisplayName}` : what;
}

const ACTIONS = /** @type {Record<string, string>} */ ({
  RESTORE_ACTION_CREATE: 'create', RESTORE_ACTION_UPDATE: 'update', RESTORE_ACTION_SKIP_IDENTICAL: 'identical', RESTORE_ACTION_BLOCKED: 'blocked',
});

const RESULTS = /** @type {Record<string, [string, string]>} */ ({
  RESTORE_ITEM_RESULT_PENDING: ['pending', 'queued'],
  RESTORE_ITEM_RESULT_CREATED: ['created', 'succeeded'],
  RESTORE_ITEM_RESULT_UPDATED: ['updated', 'succeeded'],
  RESTORE_ITEM_RESULT_UNCHANGED: ['unchanged', 'succeeded'],
  RESTORE_ITEM_RESULT_BLOCKED: ['blocked', 'failed'],
  RESTORE_ITEM_RESULT_FAILED: ['failed', 'failed'],
  RESTORE_ITEM_RESULT_NEEDS_RECONCILE: ['needs reconcile', 'failed'],
  RESTORE_ITEM_RESULT_DRY_RUN: ['dry run', 'cancelled'],
});

/** @param {RestoreItem} item @returns {string} e.g. "create", "blocked: unmapped_group" */
export function actionText(item) {
  const action = ACTIONS[item.action ?? ''] ?? 'unknown';
  return item.action === 'RESTORE_ACTION_BLOCKED' && item.blockedReason ? `${action}: ${item.blockedReason}` : action;
}

/** @param {RestoreItem} item @returns {{ text: string, cls: string }} */
export function resultBadge(item) {
  const [text, cls] = RESULTS[item.result ?? ''] ?? ['pending', 'queued'];
  const reason = item.result === 'RESTORE_ITEM_RESULT_BLOCKED' && item.blockedReason ? `: ${item.blockedReason}` : '';
  return { text: text + reason, cls: `badge ${cls}` };
}

/** @param {RestoreCounts | undefined} counts */
export function planSummary(counts) {
  const c = counts ?? {};
  return `${c.create ?? 0} create · ${c.update ?? 0} update · ${c.skipIdentical ?? 0} identical · ${c.blocked ?? 0} blocked`;
}

/** @param {RestoreCounts | undefined} counts */
export function resultSummary(counts) {
  const c = counts ?? {};
  return `${c.created ?? 0} created · ${c.updated ?? 0} updated · ${c.unchanged ?? 0} unchanged · ${c.failed ?? 0} failed · ` +
    `${c.needsReconcile ?? 0} need reconcile · ${c.blockedAtExecute ?? 0} blocked`;
}

/**
 * Why "Execute restore" cannot be pressed now; none means it can.
 * @param {Restore} restore
 * @param {Date} now
 * @param {boolean} mayExecute the run-type catalogue says the user can start restore.execute
 * @returns {string[]}
 */
export function executeBlockers(restore, now, mayExecute) {
  /** @type {string[]} */
  const reasons = [];
  if (!mayExecute) reasons.push('Your role does not allow executing restores.');
  if (restore.status !== 'RESTORE_STATUS_PREVIEWED') reasons.push('Only a previewed restore can be executed.');
  const undecided = (restore.groupMappings ?? []).filter(needsChoice);
  if (undecided.length > 0) reasons.push(`${undecided.length} group(s) need your choice first.`);
  if (restore.planExpiresAt && Date.parse(restore.planExpiresAt) <= now.getTime()) reasons.push('The plan expired: preview again.');
  return reasons;
}

/**
 * The SetGroupMappings body for the decisions made (a "map" without a group is left out: nothing was chosen yet).
 * @param {Map<string, Choice>} decisions by source group id
 */
export function choicesBody(decisions) {
  const choices = [];
  for (const [sourceGroupId, choice] of decisions) {
    if (choice.decision === 'map') {
      if (choice.targetGroupId) choices.push({ sourceGroupId, choice: 'GROUP_CHOICE_MAP', targetGroupId: choice.targetGroupId });
    } else {
      choices.push({ sourceGroupId, choice: choice.decision === 'skip' ? 'GROUP_CHOICE_SKIP' : 'GROUP_CHOICE_OMIT_ASSIGNMENTS' });
    }
  }
  return { choices };
}

/** @param {{ backupSetId: string, itemIds?: string[], dryRun?: boolean, allowOverwrite?: boolean, allowBroadTargets?: boolean }} form */
export function createBody(form) {
  return {
    backupSetId: form.backupSetId,
    itemIds: form.itemIds ?? [],
    options: { dryRun: !!form.dryRun, allowOverwrite: !!form.allowOverwrite, allowBroadTargets: !!form.allowBroadTargets },
  };
}
