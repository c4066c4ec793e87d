// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { href, parseRoute, sectionOf } from '../../src/Gateway/wwwroot/modules/routes.mjs';

describe('parseRoute', () => {
  test('each page by its fragment', () => {
    assert.deepEqual(parseRoute('#/runs/r-1'), { page: 'run', id: 'r-1' });
    assert.deepEqual(parseRoute('#/backup-sets'), { page: 'backup-sets', id: '' });
    assert.deepEqual(parseRoute('#/backup-sets/'), { page: 'backup-sets', id: '' });
    assert.deepEqual(parseRoute('#/backup-sets/s-1'), { page: 'backup-set', id: 's-1' });
    assert.deepEqual(parseRoute('#/schedules'), { page: 'schedules', id: '' });
    assert.deepEqual(parseRoute('#/schedules/new'), { page: 'new-schedule', id: '' });
    assert.deepEqual(parseRoute('#/schedules/c-1'), { page: 'schedule', id: 'c-1' });
    assert.deepEqual(parseRoute('#/drift/r-2'), { page: 'drift', id: 'r-2' });
  });

  test('anything else is the run list', () => {
    for (const hash of ['', '#', '#/', '#/nope', '#/runs', '#/backup-sets/a/b', '#token=x']) {
      assert.deepEqual(parseRoute(hash), { page: 'runs', id: '' }, hash);
    }
  });

  test('ids are decoded; a malformed escape is kept for the server to refuse', () => {
    assert.equal(parseRoute('#/backup-sets/a%20b').id, 'a b');
    assert.equal(parseRoute('#/runs/%E0%A4%A').id, '%E0%A4%A');
  });

  test('href and parseRoute agree', () => {
    assert.deepEqual(parseRoute(href.run('a/b')), { page: 'run', id: 'a/b' });
    assert.deepEqual(parseRoute(href.backupSet('s 1')), { page: 'backup-set', id: 's 1' });
    assert.deepEqual(parseRoute(href.schedule('c')), { page: 'schedule', id: 'c' });
    assert.deepEqual(parseRoute(href.drift('r')), { page: 'drift', id: 'r' });
    assert.deepEqual(parseRoute(href.backupSets()).page, 'backup-sets');
    assert.deepEqual(parseRoute(href.schedules()).page, 'schedules');
    assert.deepEqual(parseRoute(href.newSchedule()).page, 'new-schedule');
    assert.deepEqual(parseRoute(href.runs()).page, 'runs');
  });
});

describe('sectionOf', () => {
  test('the navigation tab of each page', () => {
    assert.equal(sectionOf('runs'), 'runs');
    assert.equal(sectionOf('run'), 'runs');
    assert.equal(sectionOf('backup-sets'), 'backup-sets');
    assert.equal(sectionOf('backup-set'), 'backup-sets');
    assert.equal(sectionOf('drift'), 'backup-sets');
    assert.equal(sectionOf('schedules'), 'schedules');
    assert.equal(sectionOf('schedule'), 'schedules');
    assert.equal(sectionOf('new-schedule'), 'schedules');
  });
});
