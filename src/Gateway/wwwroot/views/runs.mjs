// @ts-check
// The run list: filters, "Load more", kept live by the workspace's WatchRuns stream (rows change in place, a new run
// brings the first page again), or by a 1-second poll of the first page while any run shown is active when the stream
// cannot be had.

import { isUnauthenticated } from '../modules/api.mjs';
import { $, $as, el } from '../modules/dom.mjs';
import { bucketOf, formatTime, initiatorName, isActive, progressOf, shortCounts } from '../modules/format.mjs';
import { handleError } from '../modules/messages.mjs';
import { listQuery } from '../modules/runlist.mjs';
import { api, currentMembership, scheduler, state, streamFetch, Task, tenantName } from '../modules/state.mjs';
import { watch } from '../modules/watch.mjs';

/** @typedef {import('../modules/format.mjs').Run} Run */

const POLL_MS = 1000;
/** After the list's stream failed or was cut, poll this long before opening one again. */
const WATCH_RETRY_MS = 10_000;
/** New runs seen on the stream within this time bring the first page once. */
const NEW_RUNS_MS = 250;

/** The open WatchRuns stream, and its workspace. */
let listWatch = /** @type {{ workspaceId: string, controller: AbortController } | null} */ (null);
let listWatchRetryAt = 0;

/** @returns {import('../modules/runlist.mjs').RunFilters} */
function filters() {
  return {
    type: $as('filter-type', HTMLSelectElement).value,
    bucket: $as('filter-bucket', HTMLSelectElement).value,
    range: $as('filter-range', HTMLSelectElement).value,
  };
}

/** @param {string} workspaceId @param {string} pageToken */
const runsPath = (workspaceId, pageToken) =>
  `/v1/workspaces/${encodeURIComponent(workspaceId)}/runs?${listQuery(filters(), pageToken, Date.now())}`;

/** The first page afresh (a filter or workspace change, Refresh), or the next page ("Load more"). */
export async function loadRuns({ append = false } = {}) {
  const membership = currentMembership();
  const seq = ++state.listSeq;
  const list = $('run-list');
  if (!membership) {
    clearRuns();
    return;
  }
  const loadMore = $as('load-more', HTMLButtonElement);
  loadMore.disabled = true;
  try {
    const data = await api(runsPath(membership.workspace.workspaceId, append ? state.list.nextPageToken : ''));
    if (seq !== state.listSeq) return;
    if (!append) list.replaceChildren();
    list.append(...state.list.addPage(data, { replace: !append }).map(renderRunRow));
  } catch (err) {
    if (seq === state.listSeq) handleError(err);
  } finally {
    loadMore.disabled = false;
  }
  if (seq === state.listSeq) {
    renderListChrome();
    scheduleListPoll();
  }
}

/** Empties the list (no workspace, sign-out). */
export function clearRuns() {
  scheduler.cancel(Task.LIST);
  stopListWatch();
  state.list.clear();
  $('run-list').replaceChildren();
  renderListChrome();
}

export function renderListChrome() {
  $('load-more').hidden = !state.list.nextPageToken;
  $('runs-empty').hidden = state.list.size > 0;
  for (const row of rows()) row.classList.toggle('selected', row.dataset.runId === state.detailRunId);
}

/** @returns {HTMLElement[]} */
const rows = () => [...$('run-list').children].filter((row) => row instanceof HTMLElement);

/** @param {Run} run */
function renderRunRow(run) {
  const row = el('li', { testid: 'run-row' });
  row.dataset.runId = run.runId;
  row.tabIndex = 0;
  row.setAttribute('role', 'button');
  fillRunRow(row, run);
  return row;
}

/** @param {HTMLElement} row @param {Run} run */
function fillRunRow(row, run) {
  const bucket = bucketOf(run);
  const progress = el('progress', { testid: 'run-progress' });
  Object.assign(progress, progressOf(run));
  row.replaceChildren(
    el('span', { cls: 'run-type', testid: 'run-type', text: run.type || '—' }),
    el('span', {}, [el('span', { cls: `badge ${bucket}`, testid: 'status-badge', text: bucket })]),
    el('span', { cls: 'progress-cell' }, [progress, el('span', { testid: 'run-counts', text: shortCounts(run) })]),
    el('span', { testid: 'run-tenant', text: tenantName(run.tenantId), title: run.tenantId || undefined }),
    el('span', { testid: 'run-initiator', text: initiatorName(run) }),
    el('time', { testid: 'run-created', text: formatTime(run.createdAt), title: run.createdAt || undefined }),
  );
  row.classList.toggle('selected', run.runId === state.detailRunId);
}

/** Redraws the row of a run seen elsewhere (the detail), if the list shows it. @param {Run} run */
export function updateRow(run) {
  if (!state.list.update(run)) return;
  for (const row of rows()) {
    if (row.dataset.runId === run.runId) fillRunRow(row, run);
  }
}

/**
 * Refreshes the rows on screen from the first page of the current filters: known rows in place, new runs on top.
 * Failures other than 401 are left to the next tick.
 */
export async function refreshVisibleRows() {
  const membership = currentMembership();
  if (!membership || !state.token) return;
  const seq = state.listSeq;
  let data;
  try {
    data = await api(runsPath(membership.workspace.workspaceId, ''));
  } catch (err) {
    if (isUnauthenticated(err)) handleError(err);
    return;
  }
  if (seq !== state.listSeq) return;
  const { updated, added } = state.list.mergeFirstPage(data);
  for (const run of updated) updateRow(run);
  $('run-list').prepend(...added.map(renderRunRow));
  renderListChrome();
}

/**
 * Keeps the list live: the workspace's WatchRuns stream when it can be had; otherwise a poll of the first page while a
 * run shown can still change, and the stream tried again after WATCH_RETRY_MS.
 */
function scheduleListPoll() {
  scheduler.cancel(Task.LIST);
  const membership = currentMembership();
  if (!state.token || !membership) return;
  const workspaceId = membership.workspace.workspaceId;
  if (listWatch?.workspaceId === workspaceId) return;
  if (Date.now() >= listWatchRetryAt) {
    watchList(workspaceId);
    return;
  }
  const active = state.list.some(isActive);
  scheduler.after(Task.LIST, active ? POLL_MS : Math.max(0, listWatchRetryAt - Date.now()), async () => {
    if (active) await refreshVisibleRows();
    scheduleListPoll();
  });
}

function stopListWatch() {
  listWatch?.controller.abort();
  listWatch = null;
}

/** @param {string} workspaceId */
async function watchList(workspaceId) {
  stopListWatch();
  const controller = new AbortController();
  listWatch = { workspaceId, controller };
  try {
    await watch({
      fetch: streamFetch, token: () => state.token, path: `/v1/workspaces/${encodeURIComponent(workspaceId)}/runs:watch`,
      signal: controller.signal,
      onRun: (run) => {
        if (state.list.update(run)) {
          for (const row of rows()) {
            if (row.dataset.runId === run.runId) fillRunRow(row, run);
          }
        } else {
          // Not on screen: a new run (or one the filters leave out); the first page says which.
          scheduler.after(Task.LIST_NEW, NEW_RUNS_MS, refreshVisibleRows);
        }
      },
    });
  } catch {
    // Refused or cut: polling takes over.
  }
  if (controller.signal.aborted) return;
  if (listWatch?.controller === controller) listWatch = null;
  listWatchRetryAt = Date.now() + WATCH_RETRY_MS;
  scheduleListPoll();
}
