// @ts-check
// Restores: the tenant's restores, the new-restore form (source set and items → target tenant and options → create
// and preview), and a restore's page, which is the rest of the wizard: group mappings with the choices a missing or
// ambiguous group needs (a database-only group search), notification templates and the per-item reference decisions
// (SetReferenceDecisions), the plan per item, the secret values and Execute, then live progress and per-item results
// with their journal. The page refreshes itself while a preview or an execution runs. Secret values live only in their
// password fields until Execute sends them: never in a state object, never in storage, cleared as the request is sent.

import { ApiError } from '../modules/api.mjs';
import { $, $as, el, option, setText } from '../modules/dom.mjs';
import { formatTime } from '../modules/format.mjs';
import { clearError, handleError } from '../modules/messages.mjs';
import {
  actionText, blockedReasonText, choicesBody, createBody, decisionsBody, executeBlockers, executeBody, isCancellable, isLive,
  itemDecisions, mappingText, needsChoice, pickCount, pickKey, planSummary, reconcileText, referenceText, RESTORE_EXECUTE,
  resultBadge, resultSummary, secretFields, statusBadge, templateNeedsChoice, templateOptions, templateText,
} from '../modules/restore.mjs';
import { href } from '../modules/routes.mjs';
import { canStart } from '../modules/runtypes.mjs';
import { api, scheduler, state, Task, tenantName } from '../modules/state.mjs';

/** @typedef {import('../modules/restore.mjs').Restore} Restore */
/** @typedef {import('../modules/restore.mjs').RestoreItem} RestoreItem */
/** @typedef {import('../modules/restore.mjs').Choice} Choice */
/** @typedef {import('../modules/restore.mjs').TemplateMapping} TemplateMapping */
/** @typedef {import('../modules/restore.mjs').TemplatePick} TemplatePick */
/** @typedef {import('../modules/restore.mjs').ItemPick} ItemPick */

const POLL_MS = 1500;
const SEARCH_DELAY_MS = 250;

let current = /** @type {Restore | null} */ (null);
/** The user's decisions for groups that need one, kept across refreshes until saved. */
const decisions = /** @type {Map<string, Choice>} */ (new Map());
/** The user's picks for notification templates (by source template id) and item references (by pickKey), kept until saved. */
const templatePicks = /** @type {Map<string, TemplatePick>} */ (new Map());
const itemPicks = /** @type {Map<string, ItemPick>} */ (new Map());

const tenantId = () => $as('tenant-select', HTMLSelectElement).value;
const mayRestore = () => canStart(state.runTypes, RESTORE_EXECUTE);

/** The list page of the tenant picked. */
export async function showRestores() {
  const seq = ++state.pageSeq;
  const tenant = tenantId();
  $('new-restore').hidden = !(tenant && mayRestore());
  const list = $('restore-list');
  list.replaceChildren();
  $('restores-empty').hidden = true;
  if (!tenant) {
    $('restores-empty').hidden = false;
    return;
  }
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(tenant)}/restores?pageSize=50`);
    if (seq !== state.pageSeq) return;
    /** @type {Restore[]} */
    const restores = (data.restores ?? []).filter((/** @type {Restore} */ r) => r.restoreId);
    list.replaceChildren(...restores.map((restore) => {
      const badge = statusBadge(restore.status);
      const link = el('a', { testid: 'restore-link', text: `Restore of set ${restore.backupSetId ?? ''}` });
      link.href = href.restore(restore.restoreId);
      return el('li', { testid: 'restore-row' }, [
        link,
        el('span', { cls: badge.cls, testid: 'restore-row-status', text: badge.text }),
        el('span', { cls: 'muted', text: restore.crossTenant ? 'from another tenant' : 'same tenant' }),
        el('time', { cls: 'muted', text: formatTime(restore.createdAt), title: restore.createdAt || undefined }),
      ]);
    }));
    $('restores-empty').hidden = restores.length > 0;
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** The new-restore form, with <paramref name="backupSetId"/> preselected when given. @param {string} backupSetId */
export async function showRestoreForm(backupSetId) {
  const seq = ++state.pageSeq;
  $('restore-form-error').hidden = true;
  const sets = $as('restore-source-set', HTMLSelectElement);
  const targets = $as('restore-target-tenant', HTMLSelectElement);
  targets.replaceChildren(...state.tenants.map((t) => option(t.tenantId, t.displayName || t.tenantId)));
  targets.value = tenantId();
  sets.replaceChildren();
  $('restore-source-items').replaceChildren();
  const tenant = tenantId();
  if (!tenant) return;
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(tenant)}/backup-sets?pageSize=50`);
    if (seq !== state.pageSeq) return;
    /** @type {{ backupSetId: string, displayName?: string, itemCount?: number }[]} */
    const list = (data.backupSets ?? []).filter((/** @type {{ backupSetId: string }} */ s) => s.backupSetId);
    sets.replaceChildren(...list.map((s) => option(s.backupSetId, `${s.displayName || s.backupSetId} (${s.itemCount ?? 0} items)`)));
    if (backupSetId && list.some((s) => s.backupSetId === backupSetId)) sets.value = backupSetId;
    await loadSourceItems(seq);
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
}

