// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backupSetOf, changeLine, comparePath, coverageRows, familyLabel, findingBadge, findingKind, findingMeta, findingSummary,
  isCapturing, isRetryable, itemBadge, itemFailure, itemMeta, itemOutcome, newBackupSetRequests, newClickId, pageQuery,
  prettyJson, relatedLinks, setCounts, setsQuery, setStatusBadge, setStatusOf,
} from '../../src/Gateway/wwwroot/modules/backup.mjs';

// As the gateway answers: proto3 JSON leaves out 0, '', false and empty lists; enums are full names.
const set = {
  backupSetId: 's-1',
  displayName: 'Nightly',
  status: 'BACKUP_SET_STATUS_COMPLETED_WITH_WARNINGS',
  itemCount: 52,
  coverage: [
    { family: 'POLICY_FAMILY_DEVICE_CONFIGURATIONS', listed: 40, captured: 38, listComplete: true },
    { family: 'POLICY_FAMILY_COMPLIANCE_POLICIES', listed: 12 },
  ],
};

describe('backup sets', () => {
  test('status and its badge', () => {
    assert.equal(setStatusOf(set), 'COMPLETED_WITH_WARNINGS');
    assert.deepEqual(setStatusBadge(set), { text: 'completed with warnings', cls: 'badge partially_succeeded' });
    assert.deepEqual(setStatusBadge({ backupSetId: 'x', status: 'BACKUP_SET_STATUS_COMPLETE' }), { text: 'complete', cls: 'badge succeeded' });
    assert.deepEqual(setStatusBadge({ backupSetId: 'x', status: 'BACKUP_SET_STATUS_INCOMPLETE' }), { text: 'incomplete', cls: 'badge failed' });
    assert.deepEqual(setStatusBadge({ backupSetId: 'x', status: 2 }), { text: 'capturing', cls: 'badge running' });
    assert.deepEqual(setStatusBadge({ backupSetId: 'x' }), { text: 'unspecified', cls: 'badge queued' });
    assert.equal(isCapturing({ backupSetId: 'x', status: 'BACKUP_SET_STATUS_CAPTURING' }), true);
    assert.equal(isCapturing(set), false);
  });

  test('coverage: listed versus captured per family, an unfinished list said so, omitted zeros are zeros', () => {
    assert.deepEqual(coverageRows(set), [
      { family: 'Device configurations', listed: 40, captured: 38, complete: true, text: '38 of 40 captured' },
      { family: 'Compliance policies', listed: 12, captured: 0, complete: false, text: '0 of 12 captured · list incomplete' },
    ]);
    assert.deepEqual(coverageRows({ backupSetId: 'empty' }), []);
  });

  test('counts', () => {
    assert.equal(setCounts(set), '52 items · 38/52 captured');
    assert.equal(setCounts({ backupSetId: 'x', itemCount: '1' }), '1 item · 0/0 captured');
  });

  test('family labels', () => {
    assert.equal(familyLabel('POLICY_FAMILY_COMPLIANCE_POLICIES'), 'Compliance policies');
    assert.equal(familyLabel(1), 'Device configurations');
    assert.equal(familyLabel(undefined), 'Unspecified');
  });
});

