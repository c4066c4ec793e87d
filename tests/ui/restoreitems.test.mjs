// @ts-check
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  callText, changeCells, detailSummary, itemFailureText, journalFields, referenceText,
} from '../../src/Gateway/wwwroot/modules/restoreitems.mjs';

test('a diff row shows the pointer and both JSON values; an empty side is a secret the server did not send', () => {
  assert.deepEqual(changeCells({ path: '/passwordMinimumLength', current: '8', restored: '12' }), ['/passwordMinimumLength', '8', '12']);
  assert.deepEqual(changeCells({ path: '/wifiKey' }), ['/wifiKey', '(secret, not shown)', '(secret, not shown)']);
  assert.deepEqual(changeCells({ path: '/x', current: 'null', restored: '"a"' }), ['/x', 'null', '"a"']);
});

test('planned calls, reference decisions and failures read as one line each', () => {
  assert.equal(callText({ method: 'POST', path: '/deviceManagement/deviceConfigurations/{new}/assign', step: 'assign' }),
    'POST /deviceManagement/deviceConfigurations/{new}/assign (assign)');
  assert.equal(referenceText({ kind: 'group', sourceValue: 'g1', decision: 'mapped', targetValue: 't1', detail: 'by name' }),
    'group g1 → mapped t1 — by name');
  assert.equal(referenceText({ kind: 'broad_target', sourceValue: '#microsoft.graph.allDevicesAssignmentTarget', decision: 'omitted' }),
    'broad_target #microsoft.graph.allDevicesAssignmentTarget → omitted');
  assert.equal(itemFailureText({ itemId: 'i', failureCode: 'graph.write_failed', failureMessage: 'Graph answered 400' }),
    'graph.write_failed: Graph answered 400');
  assert.equal(itemFailureText({ itemId: 'i' }), '');
});

test('a journal step carries its request id and target id; empty ones are left out', () => {
  assert.deepEqual(journalFields({ step: 'created', requestId: 'req-1', targetPolicyId: 'p-9' }),
    [{ label: 'request id', value: 'req-1' }, { label: 'target id', value: 'p-9' }]);
  assert.deepEqual(journalFields({ step: 'create_uncertain', detail: 'timeout' }), [{ label: 'note', value: 'timeout' }]);
});

test('the summary of an item counts what expanding it shows', () => {
  assert.equal(detailSummary({ itemId: 'i', changes: [{}, {}], calls: [{}], journal: [] }), '2 change(s), 1 call(s), 0 reference(s), 0 step(s)');
});
