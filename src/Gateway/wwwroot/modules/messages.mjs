// @ts-check
// The error and info banners, and what any failed call does: show its message, and on a 401 sign out (the
// session view registers that, so the views need not import it).

import { ApiError, isUnauthenticated } from './api.mjs';
import { $ } from './dom.mjs';

/** @type {() => void} */
let onUnauthenticated = () => {};

/** @param {() => void} handler */
export function setUnauthenticatedHandler(handler) {
  onUnauthenticated = handler;
}

/** An ApiError's message as is; anything else is a bug, logged, with a generic message. @param {unknown} err */
export function showError(err) {
  const box = $('error-message');
  if (!(err instanceof ApiError)) console.error(err);
  box.textContent = err instanceof ApiError ? err.message : 'Something went wrong. Please retry.';
  box.hidden = false;
}

export function clearError() {
  const box = $('error-message');
  box.textContent = '';
  box.hidden = true;
}

/** @param {string} [text] '' hides it */
export function showSyncMessage(text) {
  const box = $('sync-message');
  box.textContent = text ?? '';
  box.hidden = !text;
}

/** Errors from any call: a 401 means the token is unusable, so go back to sign-in (keeping the message). @param {unknown} err */
export function handleError(err) {
  showError(err);
  if (isUnauthenticated(err)) onUnauthenticated();
}
