// @ts-check
// Signing in (a pasted token, or a sign-in link's fragment) and out. The token lives in sessionStorage: this tab only.

import { ApiError, GrpcCode } from '../modules/api.mjs';
import { $, $as } from '../modules/dom.mjs';
import { clearError, handleError, setUnauthenticatedHandler, showError, showSyncMessage } from '../modules/messages.mjs';
import { scheduler, state } from '../modules/state.mjs';
import { clearContext, loadWorkspaces } from './context.mjs';
import { closeDetail } from './detail.mjs';
import { clearNotifications, startNotificationPolling } from './notifications.mjs';
import { route } from './router.mjs';
import { clearRuns } from './runs.mjs';

const TOKEN_KEY = 'tenantatlas.token';

/** @param {boolean} signedIn */
function showSignedIn(signedIn) {
  $('signin-view').hidden = signedIn;
  $('app-view').hidden = !signedIn;
  $('session-bar').hidden = !signedIn;
}

export async function signIn() {
  clearError();
  showSyncMessage('');
  const token = $as('token-input', HTMLTextAreaElement).value.trim().replace(/^bearer\s+/i, '').trim();
  if (!token) {
    showError(new ApiError(0, GrpcCode.INVALID_ARGUMENT, 'Paste a token to sign in.'));
    return;
  }
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  await start();
}

/** @param {{ keepError?: boolean }} [options] keepError: the message that caused it (a 401) stays visible */
export function signOut({ keepError = false } = {}) {
  scheduler.cancelAll();
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  clearContext();
  closeDetail();
  clearRuns();
  clearNotifications();
  $as('token-input', HTMLTextAreaElement).value = '';
  showSyncMessage('');
  if (!keepError) clearError();
  showSignedIn(false);
}

async function start() {
  showSignedIn(true);
  try {
    await loadWorkspaces();
  } catch (err) {
    handleError(err);
    return;
  }
  if (!state.token) return;
  startNotificationPolling();
  route();
}

/**
 * Resumes the tab's session, if any. A sign-in link (the AppHost's dashboard has one per demo user) carries the
 * token in the fragment, which is never sent to a server; keep it for this tab and take it out of the address bar
 * and history.
 */
export function resumeSession() {
  setUnauthenticatedHandler(() => signOut({ keepError: true }));
  const linked = /^#token=([^&]+)/.exec(location.hash);
  if (linked) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(linked[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  state.token = sessionStorage.getItem(TOKEN_KEY);
  if (state.token) start();
  else showSignedIn(false);
}
