// @ts-check
// What the restore pages decide, DOM-free (unit-tested): labels of statuses, actions, results, blocked reasons, template
// states and reference decisions; which group mappings, notification templates and item references need the user's
// choice and which choices each offers; when "Execute restore" may be pressed and why not; the secret fields the execute
// form needs; and the SetGroupMappings, SetReferenceDecisions and ExecuteRestore payloads.

export const RESTORE_EXECUTE = 'restore.execute';
export const RESTORE_PREVIEW = 'restore.preview';

/**
 * @typedef {{ sourceGroupId: string, sourceDisplayName?: string, state?: string, targetGroupId?: string,
 *   targetDisplayName?: string, candidateGroupIds?: string[], itemCount?: number }} GroupMapping
 * @typedef {{ sourceTemplateId: string, sourceDisplayName?: string, state?: string, targetTemplateId?: string,
 *   candidateTemplateIds?: string[], itemCount?: number }} TemplateMapping
 * @typedef {{ items?: number, create?: number, update?: number, skipIdentical?: number, blocked?: number, created?: number,
 *   updated?: number, unchanged?: number, failed?: number, needsReconcile?: number, blockedAtExecute?: number }} RestoreCounts
 * @typedef {{ restoreId: string, status?: string, backupSetId?: string, targetTenantId?: string, crossTenant?: boolean,
 *   planHash?: string, planExpiresAt?: string, executeRunId?: string, previewRunId?: string, groupMappings?: GroupMapping[],
 *   templateMappings?: TemplateMapping[], counts?: RestoreCounts, failureCode?: string, failureMessage?: string, createdAt?: string,
 *   options?: { allowOverwrite?: boolean, allowBroadTargets?: boolean, dryRun?: boolean } }} Restore
 * @typedef {{ step?: string, requestId?: string, targetPolicyId?: string, detail?: string, at?: string }} JournalStep
 * @typedef {{ itemId: string, displayName?: string, odataType?: string, action?: string, blockedReason?: string,
 *   targetPolicyId?: string, result?: string, failureCode?: string, failureMessage?: string,
 *   changes?: { path?: string, current?: string, restored?: string }[], calls?: { method?: string, path?: string, step?: string }[],
 *   references?: Reference[], journal?: JournalStep[], secretPaths?: string[], reconcileCandidateIds?: string[] }} RestoreItem
 * @typedef {{ kind?: string, sourceValue?: string, decision?: string, targetValue?: string, detail?: string, candidates?: string[] }} Reference
 * @typedef {'map' | 'skip' | 'omit'} Decision
 * @typedef {{ decision: Decision, targetGroupId?: string }} Choice
 * @typedef {'drop' | 'block' | 'map' | 'create' | 'remove'} ReferencePick
 * @typedef {{ pick: ReferencePick, targetValue?: string }} TemplatePick a notification template's, for the whole restore
 * @typedef {{ itemId: string, kind: string, pick: ReferencePick, targetValue?: string }} ItemPick an item's, for every reference of the kind
 * @typedef {{ pick: ReferencePick, label: string, targetValue?: string }} PickOption
 * @typedef {{ kind: string, label: string, references: Reference[], required: boolean, options: PickOption[], note: string }} ItemDecision
 * @typedef {{ itemId: string, path: string, label: string }} SecretField
 * @typedef {{ itemId: string, path: string, value: string }} SecretValue
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

const BLOCKED_REASONS = /** @type {Record<string, string>} */ ({
  secret_required: 'its writes need secret values that were not given',
  ambiguous_target: 'several target policies share its display name and type',
  unmapped_group: 'a group it references needs your choice',
  not_captured: 'the backup holds no content for it',
  target_changed: 'the target changed since the preview',
  undecided_reference: 'a reference waits for your decision',
  reference_blocked: 'left out of the restore by your decision',
});

/** Why an item is blocked, for a reader; empty when it is not. @param {RestoreItem} item */
export function blockedReasonText(item) {
  const reason = item.blockedReason ?? '';
  return reason ? BLOCKED_REASONS[reason] ?? reason : '';
}

