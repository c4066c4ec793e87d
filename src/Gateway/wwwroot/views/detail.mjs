// @ts-check
// A run's detail, kept live by its WatchRun stream while it is active (polled every second when the stream cannot be
// had), its failures, and its related inventory items.

import { isRunNotFound } from '../modules/api.mjs';
import { $, $as, el, setText } from '../modules/dom.mjs';
import {
  bucketOf, cancelText, detailCounts, droppedFailuresText, formatTime, humanize, initiatorName, inventoryItemMeta, isActive,
  isBehind, isCancellable, outcomeOf, progressOf, statusOf, traceUrl,
} from '../modules/format.mjs';
import { contextValue, isRetryable, newClickId, relatedLinks, RETRY } from '../modules/backup.mjs';
import { clearError, handleError, showSyncMessage } from '../modules/messages.mjs';
import { href } from '../modules/routes.mjs';
import { canStart } from '../modules/runtypes.mjs';
import { api, scheduler, state, streamFetch, Task, tenantName } from '../modules/state.mjs';
import { watch } from '../modules/watch.mjs';
import { loadNotifications } from './notifications.mjs';
import { refreshVisibleRows, renderListChrome, updateRow } from './runs.mjs';

/** @typedef {import('../modules/backup.mjs').RunWithContext} Run */

const POLL_MS = 1000;
/** After a watch stream failed or was cut, poll this long before opening one again. */
const WATCH_RETRY_MS = 10_000;

/** The open WatchRun stream of the run shown, if any. */
let watching = /** @type {AbortController | null} */ (null);
/** When a new watch stream may be tried (after a failure), in ms since the epoch. */
let watchRetryAt = 0;

/** The run on screen ("Cancel run" acts on it). */
let shown = /** @type {Run | null} */ (null);

/** The run shown when "Retry" applies to it (a completed failed or partially succeeded schedule run). */
let retryable = /** @type {Run | null} */ (null);

export function hideDetail() {
  scheduler.cancel(Task.DETAIL);
  watching?.abort();
  watching = null;
  $('run-detail').hidden = true;
  $('not-found-view').hidden = true;
}

/** @param {string} runId */
export async function openRun(runId) {
  if (!state.token) return;
  hideDetail();
  const seq = ++state.detailSeq;
  state.detailRunId = runId;
  renderListChrome();
  $('inventory-list').replaceChildren();
  $('inventory-empty').hidden = true;
  await fetchDetail(runId, seq, true);
}

/** Back to the list alone: no run selected, no detail poll. */
export function closeDetail() {
  state.detailSeq++;
  state.detailRunId = null;
  hideDetail();
}

/**
 * @param {string} runId
 * @param {number} seq the openRun this poll belongs to; a later one makes it stop
 * @param {boolean} first the load on opening, as opposed to a poll
 */
async function fetchDetail(runId, seq, first) {
  /** @type {Run | undefined} */
  let run;
  try {
    run = (await api(`/v1/runs/${encodeURIComponent(runId)}`)).run;
  } catch (err) {
    if (seq !== state.detailSeq) return;
    if (isRunNotFound(err)) {
      $('run-detail').hidden = true;
      $('not-found-view').hidden = false;
      return;
    }
    handleError(err);
    // A poll that failed (the server restarting) tries again, more slowly; a failed first load waits for the user.
    if (!first && state.token) scheduler.after(Task.DETAIL, POLL_MS * 2, () => fetchDetail(runId, seq, false));
    return;
  }
  if (seq !== state.detailSeq || !run) return;
  renderDetail(run);
  updateRow(run);
  if (isActive(run)) {
    if (Date.now() >= watchRetryAt) {
      watchDetail(runId, seq);
    } else {
      scheduler.after(Task.DETAIL, POLL_MS, () => fetchDetail(runId, seq, false));
    }
  } else if (!first) {
    // It just completed: the completion notification and the list changed too.
    loadNotifications();
    refreshVisibleRows();
  }
}

/**
 * Follows the run on its WatchRun stream: every change is drawn as it comes, and the stream ends when the run completes.
 * A stream that fails or ends early hands over to polling, and is tried again after WATCH_RETRY_MS.
 * @param {string} runId
 * @param {number} seq the openRun this stream belongs to
 */
async function watchDetail(runId, seq) {
  watching?.abort();
  const controller = new AbortController();
  watching = controller;
  /** @type {Run | null} */
  let last = null;
  try {
    await watch({
      fetch: streamFetch, token: () => state.token, path: `/v1/runs/${encodeURIComponent(runId)}:watch`, signal: controller.signal,
      onRun: (run) => {
        if (seq !== state.detailSeq) {
          controller.abort();
          return;
        }
        last = run;
        renderDetail(run);
        updateRow(run);
      },
    });
  } catch {
    // Refused or cut: polling takes over (and shows a refusal as the GET answers it).
  } finally {
    if (watching === controller) watching = null;
  }
  if (controller.signal.aborted || seq !== state.detailSeq) return;
  if (last && !isActive(last)) {
    // It just completed: the completion notification and the list changed too.
    loadNotifications();
    refreshVisibleRows();
    return;
  }
  watchRetryAt = Date.now() + WATCH_RETRY_MS;
  scheduler.after(Task.DETAIL, POLL_MS, () => fetchDetail(runId, seq, false));
}

