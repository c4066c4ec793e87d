// @ts-check
// What the restore pages decide, DOM-free (unit-tested): which wizard step a restore is at, labels of statuses,
// actions and results, which group mappings need the user's choice, when "Execute restore" may be pressed and why
// not (with the clock injected, so an expired plan is testable), and the request bodies. proto3 JSON leaves out
// defaults (0, '', false, empty lists) and carries enums as their full names.

export const RESTORE_EXECUTE = 'restore.execute';
export const RESTORE_PREVIEW = 'restore.preview';

/**
 * @typedef {{ sourceGroupId: string, sourceDisplayName?: string, state?: string, targetGroupId?: string,
 *   targetDisplayName?: string, candidateGroupIds?: string[], itemCount?: number }} GroupMapping
 * @typedef {{ items?: number, create?: number, update?: number, skipIdentical?: number, blocked?: number, created?: number,
 *   updated?: number, unchanged?: number, failed?: number, needsReconcile?: number, blockedAtExecute?: number }} RestoreCounts
 * @typedef {{ allowOverwrite?: boolean, allowBroadTargets?: boolean, dryRun?: boolean }} RestoreOptions
 * @typedef {{ restoreId: string, status?: string, backupSetId?: string, sourceTenantId?: string, targetTenantId?: string,
 *   itemIds?: string[], crossTenant?: boolean, planHash?: string, planExpiresAt?: string, executeRunId?: string,
 *   previewRunId?: string, groupMappings?: GroupMapping[], counts?: RestoreCounts, failureCode?: string,
 *   failureMessage?: string, createdBy?: string, createdAt?: string, updatedAt?: string, options?: RestoreOptions }} Restore
 * @typedef {'map' | 'skip' | 'omit' | 'automatic'} Decision
 *   automatic forgets an earlier choice: the preview maps the group by id / name again
 * @typedef {{ decision: Decision, targetGroupId?: string }} Choice
 * @typedef {'source' | 'target' | 'mapping' | 'preview' | 'progress'} StepKey
 * @typedef {{ key: StepKey, label: string, state: 'done' | 'current' | 'todo' }} Step
 */

/** The wizard's steps in order: the form is the first two, a restore's page the rest. */
export const STEPS = /** @type {ReadonlyArray<{ key: StepKey, label: string }>} */ (Object.freeze([
  { key: 'source', label: 'Source' },
  { key: 'target', label: 'Target and options' },
  { key: 'mapping', label: 'Group mappings' },
  { key: 'preview', label: 'Preview' },
  { key: 'progress', label: 'Progress and results' },
]));

/** Statuses after "Execute restore" (or the end of a restore): its results are what matters. */
const EXECUTED = ['RESTORE_STATUS_QUEUED', 'RESTORE_STATUS_RUNNING', 'RESTORE_STATUS_COMPLETED', 'RESTORE_STATUS_PARTIAL',
  'RESTORE_STATUS_FAILED', 'RESTORE_STATUS_CANCELLED'];

/** @param {GroupMapping} mapping */
export const needsChoice = (mapping) => mapping.state === 'GROUP_MAPPING_STATE_MISSING' || mapping.state === 'GROUP_MAPPING_STATE_AMBIGUOUS';

/** The mappings the user must decide before executing, in the server's order. @param {Restore} restore */
export const openMappings = (restore) => (restore.groupMappings ?? []).filter(needsChoice);

/**
 * The wizard step a restore is at: no restore yet is the form; a draft or a running preview is on its way to the
 * mappings; a previewed one is at the mappings while a group still needs a choice, then at the preview; anything
 * executed (or ended) shows its progress.
 * @param {Restore | null} restore
 * @returns {StepKey}
 */
export function stepOf(restore) {
  if (!restore) return 'source';
  if (EXECUTED.includes(restore.status ?? '')) return 'progress';
  if (restore.status === 'RESTORE_STATUS_PREVIEWED') return openMappings(restore).length > 0 ? 'mapping' : 'preview';
  return 'mapping';
}

/** The step indicator: the steps before the current one are done. @param {StepKey} current @returns {Step[]} */
export function stepStates(current) {
  const at = STEPS.findIndex((s) => s.key === current);
  return STEPS.map((s, i) => ({ ...s, state: i < at ? 'done' : i === at ? 'current' : 'todo' }));
}

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

