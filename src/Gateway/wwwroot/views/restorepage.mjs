// @ts-check
// A restore's page: the wizard's later steps for an existing restore. The step comes from the restore
// (modules/restore.mjs stepOf): while it previews the page refreshes itself; once previewed the group mappings (and the
// choices a missing or ambiguous group needs, views/restorechoices.mjs) and the plan per item (views/restoreitems.mjs);
// "Execute restore" sends the plan hash the user saw; then live progress and the results. Refreshes go through the one
// scheduler (Task.RESTORE): every 1.5 s while previewing, queued or running, and once at the plan's expiry so Execute
// turns off when the plan does.

import { $, $as, setText } from '../modules/dom.mjs';
import { formatTime } from '../modules/format.mjs';
import { clearError, handleError } from '../modules/messages.mjs';
import {
  executeBlockers, hasResults, isCancellable, isLive, isPreviewable, msUntilExpiry, optionsText, planSummary, resultSummary,
  statusBadge, stepOf,
} from '../modules/restore.mjs';
import { href } from '../modules/routes.mjs';
import { api, scheduler, state, Task, tenantName } from '../modules/state.mjs';
import { renderChoices, renderMappings, resetChoices } from './restorechoices.mjs';
import { renderItems, resetItems } from './restoreitems.mjs';
import { backupSetNames, mayRestore, showBeside } from './restores.mjs';
import { renderSteps } from './steps.mjs';

/** @typedef {import('../modules/restore.mjs').Restore} Restore */

const POLL_MS = 1500;
/** Items read per restore at most (pages of 500): a backup set holds far fewer policies. */
const MAX_ITEM_PAGES = 20;

let current = /** @type {Restore | null} */ (null);

/** A restore's page, from the start. @param {string} restoreId */
export async function showRestore(restoreId) {
  const seq = ++state.pageSeq;
  current = null;
  resetChoices();
  resetItems();
  $('restore-steps').replaceChildren();
  setText('restore-status', '');
  setText('restore-source-link', '');
  for (const id of ['choices-form', 'execute-restore', 'preview-restore', 'cancel-restore', 'execute-blockers', 'execute-error',
    'restore-failure', 'restore-previewing', 'restore-attention', 'mappings-empty', 'mappings-pending']) $(id).hidden = true;
  await refresh(restoreId, seq);
}