/** The chosen set's captured items, as checkboxes. @param {number} seq */
export async function loadSourceItems(seq = state.pageSeq) {
  const set = $as('restore-source-set', HTMLSelectElement).value;
  const list = $('restore-source-items');
  list.replaceChildren();
  if (!set) return;
  const data = await api(`/v1/backup-sets/${encodeURIComponent(set)}/items?outcome=BACKUP_ITEM_OUTCOME_CAPTURED&pageSize=500`);
  if (seq !== state.pageSeq) return;
  /** @type {{ itemId: string, displayName?: string }[]} */
  const items = (data.items ?? []).filter((/** @type {{ itemId: string }} */ i) => i.itemId);
  list.replaceChildren(...items.map((item) => {
    const box = el('input', { testid: 'restore-source-item' });
    box.type = 'checkbox';
    box.value = item.itemId;
    return el('li', {}, [el('label', {}, [box, ` ${item.displayName || item.itemId}`])]);
  }));
}

/** "Create and preview": creates the restore in the target tenant, starts its preview and opens its page. */
export async function createRestore() {
  clearError();
  const box = $('restore-form-error');
  box.hidden = true;
  const button = $as('create-restore', HTMLButtonElement);
  button.disabled = true;
  try {
    const target = $as('restore-target-tenant', HTMLSelectElement).value;
    const itemIds = [...$('restore-source-items').querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
    const body = createBody({
      backupSetId: $as('restore-source-set', HTMLSelectElement).value,
      itemIds,
      dryRun: $as('restore-dry-run', HTMLInputElement).checked,
      allowOverwrite: $as('restore-allow-overwrite', HTMLInputElement).checked,
      allowBroadTargets: $as('restore-allow-broad', HTMLInputElement).checked,
    });
    const created = await api(`/v1/tenants/${encodeURIComponent(target)}/restores`, { method: 'POST', body });
    /** @type {Restore} */
    const restore = created.restore;
    await api(`/v1/restores/${encodeURIComponent(restore.restoreId)}:preview`, { method: 'POST', body: {} });
    location.hash = href.restore(restore.restoreId);
  } catch (err) {
    showBeside(box, err);
  } finally {
    button.disabled = false;
  }
}

/** A restore's page. @param {string} restoreId */
export async function showRestore(restoreId) {
  const seq = ++state.pageSeq;
  current = null;
  decisions.clear();
  templatePicks.clear();
  itemPicks.clear();
  for (const id of ['mapping-list', 'choices', 'template-list', 'template-choices', 'item-decisions', 'secret-fields', 'restore-items']) {
    $(id).replaceChildren();
  }
  for (const id of ['choices-form', 'decisions-form', 'secrets-form', 'execute-restore', 'cancel-restore', 'execute-blockers', 'execute-error',
    'restore-failure', 'templates-empty']) $(id).hidden = true;
  await refresh(restoreId, seq);
}

/** @param {string} restoreId @param {number} seq */
async function refresh(restoreId, seq) {
  scheduler.cancel(Task.RESTORE);
  try {
    const [data, items] = await Promise.all([
      api(`/v1/restores/${encodeURIComponent(restoreId)}`),
      api(`/v1/restores/${encodeURIComponent(restoreId)}/items?pageSize=500`),
    ]);
    if (seq !== state.pageSeq) return;
    const planChanged = current?.planHash !== data.restore.planHash || current?.status !== data.restore.status;
    current = data.restore;
    /** @type {RestoreItem[]} */
    const planned = (items.items ?? []).filter((/** @type {RestoreItem} */ i) => i.itemId);
    render(data.restore, planned, planChanged);
    renderItems(planned);
  } catch (err) {
    if (seq === state.pageSeq) handleError(err);
  }
  if (seq === state.pageSeq && current && isLive(current)) {
    scheduler.after(Task.RESTORE, POLL_MS, () => refresh(restoreId, seq));
  }
}

/**
 * @param {Restore} restore @param {RestoreItem[]} items
 * @param {boolean} planChanged re-render the choices, decisions and secret fields only when the plan changed (keeps what is typed)
 */
function render(restore, items, planChanged) {
  const badge = statusBadge(restore.status);
  const status = $('restore-status');
  status.className = badge.cls;
  status.textContent = badge.text;
  const source = $as('restore-source-link', HTMLAnchorElement);
  source.textContent = restore.backupSetId ?? '';
  source.href = href.backupSet(restore.backupSetId ?? '');
  setText('restore-target', `${tenantName(restore.targetTenantId)}${restore.crossTenant ? ' (another tenant)' : ' (the source tenant)'}`);
  const options = restore.options ?? {};
  setText('restore-options', [options.dryRun ? 'dry run' : '', options.allowOverwrite ? 'overwrite' : '', options.allowBroadTargets ? 'broad targets' : '']
    .filter(Boolean).join(', ') || 'none');
  setText('restore-plan', restore.planHash ? planSummary(restore.counts) : 'not previewed yet');
  setText('restore-results', resultSummary(restore.counts));
  setText('restore-expires', restore.planExpiresAt ? formatTime(restore.planExpiresAt) : '');
  const run = $as('restore-run-link', HTMLAnchorElement);
  run.hidden = !restore.executeRunId;
  if (restore.executeRunId) run.href = href.run(restore.executeRunId);
  const failure = $('restore-failure');
  failure.hidden = !restore.failureMessage;
  failure.textContent = restore.failureMessage ?? '';

  const mappings = restore.groupMappings ?? [];
  $('mappings-empty').hidden = mappings.length > 0 || !restore.planHash;
  $('mapping-list').replaceChildren(...mappings.map((m) =>
    mappingRow('group-mapping', m.sourceDisplayName || m.sourceGroupId, needsChoice(m), mappingText(m), m.itemCount)));
  const open = mappings.filter(needsChoice);
  const canChoose = restore.status === 'RESTORE_STATUS_PREVIEWED' && mayRestore();
  $('choices-form').hidden = !(canChoose && open.length > 0);
  if (planChanged) $('choices').replaceChildren(...open.map(renderChoice));

  renderTemplates(restore, items, canChoose, planChanged);
  const fields = canChoose ? secretFields(items) : [];
  $('secrets-form').hidden = fields.length === 0;
  if (planChanged) $('secret-fields').replaceChildren(...fields.map(renderSecretField));

  const blockers = executeBlockers(restore, new Date(), mayRestore(), items);
  const executable = restore.status === 'RESTORE_STATUS_PREVIEWED';
  $('execute-restore').hidden = !executable || !mayRestore();
  $as('execute-restore', HTMLButtonElement).disabled = blockers.length > 0;
  $('execute-blockers').hidden = !executable || blockers.length === 0;
  $('execute-blockers').textContent = blockers.join(' ');
  $('cancel-restore').hidden = !(isCancellable(restore) && mayRestore());
}

/**
 * A group's or a template's row: its source name, how it maps (a badge while it needs a choice), how many items use it.
 * @param {string} testid @param {string} name @param {boolean} open @param {string} text @param {number | undefined} itemCount
 */
function mappingRow(testid, name, open, text, itemCount) {
  return el('li', { testid }, [
    el('span', { text: name }),
    el('span', { cls: open ? 'badge failed' : 'muted', testid: `${testid}-state`, text }),
    el('span', { cls: 'muted', text: `${itemCount ?? 0} item(s)` }),
  ]);
}

/** A missing or ambiguous group's choice: map to a group found by a search, skip it, or leave out the assignments. @param {import('../modules/restore.mjs').GroupMapping} mapping */
function renderChoice(mapping) {
  const name = `choice-${mapping.sourceGroupId}`;
  /** @param {'map' | 'skip' | 'omit'} value @param {string} label */
  const radio = (value, label) => {
    const input = el('input', { testid: `choice-${value}` });
    input.type = 'radio';
    input.name = name;
    input.value = value;
    input.addEventListener('change', () => {
      const previous = decisions.get(mapping.sourceGroupId);
      decisions.set(mapping.sourceGroupId, { decision: value, targetGroupId: value === 'map' ? previous?.targetGroupId : undefined });
      search.disabled = value !== 'map';
      found.disabled = value !== 'map';
    });
    return el('label', {}, [input, ` ${label}`]);
  };
  const search = el('input', { testid: 'group-search' });
  search.type = 'search';
  search.disabled = true;
  const searchLabel = el('label', {}, ['Search groups ', search]);
  const found = el('select', { testid: 'group-candidates' });
  found.disabled = true;
  found.setAttribute('aria-label', 'Target group');
  found.addEventListener('change', () => decisions.set(mapping.sourceGroupId, { decision: 'map', targetGroupId: found.value }));
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => searchGroups(search.value, found, mapping), SEARCH_DELAY_MS);
  });
  const legend = el('legend', { text: mapping.sourceDisplayName || mapping.sourceGroupId });
  const fieldset = el('fieldset', { cls: 'choice', testid: 'group-choice' }, [
    legend,
    el('p', { cls: 'muted', text: mappingText(mapping) }),
    radio('map', 'Map to a group'), radio('skip', 'Skip this group'), radio('omit', 'Leave out these assignments'),
    el('div', {}, [searchLabel, found]),
  ]);
  if ((mapping.candidateGroupIds ?? []).length > 0) {
    found.replaceChildren(option('', 'Choose…'), ...(mapping.candidateGroupIds ?? []).map((id) => option(id, id)));
  }
  return fieldset;
}