/** Nothing has been written yet (the server's Cancellable). @param {Restore} restore */
export const isCancellable = (restore) =>
  ['RESTORE_STATUS_DRAFT', 'RESTORE_STATUS_PREVIEWING', 'RESTORE_STATUS_PREVIEWED', 'RESTORE_STATUS_QUEUED'].includes(restore.status ?? '');

/** A preview may be (re)started: a draft (none yet, or the last one failed) or a previewed restore (a fresh plan). @param {Restore} restore */
export const isPreviewable = (restore) => restore.status === 'RESTORE_STATUS_DRAFT' || restore.status === 'RESTORE_STATUS_PREVIEWED';

/** SetGroupMappings is taken in DRAFT and PREVIEWED only (not while a preview runs). @param {Restore} restore */
export const acceptsChoices = isPreviewable;

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

/** A choice made earlier, which "Undo choice" (GROUP_CHOICE_AUTOMATIC) can forget. @param {GroupMapping} mapping */
export const isUserChoice = (mapping) => ['GROUP_MAPPING_STATE_CHOSEN', 'GROUP_MAPPING_STATE_SKIPPED',
  'GROUP_MAPPING_STATE_ASSIGNMENTS_OMITTED'].includes(mapping.state ?? '');

const ACTIONS = /** @type {Record<string, [string, string]>} */ ({
  RESTORE_ACTION_CREATE: ['create', 'succeeded'],
  RESTORE_ACTION_UPDATE: ['update', 'running'],
  RESTORE_ACTION_SKIP_IDENTICAL: ['identical', 'queued'],
  RESTORE_ACTION_BLOCKED: ['blocked', 'failed'],
});

/** @param {{ action?: string, blockedReason?: string }} item @returns {string} e.g. "create", "blocked: unmapped_group" */
export function actionText(item) {
  const [action] = ACTIONS[item.action ?? ''] ?? ['unknown'];
  return item.action === 'RESTORE_ACTION_BLOCKED' && item.blockedReason ? `${action}: ${item.blockedReason}` : action;
}

/** The plan's badge: creates green, updates blue, identical grey, blocked red. @param {{ action?: string, blockedReason?: string }} item */
export function actionBadge(item) {
  const [, cls] = ACTIONS[item.action ?? ''] ?? ['', ''];
  return { text: actionText(item), cls: `badge ${cls}` };
}

const RESULTS = /** @type {Record<string, [string, string]>} */ ({
  RESTORE_ITEM_RESULT_PENDING: ['pending', 'queued'],
  RESTORE_ITEM_RESULT_CREATED: ['created', 'succeeded'],
  RESTORE_ITEM_RESULT_UPDATED: ['updated', 'succeeded'],
  RESTORE_ITEM_RESULT_UNCHANGED: ['unchanged', 'succeeded'],
  RESTORE_ITEM_RESULT_BLOCKED: ['blocked', 'failed'],
  RESTORE_ITEM_RESULT_FAILED: ['failed', 'failed'],
  RESTORE_ITEM_RESULT_NEEDS_RECONCILE: ['needs reconcile', 'partially_succeeded'],
  RESTORE_ITEM_RESULT_DRY_RUN: ['dry run', 'cancelled'],
});

/** @param {{ result?: string, blockedReason?: string }} item @returns {{ text: string, cls: string }} */
export function resultBadge(item) {
  const [text, cls] = RESULTS[item.result ?? ''] ?? ['pending', 'queued'];
  const reason = item.result === 'RESTORE_ITEM_RESULT_BLOCKED' && item.blockedReason ? `: ${item.blockedReason}` : '';
  return { text: text + reason, cls: `badge ${cls}` };
}

/** Results a person must look at: a create whose answer was lost, a failed write, an item blocked. @param {{ result?: string }} item */
export const needsAttention = (item) => ['RESTORE_ITEM_RESULT_NEEDS_RECONCILE', 'RESTORE_ITEM_RESULT_FAILED',
  'RESTORE_ITEM_RESULT_BLOCKED'].includes(item.result ?? '');

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
 * Whether the restore has results to show rather than only a plan: it was executed (queued on), or it was cancelled
 * after results were counted. A restore cancelled before executing has none.
 * @param {Restore} restore
 */
