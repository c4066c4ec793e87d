// @ts-check
// The address's fragment decides what is shown (modules/routes.mjs): the run list (#/) with a run's detail
// (#/runs/{id}), the tenant's backup sets and a set, its schedules and a schedule (or the new-schedule form), and a
// drift run's findings. Each page change cancels the previous page's polls.

import { $ } from '../modules/dom.mjs';
import { parseRoute, sectionOf } from '../modules/routes.mjs';
import { scheduler, state, Task } from '../modules/state.mjs';
import { showBackupSet, showBackupSets } from './backupsets.mjs';
import { closeDetail, openRun } from './detail.mjs';
import { showDrift } from './findings.mjs';
import { renderListChrome } from './runs.mjs';
import { showRestore, showRestoreForm, showRestores } from './restores.mjs';
import { showSchedule, showScheduleForm, showSchedules } from './schedules.mjs';

/** The sections of the page, by route; the run list and a run's detail share 'runs-page'. */
const PAGES = /** @type {const} */ ({
  runs: 'runs-page',
  run: 'runs-page',
  'backup-sets': 'backup-sets-page',
  'backup-set': 'backup-set-page',
  schedules: 'schedules-page',
  schedule: 'schedule-page',
  'new-schedule': 'schedule-form-page',
  drift: 'drift-page',
  restores: 'restores-page',
  'new-restore': 'restore-form-page',
  restore: 'restore-page',
});

/** @param {string} runId */
export function navigateToRun(runId) {
  const hash = `#/runs/${encodeURIComponent(runId)}`;
  if (location.hash === hash) openRun(runId);
  else location.hash = hash;
}

export function route() {
  if (!state.token) return;
  const { page, id } = parseRoute(location.hash);
  scheduler.cancel(Task.BACKUP_SET);
  scheduler.cancel(Task.DRIFT);
  scheduler.cancel(Task.RESTORE);
  const shown = PAGES[page];
  for (const section of new Set(Object.values(PAGES))) $(section).hidden = section !== shown;
  const section = sectionOf(page);
  for (const tab of ['runs', 'backup-sets', 'schedules', 'restores']) $(`nav-${tab}`).classList.toggle('active', tab === section);
  if (page !== 'run') closeDetail();
  switch (page) {
    case 'run':
      openRun(id);
      break;
    case 'backup-sets':
      showBackupSets();
      break;
    case 'backup-set':
      showBackupSet(id);
      break;
    case 'schedules':
      showSchedules();
      break;
    case 'schedule':
      showSchedule(id);
      break;
    case 'new-schedule':
      showScheduleForm(null);
      break;
    case 'drift':
      showDrift(id);
      break;
    case 'restores':
      showRestores();
      break;
    case 'new-restore':
      showRestoreForm(id);
      break;
    case 'restore':
      showRestore(id);
      break;
    default:
      renderListChrome();
  }
}

/** Another tenant (or workspace) was picked: a page that lists the tenant's sets or schedules shows the new one's. */
export function tenantChanged() {
  const { page } = parseRoute(location.hash);
  if (page === 'backup-sets' || page === 'schedules' || page === 'new-schedule' || page === 'restores' || page === 'new-restore') route();
}