describe('items', () => {
  const failed = { itemId: 'i-2', outcome: 'BACKUP_ITEM_OUTCOME_FAILED', failureCode: 'graph.item_unreadable', failureMessage: 'Graph answered 500.', family: 'POLICY_FAMILY_DEVICE_CONFIGURATIONS', odataType: '#microsoft.graph.x' };
  const captured = { itemId: 'i-1', outcome: 'BACKUP_ITEM_OUTCOME_CAPTURED', assignmentCount: 2, redactedSecrets: 1, family: 'POLICY_FAMILY_COMPLIANCE_POLICIES', odataType: '#microsoft.graph.y' };

  test('outcome, badge and failure', () => {
    assert.equal(itemOutcome(captured), 'captured');
    assert.equal(itemOutcome(failed), 'failed');
    assert.equal(itemBadge(captured), 'badge succeeded');
    assert.equal(itemBadge(failed), 'badge failed');
    assert.equal(itemFailure(failed), 'graph.item_unreadable: Graph answered 500.');
    assert.equal(itemFailure(captured), '');
    assert.equal(itemFailure({ itemId: 'x', failureCode: 'graph.not_found' }), 'graph.not_found');
  });

  test('meta line', () => {
    assert.equal(itemMeta(captured), 'Compliance policies · #microsoft.graph.y · 2 assignments · 1 secret redacted');
    assert.equal(itemMeta(failed), 'Device configurations · #microsoft.graph.x · 0 assignments');
  });

  test('raw JSON is indented; anything else is shown as it came', () => {
    assert.equal(prettyJson('{"a":1,"b":["<redacted sha256:ab>"]}'), '{\n  "a": 1,\n  "b": [\n    "<redacted sha256:ab>"\n  ]\n}');
    assert.equal(prettyJson('not json'), 'not json');
    assert.equal(prettyJson(''), '');
    assert.equal(prettyJson(undefined), '');
  });
});

describe('findings', () => {
  const findings = [
    { kind: 'DRIFT_KIND_ADDED', family: 'POLICY_FAMILY_DEVICE_CONFIGURATIONS', policyId: 'p-1', odataType: '#microsoft.graph.x' },
    { kind: 'DRIFT_KIND_CHANGED', policyId: 'p-2', changes: [{ path: '/passwordMinimumLength', oldValueJson: '8', newValueJson: '12' }] },
    { kind: 'DRIFT_KIND_CHANGED', policyId: 'p-3' },
    { kind: 3 },
    { kind: 'DRIFT_KIND_REMOVED' },
    {},
  ];

  test('kind and badge', () => {
    assert.deepEqual(findings.map(findingKind), ['added', 'changed', 'changed', 'changed', 'removed', 'unspecified']);
    assert.equal(findingBadge(findings[0]), 'badge succeeded');
    assert.equal(findingBadge(findings[4]), 'badge failed');
    assert.equal(findingBadge(findings[1]), 'badge partially_succeeded');
  });

  test('a change: its pointer and old → new; absent values are null; secrets only flagged', () => {
    assert.deepEqual(changeLine({ path: '/passwordMinimumLength', oldValueJson: '8', newValueJson: '12' }), { path: '/passwordMinimumLength', change: '8 → 12' });
    assert.deepEqual(changeLine({ path: '/description', newValueJson: '"x"' }), { path: '/description', change: 'null → "x"' });
    assert.deepEqual(changeLine({ path: '/omaSettings/0/value', secret: true }), { path: '/omaSettings/0/value', change: 'secret changed (values not shown)' });
    assert.deepEqual(changeLine({}), { path: '/', change: 'null → null' });
  });

  test('summary, with the unchanged count of a comparison', () => {
    assert.equal(findingSummary(findings), '1 added · 1 removed · 3 changed');
    assert.equal(findingSummary([], 52), '0 added · 0 removed · 0 changed · 52 unchanged');
    assert.equal(findingSummary([], '7'), '0 added · 0 removed · 0 changed · 7 unchanged');
  });

  test('meta line', () => {
    assert.equal(findingMeta(findings[0]), 'Device configurations · #microsoft.graph.x · p-1');
  });
});

