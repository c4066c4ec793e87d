// @ts-check
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actionText, blockedReasonText, choicesBody, createBody, decisionsBody, executeBlockers, executeBody, isCancellable, isLive,
  itemDecisions, kindText, mappingText, needsChoice, needsDecision, pickCount, pickKey, planSummary, reconcileText,
  referenceText, resultBadge, secretFields, statusBadge, templateNeedsChoice, templateOptions, templateText,
} from '../../src/Gateway/wwwroot/modules/restore.mjs';
import { parseRoute, href, sectionOf } from '../../src/Gateway/wwwroot/modules/routes.mjs';
import { relatedLinks } from '../../src/Gateway/wwwroot/modules/backup.mjs';

const previewed = {
  restoreId: 'r1', status: 'RESTORE_STATUS_PREVIEWED', planHash: 'a'.repeat(64), planExpiresAt: '2026-11-28T12:00:00Z',
  groupMappings: [{ sourceGroupId: 'g1', state: 'GROUP_MAPPING_STATE_MAPPED_BY_NAME', targetDisplayName: 'SG Finance' }],
};
const before = new Date('2026-11-28T11:00:00Z');

test('a previewed restore with every group mapped, before its expiry, may be executed by who may start restore.execute', () => {
  assert.deepEqual(executeBlockers(previewed, before, true), []);
});

test('execute is blocked, with each reason, by the role, the status, an undecided group and an expired plan', () => {
  const missing = { ...previewed, groupMappings: [{ sourceGroupId: 'g2', state: 'GROUP_MAPPING_STATE_MISSING' }] };
  assert.deepEqual(executeBlockers(previewed, before, false), ['Your role does not allow executing restores.']);
  assert.deepEqual(executeBlockers({ ...previewed, status: 'RESTORE_STATUS_DRAFT' }, before, true), ['Only a previewed restore can be executed.']);
  assert.deepEqual(executeBlockers(missing, before, true), ['1 group(s) need your choice first.']);
  assert.deepEqual(executeBlockers(previewed, new Date('2026-11-28T12:00:00Z'), true), ['The plan expired: preview again.']);
});

test('execute waits for ambiguous and missing templates and for items blocked on an undecided reference', () => {
  const templates = {
    ...previewed,
    templateMappings: [
      { sourceTemplateId: 't1', state: 'TEMPLATE_MAPPING_STATE_AMBIGUOUS' },
      { sourceTemplateId: 't2', state: 'TEMPLATE_MAPPING_STATE_MISSING' },
      { sourceTemplateId: 't3', state: 'TEMPLATE_MAPPING_STATE_CREATE' },
      { sourceTemplateId: 't4', state: 'TEMPLATE_MAPPING_STATE_DROPPED' },
    ],
  };
  assert.deepEqual(executeBlockers(templates, before, true), ['2 notification template(s) need your choice first.']);
  const items = [
    { itemId: 'i1', action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'undecided_reference' },
    { itemId: 'i2', action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'reference_blocked' },
    { itemId: 'i3', action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'secret_required' },
    { itemId: 'i4', action: 'RESTORE_ACTION_UPDATE' },
  ];
  assert.deepEqual(executeBlockers(previewed, before, true, items), ['1 item(s) wait for your decision on a reference.']);
  assert.deepEqual(executeBlockers(previewed, before, true, items.slice(1)), []);
});

test('ambiguous and missing templates need a choice; a missing one cannot be created (the backup has no copy)', () => {
  assert.equal(templateNeedsChoice({ sourceTemplateId: 't', state: 'TEMPLATE_MAPPING_STATE_AMBIGUOUS' }), true);
  assert.equal(templateNeedsChoice({ sourceTemplateId: 't', state: 'TEMPLATE_MAPPING_STATE_MISSING' }), true);
  for (const state of ['TEMPLATE_MAPPING_STATE_MAPPED_BY_ID', 'TEMPLATE_MAPPING_STATE_MAPPED_BY_NAME', 'TEMPLATE_MAPPING_STATE_CREATE',
    'TEMPLATE_MAPPING_STATE_CHOSEN', 'TEMPLATE_MAPPING_STATE_DROPPED']) {
    assert.equal(templateNeedsChoice({ sourceTemplateId: 't', state }), false, state);
  }
  assert.deepEqual(templateOptions({ sourceTemplateId: 't', state: 'TEMPLATE_MAPPING_STATE_AMBIGUOUS' }).map((o) => o.pick), ['map', 'create', 'drop']);
  assert.deepEqual(templateOptions({ sourceTemplateId: 't', state: 'TEMPLATE_MAPPING_STATE_MISSING' }).map((o) => o.pick), ['map', 'drop']);
});