/** @param {TemplateMapping} mapping */
export const templateNeedsChoice = (mapping) =>
  mapping.state === 'TEMPLATE_MAPPING_STATE_AMBIGUOUS' || mapping.state === 'TEMPLATE_MAPPING_STATE_MISSING';

const TEMPLATE_STATES = /** @type {Record<string, string>} */ ({
  TEMPLATE_MAPPING_STATE_MAPPED_BY_ID: 'same template (by id)',
  TEMPLATE_MAPPING_STATE_MAPPED_BY_NAME: 'mapped by name',
  TEMPLATE_MAPPING_STATE_CREATE: 'created in the target when executing',
  TEMPLATE_MAPPING_STATE_AMBIGUOUS: 'several templates of this name: choose',
  TEMPLATE_MAPPING_STATE_MISSING: 'missing in the target and not in the backup: choose',
  TEMPLATE_MAPPING_STATE_CHOSEN: 'mapped by your choice',
  TEMPLATE_MAPPING_STATE_DROPPED: 'dropped by your choice: its actions send no message',
});

/** @param {TemplateMapping} mapping */
export function templateText(mapping) {
  const what = TEMPLATE_STATES[mapping.state ?? ''] ?? 'unknown';
  return mapping.targetTemplateId ? `${what} → ${mapping.targetTemplateId}` : what;
}

/**
 * What a template that needs a choice offers: a template of the target (one of the candidates of an ambiguous name, or
 * one named by id for a missing one), a copy created from the backup (only when the name is ambiguous: a missing
 * template is one the backup did not capture), or no message.
 * @param {TemplateMapping} mapping
 * @returns {PickOption[]}
 */
export function templateOptions(mapping) {
  const ambiguous = mapping.state === 'TEMPLATE_MAPPING_STATE_AMBIGUOUS';
  return [
    { pick: 'map', label: ambiguous ? "Use one of the target's templates" : "Use a template of the target (by id)" },
    ...(ambiguous ? [{ pick: /** @type {const} */ ('create'), label: 'Create a copy from the backup' }] : []),
    { pick: 'drop', label: 'Send no message (drop the template)' },
  ];
}

const KINDS = /** @type {Record<string, string>} */ ({
  group: 'group',
  assignment_filter: 'assignment filter',
  scope_tag: 'scope tags',
  broad_target: 'broad target',
  notification_template: 'notification template',
  secret: 'secret',
  assignment_removal: "target's own assignment",
  lost_create: 'earlier create without an answer',
});

const DECISIONS = /** @type {Record<string, string>} */ ({
  mapped: 'mapped',
  kept: 'kept',
  skipped: 'skipped',
  omitted: 'assignments left out',
  unmapped: 'no mapping: choose one',
  undecided: 'waits for your decision',
  dropped: 'restored without it',
  blocked: 'item left out',
  create: 'created in the target',
  required: 'value needed when executing',
  removed: 'removed from the target',
});

/** @param {string | undefined} kind */
export const kindText = (kind) => KINDS[kind ?? ''] ?? kind ?? 'reference';

/** @param {Reference} reference e.g. "assignment filter f1: waits for your decision", "group g1: mapped → t1" */
export function referenceText(reference) {
  const decision = DECISIONS[reference.decision ?? ''] ?? reference.decision ?? 'unknown';
  const source = reference.sourceValue ? ` ${reference.sourceValue}` : '';
  const target = reference.targetValue && reference.targetValue !== reference.sourceValue ? ` → ${reference.targetValue}` : '';
  return `${kindText(reference.kind)}${source}: ${decision}${target}`;
}

/** A reference the preview cannot settle alone: executing is refused until it is decided. @param {Reference} reference */
export const needsDecision = (reference) => reference.decision === 'undecided';

const DROP = { pick: /** @type {const} */ ('drop'), label: 'Restore without it' };
const BLOCK = { pick: /** @type {const} */ ('block'), label: 'Leave the item out' };
const REMOVE = { pick: /** @type {const} */ ('remove'), label: "Remove the target's own assignments" };

