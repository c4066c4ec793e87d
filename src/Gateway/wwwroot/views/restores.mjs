// @ts-check
// Restores: the tenant's restores (paged), and the new-restore form, which is the wizard's first two steps: the source
// (a backup set of the tenant picked, and optionally some of its captured items) and the target (this tenant or another
// of the workspace) with the options. "Create and preview" creates the restore, starts its preview and opens its page
// (views/restorepage.mjs), where the wizard goes on.

import { ApiError } from '../modules/api.mjs';
import { $, $as, el, option } from '../modules/dom.mjs';
import { formatTime } from '../modules/format.mjs';
import { clearError, handleError } from '../modules/messages.mjs';
import { countsText, createBody, RESTORE_EXECUTE, statusBadge } from '../modules/restore.mjs';
import { href } from '../modules/routes.mjs';
import { canStart } from '../modules/runtypes.mjs';
import { api, state, tenantName } from '../modules/state.mjs';
import { renderSteps } from './steps.mjs';

/** @typedef {import('../modules/restore.mjs').Restore} Restore */

const LIST_PAGE_SIZE = 50;
/** The most captured items offered as checkboxes (the server takes at most 1,000 chosen). */
const ITEMS_PAGE_SIZE = 500;

let restoresPageToken = '';

/** Backup set names by id: a restore names its source by id only, and a set's name does not change. */
const setNames = /** @type {Map<string, string>} */ (new Map());

const tenantId = () => $as('tenant-select', HTMLSelectElement).value;
/** Creating, previewing, choosing and executing all need tenant.restore.execute: the capability of restore.execute. */
export const mayRestore = () => canStart(state.runTypes, RESTORE_EXECUTE);

/**
 * The names of these sets, from the cache or read once each (a set the caller may not read keeps its id).
 * @param {string[]} ids
 * @returns {Promise<Map<string, string>>}
 */
export async function backupSetNames(ids) {
  const missing = [...new Set(ids)].filter((id) => id && !setNames.has(id));
  await Promise.allSettled(missing.map(async (id) => {
    const data = await api(`/v1/backup-sets/${encodeURIComponent(id)}`);
    setNames.set(id, data.backupSet?.displayName || id);
  }));
  return setNames;
}