test('labels: template states with the target template, reference kinds and decisions, blocked reasons', () => {
  assert.equal(templateText({ sourceTemplateId: 't', state: 'TEMPLATE_MAPPING_STATE_MAPPED_BY_NAME', targetTemplateId: 'x1' }), 'mapped by name → x1');
  assert.equal(templateText({ sourceTemplateId: 't', state: 'TEMPLATE_MAPPING_STATE_CREATE' }), 'created in the target when executing');
  assert.equal(templateText({ sourceTemplateId: 't', state: 'TEMPLATE_MAPPING_STATE_DROPPED' }), 'dropped by your choice: its actions send no message');
  assert.equal(templateText({ sourceTemplateId: 't', state: 'SOMETHING_NEW' }), 'unknown');
  assert.equal(kindText('assignment_filter'), 'assignment filter');
  assert.equal(kindText('something_new'), 'something_new');
  assert.equal(referenceText({ kind: 'assignment_filter', sourceValue: 'f1', decision: 'undecided' }), 'assignment filter f1: waits for your decision');
  assert.equal(referenceText({ kind: 'group', sourceValue: 'g1', decision: 'mapped', targetValue: 't1' }), 'group g1: mapped → t1');
  assert.equal(referenceText({ kind: 'scope_tag', sourceValue: '5,6', decision: 'kept', targetValue: '5,6' }), 'scope tags 5,6: kept');
  assert.equal(referenceText({ kind: 'secret', sourceValue: '/password', decision: 'required' }), 'secret /password: value needed when executing');
  assert.equal(referenceText({ kind: 'assignment_removal', sourceValue: '#g x', decision: 'removed' }), "target's own assignment #g x: removed from the target");
  assert.equal(blockedReasonText({ itemId: 'i', blockedReason: 'undecided_reference' }), 'a reference waits for your decision');
  assert.equal(blockedReasonText({ itemId: 'i', blockedReason: 'reference_blocked' }), 'left out of the restore by your decision');
  assert.equal(blockedReasonText({ itemId: 'i', blockedReason: 'secret_required' }), 'its writes need secret values that were not given');
  assert.equal(blockedReasonText({ itemId: 'i', blockedReason: 'new_reason' }), 'new_reason');
  assert.equal(blockedReasonText({ itemId: 'i' }), '');
});

test('an item offers a decision per kind: undecided filters and scope tags (required), secrets and kept removals (optional)', () => {
  const item = {
    itemId: 'i1',
    secretPaths: ['/password'],
    references: [
      { kind: 'assignment_filter', sourceValue: 'f1', decision: 'undecided' },
      { kind: 'assignment_filter', sourceValue: 'f2', decision: 'undecided' },
      { kind: 'scope_tag', sourceValue: '5', decision: 'kept' },
      { kind: 'secret', sourceValue: '/password', decision: 'required' },
      { kind: 'assignment_removal', sourceValue: '#microsoft.graph.groupAssignmentTarget g9', decision: 'kept' },
      { kind: 'notification_template', sourceValue: 't1', decision: 'undecided' },
      { kind: 'group', sourceValue: 'g1', decision: 'unmapped' },
    ],
  };
  const decisions = itemDecisions(item);
  assert.deepEqual(decisions.map((d) => [d.kind, d.required, d.options.map((o) => o.pick), d.references.length]), [
    ['assignment_filter', true, ['drop', 'block'], 2],
    ['secret', false, ['drop', 'block'], 1],
    ['assignment_removal', false, ['remove'], 1],
  ]);
  assert.deepEqual(decisions[0].options.map((o) => o.label), ['Restore without it', 'Leave the item out']);
  assert.deepEqual(decisions[2].options.map((o) => o.label), ["Remove the target's own assignments"]);
  const decided = {
    itemId: 'i2',
    references: [
      { kind: 'scope_tag', sourceValue: '5', decision: 'undecided' },
      { kind: 'secret', sourceValue: '/password', decision: 'dropped' },
      { kind: 'assignment_removal', sourceValue: '#x g9', decision: 'removed' },
    ],
  };
  assert.deepEqual(itemDecisions(decided).map((d) => d.kind), ['scope_tag']);
  assert.deepEqual(itemDecisions({ itemId: 'i3' }), []);
  // Left out by a decision: nothing is written, nothing more to decide. Secrets an identical item does not write: none.
  assert.deepEqual(itemDecisions({ ...item, action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'reference_blocked' }), []);
  assert.deepEqual(itemDecisions({ ...item, secretPaths: [] }).map((d) => d.kind), ['assignment_filter', 'assignment_removal']);
  assert.equal(needsDecision({ decision: 'undecided' }), true);
  assert.equal(needsDecision({ decision: 'required' }), false);
});

