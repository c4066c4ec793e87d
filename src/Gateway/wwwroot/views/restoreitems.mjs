// @ts-check
// A restore's items: before executing, the plan of each (action badge, why it is blocked, and on expanding it the diff
// rows path / current / restored, the Graph calls and the reference decisions); once executing, each item's result and
// its journal (step, request id, target id). Results that need a person (needs reconcile, failed, blocked) stand out.
// Polls re-render the list, so which items the user expanded is remembered; an item whose result needs attention opens
// by itself once (its journal says what happened), and stays closed if the user closes it.

import { $, el } from '../modules/dom.mjs';
import { formatTime } from '../modules/format.mjs';
import { actionBadge, hasResults, needsAttention, resultBadge } from '../modules/restore.mjs';
import {
  callText, changeCells, detailSummary, itemFailureText, journalFields, MAX_CHANGES, referenceText,
} from '../modules/restoreitems.mjs';

/** @typedef {import('../modules/restoreitems.mjs').RestoreItem} RestoreItem */

/** Item ids whose detail is expanded, and those opened for the user because their result needs attention. */
const expanded = /** @type {Set<string>} */ (new Set());
const autoOpened = /** @type {Set<string>} */ (new Set());

export function resetItems() {
  expanded.clear();
  autoOpened.clear();
  $('restore-items').replaceChildren();
}

/** @param {RestoreItem[]} items @param {import('../modules/restore.mjs').Restore} restore */
export function renderItems(items, restore) {
  const executed = hasResults(restore);
  $('restore-items-none').hidden = items.length > 0;
  const attention = executed ? items.filter(needsAttention).length : 0;
  const note = $('restore-attention');
  note.hidden = attention === 0;
  note.textContent = attention ? `${attention} item(s) need attention: see the highlighted results and their journal.` : '';
  $('restore-items').replaceChildren(...items.map((item) => renderItem(item, executed)));
}

/** @param {RestoreItem} item @param {boolean} executed */
function renderItem(item, executed) {
  const action = actionBadge(item);
  const result = resultBadge(item);
  const failure = itemFailureText(item);
  const details = el('details', {}, [
    el('summary', { text: detailSummary(item) }),
    ...changesTable(item),
    ...section('Planned calls', (item.calls ?? []).map((c) => el('li', { testid: 'planned-call', text: callText(c) }))),
    ...section('References', (item.references ?? []).map((r) => el('li', { testid: 'reference-decision', text: referenceText(r) }))),
    ...journal(item),
  ]);
  if (executed && needsAttention(item) && !autoOpened.has(item.itemId)) {
    autoOpened.add(item.itemId);
    expanded.add(item.itemId);
  }
  details.open = expanded.has(item.itemId);
  details.addEventListener('toggle', () => {
    if (details.open) expanded.add(item.itemId);
    else expanded.delete(item.itemId);
  });
  const row = el('li', { testid: 'restore-item', cls: `restore-item${executed && needsAttention(item) ? ' attention' : ''}` }, [
    el('span', { cls: 'item-name', text: item.displayName || item.itemId, title: item.odataType }),
    el('span', { cls: action.cls, testid: 'restore-item-action', text: action.text }),
    // Before executing every result is "pending": the plan's badge says it all.
    ...(executed ? [el('span', { cls: result.cls, testid: 'restore-item-result', text: result.text })] : []),
    ...(failure ? [el('span', { cls: 'item-failure', testid: 'restore-item-failure', text: failure })] : []),
    ...(item.targetPolicyId ? [el('code', { cls: 'muted', title: 'Target policy id', text: item.targetPolicyId })] : []),
    details,
  ]);
  row.dataset.itemId = item.itemId;
  return row;
}

/** @param {RestoreItem} item */
function changesTable(item) {
  const changes = item.changes ?? [];
  if (changes.length === 0) return [];
  const head = el('tr', {}, ['Path', 'Current', 'Restored'].map((h) => {
    const th = el('th', { text: h });
    th.scope = 'col';
    return th;
  }));
  const rows = changes.slice(0, MAX_CHANGES).map((c) => el('tr', { testid: 'restore-change' }, changeCells(c).map((v) => el('td', { text: v }))));
  const table = el('table', {}, [el('caption', { text: 'Changes' }), el('thead', {}, [head]), el('tbody', {}, rows)]);
  const more = changes.length > MAX_CHANGES ? [el('p', { cls: 'muted', text: `${changes.length - MAX_CHANGES} more change(s) not shown.` })] : [];
  return [table, ...more];
}

/** A titled list, or nothing when empty. @param {string} title @param {HTMLElement[]} rows */
function section(title, rows) {
  return rows.length ? [el('h4', { text: title }), el('ul', { cls: 'plain-list' }, rows)] : [];
}

/** @param {RestoreItem} item */
function journal(item) {
  const steps = (item.journal ?? []).map((j) => el('li', { testid: 'journal-step' }, [
    el('strong', { text: j.step || 'step' }),
    j.at ? el('time', { cls: 'muted', text: ` ${formatTime(j.at)}`, title: j.at }) : '',
    ...journalFields(j).flatMap((f) => [` · ${f.label} `, el('code', { text: f.value })]),
  ]));
  return steps.length ? [el('h4', { text: 'Journal' }), el('ol', { testid: 'journal', cls: 'journal' }, steps)] : [];
}
