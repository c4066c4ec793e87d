// @ts-check
// The address's fragment decides what is shown: #/runs/{id} a run's detail, anything else the list alone.

import { state } from '../modules/state.mjs';
import { closeDetail, openRun } from './detail.mjs';
import { renderListChrome } from './runs.mjs';

/** @param {string} runId */
export function navigateToRun(runId) {
  const hash = `#/runs/${encodeURIComponent(runId)}`;
  if (location.hash === hash) openRun(runId);
  else location.hash = hash;
}

export function route() {
  if (!state.token) return;
  const match = /^#\/runs\/([^/?#]+)/.exec(location.hash);
  if (match) {
    let runId;
    try {
      runId = decodeURIComponent(match[1]);
    } catch {
      runId = match[1]; // a malformed escape: the server answers "not found" for it
    }
    openRun(runId);
  } else {
    closeDetail();
    renderListChrome();
  }
}