/** Database-only search of the target tenant's group cache. @param {string} query @param {HTMLSelectElement} select @param {import('../modules/restore.mjs').GroupMapping} mapping */
async function searchGroups(query, select, mapping) {
  if (!current || !query.trim()) return;
  try {
    const data = await api(`/v1/tenants/${encodeURIComponent(current.targetTenantId ?? '')}/directory-groups?query=${encodeURIComponent(query.trim())}` +
      '&match=GROUP_MATCH_CONTAINS&pageSize=20');
    /** @type {{ groupId: string, displayName?: string }[]} */
    const groups = (data.groups ?? []).filter((/** @type {{ groupId: string }} */ g) => g.groupId);
    select.replaceChildren(option('', groups.length ? 'Choose…' : 'No group matches'), ...groups.map((g) => option(g.groupId, g.displayName || g.groupId)));
    if (groups.length === 1) {
      select.value = groups[0].groupId;
      decisions.set(mapping.sourceGroupId, { decision: 'map', targetGroupId: groups[0].groupId });
    }
  } catch (err) {
    handleError(err);
  }
}

/**
 * The notification templates with how they map, and the decisions form: a choice for each template that needs one and,
 * per item, a control for each kind of reference it may be decided for.
 * @param {Restore} restore @param {RestoreItem[]} items @param {boolean} canChoose @param {boolean} planChanged
 */
