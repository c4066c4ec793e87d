// @ts-check
// How a restore item's plan and journal read, DOM-free (unit-tested): a diff row (a secret's values are never sent,
// so an empty side says so), a planned Graph call, a reference's decision, a journal step with the ids an operator
// looks up in Graph's logs.

/**
 * @typedef {{ path?: string, current?: string, restored?: string }} PlannedChange
 * @typedef {{ method?: string, path?: string, step?: string }} PlannedCall
 * @typedef {{ kind?: string, sourceValue?: string, decision?: string, targetValue?: string, detail?: string }} ReferenceDecision
 * @typedef {{ step?: string, requestId?: string, targetPolicyId?: string, detail?: string, at?: string }} JournalStep
 * @typedef {{ itemId: string, sourcePolicyId?: string, family?: string, displayName?: string, odataType?: string,
 *   action?: string, blockedReason?: string, targetPolicyId?: string, result?: string, failureCode?: string,
 *   failureMessage?: string, changes?: PlannedChange[], calls?: PlannedCall[], references?: ReferenceDecision[],
 *   journal?: JournalStep[] }} RestoreItem
 */

/** Diff rows shown per item; a policy with more says how many are left out. */
export const MAX_CHANGES = 50;

const SECRET = '(secret, not shown)';

/** A diff row: the pointer and both sides as JSON. @param {PlannedChange} change @returns {[string, string, string]} */
export function changeCells(change) {
  return [change.path || '/', change.current || SECRET, change.restored || SECRET];
}

/** 'POST /deviceManagement/deviceConfigurations (create)'. @param {PlannedCall} call */
export function callText(call) {
  return `${call.method ?? ''} ${call.path ?? ''}${call.step ? ` (${call.step})` : ''}`.trim();
}

/** 'group 1a2b… → mapped 9f8e… — by name'. @param {ReferenceDecision} ref */
export function referenceText(ref) {
  const target = ref.targetValue ? ` ${ref.targetValue}` : '';
  return `${ref.kind ?? 'reference'} ${ref.sourceValue ?? ''} → ${ref.decision ?? 'unknown'}${target}${ref.detail ? ` — ${ref.detail}` : ''}`;
}

/** The facts of a journal step, labelled; empty ones left out. @param {JournalStep} step @returns {{ label: string, value: string }[]} */
export function journalFields(step) {
  return [
    { label: 'request id', value: step.requestId ?? '' },
    { label: 'target id', value: step.targetPolicyId ?? '' },
    { label: 'note', value: step.detail ?? '' },
  ].filter((f) => f.value);
}

/** "graph.write_failed: Graph answered 400", '' without a failure. @param {RestoreItem} item */
export function itemFailureText(item) {
  return [item.failureCode, item.failureMessage].filter(Boolean).join(': ');
}

/** The summary line of an item's expandable detail. @param {RestoreItem} item */
export function detailSummary(item) {
  const n = (/** @type {unknown[] | undefined} */ list) => (list ?? []).length;
  return `${n(item.changes)} change(s), ${n(item.calls)} call(s), ${n(item.references)} reference(s), ${n(item.journal)} step(s)`;
}
