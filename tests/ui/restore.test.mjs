// @ts-check
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actionText, choicesBody, createBody, executeBlockers, isCancellable, isLive, mappingText, needsChoice, planSummary, resultBadge,
  statusBadge,
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