function renderTemplates(restore, items, canChoose, planChanged) {
  const templates = restore.templateMappings ?? [];
  $('templates-empty').hidden = templates.length > 0 || !restore.planHash;
  $('template-list').replaceChildren(...templates.map((t) =>
    mappingRow('template-mapping', t.sourceDisplayName || t.sourceTemplateId, templateNeedsChoice(t), templateText(t), t.itemCount)));
  const open = templates.filter(templateNeedsChoice);
  const perItem = items.map((item) => ({ item, kinds: itemDecisions(item) })).filter((d) => d.kinds.length > 0);
  $('decisions-form').hidden = !(canChoose && (open.length > 0 || perItem.length > 0));
  $('item-decisions-head').hidden = perItem.length === 0;
  if (!planChanged) return;
  $('template-choices').replaceChildren(...open.map(renderTemplateChoice));
  $('item-decisions').replaceChildren(...perItem.flatMap(({ item, kinds }) => kinds.map((kind) => renderItemDecision(item, kind))));
  updatePending();
}

/** "n decision(s) picked"; Save decisions is pressed only with something to send. */
function updatePending() {
  const count = pickCount(templatePicks, itemPicks);
  $('decisions-pending').textContent = count ? `${count} decision(s) picked, not saved yet.` : 'Nothing picked yet.';
  $as('save-decisions', HTMLButtonElement).disabled = count === 0;
}

/**
 * A template that needs a choice: one of the target's templates (a candidate of an ambiguous name, or an id typed for a
 * missing one), a copy created from the backup, or no message.
 * @param {TemplateMapping} mapping
 */