export function hasResults(restore) {
  if (restore.status === 'RESTORE_STATUS_CANCELLED') {
    const c = restore.counts ?? {};
    return [c.created, c.updated, c.unchanged, c.failed, c.needsReconcile, c.blockedAtExecute].some((n) => (n ?? 0) > 0);
  }
  return EXECUTED.includes(restore.status ?? '');
}

/** The list row's counts: the results once executed, the plan once previewed. @param {Restore} restore */
export function countsText(restore) {
  if (hasResults(restore)) return resultSummary(restore.counts);
  if (restore.planHash) return planSummary(restore.counts);
  return 'not previewed yet';
}

/** @param {RestoreOptions | undefined} options */
export function optionsText(options) {
  const o = options ?? {};
  return [o.dryRun ? 'dry run' : '', o.allowOverwrite ? 'allow overwrite' : '', o.allowBroadTargets ? 'allow broad targets' : '']
    .filter(Boolean).join(', ') || 'none';
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
  else if (!restore.planHash) reasons.push('There is no plan yet: preview first.');
  const undecided = openMappings(restore);
  if (undecided.length > 0) reasons.push(`${undecided.length} group(s) need your choice first.`);
  if (isExpired(restore, now)) reasons.push('The plan expired: preview again.');
  return reasons;
}

/** @param {Restore} restore @param {Date} now */
export const isExpired = (restore, now) => !!restore.planExpiresAt && Date.parse(restore.planExpiresAt) <= now.getTime();

/**
 * How long until the plan expires, so the page can re-check Execute then; null when it has no expiry or is past it.
 * @param {Restore} restore @param {Date} now
 */
export function msUntilExpiry(restore, now) {
  if (!restore.planExpiresAt) return null;
  const ms = Date.parse(restore.planExpiresAt) - now.getTime();
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

const CHOICES = /** @type {Record<Decision, string>} */ ({
  map: 'GROUP_CHOICE_MAP', skip: 'GROUP_CHOICE_SKIP', omit: 'GROUP_CHOICE_OMIT_ASSIGNMENTS', automatic: 'GROUP_CHOICE_AUTOMATIC',
});

/**
 * The SetGroupMappings body for the decisions made (a "map" without a group is left out: nothing was chosen yet).
 * @param {Map<string, Choice>} decisions by source group id
 */
export function choicesBody(decisions) {
  /** @type {{ sourceGroupId: string, choice: string, targetGroupId?: string }[]} */
  const choices = [];
  for (const [sourceGroupId, choice] of decisions) {
    if (choice.decision === 'map') {
      if (choice.targetGroupId) choices.push({ sourceGroupId, choice: CHOICES.map, targetGroupId: choice.targetGroupId });
    } else {
      choices.push({ sourceGroupId, choice: CHOICES[choice.decision] });
    }
  }
  return { choices };
}

/**
 * What stops "Save choices": nothing decided, or "Map to a group" without a group picked (named, so the user knows
 * which). Leaving some groups undecided is allowed: the server keeps them missing and Execute waits.
 * @param {readonly GroupMapping[]} mappings
 * @param {Map<string, Choice>} decisions
 * @returns {string} '' when the choices can be saved
 */
export function choicesProblem(mappings, decisions) {
  const unpicked = mappings.filter((m) => decisions.get(m.sourceGroupId)?.decision === 'map' && !decisions.get(m.sourceGroupId)?.targetGroupId)
    .map((m) => m.sourceDisplayName || m.sourceGroupId);
  if (unpicked.length > 0) return `Pick a target group for ${unpicked.join(', ')}.`;
  if (choicesBody(decisions).choices.length === 0) return 'Choose what to do with at least one group.';
  return '';
}

/** @param {{ backupSetId: string, itemIds?: string[], dryRun?: boolean, allowOverwrite?: boolean, allowBroadTargets?: boolean }} form */
export function createBody(form) {
  return {
    backupSetId: form.backupSetId,
    itemIds: form.itemIds ?? [],
    options: { dryRun: !!form.dryRun, allowOverwrite: !!form.allowOverwrite, allowBroadTargets: !!form.allowBroadTargets },
  };
}