/** The picks each kind may be decided with (the server's ReferenceDecisionValidation, less AUTOMATIC). */
const PICKS = /** @type {Record<string, ReferencePick[]>} */ ({
  assignment_filter: ['drop', 'block'],
  scope_tag: ['drop', 'block'],
  secret: ['drop', 'block'],
  assignment_removal: ['remove'],
  lost_create: ['map', 'create', 'block'],
  notification_template: ['map', 'create', 'drop'],
});

/**
 * The per-item decisions an item offers, one per kind (a decision covers every reference of its kind of the item):
 * assignment filters and scope tags that wait for a decision (required); secrets whose values executing needs (optional:
 * give the values, or restore without them, or leave the item out); the target's own assignments an update keeps
 * (optional: confirm removing them); an earlier restore's create that got no answer (required: adopt one of the target's
 * policies that could be it, or — while the target lists none — create it anew). Notification templates are decided for
 * the whole restore, not here. An item left
 * out by a decision offers none (nothing is written for it), nor do secrets an item's writes no longer need (identical,
 * or an update that sends no body).
 * @param {RestoreItem} item
 * @returns {ItemDecision[]}
 */
export function itemDecisions(item) {
  if (item.blockedReason === 'reference_blocked') return [];
  /** @param {string} kind */
  const of = (kind) => (item.references ?? []).filter((r) => r.kind === kind);
  /** @type {ItemDecision[]} */
  const decisions = [];
  for (const kind of ['assignment_filter', 'scope_tag']) {
    const references = of(kind);
    if (references.some(needsDecision)) {
      decisions.push({ kind, label: kindText(kind), references, required: true, options: [DROP, BLOCK], note: 'Executing waits for this decision.' });
    }
  }
  const secrets = of('secret');
  if (secrets.some(needsDecision) || (secrets.some((r) => r.decision === 'required') && (item.secretPaths ?? []).length > 0)) {
    decisions.push({
      kind: 'secret', label: 'secrets', references: secrets, required: secrets.some(needsDecision), options: [DROP, BLOCK],
      note: 'Or give the values when executing (Secret values, beside "Execute restore").',
    });
  }
  const removals = of('assignment_removal');
  if (removals.some((r) => r.decision === 'kept')) {
    decisions.push({
      kind: 'assignment_removal', label: "the target's own assignments", references: removals, required: false, options: [REMOVE],
      note: "The update keeps these assignments of the target, which the source lacks, unless you confirm removing them.",
    });
  }
  const lost = of('lost_create').filter(needsDecision);
  if (lost.length > 0) {
    const candidates = lost.flatMap((r) => r.candidates ?? []);
    decisions.push({
      kind: 'lost_create', label: 'an earlier create without an answer', references: lost, required: true,
      options: candidates.length > 0
        ? [...candidates.map((id) => ({ pick: /** @type {const} */ ('map'), label: `It is target policy ${id}: update that one`, targetValue: id })), BLOCK]
        : [{ pick: /** @type {const} */ ('create'), label: 'It is not in the target (I checked): create it anew' }, BLOCK],
      note: 'Executing waits for this decision: creating it again by guess could make a duplicate.',
    });
  }
  return decisions;
}

/** The key of an item's pick for a kind. @param {string} itemId @param {string} kind */
export const pickKey = (itemId, kind) => `${itemId}/${kind}`;

const REFERENCE_CHOICES = /** @type {Record<ReferencePick, string>} */ ({
  drop: 'REFERENCE_CHOICE_DROP', block: 'REFERENCE_CHOICE_BLOCK', map: 'REFERENCE_CHOICE_MAP', create: 'REFERENCE_CHOICE_CREATE',
  remove: 'REFERENCE_CHOICE_REMOVE',
});

/**
 * The SetReferenceDecisions body for the picks made: templates restore-wide (empty item id, the source template id as
 * source value), the rest per item and kind (empty source value). A "map" without a target template, and a pick its kind
 * does not offer, are left out: nothing was decided yet.
 * @param {Map<string, TemplatePick>} templates by source template id
 * @param {Map<string, ItemPick>} items by pickKey
 */
