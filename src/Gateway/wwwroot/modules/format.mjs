// @ts-check
// How runs, notifications and inventory items read on screen: enum labels, counts, times. DOM-free.
// Transcoded JSON carries enums as strings (numbers if a client asked for them) and int64 possibly as strings.

/**
 * @typedef {{ total?: number | string, processed?: number | string, succeeded?: number | string,
 *   failed?: number | string, skipped?: number | string }} RunCounts
 * @typedef {{ code?: string, message?: string, item?: string }} RunFailure
 * @typedef {{ runId: string, type?: string, tenantId?: string, status?: string | number,
 *   outcome?: string | number, statusBucket?: string | number, counts?: RunCounts,
 *   initiator?: { subject?: string, name?: string }, createdAt?: string, startedAt?: string, completedAt?: string,
 *   updatedAt?: string, traceId?: string, failures?: RunFailure[], failuresDropped?: number | string, cancelRequested?: boolean,
 *   cancelRequestedAt?: string, cancelRequestedBy?: { subject?: string, name?: string } }} Run
 * @typedef {{ notificationId?: string, runId?: string, runType?: string, kind?: string | number, title?: string,
 *   createdAt?: string, readAt?: string }} Notification
 * @typedef {{ itemId?: string, displayName?: string, family?: string | number, odataType?: string,
 *   assignmentTargets?: string[] }} InventoryItem
 */

const BUCKETS = ['UNSPECIFIED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'];
const STATUSES = ['UNSPECIFIED', 'QUEUED', 'RUNNING', 'COMPLETED'];
const OUTCOMES = ['UNSPECIFIED', 'PENDING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'];
const FAMILIES = ['UNSPECIFIED', 'DEVICE_CONFIGURATIONS', 'COMPLIANCE_POLICIES'];

