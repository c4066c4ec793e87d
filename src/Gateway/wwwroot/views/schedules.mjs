// @ts-check
// The tenant's backup schedules, a schedule's detail (next fire times, Run now, Edit, Delete with a confirm step),
// and the form that creates or edits one: the browser's own checks first, then the server's INVALID_ARGUMENT message
// shown next to the form.

import { ApiError, GrpcCode } from '../modules/api.mjs';
import { $, $as, el, option, setText } from '../modules/dom.mjs';
import { ADD_POLICIES, newClickId, RUN_NOW } from '../modules/backup.mjs';
import { formatTime, formatTimeIn } from '../modules/format.mjs';
import { clearError, handleError, showSyncMessage } from '../modules/messages.mjs';
import { href } from '../modules/routes.mjs';
import { canStart } from '../modules/runtypes.mjs';
import {
  enabledText, formFromSchedule, retentionText, scheduleDefinition, selectionText, whenText,
} from '../modules/schedules.mjs';
import { api, state } from '../modules/state.mjs';

/** @typedef {import('../modules/schedules.mjs').BackupSchedule} BackupSchedule */

/** The schedule shown (detail) or edited (form; null for a new one). */
let current = /** @type {BackupSchedule | null} */ (null);
let editing = /** @type {BackupSchedule | null} */ (null);

const tenantId = () => $as('tenant-select', HTMLSelectElement).value;
/** Creating, editing and deleting need tenant.backup_sets.manage: the capability of backup_set.add_policies. */
const mayManage = () => canStart(state.runTypes, ADD_POLICIES);

