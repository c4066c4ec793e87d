// @ts-check
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptsChoices, actionBadge, actionText, choicesBody, choicesProblem, countsText, createBody, executeBlockers, hasResults, isCancellable,
  isExpired, isLive, isPreviewable, isUserChoice, mappingText, msUntilExpiry, needsAttention, needsChoice, openMappings,
  optionsText, planSummary, resultBadge, resultSummary, statusBadge, stepOf, stepStates, STEPS,
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
  assert.equal(actionText({ action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'unmapped_group' }), 'blocked: unmapped_group');
  assert.equal(actionText({ action: 'RESTORE_ACTION_SKIP_IDENTICAL' }), 'identical');
  assert.deepEqual(actionBadge({ action: 'RESTORE_ACTION_CREATE' }), { text: 'create', cls: 'badge succeeded' });
  assert.deepEqual(actionBadge({ action: 'RESTORE_ACTION_BLOCKED', blockedReason: 'secret_required' }),
    { text: 'blocked: secret_required', cls: 'badge failed' });
  assert.deepEqual(resultBadge({ result: 'RESTORE_ITEM_RESULT_NEEDS_RECONCILE' }), { text: 'needs reconcile', cls: 'badge partially_succeeded' });
  assert.deepEqual(resultBadge({ result: 'RESTORE_ITEM_RESULT_BLOCKED', blockedReason: 'target_changed' }),
    { text: 'blocked: target_changed', cls: 'badge failed' });
  // The browser test reads these words as they are.
  assert.equal(resultBadge({ result: 'RESTORE_ITEM_RESULT_UPDATED' }).text, 'updated');
  assert.equal(resultBadge({}).text, 'pending');
  assert.equal(planSummary({ create: 3, blocked: 1 }), '3 create · 0 update · 0 identical · 1 blocked');
  assert.equal(resultSummary({ created: 2, needsReconcile: 1 }), '2 created · 0 updated · 0 unchanged · 0 failed · 1 need reconcile · 0 blocked');
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

test('the wizard step follows the restore: the form, then mappings while previewing or undecided, the preview, the progress', () => {
  const missing = { ...previewed, groupMappings: [{ sourceGroupId: 'g2', state: 'GROUP_MAPPING_STATE_AMBIGUOUS' }] };
  assert.equal(stepOf(null), 'source');
  assert.equal(stepOf({ restoreId: 'r', status: 'RESTORE_STATUS_DRAFT' }), 'mapping');
  assert.equal(stepOf({ restoreId: 'r', status: 'RESTORE_STATUS_PREVIEWING' }), 'mapping');
  assert.equal(stepOf(missing), 'mapping');
  assert.equal(stepOf(previewed), 'preview');
  for (const status of ['QUEUED', 'RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED', 'CANCELLED']) {
    assert.equal(stepOf({ restoreId: 'r', status: `RESTORE_STATUS_${status}` }), 'progress', status);
  }
});

test('the step indicator marks the steps before the current one done', () => {
  assert.deepEqual(STEPS.map((s) => s.key), ['source', 'target', 'mapping', 'preview', 'progress']);
  assert.deepEqual(stepStates('preview').map((s) => s.state), ['done', 'done', 'done', 'current', 'todo']);
  assert.deepEqual(stepStates('source').map((s) => s.state), ['current', 'todo', 'todo', 'todo', 'todo']);
});

test('the mappings that need a decision are the missing and ambiguous ones, in order', () => {
  const restore = {
    restoreId: 'r', groupMappings: [
      { sourceGroupId: 'a', state: 'GROUP_MAPPING_STATE_AMBIGUOUS' },
      { sourceGroupId: 'b', state: 'GROUP_MAPPING_STATE_MAPPED_BY_ID' },
      { sourceGroupId: 'c', state: 'GROUP_MAPPING_STATE_MISSING' },
      { sourceGroupId: 'd', state: 'GROUP_MAPPING_STATE_ASSIGNMENTS_OMITTED' },
    ],
  };
  assert.deepEqual(openMappings(restore).map((m) => m.sourceGroupId), ['a', 'c']);
  assert.deepEqual(openMappings({ restoreId: 'r' }), []);
  assert.equal(isUserChoice({ sourceGroupId: 'd', state: 'GROUP_MAPPING_STATE_ASSIGNMENTS_OMITTED' }), true);
  assert.equal(isUserChoice({ sourceGroupId: 'b', state: 'GROUP_MAPPING_STATE_MAPPED_BY_NAME' }), false);
});