/** A number from a JSON number or int64 string; 0 for anything else. @param {unknown} value */
export function num(value) {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/**
 * An enum value's name without its prefix ('RUN_STATUS_RUNNING' → 'RUNNING'; 2 → names[2]).
 * @param {unknown} value
 * @param {string} prefix
 * @param {readonly string[]} names by number, for enums sent as numbers
 */
export function enumName(value, prefix, names) {
  if (typeof value === 'number') return names[value] ?? 'UNSPECIFIED';
  if (typeof value === 'string' && value) return value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return 'UNSPECIFIED';
}

/** @param {Run} run */
export const statusOf = (run) => enumName(run.status, 'RUN_STATUS_', STATUSES);
/** @param {Run} run */
export const outcomeOf = (run) => enumName(run.outcome, 'RUN_OUTCOME_', OUTCOMES);

/** Queued or running: its status can still change, so it is polled. @param {Run} run */
export function isActive(run) {
  const status = statusOf(run);
  return status === 'QUEUED' || status === 'RUNNING';
}

/**
 * The badge word ('queued', 'succeeded', 'partially_succeeded'…): the server's bucket, or derived from status and
 * outcome when an older server sends none.
 * @param {Run} run
 */
export function bucketOf(run) {
  let bucket = enumName(run.statusBucket, 'STATUS_BUCKET_', BUCKETS);
  if (bucket === 'UNSPECIFIED') {
    const status = statusOf(run);
    bucket = status === 'COMPLETED' ? outcomeOf(run) : status;
  }
  return bucket.toLowerCase();
}

/** 'PARTIALLY_SUCCEEDED' → 'partially succeeded'. @param {string} name */
export const humanize = (name) => name.toLowerCase().replace(/_/g, ' ');

/** A timestamp in the user's locale; '—' when absent, the raw text when unparsable. @param {string | undefined} ts */
export function formatTime(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toLocaleString();
}

/**
 * A time as the clock of <timeZone> shows it, with the zone's short name (a schedule's fire times read in the zone
 * its cron is written in); the viewer's own clock when the zone is unknown to the browser.
 * @param {string | undefined} ts
 * @param {string | undefined} timeZone IANA name
 */
export function formatTimeIn(ts, timeZone) {
  if (!ts || !timeZone) return formatTime(ts);
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  try {
    return d.toLocaleString(undefined, { timeZone, timeZoneName: 'short' });
  } catch {
    return formatTime(ts);
  }
}

/** @param {Run} run */
export function initiatorName(run) {
  const initiator = run.initiator ?? {};
  return initiator.name || initiator.subject || '—';
}

/**
 * What the detail says of a cancel: "Cancel requested by Ada at …" while the run stops, empty when none was requested.
 * @param {Run} run
 */
export function cancelText(run) {
  if (!run.cancelRequested) return '';
  const by = run.cancelRequestedBy?.name || run.cancelRequestedBy?.subject || 'someone';
  const at = run.cancelRequestedAt ? ` at ${formatTime(run.cancelRequestedAt)}` : '';
  return isActive(run) ? `Cancel requested by ${by}${at}; the run stops after the item in progress.` : `Cancelled by ${by}${at}.`;
}

/** Whether "Cancel run" applies: an active run whose cancel was not requested yet (CancelRun needs what viewing needs). @param {Run} run */
export function isCancellable(run) {
  return isActive(run) && !run.cancelRequested;
}

/**
 * Whether `run` is an older state of the run `current` shows (updated earlier): a late answer (e.g. CancelRun's, arriving
 * after the watch stream already drew the completion) must not draw a run backwards.
 * @param {Run} run @param {Run | null | undefined} current
 */
export function isBehind(run, current) {
  if (!current || current.runId !== run.runId) return false;
  return Date.parse(run.updatedAt ?? '') < Date.parse(current.updatedAt ?? '');
}

/**
 * A progress bar's max and value: processed of total; with no total yet, empty while active and full once done.
 * @param {Run} run
 * @returns {{ max: number, value: number }}
 */
export function progressOf(run) {
  const counts = run.counts ?? {};
  const total = num(counts.total);
  return { max: Math.max(total, 1), value: total > 0 ? Math.min(num(counts.processed), total) : (isActive(run) ? 0 : 1) };
}

/** The list row's '3/10'. @param {Run} run */
export function shortCounts(run) {
  const counts = run.counts ?? {};
  return `${num(counts.processed)}/${num(counts.total)}`;
}

/** The detail's counts line. @param {Run} run */
export function detailCounts(run) {
  const counts = run.counts ?? {};
  return `${shortCounts(run)} processed · ${num(counts.succeeded)} succeeded · ${num(counts.failed)} failed · ${num(counts.skipped)} skipped`;
}

/** @param {Run} run */
export function droppedFailuresText(run) {
  const dropped = num(run.failuresDropped);
  return dropped ? `${dropped} more failures were not stored.` : '';
}

/**
 * The trace viewer's page of a trace (the Aspire dashboard's /traces/detail/{id}); relative when no viewer is
 * configured.
 * @param {string} viewerUrl
 * @param {string} traceId
 */
export function traceUrl(viewerUrl, traceId) {
  return `${viewerUrl.replace(/\/+$/, '')}/traces/detail/${encodeURIComponent(traceId)}`;
}

/** @param {Notification} n */
export function notificationTitle(n) {
  return n.title || `${n.runType || 'run'}: ${humanize(enumName(n.kind, 'NOTIFICATION_KIND_', []))}`;
}

/** @param {InventoryItem} item */
export function inventoryItemMeta(item) {
  const family = enumName(item.family, 'POLICY_FAMILY_', FAMILIES);
  const targets = (item.assignmentTargets ?? []).join(', ');
  return `${humanize(family)} · ${item.odataType || ''}${targets ? ` · ${targets}` : ''}`;
}

/** 'Role: owner', or '' without a known role. @param {unknown} role */
export function roleText(role) {
  const name = enumName(role, 'ROLE_', []);
  return name !== 'UNSPECIFIED' ? `Role: ${humanize(name)}` : '';
}
