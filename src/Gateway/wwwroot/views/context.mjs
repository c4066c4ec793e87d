// @ts-check
// The workspace and tenant pickers, "Start inventory sync" for members with the capability, and starting a sync.

import { $, $as, option, setText } from '../modules/dom.mjs';
import { roleText } from '../modules/format.mjs';
import { clearError, handleError, showSyncMessage } from '../modules/messages.mjs';
import { api, currentMembership, state } from '../modules/state.mjs';
import { loadNotifications } from './notifications.mjs';
import { navigateToRun } from './router.mjs';
import { loadRuns } from './runs.mjs';

const WORKSPACE_KEY = 'tenantatlas.workspace';
const SYNC_CAPABILITY = 'tenant.inventory_sync.run';

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

/** Loads the tenants of the workspace picked, then its runs. */
export async function workspaceChanged() {
  state.workspaceId = $as('workspace-select', HTMLSelectElement).value;
  const membership = currentMembership();
  if (membership) sessionStorage.setItem(WORKSPACE_KEY, membership.workspace.workspaceId);
  setText('role', membership && membership.member ? roleText(membership.member.role) : '');
  const seq = ++state.workspaceSeq;
  state.tenants = [];
  $('tenant-select').replaceChildren();
  if (membership) {
    try {
      /** @type {import('../modules/state.mjs').Tenant[]} */
      const list = (await api(`/v1/workspaces/${encodeURIComponent(membership.workspace.workspaceId)}/tenants`)).tenants ?? [];
      if (seq !== state.workspaceSeq) return; // another workspace was picked meanwhile
      state.tenants = list.filter((t) => t.tenantId);
    } catch (err) {
      if (seq !== state.workspaceSeq) return;
      handleError(err);
    }
    if (!state.token) return; // a 401 signed out
  }
  renderTenants();
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

/** Offered to members with the capability, once a tenant is picked. */
export function updateSyncButton() {
  const membership = currentMembership();
  const capabilities = (membership && membership.member && membership.member.capabilities) || [];
  $('start-sync').hidden = !(capabilities.includes(SYNC_CAPABILITY) && $as('tenant-select', HTMLSelectElement).value);
}

/** Empties the pickers (sign-out). */
export function clearContext() {
  state.workspaceSeq++;
  state.workspaces = [];
  state.workspaceId = '';
  state.tenants = [];
  $('workspace-select').replaceChildren();
  $('tenant-select').replaceChildren();
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
