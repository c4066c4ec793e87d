// @ts-check
// Findings in the drift vocabulary (added / removed / changed with JSON pointers and old → new values), as a drift
// run's findings page and as a comparison of two backup sets. The drift page waits (polled every 2 seconds) while
// its run is still running.

import { $, $as, el, setText } from '../modules/dom.mjs';
import {
  changeLine, FINDINGS_PAGE_SIZE, findingBadge, findingKind, findingMeta, findingSummary, pageQuery,
} from '../modules/backup.mjs';
import { isActive } from '../modules/format.mjs';
import { handleError } from '../modules/messages.mjs';
import { href } from '../modules/routes.mjs';
import { api, scheduler, state, Task } from '../modules/state.mjs';

/** @typedef {import('../modules/backup.mjs').DriftFinding} DriftFinding */

const POLL_MS = 2000;

/** The findings shown on the drift page, and the token of the page after them. */
let shown = /** @type {DriftFinding[]} */ ([]);
let pageToken = '';
let runId = '';

/**
 * @param {HTMLElement} container
 * @param {readonly DriftFinding[]} findings
 * @param {string} testid each finding's hook
 * @param {{ append?: boolean }} [options]
 */
export function renderFindings(container, findings, testid, { append = false } = {}) {
  const rows = findings.map((f) => {
    const kind = findingKind(f);
    const changes = (f.changes ?? []).map((c) => {
      const line = changeLine(c);
      return el('li', { testid: 'finding-change' }, [
        el('span', { cls: 'change-path', testid: 'finding-path', text: line.path }),
        el('span', { cls: 'change-value', testid: 'finding-values', text: line.change }),
      ]);
    });
    const row = el('li', { testid }, [
      el('span', { cls: findingBadge(f), testid: 'finding-kind', text: kind }),
      ' ',
      el('strong', { testid: 'finding-name', text: f.displayName || f.policyId || '—' }),
      el('span', { cls: 'item-meta', text: findingMeta(f) }),
      ...(changes.length > 0 ? [el('ul', { cls: 'change-list' }, changes)] : []),
    ]);
    row.dataset.kind = kind;
    return row;
  });
  if (append) container.append(...rows);
  else container.replaceChildren(...rows);
}

/** A drift run's findings page. @param {string} id the drift.generate run */
export async function showDrift(id) {
  const seq = ++state.pageSeq;
  runId = id;
  shown = [];
  pageToken = '';
  $('drift-findings').replaceChildren();
  for (const hook of ['drift-summary', 'drift-empty', 'drift-more', 'drift-pending', 'drift-baseline-link']) $(hook).hidden = true;
  $as('drift-run-link', HTMLAnchorElement).href = href.run(id);
  await waitForRun(seq);
}

/** Findings are written when the run completes: until then, say so and look again. @param {number} seq */
async function waitForRun(seq) {
  try {
    const run = (await api(`/v1/runs/${encodeURIComponent(runId)}`)).run;
    if (seq !== state.pageSeq) return;
    if (run && isActive(run)) {
      $('drift-pending').hidden = false;
      scheduler.after(Task.DRIFT, POLL_MS, () => waitForRun(seq));
      return;
    }
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
    return;
  }
  $('drift-pending').hidden = true;
  await loadFindings(seq, false);
}

/** @param {number} seq @param {boolean} append */
async function loadFindings(seq, append) {
  try {
    const data = await api(`/v1/drift-runs/${encodeURIComponent(runId)}/findings?${pageQuery(FINDINGS_PAGE_SIZE, append ? pageToken : '')}`);
    if (seq !== state.pageSeq) return;
    /** @type {DriftFinding[]} */
    const findings = data.findings ?? [];
    shown = append ? [...shown, ...findings] : findings;
    renderFindings($('drift-findings'), findings, 'drift-finding', { append });
    pageToken = data.nextPageToken || '';
    $('drift-more').hidden = !pageToken;
    setText('drift-summary', `${findingSummary(shown)}${pageToken ? ' (more to load)' : ''}`);
    $('drift-summary').hidden = false;
    $('drift-empty').hidden = shown.length > 0;
    const baseline = $as('drift-baseline-link', HTMLAnchorElement);
    if (data.baselineBackupSetId) baseline.href = href.backupSet(data.baselineBackupSetId);
    baseline.hidden = !data.baselineBackupSetId;
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

export function loadMoreFindings() {
  loadFindings(state.pageSeq, true);
}
