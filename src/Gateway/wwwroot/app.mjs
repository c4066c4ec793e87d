// @ts-check
// TenantAtlas Operations UI: plain ES modules, no build step. This entry point wires the page's controls to the
// views (views/) and resumes the session; the logic that needs no DOM lives in modules/ and is unit-tested with
// node --test (tests/ui/). Talks to the gateway's REST surface only.

import { $, onActivate } from './modules/dom.mjs';
import { clearError, handleError, showSyncMessage } from './modules/messages.mjs';
import { state } from './modules/state.mjs';
import { startSync, updateSyncButton, workspaceChanged } from './views/context.mjs';
import { cancelRestore, createRestore, executeRestore, loadSourceItems, saveChoices, saveDecisions } from './views/restores.mjs';
import { checkDrift, closeItem, compareSets, createBackupSet, loadMoreItems, openItem, showBackupSets } from './views/backupsets.mjs';
import { cancelRun, loadInventoryItems, retryRun } from './views/detail.mjs';
import { loadMoreFindings } from './views/findings.mjs';
import { markAllRead } from './views/notifications.mjs';
import { navigateToRun, route, tenantChanged } from './views/router.mjs';
import { loadRuns } from './views/runs.mjs';
import {
  askDelete, cancelDelete, cancelScheduleForm, deleteSchedule, editSchedule, runNow, saveSchedule,
} from './views/schedules.mjs';
import { resumeSession, signIn, signOut } from './views/session.mjs';

/** Where the trace viewer (the Aspire dashboard) lives: the gateway's /ui/config.json says; without it, trace links stay relative. */
async function loadUiConfig() {
  try {
    const response = await fetch('/ui/config.json');
    if (response.ok) state.traceViewerUrl = (await response.json()).traceViewerUrl || '';
  } catch {
    // Relative links it is.
  }
}

function init() {
  loadUiConfig();
  $('sign-in').addEventListener('click', signIn);
  $('token-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) signIn();
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('workspace-select').addEventListener('change', async () => {
    clearError();
    showSyncMessage('');
    await workspaceChanged();
    tenantChanged();
  });
  $('tenant-select').addEventListener('change', () => { showSyncMessage(''); updateSyncButton(); tenantChanged(); });
  for (const id of ['filter-type', 'filter-bucket', 'filter-range']) {
    $(id).addEventListener('change', () => { clearError(); loadRuns(); });
  }
  $('refresh-runs').addEventListener('click', () => { clearError(); loadRuns(); });
  $('load-more').addEventListener('click', () => loadRuns({ append: true }));
  onActivate($('run-list'), '[data-testid="run-row"]', (row) => navigateToRun(row.dataset.runId ?? ''));
  onActivate($('notification-list'), '[data-testid="notification-item"][data-run-id]', (item) => navigateToRun(item.dataset.runId ?? ''));
  $('close-detail').addEventListener('click', () => { location.hash = '#/'; });
  $('inventory-link').addEventListener('click', loadInventoryItems);
  $('mark-read').addEventListener('click', markAllRead);
  $('start-sync').addEventListener('click', startSync);
  $('retry-run').addEventListener('click', retryRun);
  $('cancel-run').addEventListener('click', cancelRun);
  // Backup sets, a set's items, compare and drift.
  $('refresh-backup-sets').addEventListener('click', () => { clearError(); showBackupSets(); });
  $('backup-sets-more').addEventListener('click', () => showBackupSets({ append: true }));
  $('new-backup-set-form').addEventListener('submit', (e) => { e.preventDefault(); createBackupSet(); });
  $('restore-form').addEventListener('submit', (e) => { e.preventDefault(); createRestore(); });
  $('restore-source-set').addEventListener('change', () => { loadSourceItems().catch(handleError); });
  $('choices-form').addEventListener('submit', (e) => { e.preventDefault(); saveChoices(); });
  $('decisions-form').addEventListener('submit', (e) => { e.preventDefault(); saveDecisions(); });
  $('execute-restore').addEventListener('click', executeRestore);
  $('cancel-restore').addEventListener('click', cancelRestore);
  onActivate($('item-list'), '[data-testid="backup-item"]', (row) => openItem(row.dataset.itemId ?? ''));
  $('items-more').addEventListener('click', loadMoreItems);
  $('close-raw').addEventListener('click', closeItem);
  $('compare').addEventListener('click', compareSets);
  $('check-drift').addEventListener('click', checkDrift);
  $('drift-more').addEventListener('click', loadMoreFindings);
  // Schedules.
  $('run-now').addEventListener('click', runNow);
  $('edit-schedule').addEventListener('click', editSchedule);
  $('delete-schedule').addEventListener('click', askDelete);
  $('delete-confirm-no').addEventListener('click', cancelDelete);
  $('delete-confirm-yes').addEventListener('click', deleteSchedule);
  $('schedule-form').addEventListener('submit', (e) => { e.preventDefault(); saveSchedule(); });
  $('cancel-schedule').addEventListener('click', cancelScheduleForm);
  window.addEventListener('hashchange', route);
  resumeSession();
}

init();