/** Reads the restore and its items again and re-renders; keeps a message shown beside a button. @param {string} restoreId @param {number} seq */
export async function refresh(restoreId, seq = state.pageSeq) {
  scheduler.cancel(Task.RESTORE);
  try {
    const [data, items] = await Promise.all([api(`/v1/restores/${encodeURIComponent(restoreId)}`), loadItems(restoreId)]);
    if (seq !== state.pageSeq) return;
    /** @type {Restore} */
    const restore = data.restore;
    const planChanged = current?.planHash !== restore.planHash || current?.status !== restore.status;
    current = restore;
    // A refusal beside the buttons was about the plan it answered; a new plan (or status) makes it stale.
    if (planChanged) $('execute-error').hidden = true;
    render(restore, seq);
    renderChoices(restore, planChanged, mayRestore());
    renderItems(items, restore);
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
  if (seq !== state.pageSeq || !current) return;
  if (isLive(current)) {
    scheduler.after(Task.RESTORE, POLL_MS, () => refresh(restoreId, seq));
  } else {
    const expiresIn = current.status === 'RESTORE_STATUS_PREVIEWED' ? msUntilExpiry(current, new Date()) : null;
    // setTimeout's longest delay is ~24.8 days; a plan expires long before.
    if (expiresIn !== null) scheduler.after(Task.RESTORE, Math.min(expiresIn + 50, 2 ** 31 - 1), () => current && render(current, seq));
  }
}

/** Every item of the restore (the plan, then the results), page by page. @param {string} restoreId */
async function loadItems(restoreId) {
  /** @type {import('../modules/restoreitems.mjs').RestoreItem[]} */
  const items = [];
  let token = '';
  for (let page = 0; page < MAX_ITEM_PAGES; page++) {
    const params = new URLSearchParams({ pageSize: '500' });
    if (token) params.set('pageToken', token);
    const data = await api(`/v1/restores/${encodeURIComponent(restoreId)}/items?${params}`);
    items.push(...(data.items ?? []).filter((/** @type {{ itemId?: string }} */ i) => i.itemId));
    token = data.nextPageToken ?? '';
    if (!token) break;
  }
  return items;
}

/** The facts, the step, and what may be pressed now. @param {Restore} restore @param {number} seq */
function render(restore, seq) {
  const badge = statusBadge(restore.status);
  const status = $('restore-status');
  status.className = badge.cls;
  status.textContent = badge.text;
  renderSteps($('restore-steps'), stepOf(restore));
  renderSource(restore, seq);
  setText('restore-item-choice', (restore.itemIds ?? []).length ? `${(restore.itemIds ?? []).length} chosen` : 'every captured item');
  const from = restore.crossTenant ? `from ${tenantName(restore.sourceTenantId)}` : 'the source tenant';
  setText('restore-target', `${tenantName(restore.targetTenantId)} (${from})`);
  setText('restore-options', optionsText(restore.options));
  setText('restore-created', `${formatTime(restore.createdAt)}${restore.createdBy ? ` by ${restore.createdBy}` : ''}`);
  setText('restore-plan', restore.planHash ? planSummary(restore.counts) : 'not previewed yet');
  setText('restore-results', hasResults(restore) ? resultSummary(restore.counts) : 'not executed');
  setText('restore-expires', restore.planExpiresAt ? formatTime(restore.planExpiresAt) : '—');
  runLink('restore-preview-run-link', restore.previewRunId);
  runLink('restore-run-link', restore.executeRunId);
  const failure = $('restore-failure');
  failure.hidden = !restore.failureMessage && !restore.failureCode;
  failure.textContent = [restore.failureCode, restore.failureMessage].filter(Boolean).join(': ');
  $('restore-previewing').hidden = restore.status !== 'RESTORE_STATUS_PREVIEWING';
  renderMappings(restore, mayRestore(), () => refresh(restore.restoreId, seq));

  const allowed = mayRestore();
  const blockers = executeBlockers(restore, new Date(), allowed);
  const previewed = restore.status === 'RESTORE_STATUS_PREVIEWED';
  const execute = $as('execute-restore', HTMLButtonElement);
  execute.hidden = !previewed || !allowed;
  execute.disabled = blockers.length > 0;
  $('execute-blockers').hidden = !previewed || blockers.length === 0;
  $('execute-blockers').textContent = blockers.join(' ');
  const preview = $as('preview-restore', HTMLButtonElement);
  preview.hidden = !(isPreviewable(restore) && allowed);
  preview.textContent = restore.planHash ? 'Preview again' : 'Preview';
  $('cancel-restore').hidden = !(isCancellable(restore) && allowed);
}

/** @param {string} id @param {string | undefined} runId */
function runLink(id, runId) {
  const link = $as(id, HTMLAnchorElement);
  link.hidden = !runId;
  if (runId) link.href = href.run(runId);
}

/** The source set's link, by name once known. @param {Restore} restore @param {number} seq */
function renderSource(restore, seq) {
  const setId = restore.backupSetId ?? '';
  const source = $as('restore-source-link', HTMLAnchorElement);
  source.href = href.backupSet(setId);
  if (!source.textContent) source.textContent = setId;
  backupSetNames([setId]).then((names) => {
    if (seq === state.pageSeq) source.textContent = names.get(setId) || setId;
  });
}

/**
 * A command on the restore shown; its refusal is shown beside the buttons, then the page reads the restore again (the
 * refusal may mean it moved on, e.g. the plan expired or another user executed it).
 * @param {string} verb 'execute', 'preview' or 'cancel'
 * @param {Record<string, unknown>} body
 * @param {string} buttonId
 */
async function command(verb, body, buttonId) {
  if (!current) return;
  const restore = current;
  clearError();
  const box = $('execute-error');
  box.hidden = true;
  const button = $as(buttonId, HTMLButtonElement);
  button.disabled = true;
  const seq = state.pageSeq;
  try {
    await api(`/v1/restores/${encodeURIComponent(restore.restoreId)}:${verb}`, { method: 'POST', body });
  } catch (err) {
    showBeside(box, err);
  } finally {
    button.disabled = false;
  }
  await refresh(restore.restoreId, seq);
}

/** "Execute restore": the plan the user sees, by its hash (a different or expired plan is FAILED_PRECONDITION). */
export const executeRestore = () => command('execute', { planHash: current?.planHash ?? '' }, 'execute-restore');

/** "Preview" / "Preview again": a fresh plan (a draft's first, or after the plan expired). */
export const previewRestore = () => command('preview', {}, 'preview-restore');

/** "Cancel restore": only before anything was written. */
export const cancelRestore = () => command('cancel', {}, 'cancel-restore');