/** @param {Run} run */
function renderDetail(run) {
  const bucket = bucketOf(run);
  setText('detail-type', run.type || 'Run');
  const badge = $('run-detail').querySelector('[data-testid="status-badge"]');
  if (badge) {
    badge.textContent = bucket;
    badge.className = `badge ${bucket}`;
  }
  setText('detail-status', humanize(statusOf(run)));
  setText('detail-outcome', humanize(outcomeOf(run)));
  setText('detail-run-id', run.runId);
  setText('detail-tenant', tenantName(run.tenantId));
  setText('detail-initiator', initiatorName(run));
  setText('detail-created', formatTime(run.createdAt));
  setText('detail-started', formatTime(run.startedAt));
  setText('detail-completed', formatTime(run.completedAt));
  Object.assign($as('detail-progress', HTMLProgressElement), progressOf(run));
  setText('detail-counts', detailCounts(run));

  const traceId = run.traceId || '';
  setText('trace-id', traceId || '—');
  const traceLink = $as('trace-link', HTMLAnchorElement);
  if (traceId) {
    traceLink.href = traceUrl(state.traceViewerUrl, traceId);
    traceLink.hidden = false;
  } else {
    traceLink.removeAttribute('href');
    traceLink.hidden = true;
  }

  const failures = run.failures ?? [];
  $('failure-list').replaceChildren(...failures.map((f) => el('li', { testid: 'failure-item' }, [
    el('span', { cls: 'failure-code', testid: 'failure-code', text: f.code || 'unknown' }),
    el('span', { testid: 'failure-message', text: f.message || '' }),
    ...(f.item ? [el('span', { cls: 'failure-target', testid: 'failure-target', text: `Item: ${f.item}` })] : []),
  ])));
  $('failures-empty').hidden = failures.length > 0;
  const dropped = droppedFailuresText(run);
  $('failures-dropped').hidden = !dropped;
  setText('failures-dropped', dropped);

  const related = $('related');
  const isSync = run.type === 'inventory.sync' && !!run.tenantId;
  const links = relatedLinks(run);
  related.hidden = !(isSync || links.length > 0);
  related.dataset.tenantId = run.tenantId || '';
  related.dataset.runId = run.runId;
  $('inventory-link').hidden = !isSync;
  $('related-links').replaceChildren(...links.map((link) => {
    const a = el('a', { testid: `related-${link.kind}`, text: link.label });
    a.href = link.href;
    return el('li', {}, [a]);
  }));
  $('retry-run').hidden = !(isRetryable(run) && canStart(state.runTypes, RETRY));
  const cancel = cancelText(run);
  setText('detail-cancel', cancel);
  $('detail-cancel').hidden = !cancel;
  $('detail-cancel-label').hidden = !cancel;
  $('cancel-run').hidden = !isCancellable(run);
  shown = run;
  retryable = isRetryable(run) ? run : null;

  $('not-found-view').hidden = true;
  $('run-detail').hidden = false;
}

/** The inventory items the run (an inventory.sync) wrote, on demand. */
export async function loadInventoryItems() {
  const { tenantId, runId } = $('related').dataset;
  if (!tenantId || !runId) return;
  const seq = state.detailSeq;
  const button = $as('inventory-link', HTMLButtonElement);
  button.disabled = true;
  try {
    const params = new URLSearchParams({ runId, pageSize: '50' });
    /** @type {import('../modules/format.mjs').InventoryItem[]} */
    const items = (await api(`/v1/tenants/${encodeURIComponent(tenantId)}/inventory/items?${params}`)).items ?? [];
    if (seq !== state.detailSeq) return;
    $('inventory-list').replaceChildren(...items.map((item) => el('li', { testid: 'inventory-item' }, [
      el('span', { testid: 'inventory-item-name', text: item.displayName || item.itemId || '—' }),
      el('span', { cls: 'item-meta', text: inventoryItemMeta(item) }),
    ])));
    $('inventory-empty').hidden = items.length > 0;
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

/**
 * "Retry failed items" of a schedule run: a backup_schedule.retry run (a fresh click id per click) that re-captures the
 * run's failed items into its set; opens the new run.
 */
export async function retryRun() {
  const run = retryable;
  const scheduleId = run ? contextValue(run, 'schedule_id') : '';
  if (!run || !scheduleId) return;
  clearError();
  showSyncMessage('');
  const button = $as('retry-run', HTMLButtonElement);
  button.disabled = true;
  try {
    const data = await api(`/v1/backup-schedules/${encodeURIComponent(scheduleId)}:retry`, {
      method: 'POST', body: { runId: run.runId, clickId: newClickId() },
    });
    if (data.run && data.run.runId) location.hash = href.run(data.run.runId);
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

/** "Cancel run": CancelRun on the run shown; a queued run ends at once, a running one shows the request until it stops. */
export async function cancelRun() {
  const run = shown;
  if (!run || !isCancellable(run)) return;
  if (!confirm(`Cancel this ${run.type || 'run'}? Work already done stays done; the rest is not attempted.`)) return;
  clearError();
  const button = $as('cancel-run', HTMLButtonElement);
  button.disabled = true;
  try {
    /** @type {{ run?: Run }} */
    const data = await api(`/v1/runs/${encodeURIComponent(run.runId)}:cancel`, { method: 'POST', body: {} });
    // Not drawn when the watch stream has already shown a later state (the run may complete before this answer arrives).
    if (data.run && state.detailRunId === data.run.runId && !isBehind(data.run, shown)) {
      renderDetail(data.run);
      updateRow(data.run);
    }
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}
