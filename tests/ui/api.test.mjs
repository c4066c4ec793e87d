// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError, createApi, errorFromResponse, isRunNotFound, isUnauthenticated } from '../../src/Gateway/wwwroot/modules/api.mjs';

/**
 * A fetch that records its calls and answers with the given status and body (or throws, as fetch does when the
 * network fails).
 * @param {{ status?: number, body?: string, fail?: boolean }} answer
 */
function fakeFetch({ status = 200, body = '', fail = false }) {
  /** @type {{ path: string, init: { method: string, headers: Record<string, string>, body?: string } }[]} */
  const calls = [];
  /** @type {import('../../src/Gateway/wwwroot/modules/api.mjs').FetchLike} */
  const fetch = async (path, init) => {
    calls.push({ path, init });
    if (fail) throw new TypeError('Failed to fetch');
    return { ok: status >= 200 && status < 300, status, text: async () => body };
  };
  return { fetch, calls };
}

/** @param {Promise<unknown>} promise @returns {Promise<ApiError>} */
async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${err}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('createApi', () => {
  test('sends the bearer token and asks for JSON; parses the answer', async () => {
    const { fetch, calls } = fakeFetch({ body: '{"runs":[{"runId":"r1"}]}' });
    const api = createApi({ fetch, token: () => 'tok' });

    const data = await api('/v1/workspaces/w/runs');

    assert.deepEqual(data, { runs: [{ runId: 'r1' }] });
    assert.equal(calls[0].path, '/v1/workspaces/w/runs');
    assert.equal(calls[0].init.method, 'GET');
    assert.deepEqual(calls[0].init.headers, { Accept: 'application/json', Authorization: 'Bearer tok' });
    assert.equal(calls[0].init.body, undefined);
  });

  test('reads the token per request: none after sign-out', async () => {
    const { fetch, calls } = fakeFetch({ body: '{}' });
    /** @type {string | null} */
    let token = 'tok';
    const api = createApi({ fetch, token: () => token });

    await api('/v1/notifications');
    token = null;
    await api('/v1/notifications');

    assert.equal(calls[0].init.headers.Authorization, 'Bearer tok');
    assert.equal('Authorization' in calls[1].init.headers, false);
  });

  test('posts a body as JSON', async () => {
    const { fetch, calls } = fakeFetch({ body: '{"unreadCount":"0"}' });
    const api = createApi({ fetch, token: () => 'tok' });

    await api('/v1/notifications:markRead', { method: 'POST', body: { all: true } });

    assert.equal(calls[0].init.method, 'POST');
    assert.equal(calls[0].init.headers['Content-Type'], 'application/json');
    assert.equal(calls[0].init.body, '{"all":true}');
  });

  test('an empty success body is an empty object', async () => {
    const api = createApi({ ...fakeFetch({ status: 200, body: '' }), token: () => null });
    assert.deepEqual(await api('/v1/x'), {});
  });

  test('a gRPC-JSON error becomes an ApiError with its status, code and message', async () => {
    const body = '{"code":7,"message":"Missing capability tenant.inventory_sync.run.","details":[]}';
    const api = createApi({ ...fakeFetch({ status: 403, body }), token: () => 'tok' });

    const err = await rejection(api('/v1/tenants/t/inventory:sync', { method: 'POST', body: {} }));

    assert.equal(err.status, 403);
    assert.equal(err.code, 7);
    assert.equal(err.message, 'Missing capability tenant.inventory_sync.run.');
  });

  test('an error without the JSON shape gets a generic message', async () => {
    const api = createApi({ ...fakeFetch({ status: 502, body: '<html>Bad gateway</html>' }), token: () => 'tok' });

    const err = await rejection(api('/v1/runs/r'));

    assert.equal(err.status, 502);
    assert.equal(err.code, null);
    assert.equal(err.message, 'The request failed with HTTP 502.');
  });

  test('a network failure is UNAVAILABLE with status 0', async () => {
    const api = createApi({ ...fakeFetch({ fail: true }), token: () => 'tok' });

    const err = await rejection(api('/v1/runs/r'));

    assert.equal(err.status, 0);
    assert.equal(err.code, 14);
    assert.match(err.message, /Could not reach the server/);
  });
});

describe('errorFromResponse', () => {
  test('ignores a message that is empty or not a string', () => {
    assert.equal(errorFromResponse(500, '{"code":2,"message":""}').message, 'The request failed with HTTP 500.');
    assert.equal(errorFromResponse(500, '{"message":{"text":"x"}}').message, 'The request failed with HTTP 500.');
    assert.equal(errorFromResponse(404, 'null').message, 'The request failed with HTTP 404.');
  });
});

describe('error classification', () => {
  test('401 is unauthenticated; 400, 403 and 404 are a run not found', () => {
    assert.equal(isUnauthenticated(new ApiError(401, 16, 'x')), true);
    assert.equal(isUnauthenticated(new ApiError(403, 7, 'x')), false);
    assert.equal(isUnauthenticated(new Error('x')), false);
    for (const status of [400, 403, 404]) assert.equal(isRunNotFound(new ApiError(status, null, 'x')), true, String(status));
    for (const status of [0, 401, 429, 500, 503]) assert.equal(isRunNotFound(new ApiError(status, null, 'x')), false, String(status));
  });
});
