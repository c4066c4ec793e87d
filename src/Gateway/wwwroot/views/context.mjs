// @ts-check
// The workspace and tenant pickers, what the workspace offers (the run-type catalogue: the type filter and
// "Start inventory sync"), and starting a sync.

import { $, $as, option, setText } from '../modules/dom.mjs';
import { roleText } from '../modules/format.mjs';
import { clearError, handleError, showSyncMessage } from '../modules/messages.mjs';
import { canStart, INVENTORY_SYNC, keptSelection, parseRunTypes, typeFilterOptions } from '../modules/runtypes.mjs';
import { api, currentMembership, state } from '../modules/state.mjs';
import { loadNotifications } from './notifications.mjs';
import { navigateToRun } from './router.mjs';
import { loadRuns } from './runs.mjs';

const WORKSPACE_KEY = 'tenantatlas.workspace';

/** The user's workspaces; the one picked last in this tab is picked again. */
export async function loadWorkspaces() {
  const data = await api('/v1/workspaces');
  /** @type {import('../modules/state.mjs').Membership[]} */
  const memberships = data.workspaces ?? [];
  state.workspaces = memberships.filter((w) => w.workspace && w.workspace.workspaceId);
  const select = $as('workspace-select', HTMLSelectElement);
  select.replaceChildren(...state.workspaces.map((w) => option(w.workspace.workspaceId, w.workspace.name || w.workspace.workspaceId)));
  if (state.workspaces.length === 0) {
    select.append(option('', 'No workspaces'));
    select.disabled = true;
  } else {
    select.disabled = false;
    const saved = sessionStorage.getItem(WORKSPACE_KEY);
    if (saved && state.workspaces.some((w) => w.workspace.workspaceId === saved)) select.value = saved;
  }
  await workspaceChanged();
}

/** Loads what belongs to the workspace picked (tenants, run types), then its runs. */
export async function workspaceChanged() {
  state.workspaceId = $as('workspace-select', HTMLSelectElement).value;
  const membership = currentMembership();
  if (membership) sessionStorage.setItem(WORKSPACE_KEY, membership.workspace.workspaceId);
  setText('role', membership && membership.member ? roleText(membership.member.role) : '');
  const seq = ++state.workspaceSeq;
  state.tenants = [];
  state.runTypes = [];
  $('tenant-select').replaceChildren();
  if (membership) {
    const base = `/v1/workspaces/${encodeURIComponent(membership.workspace.workspaceId)}`;
    // Side by side: neither needs the other. A failure of one leaves the other usable (no run types: "All types"
    // only and no start control, which is all the server would allow without knowing).
    const [tenants, runTypes] = await Promise.allSettled([api(`${base}/tenants`), api(`${base}/run-types`)]);
    if (seq !== state.workspaceSeq) return; // another workspace was picked meanwhile
    if (tenants.status === 'fulfilled') {
      /** @type {import('../modules/state.mjs').Tenant[]} */
      const list = tenants.value.tenants ?? [];
      state.tenants = list.filter((t) => t.tenantId);
    } else {
      handleError(tenants.reason);
    }
    if (runTypes.status === 'fulfilled') state.runTypes = parseRunTypes(runTypes.value);
    else if (tenants.status === 'fulfilled') handleError(runTypes.reason); // one banner, not two, if both failed
    if (!state.token) return; // a 401 signed out
  }
  renderTenants();
  renderTypeFilter();
  updateSyncButton();
  await loadRuns();
}

function renderTenants() {
  const select = $as('tenant-select', HTMLSelectElement);
  if (state.tenants.length === 0) {
    select.replaceChildren(option('', 'No tenants'));
    select.disabled = true;
  } else {
    select.disabled = false;
    select.replaceChildren(...state.tenants.map((t) => option(t.tenantId, t.displayName || t.tenantId)));
  }
}

/** The types the user may view in this workspace, keeping the type picked if it is still offered. */
function renderTypeFilter() {
  const select = $as('filter-type', HTMLSelectElement);
  const options = typeFilterOptions(state.runTypes);
  const selected = keptSelection(options, select.value);
  select.replaceChildren(...options.map((o) => option(o.value, o.label)));
  select.value = selected;
}

/** Offered when the server says the user may start an inventory sync here, and a tenant is picked. */
export function updateSyncButton() {
  $('start-sync').hidden = !(canStart(state.runTypes, INVENTORY_SYNC) && $as('tenant-select', HTMLSelectElement).value);
}

/** Empties the pickers (sign-out). */
export function clearContext() {
  state.workspaceSeq++;
  state.workspaces = [];
  state.workspaceId = '';
  state.tenants = [];
  state.runTypes = [];
  $('workspace-select').replaceChildren();
  $('tenant-select').replaceChildren();
  renderTypeFilter(); // the next user's workspace brings its own catalogue
}

/** Starts an inventory sync of the tenant picked, or opens the one already running (the server decides). */
export async function startSync() {
  const tenantId = $as('tenant-select', HTMLSelectElement).value;
  if (!tenantId) return;
  clearError();
  showSyncMessage('');
  const button = $as('start-sync', HTMLButtonElement);
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
