// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listQuery, PAGE_SIZE, RunList } from '../../src/Gateway/wwwroot/modules/runlist.mjs';

/** @param {string} id @param {string} createdAt @param {string} [status] */
const run = (id, createdAt, status = 'RUN_STATUS_COMPLETED') => ({ runId: id, createdAt, status });
/** @param {RunList} list */
const ids = (list) => [...list.runs.keys()];

describe('listQuery', () => {
  test('the first page with no filters asks only for a page size', () => {
    assert.equal(listQuery({ type: '', bucket: '', range: '' }, '', 0).toString(), `pageSize=${PAGE_SIZE}`);
  });

  test('filters, a created-after relative to now, and the page token', () => {
    const now = Date.parse('2025-03-08T12:00:00Z');
    const q = listQuery({ type: 'inventory.sync', bucket: 'STATUS_BUCKET_FAILED', range: '7d' }, 'tok', now);
    assert.equal(q.get('types'), 'inventory.sync');
    assert.equal(q.get('statusBuckets'), 'STATUS_BUCKET_FAILED');
    assert.equal(q.get('createdAfter'), '2025-03-01T12:00:00.000Z');
    assert.equal(q.get('pageToken'), 'tok');
  });

  test('an unknown range is no range', () => {
    assert.equal(listQuery({ type: '', bucket: '', range: '1y' }, '', 0).has('createdAfter'), false);
  });
});

describe('RunList.addPage', () => {
  test('a first page replaces the list; the next page goes below it, skipping runs already shown', () => {
    const list = new RunList();
    list.addPage({ runs: [run('x', '2025-01-09')] }, { replace: true });

    const first = list.addPage({ runs: [run('c', '2025-01-03'), run('b', '2025-01-02')], nextPageToken: 'p2' }, { replace: true });
    const next = list.addPage({ runs: [run('b', '2025-01-02'), run('a', '2025-01-01'), { runId: '' }] }, { replace: false });

    assert.deepEqual(first.map((r) => r.runId), ['c', 'b']);
    assert.deepEqual(next.map((r) => r.runId), ['a']);
    assert.deepEqual(ids(list), ['c', 'b', 'a']);
    assert.equal(list.nextPageToken, '', 'the last page has no token');
  });
});

describe('RunList.mergeFirstPage', () => {
  test('updates known runs in place and puts new ones on top, in order', () => {
    const list = new RunList();
    list.addPage({ runs: [run('b', '2025-01-02', 'RUN_STATUS_RUNNING'), run('a', '2025-01-01')] }, { replace: true });

    const { updated, added } = list.mergeFirstPage({ runs: [run('d', '2025-01-04'), run('c', '2025-01-03'), run('b', '2025-01-02'), run('a', '2025-01-01')] });

    assert.deepEqual(updated.map((r) => r.runId), ['b', 'a']);
    assert.deepEqual(added.map((r) => r.runId), ['d', 'c']);
    assert.deepEqual(ids(list), ['d', 'c', 'b', 'a']);
    assert.equal(list.runs.get('b')?.status, 'RUN_STATUS_COMPLETED');
  });

  test('leaves a run older than the last row to "Load more" while further pages exist', () => {
    const list = new RunList();
    list.addPage({ runs: [run('c', '2025-01-03'), run('b', '2025-01-02')], nextPageToken: 'p2' }, { replace: true });

    // 'a' now matches the filter (it completed) and so shows on page one, but it belongs below 'b'.
    const { added } = list.mergeFirstPage({ runs: [run('c', '2025-01-03'), run('b', '2025-01-02'), run('a', '2025-01-01')], nextPageToken: 'p2' });

    assert.deepEqual(added, []);
    assert.deepEqual(ids(list), ['c', 'b']);
  });

  test('compares with the oldest row, also after new runs went on top', () => {
    const list = new RunList();
    list.addPage({ runs: [run('c', '2025-01-03'), run('b', '2025-01-02')], nextPageToken: 'p2' }, { replace: true });
    list.mergeFirstPage({ runs: [run('e', '2025-01-05'), run('c', '2025-01-03')], nextPageToken: 'p2' });

    // 'd' is newer than the oldest row ('b'), so it is shown; 'a' is older, so it waits for its page.
    const { added } = list.mergeFirstPage({ runs: [run('e', '2025-01-05'), run('d', '2025-01-04'), run('a', '2025-01-01')], nextPageToken: 'p2' });

    assert.deepEqual(added.map((r) => r.runId), ['d']);
    assert.equal(list.last()?.runId, 'b');
  });

  test('with every run shown, a run new to the list goes on top whatever its age', () => {
    const list = new RunList();
    list.addPage({ runs: [run('b', '2025-01-02')] }, { replace: true });

    const { added } = list.mergeFirstPage({ runs: [run('b', '2025-01-02'), run('a', '2025-01-01')] });

    assert.deepEqual(added.map((r) => r.runId), ['a']);
  });

  test('takes a next-page token that appeared, keeps the one it had', () => {
    const list = new RunList();
    list.addPage({ runs: [run('a', '2025-01-01')] }, { replace: true });
    list.mergeFirstPage({ runs: [run('b', '2025-01-02'), run('a', '2025-01-01')], nextPageToken: 'new' });
    assert.equal(list.nextPageToken, 'new');

    list.mergeFirstPage({ runs: [run('b', '2025-01-02')], nextPageToken: 'other' });
    assert.equal(list.nextPageToken, 'new', 'the user\'s paging position stays');
  });
});

describe('RunList.update', () => {
  test('only runs shown are updated', () => {
    const list = new RunList();
    list.addPage({ runs: [run('a', '2025-01-01', 'RUN_STATUS_RUNNING')] }, { replace: true });

    assert.equal(list.update(run('a', '2025-01-01')), true);
    assert.equal(list.update(run('z', '2025-01-01')), false);
    assert.equal(list.runs.get('a')?.status, 'RUN_STATUS_COMPLETED');
    assert.equal(list.has('z'), false);
  });
});
