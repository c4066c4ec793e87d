// @ts-check
// A backup schedule's form: from a schedule to the form's values, from the form to the request (with the checks
// the browser can make before sending), and how a schedule reads. DOM-free. The server validates everything again
// and names what is wrong (INVALID_ARGUMENT): a cron expression that parses as five fields but is not valid, or an
// unknown time zone, is its message to show.

import { ALL_POLICIES } from './backup.mjs';
import { num } from './format.mjs';

/**
 * @typedef {{ keepLast?: number | string, keepDays?: number | string }} Retention
 * @typedef {{ families?: (string | number)[], policyIds?: string[] }} PolicySelection
 * @typedef {{ scheduleId: string, tenantId?: string, displayName?: string, cronExpression?: string, timeZone?: string,
 *   selection?: PolicySelection, retention?: Retention, enabled?: boolean, nextFireTimes?: string[],
 *   lastFiredFor?: string, createdBy?: string, createdAt?: string, updatedAt?: string }} BackupSchedule
 * @typedef {{ name: string, cron: string, timeZone: string, keepLast: string, enabled: boolean }} ScheduleForm
 *   the form's values as the inputs hold them
 * @typedef {{ displayName: string, cronExpression: string, timeZone: string,
 *   selection: { families: string[], policyIds?: string[] }, retention: { keepLast: number, keepDays?: number },
 *   enabled: boolean }} ScheduleDefinition
 * @typedef {{ ok: true, definition: ScheduleDefinition } | { ok: false, field: keyof ScheduleForm, message: string }} FormResult
 */

export const MAX_KEEP_LAST = 1000;

/** A new schedule's form: nightly at 02:00 UTC, keep the last 7, enabled. */
export const DEFAULT_FORM = Object.freeze({ name: '', cron: '0 2 * * *', timeZone: 'UTC', keepLast: '7', enabled: true });

/**
 * The form's values for editing a schedule (or a new one's defaults).
 * @param {BackupSchedule | null} schedule
 * @returns {ScheduleForm}
 */
export function formFromSchedule(schedule) {
  if (!schedule) return { ...DEFAULT_FORM };
  return {
    name: schedule.displayName || '',
    cron: schedule.cronExpression || '',
    timeZone: schedule.timeZone || '',
    keepLast: String(num(schedule.retention && schedule.retention.keepLast) || ''),
    enabled: schedule.enabled === true,
  };
}

/**
 * The definition to send, or the first thing the browser can tell is wrong. A schedule being edited keeps what the
 * form does not show (its selection when it named single policies, its keep-days): Update replaces the whole
 * definition, so dropping them would change the schedule behind the user's back.
 * @param {ScheduleForm} form
 * @param {BackupSchedule | null} [existing] the schedule being edited
 * @returns {FormResult}
 */
export function scheduleDefinition(form, existing = null) {
  const displayName = form.name.trim();
  if (!displayName) return { ok: false, field: 'name', message: 'Give the schedule a name.' };
  if (displayName.length > 200) return { ok: false, field: 'name', message: 'The name is at most 200 characters.' };
  const cronExpression = form.cron.trim().replace(/\s+/g, ' ');
  if (cronExpression.split(' ').length !== 5 || !cronExpression) {
    return { ok: false, field: 'cron', message: 'The cron expression has five fields: minute hour day-of-month month day-of-week (e.g. "0 2 * * *").' };
  }
  const timeZone = form.timeZone.trim();
  if (!timeZone) return { ok: false, field: 'timeZone', message: 'Give an IANA time zone, e.g. "UTC" or "Europe/Berlin".' };
  const keepText = form.keepLast.trim();
  const keepLast = Number(keepText);
  if (!/^\d+$/.test(keepText) || keepLast < 1 || keepLast > MAX_KEEP_LAST) {
    return { ok: false, field: 'keepLast', message: `Keep the last 1 to ${MAX_KEEP_LAST} backups.` };
  }
  /** @type {ScheduleDefinition['selection']} */
  let selection = { families: [...ALL_POLICIES.families] };
  const kept = existing && existing.selection;
  if (kept && (kept.policyIds ?? []).length > 0) {
    selection = { families: (kept.families ?? []).map(String), policyIds: [...(kept.policyIds ?? [])] };
  }
  /** @type {ScheduleDefinition['retention']} */
  const retention = { keepLast };
  const keepDays = num(existing && existing.retention && existing.retention.keepDays);
  if (keepDays > 0) retention.keepDays = keepDays;
  return { ok: true, definition: { displayName, cronExpression, timeZone, selection, retention, enabled: form.enabled } };
}

/** 'All policies', or what a schedule made elsewhere selects. @param {BackupSchedule} schedule */
export function selectionText(schedule) {
  const selection = schedule.selection ?? {};
  const families = selection.families ?? [];
  const ids = selection.policyIds ?? [];
  if (ids.length === 0 && (families.length === 0 || families.length >= ALL_POLICIES.families.length)) return 'All policies';
  const parts = [];
  if (families.length > 0) parts.push(`${families.length} ${families.length === 1 ? 'family' : 'families'}`);
  if (ids.length > 0) parts.push(`${ids.length} ${ids.length === 1 ? 'policy' : 'policies'}`);
  return parts.join(' + ');
}

/** 'Keep the last 5' (and ' and every backup younger than 30 days'). @param {BackupSchedule} schedule */
export function retentionText(schedule) {
  const keepLast = num(schedule.retention && schedule.retention.keepLast);
  const keepDays = num(schedule.retention && schedule.retention.keepDays);
  return `Keep the last ${keepLast}${keepDays ? ` and every backup younger than ${keepDays} days` : ''}`;
}

/** The list row's when: '0 2 * * * (Europe/Berlin)'. @param {BackupSchedule} schedule */
export function whenText(schedule) {
  return `${schedule.cronExpression || '—'} (${schedule.timeZone || 'UTC'})`;
}

/** 'enabled' / 'disabled'. @param {BackupSchedule} schedule */
export const enabledText = (schedule) => (schedule.enabled === true ? 'enabled' : 'disabled');
