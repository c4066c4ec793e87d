// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/Gateway/wwwroot/modules/api.mjs';
import { JsonLines, watch } from '../../src/Gateway/wwwroot/modules/watch.mjs';

/**
 * A fetch whose response body yields the given chunks (strings), then ends or fails.
 * @param {{ status?: number, chunks?: string[], fail?: boolean, text?: string }} options
 * @returns {{ fetch: import('../../src/Gateway/wwwroot/modules/watch.mjs').StreamFetch, calls: { path: string, headers: Record<string, string> }[] }}
 */
function fakeStream({ status = 200, chunks = [], fail = false, text = '' }) {
  /** @type {{ path: string, headers: Record<string, string> }[]} */
  const calls = [];
  const encoder = new TextEncoder();
  return {
    calls,
    fetch: async (path, init) => {
      calls.push({ path, headers: init.headers });
      const queue = [...chunks];
      return {
        ok: status >= 200 && status < 300,
        status,
        text: async () => text,
        body: {
          getReader: () => ({
            read: async () => {
              if (queue.length > 0) return { done: false, value: encoder.encode(queue.shift()) };
              if (fail) throw new TypeError('network error');
              return { done: true };
            },
          }),
        },
      };
    },
  };
}

const line = (/** @type {string} */ status) => `${JSON.stringify({ run: { runId: 'r1', status } })}\n`;

describe('JsonLines', () => {
  test('parses complete lines and keeps a line split across chunks for the next one', () => {
    const lines = new JsonLines();
    const whole = line('RUN_STATUS_QUEUED') + line('RUN_STATUS_RUNNING');
    assert.deepEqual(lines.push(whole.slice(0, 10)), []);
    assert.deepEqual(lines.push(whole.slice(10, whole.length - 5)).length, 1);
    assert.deepEqual(lines.push(whole.slice(whole.length - 5)), [{ run: { runId: 'r1', status: 'RUN_STATUS_RUNNING' } }]);
    assert.deepEqual(lines.push('\n\n'), []);
  });
});

describe('watch', () => {
  test('hands over each run in order, sends the bearer token, and resolves true when the server ends the stream', async () => {
    const stream = fakeStream({ chunks: [line('RUN_STATUS_QUEUED'), line('RUN_STATUS_RUNNING').slice(0, 7), line('RUN_STATUS_RUNNING').slice(7) + line('RUN_STATUS_COMPLETED')] });
    /** @type {unknown[]} */
    const seen = [];
    const ended = await watch({ fetch: stream.fetch, token: () => 'tok', path: '/v1/runs/r1:watch', signal: new AbortController().signal, onRun: (run) => seen.push(run.status) });
    assert.equal(ended, true);
    assert.deepEqual(seen, ['RUN_STATUS_QUEUED', 'RUN_STATUS_RUNNING', 'RUN_STATUS_COMPLETED']);
    assert.equal(stream.calls[0].path, '/v1/runs/r1:watch');
    assert.equal(stream.calls[0].headers.Authorization, 'Bearer tok');
  });

  test('a refusal is the ApiError a GET would give', async () => {
    const stream = fakeStream({ status: 404, text: JSON.stringify({ code: 5, message: 'Run r1 was not found.' }) });
    await assert.rejects(
      watch({ fetch: stream.fetch, token: () => null, path: '/p', signal: new AbortController().signal, onRun: () => {} }),
      (/** @type {unknown} */ err) => err instanceof ApiError && err.status === 404 && err.code === 5);
  });

  test('an error after the stream began, or a cut connection, rejects; an abort resolves false', async () => {
    const errored = fakeStream({ chunks: [line('RUN_STATUS_RUNNING'), `${JSON.stringify({ code: 7, message: 'denied' })}\n`] });
    await assert.rejects(watch({ fetch: errored.fetch, token: () => null, path: '/p', signal: new AbortController().signal, onRun: () => {} }),
      (/** @type {unknown} */ err) => err instanceof ApiError && err.code === 7);
    const cut = fakeStream({ chunks: [line('RUN_STATUS_RUNNING')], fail: true });
    await assert.rejects(watch({ fetch: cut.fetch, token: () => null, path: '/p', signal: new AbortController().signal, onRun: () => {} }),
      (/** @type {unknown} */ err) => err instanceof ApiError && err.status === 0);
    const aborted = new AbortController();
    aborted.abort();
    const stopped = fakeStream({ chunks: [], fail: true });
    assert.equal(await watch({ fetch: stopped.fetch, token: () => null, path: '/p', signal: aborted.signal, onRun: () => {} }), false);
  });
});
