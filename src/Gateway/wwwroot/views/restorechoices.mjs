// @ts-check
// A restore's group mappings and the choices a MISSING or AMBIGUOUS group needs: one fieldset per group (its legend the
// source group's name) with "Map to a group", "Skip this group" and "Leave out these assignments", and for mapping a
// search of the target tenant's directory-group cache (database only, debounced through the scheduler). An AMBIGUOUS
// group's candidates (the target's groups of the same name) are listed first. "Save choices" sends them
// (SetGroupMappings) and the server previews again; "Undo choice" forgets a saved one (GROUP_CHOICE_AUTOMATIC).

import { $, el, option } from '../modules/dom.mjs';
import { clearError, handleError } from '../modules/messages.mjs';
import { candidatesFirst, groupLabel, groupResolvePath, groupSearchPath, orderCandidates, SEARCH_DELAY_MS } from '../modules/groups.mjs';
import { acceptsChoices, choicesBody, choicesProblem, isUserChoice, mappingText, needsChoice, openMappings } from '../modules/restore.mjs';
import { api, scheduler, state, Task } from '../modules/state.mjs';
import { showBeside } from './restores.mjs';

/** @typedef {import('../modules/restore.mjs').Restore} Restore */
/** @typedef {import('../modules/restore.mjs').GroupMapping} GroupMapping */
/** @typedef {import('../modules/restore.mjs').Choice} Choice */
/** @typedef {import('../modules/groups.mjs').DirectoryGroup} DirectoryGroup */

/** The user's decisions for groups that need one, kept across refreshes until saved. */
const decisions = /** @type {Map<string, Choice>} */ (new Map());
/** The restore shown, and how its page reads it again after a change (views/restorepage.mjs). */
let shown = /** @type {Restore | null} */ (null);
let reload = /** @type {() => Promise<void>} */ (async () => {});

export function resetChoices() {
  decisions.clear();
  shown = null;
  $('choices').replaceChildren();
  $('mapping-list').replaceChildren();
  $('choices-error').hidden = true;
}

/**
 * The list of every source group and how it maps.
 * @param {Restore} restore @param {boolean} allowed @param {() => Promise<void>} onChanged reads the restore again
 */
export function renderMappings(restore, allowed, onChanged) {
  shown = restore;
  reload = onChanged;
  const mappings = restore.groupMappings ?? [];
  $('mappings-pending').hidden = !!restore.planHash || restore.status === 'RESTORE_STATUS_PREVIEWED';
  $('mappings-empty').hidden = mappings.length > 0 || !restore.planHash;
  const canUndo = allowed && acceptsChoices(restore);
  $('mapping-list').replaceChildren(...mappings.map((m) => {
    const name = m.sourceDisplayName || m.sourceGroupId;
    const row = el('li', { testid: 'group-mapping' }, [
      el('span', { text: name, title: m.sourceGroupId }),
      el('span', { cls: needsChoice(m) ? 'badge failed' : 'muted', testid: 'group-mapping-state', text: mappingText(m) }),
      el('span', { cls: 'muted', text: `${m.itemCount ?? 0} item(s)` }),
    ]);
    if (canUndo && isUserChoice(m)) {
      const undo = el('button', { testid: 'undo-choice', text: 'Undo choice' });
      undo.type = 'button';
      undo.setAttribute('aria-label', `Undo choice for ${name}`);
      undo.addEventListener('click', () => send(new Map([[m.sourceGroupId, { decision: 'automatic' }]]), undo, null));
      row.append(undo);
    }
    return row;
  }));
}

/**
 * The choices form: shown while a group needs a decision and the restore takes choices. Re-rendered only when the plan
 * changed, so a refresh does not wipe what the user is typing; decisions made survive a re-render.
 * @param {Restore} restore @param {boolean} planChanged @param {boolean} allowed
 */
export function renderChoices(restore, planChanged, allowed) {
  const open = openMappings(restore);
  $('choices-form').hidden = !(allowed && acceptsChoices(restore) && open.length > 0);
  if (!planChanged) return;
  for (const id of [...decisions.keys()]) if (!open.some((m) => m.sourceGroupId === id)) decisions.delete(id);
  $('choices').replaceChildren(...open.map((m) => renderChoice(m, restore.targetTenantId ?? '')));
}