test('the decisions body: templates restore-wide by source id, item kinds per item; incomplete or foreign picks left out', () => {
  const templates = new Map([
    ['t1', { pick: /** @type {const} */ ('map'), targetValue: ' x1 ' }],
    ['t2', { pick: /** @type {const} */ ('create') }],
    ['t3', { pick: /** @type {const} */ ('drop') }],
    ['t4', { pick: /** @type {const} */ ('map') }],
    ['t5', { pick: /** @type {const} */ ('remove') }],
  ]);
  const items = new Map([
    [pickKey('i1', 'assignment_filter'), { itemId: 'i1', kind: 'assignment_filter', pick: /** @type {const} */ ('drop') }],
    [pickKey('i1', 'scope_tag'), { itemId: 'i1', kind: 'scope_tag', pick: /** @type {const} */ ('block') }],
    [pickKey('i2', 'secret'), { itemId: 'i2', kind: 'secret', pick: /** @type {const} */ ('drop') }],
    [pickKey('i2', 'assignment_removal'), { itemId: 'i2', kind: 'assignment_removal', pick: /** @type {const} */ ('remove') }],
    [pickKey('i3', 'assignment_removal'), { itemId: 'i3', kind: 'assignment_removal', pick: /** @type {const} */ ('drop') }],
    [pickKey('i3', 'notification_template'), { itemId: 'i3', kind: 'notification_template', pick: /** @type {const} */ ('drop') }],
  ]);
  assert.deepEqual(decisionsBody(templates, items), {
    decisions: [
      { itemId: '', kind: 'notification_template', sourceValue: 't1', choice: 'REFERENCE_CHOICE_MAP', targetValue: 'x1' },
      { itemId: '', kind: 'notification_template', sourceValue: 't2', choice: 'REFERENCE_CHOICE_CREATE' },
      { itemId: '', kind: 'notification_template', sourceValue: 't3', choice: 'REFERENCE_CHOICE_DROP' },
      { itemId: 'i1', kind: 'assignment_filter', sourceValue: '', choice: 'REFERENCE_CHOICE_DROP' },
      { itemId: 'i1', kind: 'scope_tag', sourceValue: '', choice: 'REFERENCE_CHOICE_BLOCK' },
      { itemId: 'i2', kind: 'secret', sourceValue: '', choice: 'REFERENCE_CHOICE_DROP' },
      { itemId: 'i2', kind: 'assignment_removal', sourceValue: '', choice: 'REFERENCE_CHOICE_REMOVE' },
    ],
  });
  assert.equal(pickCount(templates, items), 7);
  assert.equal(pickCount(new Map(), new Map()), 0);
  assert.equal(pickKey('i1', 'secret'), 'i1/secret');
});