/** The list page of the tenant picked: the first page afresh, or the next. @param {{ append?: boolean }} [options] */
export async function showRestores({ append = false } = {}) {
  const seq = append ? state.pageSeq : ++state.pageSeq;
  const tenant = tenantId();
  $('new-restore').hidden = !(tenant && mayRestore());
  const list = $('restore-list');
  if (!append) {
    list.replaceChildren();
    restoresPageToken = '';
    $('restores-more').hidden = true;
  }
  $('restores-empty').hidden = true;
  if (!tenant) {
    $('restores-empty').hidden = false;
    return;
  }
  try {
    const params = new URLSearchParams({ pageSize: String(LIST_PAGE_SIZE) });
    if (append && restoresPageToken) params.set('pageToken', restoresPageToken);
    const data = await api(`/v1/tenants/${encodeURIComponent(tenant)}/restores?${params}`);
    if (seq !== state.pageSeq) return;
    /** @type {Restore[]} */
    const restores = (data.restores ?? []).filter((/** @type {Restore} */ r) => r.restoreId);
    const names = await backupSetNames(restores.map((r) => r.backupSetId ?? ''));
    if (seq !== state.pageSeq) return;
    list.append(...restores.map((r) => renderRow(r, names)));
    restoresPageToken = data.nextPageToken ?? '';
    $('restores-more').hidden = !restoresPageToken;
    $('restores-empty').hidden = list.childElementCount > 0;
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** @param {Restore} restore @param {Map<string, string>} names */
function renderRow(restore, names) {
  const badge = statusBadge(restore.status);
  const setId = restore.backupSetId ?? '';
  const link = el('a', { testid: 'restore-link', text: `Restore of ${names.get(setId) || setId}` });
  link.href = href.restore(restore.restoreId);
  const from = restore.crossTenant ? `from ${tenantName(restore.sourceTenantId)}` : 'from this tenant';
  return el('li', { testid: 'restore-row' }, [
    link,
    el('span', { cls: badge.cls, testid: 'restore-row-status', text: badge.text }),
    el('span', { cls: 'muted', testid: 'restore-row-target', text: `${from} into ${tenantName(restore.targetTenantId)}` }),
    el('span', { testid: 'restore-row-counts', text: countsText(restore) }),
    el('time', { cls: 'muted', text: formatTime(restore.createdAt), title: restore.createdAt || undefined }),
  ]);
}

/** "New restore". */
export function openRestoreForm() {
  location.hash = href.newRestore();
}

/** The new-restore form, with backupSetId preselected when given ('' = the newest set). @param {string} backupSetId */
export async function showRestoreForm(backupSetId) {
  const seq = ++state.pageSeq;
  renderSteps($('restore-form-steps'), 'source');
  $('restore-form-error').hidden = true;
  const allowed = mayRestore();
  $('restore-not-allowed').hidden = allowed;
  $as('create-restore', HTMLButtonElement).disabled = !allowed;
  const sets = $as('restore-source-set', HTMLSelectElement);
  const targets = $as('restore-target-tenant', HTMLSelectElement);
  targets.replaceChildren(...state.tenants.map((t) => option(t.tenantId, t.displayName || t.tenantId)));
  targets.value = tenantId();
  targetChanged();
  sets.replaceChildren();
  $('restore-source-items').replaceChildren();
  $('restore-sets-empty').hidden = true;
  $('restore-items-empty').hidden = true;
  const tenant = tenantId();
  if (!tenant) return;
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(tenant)}/backup-sets?pageSize=50`);
    if (seq !== state.pageSeq) return;
    /** @type {{ backupSetId: string, displayName?: string, itemCount?: number | string }[]} */
    const list = (data.backupSets ?? []).filter((/** @type {{ backupSetId: string }} */ s) => s.backupSetId);
    for (const s of list) setNames.set(s.backupSetId, s.displayName || s.backupSetId);
    sets.replaceChildren(...list.map((s) => option(s.backupSetId, `${s.displayName || s.backupSetId} (${s.itemCount ?? 0} items)`)));
    if (backupSetId && !list.some((s) => s.backupSetId === backupSetId)) {
      // A set beyond the first page (or of another tenant) from a link: offered all the same; the server decides.
      sets.prepend(option(backupSetId, backupSetId));
    }
    if (backupSetId) sets.value = backupSetId;
    $('restore-sets-empty').hidden = sets.options.length > 0;
    await loadSourceItems(seq);
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** The chosen set's captured items, as checkboxes (none checked: every captured item). @param {number} seq */
export async function loadSourceItems(seq = state.pageSeq) {
  const set = $as('restore-source-set', HTMLSelectElement).value;
  const list = $('restore-source-items');
  list.replaceChildren();
  $('restore-items-empty').hidden = true;
  if (!set) return;
  const data = await api(`/v1/backup-sets/${encodeURIComponent(set)}/items?outcome=BACKUP_ITEM_OUTCOME_CAPTURED&pageSize=${ITEMS_PAGE_SIZE}`);
  if (seq !== state.pageSeq) return;
  /** @type {{ itemId: string, displayName?: string, odataType?: string }[]} */
  const items = (data.items ?? []).filter((/** @type {{ itemId: string }} */ i) => i.itemId);
  list.replaceChildren(...items.map((item) => {
    const box = el('input', { testid: 'restore-source-item' });
    box.type = 'checkbox';
    box.value = item.itemId;
    return el('li', {}, [el('label', { title: item.odataType }, [box, ` ${item.displayName || item.itemId}`])]);
  }));
  $('restore-items-empty').hidden = items.length > 0;
}

/** Restoring into another tenant maps groups and gates broad targets: say so next to the choice. */
export function targetChanged() {
  const target = $as('restore-target-tenant', HTMLSelectElement).value;
  $('restore-cross-tenant').hidden = !target || target === tenantId();
}

/**
 * "Create and preview": creates the restore in the target tenant, starts its preview and opens its page. A preview
 * that cannot start leaves a draft, which its page offers to preview again, so the page opens either way.
 */
export async function createRestore() {
  clearError();
  const box = $('restore-form-error');
  box.hidden = true;
  const button = $as('create-restore', HTMLButtonElement);
  button.disabled = true;
  try {
    const target = $as('restore-target-tenant', HTMLSelectElement).value;
    const itemIds = [...$('restore-source-items').querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
    const body = createBody({
      backupSetId: $as('restore-source-set', HTMLSelectElement).value,
      itemIds,
      dryRun: $as('restore-dry-run', HTMLInputElement).checked,
      allowOverwrite: $as('restore-allow-overwrite', HTMLInputElement).checked,
      allowBroadTargets: $as('restore-allow-broad', HTMLInputElement).checked,
    });
    const created = await api(`/v1/tenants/${encodeURIComponent(target)}/restores`, { method: 'POST', body });
    /** @type {Restore} */
    const restore = created.restore;
    let previewError = /** @type {unknown} */ (null);
    try {
      await api(`/v1/restores/${encodeURIComponent(restore.restoreId)}:preview`, { method: 'POST', body: {} });
    } catch (err) {
      previewError = err;
    }
    location.hash = href.restore(restore.restoreId);
    if (previewError) handleError(previewError);
  } catch (err) {
    showBeside(box, err);
  } finally {
    button.disabled = !mayRestore();
  }
}

/**
 * A refusal shown next to the button that caused it (the server's message says what to do, e.g. FAILED_PRECONDITION
 * "preview again"); a 401 signs out as anywhere, anything else is the banner's.
 * @param {HTMLElement} box @param {unknown} err
 */
export function showBeside(box, err) {
  if (err instanceof ApiError && err.status !== 401) {
    box.textContent = err.message;
    box.hidden = false;
  } else {
    handleError(err);
  }
}
