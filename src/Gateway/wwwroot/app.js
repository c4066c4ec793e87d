// TenantAtlas Operations UI: plain ES module, no build step. Renders with textContent only (strict CSP, no
// inline scripts or styles). Talks to the gateway's REST surface (gRPC-JSON transcoding: lowerCamelCase fields,
// enums as strings, int64 possibly as strings).

const TOKEN_KEY = 'tenantatlas.token';
const WORKSPACE_KEY = 'tenantatlas.workspace';
const SYNC_CAPABILITY = 'tenant.inventory_sync.run';
const PAGE_SIZE = 25;
const POLL_MS = 1000;
const NOTIFICATION_POLL_MS = 10000;
const RANGES = { '24h': 24 * 3600e3, '7d': 7 * 24 * 3600e3, '30d': 30 * 24 * 3600e3 };
const BUCKETS = ['UNSPECIFIED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'];
const STATUSES = ['UNSPECIFIED', 'QUEUED', 'RUNNING', 'COMPLETED'];
const OUTCOMES = ['UNSPECIFIED', 'PENDING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'];

const $ = (id) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  if (!el) throw new Error(`missing element ${id}`);
  return el;
};

const state = {
  token: null,
  workspaces: [],          // [{workspace, member}]
  tenants: [],             // [{tenantId, displayName}]
  runs: new Map(),         // runId -> run (rows currently shown)
  nextPageToken: '',
  listSeq: 0,              // guards against out-of-order list responses
  detailRunId: null,       // run shown in the detail panel
  detailSeq: 0,
  pollTimer: null,
  listPollTimer: null,
  notificationTimer: null,
};

// ---------- API ----------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 14, 'Could not reach the server; check your connection and retry.');
  }
  let data = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const message = data && typeof data.message === 'string' && data.message
      ? data.message
      : `The request failed with HTTP ${response.status}.`;
    throw new ApiError(response.status, data && data.code, message);
  }
  return data ?? {};
}

// ---------- small helpers ----------

const num = (v) => {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
};

function enumName(value, prefix, names) {
  if (typeof value === 'number') return names[value] ?? 'UNSPECIFIED';
  if (typeof value === 'string' && value) return value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return 'UNSPECIFIED';
}

function bucketOf(run) {
  let bucket = enumName(run.statusBucket, 'STATUS_BUCKET_', BUCKETS);
  if (bucket === 'UNSPECIFIED') {
    const status = statusOf(run);
    bucket = status === 'COMPLETED' ? outcomeOf(run) : status;
  }
  return bucket.toLowerCase();
}
const statusOf = (run) => enumName(run.status, 'RUN_STATUS_', STATUSES);
const outcomeOf = (run) => enumName(run.outcome, 'RUN_OUTCOME_', OUTCOMES);
const isActive = (run) => {
  const s = statusOf(run);
  return s === 'QUEUED' || s === 'RUNNING';
};
const humanize = (s) => s.toLowerCase().replace(/_/g, ' ');

function formatTime(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toLocaleString();
}

function el(tag, { testid, cls, text, title } = {}, children = []) {
  const node = document.createElement(tag);
  if (testid) node.dataset.testid = testid;
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (title) node.title = title;
  for (const child of children) node.append(child);
  return node;
}

function tenantName(tenantId) {
  if (!tenantId) return 'Workspace';
  const t = state.tenants.find((x) => x.tenantId === tenantId);
  return t && t.displayName ? t.displayName : tenantId;
}

function currentMembership() {
  const id = $('workspace-select').value;
  return state.workspaces.find((w) => w.workspace && w.workspace.workspaceId === id) ?? null;
}

// ---------- messages ----------

function showError(err) {
  const box = $('error-message');
  const message = err instanceof ApiError ? err.message : 'Something went wrong. Please retry.';
  if (!(err instanceof ApiError)) console.error(err);
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  const box = $('error-message');
  box.textContent = '';
  box.hidden = true;
}