test('a lost create of an earlier restore: adopt one of the candidates, or create anew only while the target lists none', () => {
  /** @param {string[]} candidates */
  const lost = (candidates) => ({
    itemId: 'i7', action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'undecided_reference',
    references: [{ kind: 'lost_create', sourceValue: 'r0/i7', decision: 'undecided', candidates }],
  });
  const [two] = itemDecisions(lost(['p1', 'p2']));
  assert.equal(two.required, true);
  assert.deepEqual(two.options.map((o) => [o.pick, o.targetValue]), [['map', 'p1'], ['map', 'p2'], ['block', undefined]]);
  assert.deepEqual(itemDecisions(lost([]))[0].options.map((o) => o.pick), ['create', 'block']);
  // Decided (the preview settled it): nothing more to ask.
  assert.deepEqual(itemDecisions({ itemId: 'i7', references: [{ kind: 'lost_create', decision: 'mapped', targetValue: 'p1', candidates: ['p1'] }] }), []);
  const picks = new Map([
    [pickKey('i7', 'lost_create'), { itemId: 'i7', kind: 'lost_create', pick: /** @type {const} */ ('map'), targetValue: 'p2' }],
    [pickKey('i8', 'lost_create'), { itemId: 'i8', kind: 'lost_create', pick: /** @type {const} */ ('create') }],
    [pickKey('i9', 'lost_create'), { itemId: 'i9', kind: 'lost_create', pick: /** @type {const} */ ('map') }],
  ]);
  assert.deepEqual(decisionsBody(new Map(), picks).decisions, [
    { itemId: 'i7', kind: 'lost_create', sourceValue: '', choice: 'REFERENCE_CHOICE_MAP', targetValue: 'p2' },
    { itemId: 'i8', kind: 'lost_create', sourceValue: '', choice: 'REFERENCE_CHOICE_CREATE' },
  ]);
  assert.equal(kindText('lost_create'), 'earlier create without an answer');
});

test('secret fields: one per path of each item the plan writes, labelled with its name and the path', () => {
  const items = [
    { itemId: 'i1', displayName: 'Wi-Fi corp', action: 'RESTORE_ACTION_CREATE', secretPaths: ['/preSharedKey', '/preSharedKey'] },
    { itemId: 'i2', action: 'RESTORE_ACTION_UPDATE', secretPaths: ['/omaSettings/0/value', '/omaSettings/2/value'] },
    { itemId: 'i3', displayName: 'blocked', action: 'RESTORE_ACTION_BLOCKED', secretPaths: ['/password'] },
    { itemId: 'i4', displayName: 'same', action: 'RESTORE_ACTION_SKIP_IDENTICAL', secretPaths: ['/password'] },
    { itemId: 'i5', displayName: 'none', action: 'RESTORE_ACTION_UPDATE' },
  ];
  assert.deepEqual(secretFields(items), [
    { itemId: 'i1', path: '/preSharedKey', label: 'Wi-Fi corp — /preSharedKey' },
    { itemId: 'i2', path: '/omaSettings/0/value', label: 'i2 — /omaSettings/0/value' },
    { itemId: 'i2', path: '/omaSettings/2/value', label: 'i2 — /omaSettings/2/value' },
  ]);
});

test('the execute body: the plan hash and the secrets typed, verbatim; an empty field is left out', () => {
  assert.deepEqual(executeBody(previewed, []), { planHash: previewed.planHash, secrets: [] });
  assert.deepEqual(executeBody(previewed, [
    { itemId: 'i1', path: '/preSharedKey', value: ' p@ss ' },
    { itemId: 'i2', path: '/omaSettings/0/value', value: '' },
    { itemId: 'i2', path: '/omaSettings/2/value', value: 'x' },
  ]), {
    planHash: previewed.planHash,
    secrets: [{ itemId: 'i1', path: '/preSharedKey', value: ' p@ss ' }, { itemId: 'i2', path: '/omaSettings/2/value', value: 'x' }],
  });
});

test('a needs-reconcile item names the target policies that could be its lost create; other items say nothing', () => {
  const item = { itemId: 'i', result: 'RESTORE_ITEM_RESULT_NEEDS_RECONCILE', reconcileCandidateIds: ['p1', 'p2'] };
  assert.match(reconcileText(item), /^Could be the lost create: p1, p2\./);
  assert.match(reconcileText({ ...item, reconcileCandidateIds: [] }), /no target policy/);
  assert.equal(reconcileText({ ...item, result: 'RESTORE_ITEM_RESULT_FAILED' }), '');
});