function renderTemplateChoice(mapping) {
  const ambiguous = (mapping.candidateTemplateIds ?? []).length > 0;
  const target = ambiguous ? el('select', { testid: 'template-candidates' }) : el('input', { testid: 'template-target-id' });
  if (target instanceof HTMLSelectElement) {
    target.replaceChildren(option('', 'Choose…'), ...(mapping.candidateTemplateIds ?? []).map((id) => option(id, id)));
  } else {
    target.type = 'text';
    target.placeholder = "the target's template id";
  }
  target.setAttribute('aria-label', 'Target template');
  target.disabled = true;
  const pickTarget = () => templatePicks.set(mapping.sourceTemplateId, { pick: 'map', targetValue: target.value });
  target.addEventListener(ambiguous ? 'change' : 'input', () => { pickTarget(); updatePending(); });
  const radios = templateOptions(mapping).map(({ pick, label }) => {
    const input = el('input', { testid: `template-choice-${pick}` });
    input.type = 'radio';
    input.name = `template-${mapping.sourceTemplateId}`;
    input.value = pick;
    input.addEventListener('change', () => {
      if (pick === 'map') pickTarget();
      else templatePicks.set(mapping.sourceTemplateId, { pick });
      target.disabled = pick !== 'map';
      updatePending();
    });
    return el('label', {}, [input, ` ${label}`]);
  });
  return el('fieldset', { cls: 'choice', testid: 'template-choice' }, [
    el('legend', { text: mapping.sourceDisplayName || mapping.sourceTemplateId }),
    el('p', { cls: 'muted', text: `${templateText(mapping)} · ${mapping.itemCount ?? 0} item(s)` }),
    ...radios,
    el('div', {}, [target]),
  ]);
}

/**
 * One item's decision for a kind of reference: its references with their decisions, and the picks the kind offers
 * (radios for drop / leave the item out, a checkbox for removing the target's own assignments).
 * @param {RestoreItem} item @param {import('../modules/restore.mjs').ItemDecision} decision
 */
function renderItemDecision(item, decision) {
  const key = pickKey(item.itemId, decision.kind);
  const controls = decision.options.map(({ pick, label, targetValue }) => {
    const input = el('input', { testid: `decision-${pick}` });
    input.type = decision.options.length === 1 ? 'checkbox' : 'radio';
    input.name = `decision-${key}`;
    input.value = targetValue ? `${pick}:${targetValue}` : pick;
    input.addEventListener('change', () => {
      if (input.checked) itemPicks.set(key, { itemId: item.itemId, kind: decision.kind, pick, ...(targetValue ? { targetValue } : {}) });
      else itemPicks.delete(key);
      updatePending();
    });
    return el('label', {}, [input, ` ${label}`]);
  });
  const fieldset = el('fieldset', { cls: 'choice', testid: 'item-decision' }, [
    el('legend', { text: `${item.displayName || item.itemId}: ${decision.label}` }),
    el('ul', {}, decision.references.map((r) => el('li', { testid: 'decision-reference' }, [
      referenceText(r), r.detail ? el('span', { cls: 'muted', text: ` — ${r.detail}` }) : '',
    ]))),
    el('p', {}, [el('span', { cls: decision.required ? 'badge failed' : 'muted', text: decision.note })]),
    ...controls,
  ]);
  fieldset.dataset.itemId = item.itemId;
  fieldset.dataset.kind = decision.kind;
  return fieldset;
}

/**
 * A password field for one secret an item's writes need. Its value stays in the field (never echoed, never stored)
 * until Execute reads and clears it. The fields are in no <form> on purpose: Enter can never submit them anywhere.
 * @param {import('../modules/restore.mjs').SecretField} field
 */
function renderSecretField(field) {
  const input = el('input', { testid: 'secret-value' });
  input.type = 'password';
  input.autocomplete = 'off';
  input.maxLength = 8192;
  input.dataset.itemId = field.itemId;
  input.dataset.path = field.path;
  return el('div', { cls: 'secret-field', testid: 'secret-field' }, [
    el('label', {}, [field.label, input]),
    el('span', { cls: 'muted', text: ' Left empty: this item is restored blocked "secret_required".' }),
  ]);
}

