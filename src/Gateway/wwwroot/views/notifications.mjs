// @ts-check
// The user's notifications and unread count, polled every 10 seconds while signed in.

import { isUnauthenticated } from '../modules/api.mjs';
import { $, $as, el } from '../modules/dom.mjs';
import { formatTime, notificationTitle, num } from '../modules/format.mjs';
import { clearError, handleError } from '../modules/messages.mjs';
import { api, scheduler, state, Task } from '../modules/state.mjs';

const POLL_MS = 10000;

/** Loads now and every 10 seconds after. */
export function startNotificationPolling() {
  loadNotifications();
  scheduler.every(Task.NOTIFICATIONS, POLL_MS, loadNotifications);
}

/** Failures other than 401 are left to the next poll. */
export async function loadNotifications() {
  if (!state.token) return;
  const seq = ++state.notificationSeq;
  let data;
  try {
    data = await api('/v1/notifications');
  } catch (err) {
    if (isUnauthenticated(err)) handleError(err);
    return;
  }
  if (seq !== state.notificationSeq || !state.token) return;
  renderNotifications(data.notifications ?? [], num(data.unreadCount));
}

/** @param {import('../modules/format.mjs').Notification[]} notifications @param {number} unread */
function renderNotifications(notifications, unread) {
  $('unread-count').textContent = String(unread);
  $('notifications-empty').hidden = notifications.length > 0;
  $('notification-list').replaceChildren(...notifications.map((n) => {
    const item = el('li', { testid: 'notification-item', cls: n.readAt ? 'read' : 'unread' }, [
      el('span', { text: notificationTitle(n) }),
      el('time', { text: formatTime(n.createdAt), title: n.createdAt || undefined }),
    ]);
    if (n.runId) {
      item.dataset.runId = n.runId;
      item.tabIndex = 0;
      item.setAttribute('role', 'button');
    }
    return item;
  }));
}

export function clearNotifications() {
  state.notificationSeq++;
  $('notification-list').replaceChildren();
  $('unread-count').textContent = '0';
}

export async function markAllRead() {
  clearError();
  const button = $as('mark-read', HTMLButtonElement);
  button.disabled = true;
  try {
    const data = await api('/v1/notifications:markRead', { method: 'POST', body: { all: true } });
    $('unread-count').textContent = String(num(data.unreadCount));
    await loadNotifications();
  } catch (err) {
    handleError(err);
  } finally {
    button.disabled = false;
  }
}
