// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bucketOf, cancelText, detailCounts, droppedFailuresText, enumName, formatTime, formatTimeIn, humanize, initiatorName, inventoryItemMeta,
  isActive, isBehind, isCancellable, notificationTitle, num, outcomeOf, progressOf, roleText, shortCounts, statusOf, traceUrl,
} from '../../src/Gateway/wwwroot/modules/format.mjs';

describe('enum labels', () => {
  test('enumName strips the prefix, maps numbers, and calls anything else unspecified', () => {
    assert.equal(enumName('RUN_STATUS_RUNNING', 'RUN_STATUS_', []), 'RUNNING');
    assert.equal(enumName('RUNNING', 'RUN_STATUS_', []), 'RUNNING');
    assert.equal(enumName(2, 'RUN_STATUS_', ['UNSPECIFIED', 'QUEUED', 'RUNNING']), 'RUNNING');
    assert.equal(enumName(9, 'RUN_STATUS_', ['UNSPECIFIED']), 'UNSPECIFIED');
    assert.equal(enumName(undefined, 'RUN_STATUS_', []), 'UNSPECIFIED');
    assert.equal(enumName('', 'RUN_STATUS_', []), 'UNSPECIFIED');
  });

  test('status and outcome, as strings or numbers', () => {
    assert.equal(statusOf({ runId: 'r', status: 'RUN_STATUS_COMPLETED' }), 'COMPLETED');
    assert.equal(statusOf({ runId: 'r', status: 1 }), 'QUEUED');
    assert.equal(outcomeOf({ runId: 'r', outcome: 'RUN_OUTCOME_PARTIALLY_SUCCEEDED' }), 'PARTIALLY_SUCCEEDED');
    assert.equal(outcomeOf({ runId: 'r', outcome: 5 }), 'CANCELLED');
    assert.equal(statusOf({ runId: 'r' }), 'UNSPECIFIED');
  });

  test('the badge is the status bucket, lower case', () => {
    assert.equal(bucketOf({ runId: 'r', statusBucket: 'STATUS_BUCKET_PARTIALLY_SUCCEEDED' }), 'partially_succeeded');
    assert.equal(bucketOf({ runId: 'r', statusBucket: 2 }), 'running');
  });

  test('without a bucket, it is the status while active and the outcome once completed', () => {
    assert.equal(bucketOf({ runId: 'r', status: 'RUN_STATUS_QUEUED', outcome: 'RUN_OUTCOME_PENDING' }), 'queued');
    assert.equal(bucketOf({ runId: 'r', status: 'RUN_STATUS_COMPLETED', outcome: 'RUN_OUTCOME_FAILED' }), 'failed');
    assert.equal(bucketOf({ runId: 'r' }), 'unspecified');
  });

  test('queued and running runs are active; completed ones are not', () => {
    assert.equal(isActive({ runId: 'r', status: 'RUN_STATUS_QUEUED' }), true);
    assert.equal(isActive({ runId: 'r', status: 'RUN_STATUS_RUNNING' }), true);
    assert.equal(isActive({ runId: 'r', status: 'RUN_STATUS_COMPLETED' }), false);
    assert.equal(isActive({ runId: 'r' }), false);
  });

  test('humanize and roleText', () => {
    assert.equal(humanize('PARTIALLY_SUCCEEDED'), 'partially succeeded');
    assert.equal(roleText('ROLE_OWNER'), 'Role: owner');
    assert.equal(roleText('ROLE_UNSPECIFIED'), '');
    assert.equal(roleText(undefined), '');
  });
});

describe('numbers and counts', () => {
  test('num reads int64 strings and treats garbage as 0', () => {
    assert.equal(num('42'), 42);
    assert.equal(num(7), 7);
    assert.equal(num(undefined), 0);
    assert.equal(num('many'), 0);
    assert.equal(num(Infinity), 0);
  });

  test('counts lines', () => {
    const run = { runId: 'r', counts: { total: '10', processed: '4', succeeded: 3, failed: '1' } };
    assert.equal(shortCounts(run), '4/10');
    assert.equal(detailCounts(run), '4/10 processed · 3 succeeded · 1 failed · 0 skipped');
    assert.equal(shortCounts({ runId: 'r' }), '0/0');
  });

  test('progress: processed of total, capped; without a total empty while active and full once done', () => {
    assert.deepEqual(progressOf({ runId: 'r', counts: { total: 10, processed: 4 } }), { max: 10, value: 4 });
    assert.deepEqual(progressOf({ runId: 'r', counts: { total: 2, processed: 5 } }), { max: 2, value: 2 });
    assert.deepEqual(progressOf({ runId: 'r', status: 'RUN_STATUS_RUNNING' }), { max: 1, value: 0 });
    assert.deepEqual(progressOf({ runId: 'r', status: 'RUN_STATUS_COMPLETED' }), { max: 1, value: 1 });
  });

  test('dropped failures are mentioned only when there are some', () => {
    assert.equal(droppedFailuresText({ runId: 'r', failuresDropped: '3' }), '3 more failures were not stored.');
    assert.equal(droppedFailuresText({ runId: 'r' }), '');
  });
});