describe('requests', () => {
  test('paging queries', () => {
    assert.equal(setsQuery('').toString(), 'pageSize=25');
    assert.equal(setsQuery('t/1').toString(), 'pageSize=25&pageToken=t%2F1');
    assert.equal(pageQuery(100, 'abc').toString(), 'pageSize=100&pageToken=abc');
  });

  test('compare: the other set by otherBackupSetId', () => {
    assert.equal(comparePath('a b', 'c'), '/v1/backup-sets/a%20b:compare?otherBackupSetId=c');
  });

  test('new backup set: its name (or a dated default), then every family', () => {
    const now = new Date('2026-03-01T10:20:30Z');
    assert.deepEqual(newBackupSetRequests('  Before change ', now), {
      create: { displayName: 'Before change' },
      addPolicies: { selection: { families: ['POLICY_FAMILY_DEVICE_CONFIGURATIONS', 'POLICY_FAMILY_COMPLIANCE_POLICIES'] } },
    });
    assert.equal(newBackupSetRequests('', now).create.displayName, 'Backup 2026-03-01 10:20 UTC');
    assert.equal(newBackupSetRequests('x'.repeat(300), now).create.displayName.length, 200);
  });

  test('a fresh click id per click', () => {
    let n = 0;
    assert.equal(newClickId(() => `c${++n}`), 'c1');
    assert.equal(newClickId(() => `c${++n}`), 'c2');
    assert.match(newClickId(), /^[0-9a-f-]{36}$/);
  });
});

describe('run links', () => {
  test('add_policies: its set from the context', () => {
    const run = { runId: 'r', type: 'backup_set.add_policies', context: { backup_set_id: 's-1', entra_tenant_id: 'e' } };
    assert.equal(backupSetOf(run), 's-1');
    assert.deepEqual(relatedLinks(run), [{ kind: 'backup-set', label: 'Backup set', href: '#/backup-sets/s-1' }]);
  });

  test('run now and scheduled: the set has the run\'s id; the schedule from the context', () => {
    for (const type of ['backup_schedule.run_now', 'backup_schedule.scheduled']) {
      const run = { runId: 'r-9', type, context: { schedule_id: 'c-1', schedule_name: 'Nightly' } };
      assert.deepEqual(relatedLinks(run), [
        { kind: 'backup-set', label: 'Backup set', href: '#/backup-sets/r-9' },
        { kind: 'schedule', label: 'Schedule: Nightly', href: '#/schedules/c-1' },
      ], type);
    }
  });

  test('retry: the set it retried', () => {
    const run = { runId: 'r-10', type: 'backup_schedule.retry', context: { schedule_id: 'c-1', backup_set_id: 'r-9' } };
    assert.deepEqual(relatedLinks(run).map((l) => l.href), ['#/backup-sets/r-9', '#/schedules/c-1']);
  });

  test('drift: its findings and its baseline', () => {
    const run = { runId: 'd-1', type: 'drift.generate', context: { baseline_backup_set_id: 's-1' } };
    assert.deepEqual(relatedLinks(run), [
      { kind: 'drift-findings', label: 'Drift findings', href: '#/drift/d-1' },
      { kind: 'baseline', label: 'Baseline backup set', href: '#/backup-sets/s-1' },
    ]);
  });

  test('other runs, or no context: nothing', () => {
    assert.deepEqual(relatedLinks({ runId: 'r', type: 'inventory.sync' }), []);
    assert.deepEqual(relatedLinks({ runId: 'r', type: 'backup_set.add_policies' }), []);
    assert.deepEqual(relatedLinks({ runId: 'r', type: 'backup_schedule.retry', context: {} }), []);
  });

  test('retry applies to a completed failed or partially succeeded schedule run', () => {
    const base = { runId: 'r', type: 'backup_schedule.scheduled', status: 'RUN_STATUS_COMPLETED', context: { schedule_id: 'c' } };
    assert.equal(isRetryable({ ...base, outcome: 'RUN_OUTCOME_PARTIALLY_SUCCEEDED' }), true);
    assert.equal(isRetryable({ ...base, outcome: 'RUN_OUTCOME_FAILED' }), true);
    assert.equal(isRetryable({ ...base, outcome: 'RUN_OUTCOME_SUCCEEDED' }), false);
    assert.equal(isRetryable({ ...base, status: 'RUN_STATUS_RUNNING', outcome: 'RUN_OUTCOME_PENDING' }), false);
    assert.equal(isRetryable({ ...base, type: 'backup_set.add_policies', outcome: 'RUN_OUTCOME_FAILED' }), false);
    assert.equal(isRetryable({ ...base, context: {}, outcome: 'RUN_OUTCOME_FAILED' }), false);
  });
});
