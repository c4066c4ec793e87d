// @ts-check
// The tenant's backup sets ("New backup set" for those who may capture), and a set's detail: status, coverage,
// items (an item's stored JSON on click), comparing with another set of the tenant, and "Check drift against this
// set". The detail is polled every 2 seconds while a capture is running.

import { $, $as, el, option, setText } from '../modules/dom.mjs';
import {
  ADD_POLICIES, comparePath, coverageRows, DRIFT, findingSummary, isCapturing, ITEMS_PAGE_SIZE, itemBadge, itemFailure,
  itemMeta, itemOutcome, newBackupSetRequests, pageQuery, prettyJson, setCounts, setsQuery, setStatusBadge,
} from '../modules/backup.mjs';
import { formatTime } from '../modules/format.mjs';
import { RESTORE_EXECUTE } from '../modules/restore.mjs';
import { clearError, handleError, showSyncMessage } from '../modules/messages.mjs';
import { href } from '../modules/routes.mjs';
import { canStart } from '../modules/runtypes.mjs';
import { api, scheduler, state, Task } from '../modules/state.mjs';
import { renderFindings } from './findings.mjs';

/** @typedef {import('../modules/backup.mjs').BackupSet} BackupSet */
/** @typedef {import('../modules/backup.mjs').BackupItem} BackupItem */

const POLL_MS = 2000;

/** The list's paging: the token of the page after those shown. */
let setsPageToken = '';
/** The set shown in the detail, and the token of its next page of items. */
let current = /** @type {BackupSet | null} */ (null);
let itemsPageToken = '';

const tenantId = () => $as('tenant-select', HTMLSelectElement).value;