export function decisionsBody(templates, items) {
  const decisions = [];
  for (const [sourceValue, { pick, targetValue }] of templates) {
    if (!PICKS.notification_template.includes(pick)) continue;
    const target = (targetValue ?? '').trim();
    if (pick === 'map' && !target) continue;
    decisions.push({
      itemId: '', kind: 'notification_template', sourceValue, choice: REFERENCE_CHOICES[pick], ...(pick === 'map' ? { targetValue: target } : {}),
    });
  }
  for (const { itemId, kind, pick, targetValue } of items.values()) {
    if (itemId && (PICKS[kind] ?? []).includes(pick) && kind !== 'notification_template') {
      if (pick === 'map' && !targetValue) continue;
      decisions.push({ itemId, kind, sourceValue: '', choice: REFERENCE_CHOICES[pick], ...(pick === 'map' ? { targetValue } : {}) });
    }
  }
  return { decisions };
}

/** How many picks decisionsBody would send. @param {Map<string, TemplatePick>} templates @param {Map<string, ItemPick>} items */
export const pickCount = (templates, items) => decisionsBody(templates, items).decisions.length;

/**
 * The secret values the execute form asks for: one per secret path of each item the plan writes (CREATE or UPDATE),
 * labelled with the item's name and the path.
 * @param {RestoreItem[]} items
 * @returns {SecretField[]}
 */
export function secretFields(items) {
  return items
    .filter((i) => i.itemId && (i.action === 'RESTORE_ACTION_CREATE' || i.action === 'RESTORE_ACTION_UPDATE'))
    .flatMap((item) => [...new Set(item.secretPaths ?? [])].filter(Boolean)
      .map((path) => ({ itemId: item.itemId, path, label: `${item.displayName || item.itemId} — ${path}` })));
}

/**
 * The ExecuteRestore body: the plan hash seen and the secret values typed, as typed. An empty field is left out: the
 * server then restores that item blocked "secret_required".
 * @param {Restore} restore
 * @param {SecretValue[]} values
 */
export function executeBody(restore, values) {
  return {
    planHash: restore.planHash ?? '',
    secrets: values.filter((v) => v.itemId && v.path && v.value !== '').map(({ itemId, path, value }) => ({ itemId, path, value })),
  };
}

/**
 * For an item that needs reconcile: what the read-back found. Empty for any other item.
 * @param {RestoreItem} item
 */
export function reconcileText(item) {
  if (item.result !== 'RESTORE_ITEM_RESULT_NEEDS_RECONCILE') return '';
  const ids = item.reconcileCandidateIds ?? [];
  return ids.length === 0
    ? 'The create may have landed, but no target policy of its type and name created since could be found yet.'
    : `Could be the lost create: ${ids.join(', ')}. It is never created again while any of these could be it; check them in the target.`;
}

/**
 * Why "Execute restore" cannot be pressed now; none means it can.
 * @param {Restore} restore
 * @param {Date} now
 * @param {boolean} mayExecute the run-type catalogue says the user can start restore.execute
 * @param {RestoreItem[]} [items] the plan's items
 * @returns {string[]}
 */
export function executeBlockers(restore, now, mayExecute, items = []) {
  /** @type {string[]} */
  const reasons = [];
  if (!mayExecute) reasons.push('Your role does not allow executing restores.');
  if (restore.status !== 'RESTORE_STATUS_PREVIEWED') reasons.push('Only a previewed restore can be executed.');
  const undecided = (restore.groupMappings ?? []).filter(needsChoice);
  if (undecided.length > 0) reasons.push(`${undecided.length} group(s) need your choice first.`);
  const templates = (restore.templateMappings ?? []).filter(templateNeedsChoice);
  if (templates.length > 0) reasons.push(`${templates.length} notification template(s) need your choice first.`);
  const waiting = items.filter((i) => i.blockedReason === 'undecided_reference');
  if (waiting.length > 0) reasons.push(`${waiting.length} item(s) wait for your decision on a reference.`);
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
