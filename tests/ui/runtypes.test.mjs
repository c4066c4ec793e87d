// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canStart, keptSelection, parseRunTypes, typeFilterOptions } from '../../src/Gateway/wwwroot/modules/runtypes.mjs';

// As the gateway answers it: proto3 JSON leaves out false booleans. Only inventory.sync is available; the others
// have no service yet, so the server says canStart for none of them, whatever the caller's role.
const body = {
  runTypes: [
    { name: 'inventory.sync', displayName: 'Inventory sync', capability: 'tenant.inventory_sync.run', plane: 'RUN_PLANE_TENANT', owningService: 'inventory', available: true, canStart: true, canView: true },
    { name: 'restore.execute', displayName: 'Restore', capability: 'tenant.restore.execute', plane: 'RUN_PLANE_TENANT', owningService: 'restore', canView: true },
    { name: 'operations_report.generate', displayName: 'Operations report', plane: 'RUN_PLANE_WORKSPACE' },
    { name: 'drift.generate', plane: 'RUN_PLANE_TENANT', canView: true },
  ],
};

describe('parseRunTypes', () => {
  test('keeps the entries with a name', () => {
    assert.deepEqual(parseRunTypes(body).map((t) => t.name),
      ['inventory.sync', 'restore.execute', 'operations_report.generate', 'drift.generate']);
    assert.deepEqual(parseRunTypes({ runTypes: [{ displayName: 'no name' }, null, 'x', { name: '' }] }), []);
  });

  test('anything but a catalogue is an empty one', () => {
    for (const data of [null, undefined, {}, { runTypes: 'x' }, []]) assert.deepEqual(parseRunTypes(data), []);
  });
});

describe('typeFilterOptions', () => {
  test('"All types" first, then the types the caller may view, by display name, valued by name', () => {
    assert.deepEqual(typeFilterOptions(parseRunTypes(body)), [
      { value: '', label: 'All types' },
      { value: 'inventory.sync', label: 'Inventory sync' },
      { value: 'restore.execute', label: 'Restore' },
      { value: 'drift.generate', label: 'drift.generate' },
    ]);
  });

  test('with no catalogue (the request failed) only "All types"', () => {
    assert.deepEqual(typeFilterOptions([]), [{ value: '', label: 'All types' }]);
  });
});

describe('keptSelection', () => {
  test('keeps a type still offered, else falls back to all types', () => {
    const options = typeFilterOptions(parseRunTypes(body));
    assert.equal(keptSelection(options, 'restore.execute'), 'restore.execute');
    assert.equal(keptSelection(options, 'operations_report.generate'), '');
    assert.equal(keptSelection(typeFilterOptions([]), 'inventory.sync'), '');
  });
});

describe('canStart', () => {
  test('only where the server says canStart', () => {
    const runTypes = parseRunTypes(body);
    assert.equal(canStart(runTypes, 'inventory.sync'), true);
    assert.equal(canStart(runTypes, 'restore.execute'), false, 'canStart omitted: false');
    assert.equal(canStart(runTypes, 'drift.generate'), false, 'viewable but not available: not offered');
    assert.equal(canStart(runTypes, 'backup_schedule.run_now'), false, 'not in the catalogue');
    assert.equal(canStart([], 'inventory.sync'), false, 'no catalogue');
  });
});