/** The list page of the tenant picked (afresh), or its next page. */
export async function showBackupSets({ append = false } = {}) {
  const seq = append ? state.pageSeq : ++state.pageSeq;
  const tenant = tenantId();
  $('new-backup-set-form').hidden = !(tenant && canStart(state.runTypes, ADD_POLICIES));
  const list = $('backup-set-list');
  if (!append) {
    list.replaceChildren();
    setsPageToken = '';
  }
  $('backup-sets-more').hidden = true;
  $('backup-sets-empty').hidden = true;
  if (!tenant) {
    $('backup-sets-empty').hidden = false;
    return;
  }
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(tenant)}/backup-sets?${setsQuery(append ? setsPageToken : '')}`);
    if (seq !== state.pageSeq) return;
    /** @type {BackupSet[]} */
    const sets = data.backupSets ?? [];
    list.append(...sets.filter((s) => s.backupSetId).map(renderSetRow));
    setsPageToken = data.nextPageToken || '';
    $('backup-sets-more').hidden = !setsPageToken;
    $('backup-sets-empty').hidden = list.children.length > 0;
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** @param {BackupSet} set */
function renderSetRow(set) {
  const badge = setStatusBadge(set);
  const link = el('a', { testid: 'backup-set-link', text: set.displayName || set.backupSetId });
  link.href = href.backupSet(set.backupSetId);
  const row = el('li', { testid: 'backup-set-row' }, [
    link,
    el('span', { cls: badge.cls, testid: 'backup-set-row-status', text: badge.text }),
    el('span', { testid: 'backup-set-row-counts', text: setCounts(set) }),
    el('span', { cls: 'muted', text: set.scheduleId ? 'scheduled' : 'by hand' }),
    el('time', { cls: 'muted', text: formatTime(set.createdAt), title: set.createdAt || undefined }),
  ]);
  row.dataset.backupSetId = set.backupSetId;
  return row;
}

/** "New backup set": creates the set, starts the capture of every policy into it, and opens the set. */
export async function createBackupSet() {
  const tenant = tenantId();
  if (!tenant) return;
  clearError();
  showSyncMessage('');
  const button = $as('new-backup-set', HTMLButtonElement);
  const name = $as('new-backup-set-name', HTMLInputElement);
  button.disabled = true;
  try {
    const requests = newBackupSetRequests(name.value, new Date());
    const created = await api(`/v1/tenants/${encodeURIComponent(tenant)}/backup-sets`, { method: 'POST', body: requests.create });
    /** @type {BackupSet | undefined} */
    const set = created.backupSet;
    if (!set || !set.backupSetId) return;
    await api(`/v1/backup-sets/${encodeURIComponent(set.backupSetId)}:addPolicies`, { method: 'POST', body: requests.addPolicies });
    name.value = '';
    showSyncMessage(`Capturing every policy into "${set.displayName || set.backupSetId}".`);
    location.hash = href.backupSet(set.backupSetId);
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

/** A set's detail page. @param {string} backupSetId */
export async function showBackupSet(backupSetId) {
  const seq = ++state.pageSeq;
  current = null;
  itemsPageToken = '';
  setText('backup-set-name', 'Backup set');
  for (const id of ['item-list', 'coverage-list', 'compare-list', 'compare-select']) $(id).replaceChildren();
  for (const id of ['item-raw', 'compare-summary', 'items-more', 'check-drift', 'items-empty', 'coverage-empty']) $(id).hidden = true;
  await fetchSet(backupSetId, seq, true);
}

/** @param {string} backupSetId @param {number} seq @param {boolean} first */
async function fetchSet(backupSetId, seq, first) {
  /** @type {BackupSet | undefined} */
  let set;
  try {
    set = (await api(`/v1/backup-sets/${encodeURIComponent(backupSetId)}`)).backupSet;
  } catch (err) {
    if (seq !== state.pageSeq) return;
    handleError(err);
    if (!first && state.token) scheduler.after(Task.BACKUP_SET, POLL_MS * 2, () => fetchSet(backupSetId, seq, false));
    return;
  }
  if (seq !== state.pageSeq || !set) return;
  const wasCapturing = current !== null && isCapturing(current);
  current = set;
  renderSet(set);
  if (first || wasCapturing) await loadItems(seq, false);
  if (first) await loadCompareOptions(set, seq);
  if (isCapturing(set) && seq === state.pageSeq) {
    scheduler.after(Task.BACKUP_SET, POLL_MS, () => fetchSet(backupSetId, seq, false));
  }
}

/** @param {BackupSet} set */
function renderSet(set) {
  setText('backup-set-name', set.displayName || set.backupSetId);
  const badge = setStatusBadge(set);
  const status = $('backup-set-status');
  status.textContent = badge.text;
  status.className = badge.cls;
  setText('backup-set-counts', setCounts(set));
  setText('backup-set-id', set.backupSetId);
  setText('backup-set-created', `${formatTime(set.createdAt)}${set.createdBy ? ` by ${set.createdBy}` : ''}`);
  setText('backup-set-captured', formatTime(set.capturedAt));
  const runLink = $as('backup-set-run-link', HTMLAnchorElement);
  runLink.hidden = !set.lastRunId;
  if (set.lastRunId) runLink.href = href.run(set.lastRunId);
  const scheduleLink = $as('backup-set-schedule-link', HTMLAnchorElement);
  scheduleLink.hidden = !set.scheduleId;
  $('backup-set-no-schedule').hidden = !!set.scheduleId;
  if (set.scheduleId) scheduleLink.href = href.schedule(set.scheduleId);
  const coverage = coverageRows(set);
  $('coverage-list').replaceChildren(...coverage.map((c) => el('li', { testid: 'coverage-row' }, [
    el('strong', { text: `${c.family}: ` }),
    el('span', { testid: 'coverage-text', text: c.text }),
  ])));
  $('coverage-empty').hidden = coverage.length > 0;
  $('check-drift').hidden = !(set.tenantId && canStart(state.runTypes, DRIFT));
  const restore = $as('restore-from-set', HTMLAnchorElement);
  restore.hidden = !(set.itemCount && canStart(state.runTypes, RESTORE_EXECUTE));
  restore.href = href.newRestore(set.backupSetId);
}

/** The set's items: the first page afresh, or the next. @param {number} seq @param {boolean} append */
async function loadItems(seq, append) {
  if (!current) return;
  const set = current;
  try {
    const query = pageQuery(ITEMS_PAGE_SIZE, append ? itemsPageToken : '');
    const data = await api(`/v1/backup-sets/${encodeURIComponent(set.backupSetId)}/items?${query}`);
    if (seq !== state.pageSeq) return;
    /** @type {BackupItem[]} */
    const items = (data.items ?? []).filter((/** @type {BackupItem} */ i) => i.itemId);
    const rows = items.map(renderItemRow);
    if (append) $('item-list').append(...rows);
    else $('item-list').replaceChildren(...rows);
    itemsPageToken = data.nextPageToken || '';
    $('items-more').hidden = !itemsPageToken;
    $('items-empty').hidden = $('item-list').children.length > 0;
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

export function loadMoreItems() {
  loadItems(state.pageSeq, true);
}

/** @param {BackupItem} item */
function renderItemRow(item) {
  const failure = itemFailure(item);
  const row = el('li', { testid: 'backup-item' }, [
    el('span', { testid: 'backup-item-name', text: item.displayName || item.policyId || item.itemId }),
    el('span', { cls: itemBadge(item), testid: 'backup-item-outcome', text: itemOutcome(item) }),
    el('span', { cls: 'item-meta', text: itemMeta(item) }),
    ...(failure ? [el('span', { cls: 'failure-code', testid: 'backup-item-failure', text: failure })] : []),
  ]);
  row.dataset.itemId = item.itemId;
  row.tabIndex = 0;
  row.setAttribute('role', 'button');
  return row;
}

/** An item's stored content, pretty-printed (secrets are redacted by the server). @param {string} itemId */
export async function openItem(itemId) {
  if (!current) return;
  const seq = state.pageSeq;
  try {
    const data = await api(`/v1/backup-sets/${encodeURIComponent(current.backupSetId)}/items/${encodeURIComponent(itemId)}`);
    if (seq !== state.pageSeq) return;
    /** @type {BackupItem} */
    const item = data.item ?? { itemId };
    setText('item-raw-title', item.displayName || item.policyId || itemId);
    const references = (data.references ?? []).length;
    setText('item-raw-meta', `${itemMeta(item)}${item.contentHash ? ` · sha256 ${item.contentHash.slice(0, 12)}…` : ''}${references ? ` · ${references} references resolved` : ''}`);
    const json = prettyJson(data.contentJson);
    setText('item-raw-json', json || 'Never captured: no stored content.');
    $('item-raw').hidden = false;
    $('item-raw').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

export function closeItem() {
  $('item-raw').hidden = true;
}

/** The other sets of the set's tenant, newest first, to compare with. @param {BackupSet} set @param {number} seq */
async function loadCompareOptions(set, seq) {
  if (!set.tenantId) return;
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(set.tenantId)}/backup-sets?pageSize=100`);
    if (seq !== state.pageSeq) return;
    /** @type {BackupSet[]} */
    const others = (data.backupSets ?? []).filter((/** @type {BackupSet} */ s) => s.backupSetId && s.backupSetId !== set.backupSetId);
    const select = $as('compare-select', HTMLSelectElement);
    select.replaceChildren(...others.map((s) => option(s.backupSetId, `${s.displayName || s.backupSetId} (${formatTime(s.createdAt)})`)));
    select.disabled = others.length === 0;
    $as('compare', HTMLButtonElement).disabled = others.length === 0;
    if (others.length === 0) select.append(option('', 'No other set of this tenant'));
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** What changed from the set chosen to this one: added / removed / changed, and how many are unchanged. */
export async function compareSets() {
  const otherId = $as('compare-select', HTMLSelectElement).value;
  if (!current || !otherId) return;
  clearError();
  const seq = state.pageSeq;
  const button = $as('compare', HTMLButtonElement);
  button.disabled = true;
  try {
    const data = await api(comparePath(otherId, current.backupSetId));
    if (seq !== state.pageSeq) return;
    const differences = data.differences ?? [];
    setText('compare-summary', findingSummary(differences, data.unchanged ?? 0));
    $('compare-summary').hidden = false;
    renderFindings($('compare-list'), differences, 'compare-finding');
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  } finally {
    button.disabled = false;
  }
}

/** "Check drift against this set": starts (or joins) the drift run and opens it. */
export async function checkDrift() {
  if (!current || !current.tenantId) return;
  clearError();
  showSyncMessage('');
  const button = $as('check-drift', HTMLButtonElement);
  button.disabled = true;
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(current.tenantId)}/drift:generate`, {
      method: 'POST', body: { baselineBackupSetId: current.backupSetId },
    });
    if (data.created !== true) showSyncMessage('A drift check against this set is already running — opened it.');
    if (data.run && data.run.runId) location.hash = href.run(data.run.runId);
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}