function showSyncMessage(text) {
  const box = $('sync-message');
  box.textContent = text ?? '';
  box.hidden = !text;
}

// Errors from any call: a 401 means the token is unusable, so go back to sign-in.
function handleError(err) {
  showError(err);
  if (err instanceof ApiError && err.status === 401) signOut({ keepError: true });
}

// ---------- session ----------

function showSignedIn(signedIn) {
  $('signin-view').hidden = signedIn;
  $('app-view').hidden = !signedIn;
  $('session-bar').hidden = !signedIn;
}

async function signIn() {
  clearError();
  showSyncMessage('');
  let token = $('token-input').value.trim();
  if (/^bearer\s+/i.test(token)) token = token.replace(/^bearer\s+/i, '').trim();
  if (!token) {
    showError(new ApiError(0, 3, 'Paste a token to sign in.'));
    return;
  }
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  await start();
}

function stopTimers() {
  clearTimeout(state.pollTimer);
  clearTimeout(state.listPollTimer);
  clearInterval(state.notificationTimer);
  state.pollTimer = state.listPollTimer = state.notificationTimer = null;
}

function signOut({ keepError = false } = {}) {
  stopTimers();
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  state.workspaces = [];
  state.tenants = [];
  state.runs.clear();
  state.nextPageToken = '';
  state.listSeq++;
  state.detailSeq++;
  state.detailRunId = null;
  $('workspace-select').replaceChildren();
  $('tenant-select').replaceChildren();
  $('run-list').replaceChildren();
  $('notification-list').replaceChildren();
  $('unread-count').textContent = '0';
  $('token-input').value = '';
  hideDetail();
  showSyncMessage('');
  if (!keepError) clearError();
  showSignedIn(false);
}

async function start() {
  showSignedIn(true);
  try {
    await loadWorkspaces();
  } catch (err) {
    handleError(err);
    return;
  }
  if (!state.token) return;
  loadNotifications();
  clearInterval(state.notificationTimer);
  state.notificationTimer = setInterval(loadNotifications, NOTIFICATION_POLL_MS);
  route();
}

// ---------- workspaces & tenants ----------

async function loadWorkspaces() {
  const data = await api('/v1/workspaces');
  state.workspaces = (data.workspaces ?? []).filter((w) => w.workspace && w.workspace.workspaceId);
  const select = $('workspace-select');
  select.replaceChildren(...state.workspaces.map((w) =>
    el('option', { text: w.workspace.name || w.workspace.workspaceId })));
  state.workspaces.forEach((w, i) => { select.options[i].value = w.workspace.workspaceId; });
  if (state.workspaces.length === 0) {
    select.append(el('option', { text: 'No workspaces' }));
    select.options[0].value = '';
    select.disabled = true;
  } else {
    select.disabled = false;
    const saved = sessionStorage.getItem(WORKSPACE_KEY);
    if (saved && state.workspaces.some((w) => w.workspace.workspaceId === saved)) select.value = saved;
  }
  await workspaceChanged();
}

async function workspaceChanged() {
  const membership = currentMembership();
  if (membership) sessionStorage.setItem(WORKSPACE_KEY, membership.workspace.workspaceId);
  const role = membership && membership.member ? enumName(membership.member.role, 'ROLE_', []) : '';
  $('role').textContent = role && role !== 'UNSPECIFIED' ? `Role: ${humanize(role)}` : '';
  state.tenants = [];
  const tenantSelect = $('tenant-select');
  tenantSelect.replaceChildren();
  if (membership) {
    try {
      const data = await api(`/v1/workspaces/${encodeURIComponent(membership.workspace.workspaceId)}/tenants`);
      state.tenants = (data.tenants ?? []).filter((t) => t.tenantId);
    } catch (err) {
      handleError(err);
    }
  }
  if (state.tenants.length === 0) {
    tenantSelect.append(el('option', { text: 'No tenants' }));
    tenantSelect.options[0].value = '';
    tenantSelect.disabled = true;
  } else {
    tenantSelect.disabled = false;
    for (const t of state.tenants) {
      const option = el('option', { text: t.displayName || t.tenantId });
      option.value = t.tenantId;
      tenantSelect.append(option);
    }
  }
  updateSyncButton();
  await loadRuns();
}