describe('text', () => {
  test('formatTime: a dash when absent, the raw text when unparsable', () => {
    assert.equal(formatTime(undefined), '—');
    assert.equal(formatTime(''), '—');
    assert.equal(formatTime('not a time'), 'not a time');
    assert.equal(formatTime('2025-01-02T03:04:05Z'), new Date('2025-01-02T03:04:05Z').toLocaleString());
  });

  test('formatTimeIn: the clock of the zone, with its name; the viewer clock for an unknown zone', () => {
    // 02:00 UTC on a winter day is 03:00 in Berlin (CET) and 21:00 the day before in New York (EST).
    const berlin = formatTimeIn('2026-11-29T02:00:00Z', 'Europe/Berlin');
    assert.match(berlin, /3:00:00/);
    assert.match(berlin, /GMT\+1|CET/);
    assert.match(formatTimeIn('2026-11-29T02:00:00Z', 'America/New_York'), /11\/28\/2026|28/);
    assert.equal(formatTimeIn('2026-11-29T02:00:00Z', 'Mars/Olympus'), formatTime('2026-11-29T02:00:00Z'));
    assert.equal(formatTimeIn('2026-11-29T02:00:00Z', undefined), formatTime('2026-11-29T02:00:00Z'));
    assert.equal(formatTimeIn(undefined, 'Europe/Berlin'), '—');
  });

  test('initiator: name, else subject, else a dash', () => {
    assert.equal(initiatorName({ runId: 'r', initiator: { subject: 's', name: 'Ann' } }), 'Ann');
    assert.equal(initiatorName({ runId: 'r', initiator: { subject: 's' } }), 's');
    assert.equal(initiatorName({ runId: 'r' }), '—');
  });

  test('traceUrl: the viewer\'s trace page, relative without a viewer', () => {
    assert.equal(traceUrl('https://dash.example:18888//', 'abc'), 'https://dash.example:18888/traces/detail/abc');
    assert.equal(traceUrl('', 'a/b'), '/traces/detail/a%2Fb');
  });

  test('notification title: its own, else type and kind', () => {
    assert.equal(notificationTitle({ title: 'Sync done' }), 'Sync done');
    assert.equal(notificationTitle({ runType: 'inventory.sync', kind: 'NOTIFICATION_KIND_RUN_COMPLETED' }), 'inventory.sync: run completed');
    assert.equal(notificationTitle({}), 'run: unspecified');
  });

  test('inventory item meta: family, OData type and targets', () => {
    assert.equal(
      inventoryItemMeta({ family: 'POLICY_FAMILY_DEVICE_CONFIGURATIONS', odataType: '#microsoft.graph.x', assignmentTargets: ['g1', 'g2'] }),
      'device configurations · #microsoft.graph.x · g1, g2');
    assert.equal(inventoryItemMeta({ family: 2 }), 'compliance policies · ');
  });
});

describe('cancel', () => {
  const running = { runId: 'r', status: 'RUN_STATUS_RUNNING', statusBucket: 'STATUS_BUCKET_RUNNING' };
  const by = { cancelRequested: true, cancelRequestedBy: { subject: 'ada', name: 'Ada' } };

  test('"Cancel run" applies to an active run whose cancel was not requested yet', () => {
    assert.equal(isCancellable(running), true);
    assert.equal(isCancellable({ ...running, status: 'RUN_STATUS_QUEUED', statusBucket: 'STATUS_BUCKET_QUEUED' }), true);
    assert.equal(isCancellable({ ...running, ...by }), false);
    assert.equal(isCancellable({ runId: 'r', status: 'RUN_STATUS_COMPLETED', statusBucket: 'STATUS_BUCKET_SUCCEEDED' }), false);
  });

  test('the detail says who asked, and whether the run is still stopping', () => {
    assert.equal(cancelText(running), '');
    assert.match(cancelText({ ...running, ...by }), /^Cancel requested by Ada; the run stops after the item in progress\.$/);
    assert.equal(cancelText({ runId: 'r', status: 'RUN_STATUS_COMPLETED', statusBucket: 'STATUS_BUCKET_CANCELLED', ...by }), 'Cancelled by Ada.');
    assert.equal(cancelText({ ...running, cancelRequested: true }), 'Cancel requested by someone; the run stops after the item in progress.');
  });

  test("CancelRun's late answer does not draw a run the watch stream already showed completed back to running", () => {
    const requested = { ...running, ...by, updatedAt: '2026-11-29T05:50:04.840592Z' };
    const completed = { runId: 'r', status: 'RUN_STATUS_COMPLETED', statusBucket: 'STATUS_BUCKET_CANCELLED', updatedAt: '2026-11-29T05:50:04.869140Z' };
    assert.equal(isBehind(requested, completed), true);
    assert.equal(isBehind(completed, requested), false);
    assert.equal(isBehind(requested, requested), false);
    assert.equal(isBehind(requested, null), false);
    assert.equal(isBehind(requested, { ...completed, runId: 'other' }), false);
  });
});
