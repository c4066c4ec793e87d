// @ts-check
// The run list's paging logic, DOM-free: the query for a page, and how a page merges into the rows shown.
// The server lists newest first (created_at DESC) and pages by an opaque token bound to the filters.

/** @typedef {import('./format.mjs').Run} Run */
/** @typedef {{ runs?: Run[], nextPageToken?: string }} RunPage */
/** @typedef {{ type: string, bucket: string, range: string }} RunFilters the filter selects' values ('' = any) */

export const PAGE_SIZE = 25;

/** @type {Readonly<Record<string, number>>} */
export const RANGES = Object.freeze({ '24h': 24 * 3600e3, '7d': 7 * 24 * 3600e3, '30d': 30 * 24 * 3600e3 });

/**
 * The query string of one page of the list.
 * @param {RunFilters} filters
 * @param {string} pageToken '' for the first page
 * @param {number} now ms since the epoch: "created in the last 7 days" is relative to it
 */
export function listQuery(filters, pageToken, now) {
  const params = new URLSearchParams();
  params.set('pageSize', String(PAGE_SIZE));
  if (filters.type) params.append('types', filters.type);
  if (filters.bucket) params.append('statusBuckets', filters.bucket);
  const range = RANGES[filters.range];
  if (range) params.set('createdAfter', new Date(now - range).toISOString());
  if (pageToken) params.set('pageToken', pageToken);
  return params;
}

/**
 * The rows shown, in display order (newest first), and the token of the page after them.
 */
export class RunList {
  /** @type {Map<string, Run>} runId → run; insertion order is display order */
  runs = new Map();
  nextPageToken = '';

  clear() {
    this.runs = new Map();
    this.nextPageToken = '';
  }

  get size() {
    return this.runs.size;
  }

  /** @param {string} runId */
  has(runId) {
    return this.runs.has(runId);
  }

  /** @param {(run: Run) => boolean} predicate */
  some(predicate) {
    return [...this.runs.values()].some(predicate);
  }

  /**
   * A page loaded by the user (a filter change, "Load more"): its runs go below those shown; a run the list
   * already has (a page boundary that moved as runs were created) is skipped.
   * @param {RunPage} page
   * @param {{ replace: boolean }} options replace: a first page that starts the list afresh
   * @returns {Run[]} the runs added, in order, to append as rows
   */
  addPage(page, { replace }) {
    if (replace) this.clear();
    const added = [];
    for (const run of page.runs ?? []) {
      if (!run.runId || this.runs.has(run.runId)) continue;
      this.runs.set(run.runId, run);
      added.push(run);
    }
    this.nextPageToken = page.nextPageToken || '';
    return added;
  }

  /**
   * A fresh copy of the first page (the poll while runs are active): known runs are updated in place, runs new since
   * the list was loaded go on top. Never disturbs the paging position: a run older than the last row shown while
   * further pages exist belongs to a page not loaded yet, so it is left for "Load more".
   * @param {RunPage} page
   * @returns {{ updated: Run[], added: Run[] }} added is in display order, to go above the first row
   */
  mergeFirstPage(page) {
    const updated = [];
    const fresh = [];
    for (const run of page.runs ?? []) {
      if (!run.runId) continue;
      if (this.runs.has(run.runId)) {
        this.runs.set(run.runId, run);
        updated.push(run);
      } else {
        fresh.push(run);
      }
    }
    const oldest = this.last();
    const added = fresh.filter((run) =>
      !(oldest && this.nextPageToken && run.createdAt && oldest.createdAt && run.createdAt < oldest.createdAt));
    if (added.length > 0) {
      this.runs = new Map([...added.map((run) => /** @type {[string, Run]} */ ([run.runId, run])), ...this.runs]);
    }
    // The list had no further page before but has one now (new runs pushed some off page one): duplicates that
    // page may repeat are skipped when it is loaded.
    if (!this.nextPageToken && page.nextPageToken) this.nextPageToken = page.nextPageToken;
    return { updated, added };
  }

  /**
   * One run seen elsewhere (the detail poll), if the list shows it.
   * @param {Run} run
   * @returns {boolean} whether it is shown (and so its row needs redrawing)
   */
  update(run) {
    if (!run.runId || !this.runs.has(run.runId)) return false;
    this.runs.set(run.runId, run);
    return true;
  }

  /** @returns {Run | undefined} the last row shown */
  last() {
    let last;
    for (const run of this.runs.values()) last = run;
    return last;
  }
}
