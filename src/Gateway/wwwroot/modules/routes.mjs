// @ts-check
// The address's fragment as a page of the UI, and the fragment of each page. DOM-free.
//   #/ (or anything unknown)   the run list          #/runs/{id}           a run's detail (beside the list)
//   #/backup-sets              the tenant's sets     #/backup-sets/{id}    a set: coverage, items, compare, drift
//   #/schedules                the tenant's schedules #/schedules/new      a new schedule's form
//   #/schedules/{id}           a schedule            #/drift/{runId}       a drift run's findings
//   #/restores                 the tenant's restores #/restores/new[?set=] the new-restore form (a set preselected)
//   #/restores/{id}            a restore: mappings, plan, execute, results

/**
 * @typedef {'runs' | 'run' | 'backup-sets' | 'backup-set' | 'schedules' | 'schedule' | 'new-schedule' | 'drift'
 *   | 'restores' | 'restore' | 'new-restore'} Page
 * @typedef {{ page: Page, id: string }} Route id: the run, set, schedule or restore ('' for a list; the new restore's set)
 * @typedef {'runs' | 'backup-sets' | 'schedules' | 'restores'} Section the navigation's tab a page belongs to
 */

/** @param {string} text an id as it appears in the fragment; a malformed escape is kept as is (the server says "not found") */
function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** @type {ReadonlyArray<[RegExp, Page]>} */
const PATTERNS = [
  [/^#\/runs\/([^/?#]+)\/?$/, 'run'],
  [/^#\/backup-sets\/?$/, 'backup-sets'],
  [/^#\/backup-sets\/([^/?#]+)\/?$/, 'backup-set'],
  [/^#\/schedules\/?$/, 'schedules'],
  [/^#\/schedules\/new\/?$/, 'new-schedule'],
  [/^#\/schedules\/([^/?#]+)\/?$/, 'schedule'],
  [/^#\/drift\/([^/?#]+)\/?$/, 'drift'],
  [/^#\/restores\/?$/, 'restores'],
  [/^#\/restores\/new\/?(?:\?set=([^&#]*))?$/, 'new-restore'],
  [/^#\/restores\/([^/?#]+)\/?$/, 'restore'],
];

/**
 * The page a fragment shows; anything unknown is the run list.
 * @param {string} hash location.hash ('' or '#/…')
 * @returns {Route}
 */
export function parseRoute(hash) {
  for (const [pattern, page] of PATTERNS) {
    const match = pattern.exec(hash);
    if (match) return { page, id: match[1] ? decode(match[1]) : '' };
  }
  return { page: 'runs', id: '' };
}

/** @param {Page} page @returns {Section} */
export function sectionOf(page) {
  if (page === 'backup-sets' || page === 'backup-set' || page === 'drift') return 'backup-sets';
  if (page === 'schedules' || page === 'schedule' || page === 'new-schedule') return 'schedules';
  if (page === 'restores' || page === 'restore' || page === 'new-restore') return 'restores';
  return 'runs';
}

/** The fragments of the pages. */
export const href = Object.freeze({
  runs: () => '#/',
  run: (/** @type {string} */ id) => `#/runs/${encodeURIComponent(id)}`,
  backupSets: () => '#/backup-sets',
  backupSet: (/** @type {string} */ id) => `#/backup-sets/${encodeURIComponent(id)}`,
  schedules: () => '#/schedules',
  newSchedule: () => '#/schedules/new',
  schedule: (/** @type {string} */ id) => `#/schedules/${encodeURIComponent(id)}`,
  drift: (/** @type {string} */ runId) => `#/drift/${encodeURIComponent(runId)}`,
  restores: () => '#/restores',
  newRestore: (/** @type {string} */ backupSetId = '') => backupSetId ? `#/restores/new?set=${encodeURIComponent(backupSetId)}` : '#/restores/new',
  restore: (/** @type {string} */ id) => `#/restores/${encodeURIComponent(id)}`,
});