test('execute is enabled exactly until the plan expires (injected clock)', () => {
  const expiry = Date.parse(previewed.planExpiresAt);
  assert.deepEqual(executeBlockers(previewed, new Date(expiry - 1), true), []);
  assert.deepEqual(executeBlockers(previewed, new Date(expiry), true), ['The plan expired: preview again.']);
  assert.equal(isExpired(previewed, new Date(expiry + 1)), true);
  assert.equal(isExpired({ restoreId: 'r' }, new Date(expiry + 1)), false);
  assert.equal(msUntilExpiry(previewed, new Date(expiry - 1500)), 1500);
  assert.equal(msUntilExpiry(previewed, new Date(expiry + 1)), null);
  assert.equal(msUntilExpiry({ restoreId: 'r' }, before), null);
});

test('execute is blocked without a plan hash and lists every reason at once', () => {
  assert.deepEqual(executeBlockers({ ...previewed, planHash: '' }, before, true), ['There is no plan yet: preview first.']);
  const everything = { ...previewed, status: 'RESTORE_STATUS_PREVIEWING', groupMappings: [{ sourceGroupId: 'x', state: 'GROUP_MAPPING_STATE_MISSING' }] };
  assert.equal(executeBlockers(everything, new Date('2027-01-01T00:00:00Z'), false).length, 4);
});

test('undo sends GROUP_CHOICE_AUTOMATIC, which forgets an earlier choice', () => {
  assert.deepEqual(choicesBody(new Map([['g1', { decision: /** @type {const} */ ('automatic') }]])),
    { choices: [{ sourceGroupId: 'g1', choice: 'GROUP_CHOICE_AUTOMATIC' }] });
});

test("saving choices needs at least one decision and a picked group for every \"Map to a group\"", () => {
  const mappings = [
    { sourceGroupId: 'g1', sourceDisplayName: 'SG Finance', state: 'GROUP_MAPPING_STATE_MISSING' },
    { sourceGroupId: 'g2', state: 'GROUP_MAPPING_STATE_AMBIGUOUS' },
  ];
  assert.equal(choicesProblem(mappings, new Map()), 'Choose what to do with at least one group.');
  assert.equal(choicesProblem(mappings, new Map([['g1', { decision: /** @type {const} */ ('map') }], ['g2', { decision: /** @type {const} */ ('map') }]])),
    'Pick a target group for SG Finance, g2.');
  // One group decided, the other left missing: allowed (Execute waits for it).
  assert.equal(choicesProblem(mappings, new Map([['g1', { decision: /** @type {const} */ ('skip') }]])), '');
  assert.equal(choicesProblem(mappings, new Map([['g2', { decision: /** @type {const} */ ('map'), targetGroupId: 't' }]])), '');
});

test('previews may start from a draft or a previewed restore, and so may choices', () => {
  assert.equal(isPreviewable({ restoreId: 'r', status: 'RESTORE_STATUS_DRAFT' }), true);
  assert.equal(isPreviewable(previewed), true);
  assert.equal(isPreviewable({ restoreId: 'r', status: 'RESTORE_STATUS_PREVIEWING' }), false);
  assert.equal(acceptsChoices({ restoreId: 'r', status: 'RESTORE_STATUS_QUEUED' }), false);
});

test('results that need a person: needs reconcile, failed, blocked', () => {
  for (const result of ['NEEDS_RECONCILE', 'FAILED', 'BLOCKED']) assert.equal(needsAttention({ result: `RESTORE_ITEM_RESULT_${result}` }), true);
  for (const result of ['CREATED', 'UPDATED', 'UNCHANGED', 'DRY_RUN', 'PENDING']) assert.equal(needsAttention({ result: `RESTORE_ITEM_RESULT_${result}` }), false);
});

test("a list row's counts: the results once executed, the plan once previewed; the options in words", () => {
  assert.equal(countsText({ restoreId: 'r', status: 'RESTORE_STATUS_DRAFT' }), 'not previewed yet');
  assert.equal(countsText({ ...previewed, counts: { update: 2 } }), '0 create · 2 update · 0 identical · 0 blocked');
  assert.match(countsText({ ...previewed, status: 'RESTORE_STATUS_COMPLETED', counts: { updated: 2 } }), /^0 created · 2 updated/);
  // Cancelled before executing: the plan is all there is.
  assert.equal(hasResults({ ...previewed, status: 'RESTORE_STATUS_CANCELLED', counts: { update: 2 } }), false);
  assert.equal(hasResults({ ...previewed, status: 'RESTORE_STATUS_CANCELLED', counts: { updated: 1 } }), true);
  assert.equal(hasResults({ ...previewed, status: 'RESTORE_STATUS_QUEUED' }), true);
  assert.equal(hasResults(previewed), false);
  assert.equal(optionsText({ dryRun: true, allowBroadTargets: true }), 'dry run, allow broad targets');
  assert.equal(optionsText(undefined), 'none');
});
