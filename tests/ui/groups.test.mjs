// @ts-check
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  candidatesFirst, groupLabel, groupResolvePath, groupSearchPath, orderCandidates, SEARCH_DELAY_MS,
} from '../../src/Gateway/wwwroot/modules/groups.mjs';
import { Scheduler } from '../../src/Gateway/wwwroot/modules/scheduler.mjs';
import { FakeClock } from './fake-clock.mjs';

test('the group search asks the target tenant cache by "contains", 20 at a time', () => {
  assert.equal(groupSearchPath('t 1', ' SG Fin '), '/v1/tenants/t%201/directory-groups?query=SG+Fin&match=GROUP_MATCH_CONTAINS&pageSize=20');
  assert.equal(groupResolvePath('t1'), '/v1/tenants/t1/directory-groups:resolve');
});

test('a group reads with its kind and id, since two groups may share a name', () => {
  assert.equal(groupLabel({ groupId: 'g1', displayName: 'SG Finance' }), 'SG Finance — security, assigned, g1');
  assert.equal(groupLabel({ groupId: 'g2', displayName: 'All staff', groupTypes: ['Unified', 'DynamicMembership'], deleted: true }),
    'All staff — Microsoft 365, dynamic, deleted, g2');
});

test("an ambiguous group's candidates come first, in the mapping's order, and the search adds the others once", () => {
  const candidates = orderCandidates(['B', 'a', 'gone'], [{ groupId: 'a', displayName: 'SG' }, { groupId: 'b', displayName: 'SG' }]);
  assert.deepEqual(candidates.map((g) => g.groupId), ['b', 'a', 'gone']);
  assert.equal(candidates[2].displayName, undefined); // not in the cache any more: offered by id
  const found = [{ groupId: 'a' }, { groupId: 'c' }, { groupId: 'b' }];
  assert.deepEqual(candidatesFirst(candidates, found).others.map((g) => g.groupId), ['c']);
  assert.deepEqual(candidatesFirst([], found).others.map((g) => g.groupId), ['a', 'c', 'b']);
});

test('typing is debounced through the scheduler: one search, for the last text, once typing pauses', async () => {
  const clock = new FakeClock();
  const scheduler = new Scheduler(clock);
  /** @type {string[]} */
  const searched = [];
  const type = (/** @type {string} */ text) => scheduler.after('group-search:g1', SEARCH_DELAY_MS, () => { searched.push(text); });
  type('S');
  await clock.advance(100);
  type('SG');
  await clock.advance(100);
  type('SG F');
  await clock.advance(SEARCH_DELAY_MS - 1);
  assert.deepEqual(searched, []);
  await clock.advance(1);
  assert.deepEqual(searched, ['SG F']);
});