/** @param {RestoreItem[]} items */
function renderItems(items) {
  $('restore-items').replaceChildren(...items.filter((i) => i.itemId).map((item) => {
    const badge = resultBadge(item);
    const changes = (item.changes ?? []).slice(0, 50).map((c) => el('tr', { testid: 'restore-change' }, [
      el('td', { text: c.path }), el('td', { text: c.current }), el('td', { text: c.restored }),
    ]));
    const journal = (item.journal ?? []).map((j) => el('li', { testid: 'journal-step' }, [
      el('strong', { text: j.step }), ` ${j.detail ?? ''} `, el('code', { cls: 'muted', text: j.requestId ?? '' }),
    ]));
    const references = (item.references ?? []).map((r) => el('li', { testid: 'restore-reference' }, [
      referenceText(r), r.detail ? el('span', { cls: 'muted', text: ` — ${r.detail}` }) : '',
    ]));
    const reason = blockedReasonText(item);
    const reconcile = reconcileText(item);
    const calls = (item.calls ?? []).map((c) => el('li', { text: `${c.method} ${c.path}` }));
    const row = el('li', { testid: 'restore-item', cls: 'restore-item' }, [
      el('span', { text: item.displayName || item.itemId }),
      el('span', { cls: 'badge', testid: 'restore-item-action', text: actionText(item) }),
      el('span', { cls: badge.cls, testid: 'restore-item-result', text: badge.text }),
      reason ? el('span', { cls: 'muted', testid: 'restore-item-reason', text: reason }) : '',
      item.failureMessage ? el('span', { cls: 'muted', text: item.failureMessage }) : '',
      reconcile ? el('span', { cls: 'muted', testid: 'reconcile-candidates', text: reconcile }) : '',
      el('details', {}, [
        el('summary', {
          text: `${(item.changes ?? []).length} change(s), ${(item.calls ?? []).length} call(s), ${(item.references ?? []).length} reference(s), ` +
            `${(item.journal ?? []).length} step(s)`,
        }),
        el('table', {}, [el('tr', {}, [el('th', { text: 'path' }), el('th', { text: 'current' }), el('th', { text: 'restored' })]), ...changes]),
        el('ul', {}, calls), el('ul', {}, references), el('ol', { testid: 'journal' }, journal),
      ]),
    ]);
    row.dataset.itemId = item.itemId;
    return row;
  }));
}

/** "Save choices": the server previews again with them. */
export async function saveChoices() {
  if (!current) return;
  clearError();
  try {
    await api(`/v1/restores/${encodeURIComponent(current.restoreId)}:setGroupMappings`, { method: 'POST', body: choicesBody(decisions) });
    decisions.clear();
    await showRestore(current.restoreId);
  } catch (err) {
    handleError(err);
  }
}

/** "Save decisions": the server previews again with the template and reference decisions picked. */
export async function saveDecisions() {
  if (!current) return;
  clearError();
  try {
    await api(`/v1/restores/${encodeURIComponent(current.restoreId)}:setReferenceDecisions`, {
      method: 'POST', body: decisionsBody(templatePicks, itemPicks),
    });
    templatePicks.clear();
    itemPicks.clear();
    await showRestore(current.restoreId);
  } catch (err) {
    handleError(err);
  }
}

/** "Execute restore": the plan the user sees, by its hash, with the secret values typed (read from their fields, cleared as sent). */
export async function executeRestore() {
  if (!current) return;
  const box = $('execute-error');
  box.hidden = true;
  const button = $as('execute-restore', HTMLButtonElement);
  button.disabled = true;
  try {
    const fields = [...$('secret-fields').querySelectorAll('input[type="password"]')].map((i) => /** @type {HTMLInputElement} */ (i));
    // api() serializes the body and sends the request before its first await, so the fields can be emptied right after.
    const sent = api(`/v1/restores/${encodeURIComponent(current.restoreId)}:execute`, {
      method: 'POST',
      body: executeBody(current, fields.map((f) => ({ itemId: f.dataset.itemId ?? '', path: f.dataset.path ?? '', value: f.value }))),
    });
    for (const field of fields) field.value = '';
    await sent;
    await showRestore(current.restoreId);
  } catch (err) {
    showBeside(box, err);
  } finally {
    button.disabled = false;
  }
}

export async function cancelRestore() {
  if (!current) return;
  try {
    await api(`/v1/restores/${encodeURIComponent(current.restoreId)}:cancel`, { method: 'POST', body: {} });
    await showRestore(current.restoreId);
  } catch (err) {
    handleError(err);
  }
}

/**
 * A refusal shown next to the button that caused it (the server's message says what to do); a 401 signs out as anywhere.
 * @param {HTMLElement} box @param {unknown} err
 */
function showBeside(box, err) {
  if (err instanceof ApiError && err.status !== 401) {
    box.textContent = err.message;
    box.hidden = false;
  } else {
    handleError(err);
  }
}