function updateSyncButton() {
  const membership = currentMembership();
  const capabilities = (membership && membership.member && membership.member.capabilities) || [];
  $('start-sync').hidden = !(capabilities.includes(SYNC_CAPABILITY) && $('tenant-select').value);
}

// ---------- runs list ----------

function listQuery(pageToken) {
  const params = new URLSearchParams();
  params.set('pageSize', String(PAGE_SIZE));
  const type = $('filter-type').value;
  if (type) params.append('types', type);
  const bucket = $('filter-bucket').value;
  if (bucket) params.append('statusBuckets', bucket);
  const range = RANGES[$('filter-range').value];
  if (range) params.set('createdAfter', new Date(Date.now() - range).toISOString());
  if (pageToken) params.set('pageToken', pageToken);
  return params;
}

async function loadRuns({ append = false } = {}) {
  const membership = currentMembership();
  const seq = ++state.listSeq;
  const list = $('run-list');
  if (!membership) {
    state.runs.clear();
    list.replaceChildren();
    state.nextPageToken = '';
    renderListChrome();
    return;
  }
  const loadMore = $('load-more');
  loadMore.disabled = true;
  try {
    const params = listQuery(append ? state.nextPageToken : '');
    const data = await api(`/v1/workspaces/${encodeURIComponent(membership.workspace.workspaceId)}/runs?${params}`);
    if (seq !== state.listSeq) return;
    if (!append) {
      state.runs.clear();
      list.replaceChildren();
    }
    for (const run of data.runs ?? []) {
      if (!run.runId || state.runs.has(run.runId)) continue;
      state.runs.set(run.runId, run);
      list.append(renderRunRow(run));
    }
    state.nextPageToken = data.nextPageToken || '';
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

function renderListChrome() {
  $('load-more').hidden = !state.nextPageToken;
  $('runs-empty').hidden = state.runs.size > 0;
  for (const row of $('run-list').children) row.classList.toggle('selected', row.dataset.runId === state.detailRunId);
}

function renderRunRow(run) {
  const row = el('li', { testid: 'run-row' });
  row.dataset.runId = run.runId;
  row.tabIndex = 0;
  row.setAttribute('role', 'button');
  fillRunRow(row, run);
  return row;
}

function fillRunRow(row, run) {
  const bucket = bucketOf(run);
  const counts = run.counts ?? {};
  const total = num(counts.total);
  const processed = num(counts.processed);
  const progress = el('progress', { testid: 'run-progress' });
  progress.max = Math.max(total, 1);
  progress.value = total > 0 ? Math.min(processed, total) : (bucket === 'queued' || bucket === 'running' ? 0 : 1);
  const initiator = run.initiator ?? {};
  row.replaceChildren(
    el('span', { cls: 'run-type', testid: 'run-type', text: run.type || '—' }),
    el('span', {}, [el('span', { cls: `badge ${bucket}`, testid: 'status-badge', text: bucket })]),
    el('span', { cls: 'progress-cell' }, [progress, el('span', { testid: 'run-counts', text: `${processed}/${total}` })]),
    el('span', { testid: 'run-tenant', text: tenantName(run.tenantId), title: run.tenantId || undefined }),
    el('span', { testid: 'run-initiator', text: initiator.name || initiator.subject || '—' }),
    el('time', { testid: 'run-created', text: formatTime(run.createdAt), title: run.createdAt || undefined }),
  );
  row.classList.toggle('selected', run.runId === state.detailRunId);
}

function updateRow(run) {
  if (!run || !run.runId || !state.runs.has(run.runId)) return;
  state.runs.set(run.runId, run);
  for (const row of $('run-list').children) {
    if (row.dataset.runId === run.runId) fillRunRow(row, run);
  }
}

// Refreshes the rows on screen (first page of the current filters): updates known rows in place and puts runs
// that are new since the list was loaded at the top. Never disturbs the paging position.
async function refreshVisibleRows() {
  const membership = currentMembership();
  if (!membership || !state.token) return;
  const seq = state.listSeq;
  let data;
  try {
    data = await api(`/v1/workspaces/${encodeURIComponent(membership.workspace.workspaceId)}/runs?${listQuery('')}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) handleError(err);
    return; // transient: the next tick retries
  }
  if (seq !== state.listSeq) return;
  const list = $('run-list');
  const fresh = [];
  for (const run of data.runs ?? []) {
    if (!run.runId) continue;
    if (state.runs.has(run.runId)) updateRow(run);
    else fresh.push(run);
  }
  // New runs are newer than everything shown (newest first), so they go on top, in order.
  const first = list.firstChild;
  const oldest = [...state.runs.values()].pop();
  for (const run of fresh) {
    if (oldest && state.nextPageToken && run.createdAt && oldest.createdAt && run.createdAt < oldest.createdAt) continue;
    state.runs.set(run.runId, run);
    list.insertBefore(renderRunRow(run), first);
  }
  // The list had no further page before but has one now (new runs pushed some off page one): duplicates that
  // page may repeat are skipped when it is loaded.
  if (!state.nextPageToken && data.nextPageToken) state.nextPageToken = data.nextPageToken;
  renderListChrome();
}

function scheduleListPoll() {
  clearTimeout(state.listPollTimer);
  state.listPollTimer = null;
  const anyActive = [...state.runs.values()].some(isActive);
  if (!anyActive || !state.token) return;
  state.listPollTimer = setTimeout(async () => {
    await refreshVisibleRows();
    scheduleListPoll();
  }, POLL_MS);
}

// ---------- run detail ----------

function hideDetail() {
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
  $('run-detail').hidden = true;
  $('not-found-view').hidden = true;
}

async function openRun(runId) {
  if (!state.token) return;
  hideDetail();
  const seq = ++state.detailSeq;
  state.detailRunId = runId;
  renderListChrome();
  $('inventory-list').replaceChildren();
  $('inventory-empty').hidden = true;
  await fetchDetail(runId, seq, true);
}

async function fetchDetail(runId, seq, first) {
  let run;
  try {
    const data = await api(`/v1/runs/${encodeURIComponent(runId)}`);
    run = data.run;
  } catch (err) {
    if (seq !== state.detailSeq) return;
    if (err instanceof ApiError && (err.status === 404 || err.status === 403 || err.status === 400)) {
      // 400: a malformed id in a deep link is "no such run" to the user too.
      $('run-detail').hidden = true;
      $('not-found-view').hidden = false;
      return;
    }
    handleError(err);
    if (!first && state.token) state.pollTimer = setTimeout(() => fetchDetail(runId, seq, false), POLL_MS * 2);
    return;
  }
  if (seq !== state.detailSeq || !run) return;
  renderDetail(run);
  updateRow(run);
  if (isActive(run)) {
    state.pollTimer = setTimeout(() => fetchDetail(runId, seq, false), POLL_MS);
  } else if (!first) {
    // It just completed: the completion notification and the list changed too.
    loadNotifications();
    refreshVisibleRows();
  }
}

function setText(id, text) {
  $(id).textContent = text ?? '';
}

function renderDetail(run) {
  const bucket = bucketOf(run);
  const status = statusOf(run);
  const outcome = outcomeOf(run);
  const counts = run.counts ?? {};
  const total = num(counts.total);
  const processed = num(counts.processed);
  const initiator = run.initiator ?? {};

  setText('detail-type', run.type || 'Run');
  const badge = $('run-detail').querySelector('[data-testid="status-badge"]');
  badge.textContent = bucket;
  badge.className = `badge ${bucket}`;
  setText('detail-status', humanize(status));
  setText('detail-outcome', humanize(outcome));
  setText('detail-run-id', run.runId);
  setText('detail-tenant', tenantName(run.tenantId));
  setText('detail-initiator', initiator.name || initiator.subject || '—');
  setText('detail-created', formatTime(run.createdAt));
  setText('detail-started', formatTime(run.startedAt));
  setText('detail-completed', formatTime(run.completedAt));
  const progress = $('detail-progress');
  progress.max = Math.max(total, 1);
  progress.value = total > 0 ? Math.min(processed, total) : (isActive(run) ? 0 : 1);
  setText('detail-counts',
    `${processed}/${total} processed · ${num(counts.succeeded)} succeeded · ${num(counts.failed)} failed · ${num(counts.skipped)} skipped`);

  const traceId = run.traceId || '';
  setText('trace-id', traceId || '—');
  const traceLink = $('trace-link');
  if (traceId) {
    const base = traceViewerUrl.replace(/\/+$/, '');
    traceLink.href = `${base}/traces/detail/${encodeURIComponent(traceId)}`;
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
  const dropped = num(run.failuresDropped);
  $('failures-dropped').hidden = dropped === 0;
  setText('failures-dropped', dropped ? `${dropped} more failures were not stored.` : '');

  const related = $('related');
  const hasInventory = run.type === 'inventory.sync' && !!run.tenantId;
  related.hidden = !hasInventory;
  related.dataset.tenantId = run.tenantId || '';
  related.dataset.runId = run.runId;

  $('not-found-view').hidden = true;
  $('run-detail').hidden = false;
}

async function loadInventoryItems() {
  const related = $('related');
  const { tenantId, runId } = related.dataset;
  if (!tenantId || !runId) return;
  const seq = state.detailSeq;
  const button = $('inventory-link');
  button.disabled = true;
  try {
    const params = new URLSearchParams({ runId, pageSize: '50' });
    const data = await api(`/v1/tenants/${encodeURIComponent(tenantId)}/inventory/items?${params}`);
    if (seq !== state.detailSeq) return;
    const items = data.items ?? [];
    $('inventory-list').replaceChildren(...items.map((item) => {
      const family = enumName(item.family, 'POLICY_FAMILY_', ['UNSPECIFIED', 'DEVICE_CONFIGURATIONS', 'COMPLIANCE_POLICIES']);
      const targets = (item.assignmentTargets ?? []).join(', ');
      return el('li', { testid: 'inventory-item' }, [
        el('span', { testid: 'inventory-item-name', text: item.displayName || item.itemId || '—' }),
        el('span', { cls: 'item-meta', text: `${humanize(family)} · ${item.odataType || ''}${targets ? ` · ${targets}` : ''}` }),
      ]);
    }));
    $('inventory-empty').hidden = items.length > 0;
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

// ---------- notifications ----------

let notificationSeq = 0;
async function loadNotifications() {
  if (!state.token) return;
  const seq = ++notificationSeq;
  let data;
  try {
    data = await api('/v1/notifications');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) handleError(err);
    return;
  }
  if (seq !== notificationSeq || !state.token) return;
  renderNotifications(data.notifications ?? [], num(data.unreadCount));
}

function renderNotifications(notifications, unread) {
  $('unread-count').textContent = String(unread);
  $('notifications-empty').hidden = notifications.length > 0;
  $('notification-list').replaceChildren(...notifications.map((n) => {
    const item = el('li', { testid: 'notification-item', cls: n.readAt ? 'read' : 'unread' }, [
      el('span', { text: n.title || `${n.runType || 'run'}: ${humanize(enumName(n.kind, 'NOTIFICATION_KIND_', []))}` }),
      el('time', { text: formatTime(n.createdAt), title: n.createdAt || undefined }),
    ]);
    if (n.runId) {
      item.dataset.runId = n.runId;
      item.tabIndex = 0;
      item.setAttribute('role', 'button');
    }
    return item;
  }));
}

async function markAllRead() {
  clearError();
  const button = $('mark-read');
  button.disabled = true;
  try {
    const data = await api('/v1/notifications:markRead', { method: 'POST', body: { all: true } });
    $('unread-count').textContent = String(num(data.unreadCount));
    await loadNotifications();
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

// ---------- start sync ----------

async function startSync() {
  const tenantId = $('tenant-select').value;
  if (!tenantId) return;
  clearError();
  showSyncMessage('');
  const button = $('start-sync');
  button.disabled = true;
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(tenantId)}/inventory:sync`, { method: 'POST', body: {} });
    const run = data.run;
    if (data.created === false || data.created === undefined) {
      showSyncMessage('A sync is already running — opened it.');
    }
    loadNotifications();
    await loadRuns();
    if (run && run.runId) navigateToRun(run.runId);
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

// ---------- routing ----------

function navigateToRun(runId) {
  const hash = `#/runs/${encodeURIComponent(runId)}`;
  if (location.hash === hash) openRun(runId);
  else location.hash = hash;
}

function route() {
  if (!state.token) return;
  const match = /^#\/runs\/([^/?#]+)/.exec(location.hash);
  if (match) {
    let runId;
    try { runId = decodeURIComponent(match[1]); } catch { runId = match[1]; }
    openRun(runId);
  } else {
    state.detailSeq++;
    state.detailRunId = null;
    hideDetail();
    renderListChrome();
  }
}

// ---------- wiring ----------

function onActivate(container, selector, handler) {
  container.addEventListener('click', (e) => {
    const target = e.target.closest(selector);
    if (target && container.contains(target)) handler(target);
  });
  container.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const target = e.target.closest(selector);
    if (target && container.contains(target)) {
      e.preventDefault();
      handler(target);
    }
  });
}

// Where the trace viewer (the Aspire dashboard) lives: the gateway's /ui/config.json says; empty = same origin.
let traceViewerUrl = '';

async function loadUiConfig() {
  try {
    const response = await fetch('/ui/config.json');
    if (response.ok) traceViewerUrl = (await response.json()).traceViewerUrl || '';
  } catch {
    // Without it, trace links stay relative.
  }
}

function init() {
  loadUiConfig();
  $('sign-in').addEventListener('click', signIn);
  $('token-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) signIn();
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('workspace-select').addEventListener('change', () => { clearError(); showSyncMessage(''); workspaceChanged(); });
  $('tenant-select').addEventListener('change', () => { showSyncMessage(''); updateSyncButton(); });
  for (const id of ['filter-type', 'filter-bucket', 'filter-range']) {
    $(id).addEventListener('change', () => { clearError(); loadRuns(); });
  }
  $('refresh-runs').addEventListener('click', () => { clearError(); loadRuns(); });
  $('load-more').addEventListener('click', () => loadRuns({ append: true }));
  onActivate($('run-list'), '[data-testid="run-row"]', (row) => navigateToRun(row.dataset.runId));
  onActivate($('notification-list'), '[data-testid="notification-item"][data-run-id]', (item) => navigateToRun(item.dataset.runId));
  $('close-detail').addEventListener('click', () => { location.hash = '#/'; });
  $('inventory-link').addEventListener('click', loadInventoryItems);
  $('mark-read').addEventListener('click', markAllRead);
  $('start-sync').addEventListener('click', startSync);
  window.addEventListener('hashchange', route);

  // A sign-in link (the AppHost's dashboard has one per demo user) carries the token in the fragment, which is never
  // sent to a server; keep it for this tab and take it out of the address bar and history.
  const linked = /^#token=([^&]+)/.exec(location.hash);
  if (linked) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(linked[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  state.token = sessionStorage.getItem(TOKEN_KEY);
  if (state.token) start();
  else showSignedIn(false);
}

init();