/** One group's fieldset. @param {GroupMapping} mapping @param {string} targetTenantId */
function renderChoice(mapping, targetTenantId) {
  const id = mapping.sourceGroupId;
  const saved = decisions.get(id);
  /** @type {HTMLInputElement[]} */
  const radios = [];
  /** @param {'map' | 'skip' | 'omit'} value @param {string} label */
  const radio = (value, label) => {
    const input = el('input', { testid: `choice-${value}` });
    input.type = 'radio';
    input.name = `choice-${id}`;
    input.value = value;
    input.checked = saved?.decision === value;
    input.addEventListener('change', () => {
      decisions.set(id, { decision: value, targetGroupId: value === 'map' ? picker.value || undefined : undefined });
    });
    radios.push(input);
    return el('label', {}, [input, ` ${label}`]);
  };
  const search = el('input', { testid: 'group-search' });
  search.type = 'search';
  search.autocomplete = 'off';
  const picker = el('select', { testid: 'group-candidates' });
  picker.replaceChildren(option('', 'Search to find groups'));
  const status = el('span', { cls: 'muted', testid: 'group-search-status' });
  status.setAttribute('role', 'status');
  // Picking a group is choosing to map to it.
  picker.addEventListener('change', () => {
    if (!picker.value) return;
    decisions.set(id, { decision: 'map', targetGroupId: picker.value });
    for (const r of radios) r.checked = r.value === 'map';
  });
  /** @type {DirectoryGroup[]} */
  let candidates = [];
  const seq = state.pageSeq;
  const show = (/** @type {DirectoryGroup[]} */ found) => fillPicker(picker, candidatesFirst(candidates, found), decisions.get(id)?.targetGroupId);
  search.addEventListener('input', () => {
    // Each keystroke replaces the group's pending search: one request once typing pauses.
    scheduler.after(`${Task.GROUP_SEARCH}:${id}`, SEARCH_DELAY_MS, async () => {
      const query = search.value.trim();
      if (seq !== state.pageSeq) return;
      if (!query) {
        show([]);
        status.textContent = '';
        return;
      }
      status.textContent = 'Searching…';
      try {
        const data = await api(groupSearchPath(targetTenantId, query));
        if (seq !== state.pageSeq) return;
        /** @type {DirectoryGroup[]} */
        const found = (data.groups ?? []).filter((/** @type {DirectoryGroup} */ g) => g.groupId);
        show(found);
        status.textContent = found.length ? `${found.length} group(s) found${data.nextPageToken ? ' (more: refine the search)' : ''}` : 'No group matches.';
      } catch (err) {
        status.textContent = '';
        handleError(err);
      }
    });
  });
  const fieldset = el('fieldset', { cls: 'choice', testid: 'group-choice' }, [
    el('legend', { text: mapping.sourceDisplayName || id }),
    el('p', { cls: 'muted', text: `${mappingText(mapping)} · used by ${mapping.itemCount ?? 0} item(s)` }),
    el('div', { cls: 'choice-options' }, [
      radio('map', 'Map to a group'), radio('skip', 'Skip this group'), radio('omit', 'Leave out these assignments'),
    ]),
    el('div', { cls: 'group-picker' }, [
      el('label', {}, ['Search groups ', search]),
      el('label', {}, ['Target group ', picker]),
      status,
    ]),
  ]);
  const candidateIds = mapping.candidateGroupIds ?? [];
  if (candidateIds.length > 0) {
    candidates = orderCandidates(candidateIds, []);
    show([]);
    resolveCandidates(targetTenantId, candidateIds, seq).then((resolved) => {
      if (!resolved) return;
      candidates = resolved;
      show([]);
    });
  } else if (saved?.targetGroupId) {
    // A pick made before a re-render: keep it offered.
    fillPicker(picker, { candidates: [], others: [{ groupId: saved.targetGroupId }] }, saved.targetGroupId);
  }
  return fieldset;
}

/**
 * An AMBIGUOUS group's candidates with their names and kinds (the cache's exact look-up by id); null when that fails
 * (the ids are still offered).
 * @param {string} tenantId @param {string[]} ids @param {number} seq
 * @returns {Promise<DirectoryGroup[] | null>}
 */
async function resolveCandidates(tenantId, ids, seq) {
  try {
    const data = await api(groupResolvePath(tenantId), { method: 'POST', body: { groupIds: ids } });
    return seq === state.pageSeq ? orderCandidates(ids, data.byId ?? []) : null;
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
    return null;
  }
}

/**
 * @param {HTMLSelectElement} picker
 * @param {{ candidates: DirectoryGroup[], others: DirectoryGroup[] }} groups
 * @param {string | undefined} selected
 */
function fillPicker(picker, { candidates, others }, selected) {
  /** @type {(HTMLOptionElement | HTMLOptGroupElement)[]} */
  const nodes = [option('', candidates.length || others.length ? 'Choose a group…' : 'Search to find groups')];
  const group = (/** @type {string} */ label, /** @type {DirectoryGroup[]} */ list) => {
    const node = el('optgroup');
    node.label = label;
    node.append(...list.map((g) => option(g.groupId, groupLabel(g))));
    return node;
  };
  if (candidates.length) nodes.push(group('Groups with this name', candidates));
  if (others.length) nodes.push(candidates.length ? group('Search results', others) : group('Groups found', others));
  picker.replaceChildren(...nodes);
  picker.value = selected && [...picker.options].some((o) => o.value === selected) ? selected : '';
}

/** "Save choices": the decisions made (a group left undecided stays missing). */
export async function saveChoices() {
  if (!shown) return;
  const problem = choicesProblem(openMappings(shown), decisions);
  const box = $('choices-error');
  box.hidden = !problem;
  box.textContent = problem;
  if (problem) return;
  await send(decisions, $('save-choices'), box);
}

/**
 * SetGroupMappings, then the page again (PREVIEWING: it refreshes itself).
 * @param {Map<string, Choice>} chosen @param {HTMLElement} button
 * @param {HTMLElement | null} box where a refusal shows; null: the banner
 */
async function send(chosen, button, box) {
  if (!shown) return;
  const restore = shown;
  clearError();
  if (box) box.hidden = true;
  if (button instanceof HTMLButtonElement) button.disabled = true;
  try {
    await api(`/v1/restores/${encodeURIComponent(restore.restoreId)}:setGroupMappings`, { method: 'POST', body: choicesBody(chosen) });
    if (chosen === decisions) decisions.clear();
  } catch (err) {
    if (box) showBeside(box, err);
    else handleError(err);
  } finally {
    if (button instanceof HTMLButtonElement) button.disabled = false;
  }
  if (shown?.restoreId === restore.restoreId) await reload();
}