test('missing and ambiguous groups need a choice; mapped, chosen and skipped ones do not', () => {
  assert.equal(needsChoice({ sourceGroupId: 'a', state: 'GROUP_MAPPING_STATE_MISSING' }), true);
  assert.equal(needsChoice({ sourceGroupId: 'a', state: 'GROUP_MAPPING_STATE_AMBIGUOUS' }), true);
  for (const state of ['GROUP_MAPPING_STATE_MAPPED_BY_ID', 'GROUP_MAPPING_STATE_CHOSEN', 'GROUP_MAPPING_STATE_SKIPPED']) {
    assert.equal(needsChoice({ sourceGroupId: 'a', state }), false);
  }
  assert.equal(mappingText(previewed.groupMappings[0]), 'mapped by name → SG Finance');
});

test('the choices body names each decision; a map without a chosen group is left out', () => {
  const decisions = new Map([
    ['g1', { decision: /** @type {const} */ ('map'), targetGroupId: 't1' }],
    ['g2', { decision: /** @type {const} */ ('skip') }],
    ['g3', { decision: /** @type {const} */ ('omit') }],
    ['g4', { decision: /** @type {const} */ ('map') }],
  ]);
  assert.deepEqual(choicesBody(decisions), {
    choices: [
      { sourceGroupId: 'g1', choice: 'GROUP_CHOICE_MAP', targetGroupId: 't1' },
      { sourceGroupId: 'g2', choice: 'GROUP_CHOICE_SKIP' },
      { sourceGroupId: 'g3', choice: 'GROUP_CHOICE_OMIT_ASSIGNMENTS' },
    ],
  });
});

test('the create body carries the set, the items and the options as booleans', () => {
  assert.deepEqual(createBody({ backupSetId: 's1', dryRun: true }),
    { backupSetId: 's1', itemIds: [], options: { dryRun: true, allowOverwrite: false, allowBroadTargets: false } });
});

test('labels: statuses, actions with their blocked reason, results, plan counts', () => {
  assert.deepEqual(statusBadge('RESTORE_STATUS_PARTIAL'), { text: 'partial', cls: 'badge partially_succeeded' });
  assert.equal(statusBadge('SOMETHING_NEW').text, 'unknown');
  assert.equal(actionText({ itemId: 'i', action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'unmapped_group' }), 'blocked: unmapped_group');
  assert.equal(actionText({ itemId: 'i', action: 'RESTORE_ACTION_SKIP_IDENTICAL' }), 'identical');
  assert.deepEqual(resultBadge({ itemId: 'i', result: 'RESTORE_ITEM_RESULT_NEEDS_RECONCILE' }), { text: 'needs reconcile', cls: 'badge failed' });
  assert.equal(planSummary({ create: 3, blocked: 1 }), '3 create · 0 update · 0 identical · 1 blocked');
});

test('previews and executions refresh themselves; only a restore that wrote nothing can be cancelled', () => {
  assert.equal(isLive({ restoreId: 'r', status: 'RESTORE_STATUS_RUNNING' }), true);
  assert.equal(isLive(previewed), false);
  assert.equal(isCancellable(previewed), true);
  assert.equal(isCancellable({ restoreId: 'r', status: 'RESTORE_STATUS_RUNNING' }), false);
});

test('restore routes: the list, the form with a preselected set, a restore; all in the Restores section', () => {
  assert.deepEqual(parseRoute('#/restores'), { page: 'restores', id: '' });
  assert.deepEqual(parseRoute('#/restores/new'), { page: 'new-restore', id: '' });
  assert.deepEqual(parseRoute('#/restores/new?set=s%201'), { page: 'new-restore', id: 's 1' });
  assert.deepEqual(parseRoute('#/restores/r1'), { page: 'restore', id: 'r1' });
  assert.equal(href.newRestore('s 1'), '#/restores/new?set=s%201');
  assert.equal(sectionOf('new-restore'), 'restores');
});

test('a restore run links to its restore (Monitoring shows the adapter run like any other)', () => {
  const run = { runId: 'x', type: 'restore.execute', context: { restore_run_id: 'r1' } };
  assert.deepEqual(relatedLinks({ runId: 'y', type: 'inventory.sync', context: { restore_run_id: 'r1' } }), []);
  assert.deepEqual(relatedLinks(run), [{ kind: 'restore', label: 'Restore', href: '#/restores/r1' }]);
});