/** The list page of the tenant picked. */
export async function showSchedules() {
  const seq = ++state.pageSeq;
  const tenant = tenantId();
  $('new-schedule').hidden = !(tenant && mayManage());
  const list = $('schedule-list');
  list.replaceChildren();
  $('schedules-empty').hidden = true;
  if (!tenant) {
    $('schedules-empty').hidden = false;
    return;
  }
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(tenant)}/backup-schedules`);
    if (seq !== state.pageSeq) return;
    /** @type {BackupSchedule[]} */
    const schedules = (data.schedules ?? []).filter((/** @type {BackupSchedule} */ s) => s.scheduleId);
    list.replaceChildren(...schedules.map(renderScheduleRow));
    $('schedules-empty').hidden = schedules.length > 0;
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** @param {BackupSchedule} schedule */
function renderScheduleRow(schedule) {
  const link = el('a', { testid: 'schedule-link', text: schedule.displayName || schedule.scheduleId });
  link.href = href.schedule(schedule.scheduleId);
  const next = (schedule.nextFireTimes ?? [])[0];
  const row = el('li', { testid: 'schedule-row' }, [
    link,
    el('span', { testid: 'schedule-row-when', text: whenText(schedule) }),
    el('span', { cls: `badge ${schedule.enabled === true ? 'succeeded' : 'cancelled'}`, text: enabledText(schedule) }),
    el('span', { cls: 'muted', text: next ? `next ${formatTime(next)}` : 'not scheduled' }),
  ]);
  row.dataset.scheduleId = schedule.scheduleId;
  return row;
}

/** A schedule's detail page. @param {string} scheduleId */
export async function showSchedule(scheduleId) {
  const seq = ++state.pageSeq;
  current = null;
  setText('schedule-title', 'Schedule');
  $('next-fire-times').replaceChildren();
  for (const id of ['run-now', 'edit-schedule', 'delete-schedule', 'delete-confirm', 'next-fire-empty']) $(id).hidden = true;
  try {
    /** @type {BackupSchedule | undefined} */
    const schedule = (await api(`/v1/backup-schedules/${encodeURIComponent(scheduleId)}`)).schedule;
    if (seq !== state.pageSeq || !schedule) return;
    current = schedule;
    renderSchedule(schedule);
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** @param {BackupSchedule} schedule */
function renderSchedule(schedule) {
  setText('schedule-title', schedule.displayName || schedule.scheduleId);
  setText('schedule-when', whenText(schedule));
  setText('schedule-enabled', enabledText(schedule));
  setText('schedule-selection', selectionText(schedule));
  setText('schedule-retention', retentionText(schedule));
  setText('schedule-last-fired', formatTime(schedule.lastFiredFor));
  setText('schedule-id', schedule.scheduleId);
  const times = schedule.nextFireTimes ?? [];
  // In the schedule's zone (its cron's clock); the viewer's own clock on hover.
  $('next-fire-times').replaceChildren(...times.map((t) => el('li', { testid: 'next-fire-time' }, [
    el('time', { text: formatTimeIn(t, schedule.timeZone), title: `${formatTime(t)} your time` })])));
  $('next-fire-empty').hidden = times.length > 0;
  $('run-now').hidden = !canStart(state.runTypes, RUN_NOW);
  $('edit-schedule').hidden = !mayManage();
  $('delete-schedule').hidden = !mayManage();
}

/** "Run now": a new backup_schedule.run_now run per click (a fresh click id each time), then its detail. */
export async function runNow() {
  if (!current) return;
  clearError();
  showSyncMessage('');
  const button = $as('run-now', HTMLButtonElement);
  button.disabled = true;
  try {
    const data = await api(`/v1/backup-schedules/${encodeURIComponent(current.scheduleId)}:runNow`, {
      method: 'POST', body: { clickId: newClickId() },
    });
    if (data.run && data.run.runId) location.hash = href.run(data.run.runId);
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

export function askDelete() {
  $('delete-confirm').hidden = false;
}

export function cancelDelete() {
  $('delete-confirm').hidden = true;
}

/** Deletes the schedule (its sets stay) after the confirm step, then back to the list. */
export async function deleteSchedule() {
  if (!current) return;
  clearError();
  const button = $as('delete-confirm-yes', HTMLButtonElement);
  button.disabled = true;
  try {
    await api(`/v1/backup-schedules/${encodeURIComponent(current.scheduleId)}`, { method: 'DELETE' });
    showSyncMessage(`Deleted the schedule "${current.displayName || current.scheduleId}"; its backup sets stay.`);
    location.hash = href.schedules();
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}

/** The form: empty for a new schedule, or filled from the one shown ("Edit"). @param {BackupSchedule | null} schedule */
export function showScheduleForm(schedule) {
  if (!schedule) ++state.pageSeq;
  editing = schedule;
  const form = formFromSchedule(schedule);
  setText('schedule-form-title', schedule ? `Edit "${schedule.displayName || schedule.scheduleId}"` : 'New schedule');
  $as('schedule-name', HTMLInputElement).value = form.name;
  $as('schedule-cron', HTMLInputElement).value = form.cron;
  $as('schedule-timezone', HTMLInputElement).value = form.timeZone;
  $as('schedule-keep-last', HTMLInputElement).value = form.keepLast;
  $as('schedule-enabled-input', HTMLInputElement).checked = form.enabled;
  showFormError('');
  fillTimeZones();
  $('schedule-page').hidden = true;
  $('schedule-form-page').hidden = false;
}

export function editSchedule() {
  if (current) showScheduleForm(current);
}

export function cancelScheduleForm() {
  if (editing) {
    $('schedule-form-page').hidden = true;
    $('schedule-page').hidden = false;
  } else {
    location.hash = href.schedules();
  }
}

/** The browser's zone names as suggestions (any IANA name may be typed; the server decides). */
function fillTimeZones() {
  const list = $('time-zones');
  if (list.children.length > 0) return;
  const intl = /** @type {{ supportedValuesOf?: (key: string) => string[] }} */ (Intl);
  const zones = typeof intl.supportedValuesOf === 'function' ? intl.supportedValuesOf('timeZone') : ['UTC'];
  list.replaceChildren(...zones.map((z) => option(z, z)));
}

/** @param {string} message '' hides it */
function showFormError(message) {
  const box = $('schedule-form-error');
  box.textContent = message;
  box.hidden = !message;
}

/** Creates or replaces the schedule; the server's validation message stays next to the form. */
export async function saveSchedule() {
  clearError();
  const result = scheduleDefinition({
    name: $as('schedule-name', HTMLInputElement).value,
    cron: $as('schedule-cron', HTMLInputElement).value,
    timeZone: $as('schedule-timezone', HTMLInputElement).value,
    keepLast: $as('schedule-keep-last', HTMLInputElement).value,
    enabled: $as('schedule-enabled-input', HTMLInputElement).checked,
  }, editing);
  if (!result.ok) {
    showFormError(result.message);
    return;
  }
  showFormError('');
  const tenant = editing ? editing.tenantId || '' : tenantId();
  if (!editing && !tenant) {
    showFormError('Pick a tenant first.');
    return;
  }
  const button = $as('save-schedule', HTMLButtonElement);
  button.disabled = true;
  try {
    const data = editing
      ? await api(`/v1/backup-schedules/${encodeURIComponent(editing.scheduleId)}`, { method: 'PUT', body: { definition: result.definition } })
      : await api(`/v1/tenants/${encodeURIComponent(tenant)}/backup-schedules`, { method: 'POST', body: { definition: result.definition } });
    /** @type {BackupSchedule | undefined} */
    const saved = data.schedule;
    showSyncMessage(`Saved the schedule "${result.definition.displayName}".`);
    if (saved && saved.scheduleId) {
      const target = href.schedule(saved.scheduleId);
      $('schedule-form-page').hidden = true;
      if (location.hash === target) await showSchedule(saved.scheduleId);
      else location.hash = target;
      $('schedule-page').hidden = false;
    }
  } catch (err) {
    // A definition the server refuses is the form's business: its message goes next to the form.
    if (err instanceof ApiError && err.code === GrpcCode.INVALID_ARGUMENT) showFormError(err.message);
    else handleError(err);
  } finally {
    button.disabled = false;
  }
}
