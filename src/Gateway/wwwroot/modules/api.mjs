// @ts-check
// The gateway's REST surface (gRPC-JSON transcoding). Every failure becomes an ApiError carrying the HTTP status,
// the gRPC code and a message fit to show a user: the services' and the gateway's error bodies are
// {"code": <grpc code>, "message": "...", "details": [...]}. DOM-free, so it is unit-tested with a fake fetch.

/** gRPC status codes the UI itself uses. */
export const GrpcCode = Object.freeze({ INVALID_ARGUMENT: 3, UNAVAILABLE: 14 });

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when no response came back
   * @param {number | null} code gRPC status code from the body, when it had one
   * @param {string} message shown to the user as is
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * The error for a non-2xx response: the body's message when it is the JSON error shape, a generic one otherwise
 * (a proxy's HTML page, an empty body).
 * @param {number} status
 * @param {string} text the response body
 * @returns {ApiError}
 */
export function errorFromResponse(status, text) {
  const data = parseJson(text);
  const body = data !== null && typeof data === 'object' ? /** @type {Record<string, unknown>} */ (data) : {};
  const message = typeof body.message === 'string' && body.message
    ? body.message
    : `The request failed with HTTP ${status}.`;
  const code = typeof body.code === 'number' ? body.code : null;
  return new ApiError(status, code, message);
}

/** @param {string} text @returns {unknown} null when empty or not JSON */
function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * @typedef {{ method?: string, body?: unknown }} RequestOptions
 * @typedef {(path: string, options?: RequestOptions) => Promise<any>} Api
 *   resolves to the parsed JSON body ({} when empty), rejects with ApiError
 * @typedef {(input: string, init: { method: string, headers: Record<string, string>, body?: string }) =>
 *   Promise<{ ok: boolean, status: number, text(): Promise<string> }>} FetchLike
 */

/**
 * @param {{ fetch: FetchLike, token: () => string | null }} deps token() is read per request, so a sign-out
 *   takes effect on the next call
 * @returns {Api}
 */
export function createApi({ fetch, token }) {
  return async function api(path, { method = 'GET', body } = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    const bearer = token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, GrpcCode.UNAVAILABLE, 'Could not reach the server; check your connection and retry.');
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw errorFromResponse(response.status, text);
    return parseJson(text) ?? {};
  };
}

/** A 401: the token is unusable (expired, forged), so the user must sign in again. */
export const isUnauthenticated = (/** @type {unknown} */ err) => err instanceof ApiError && err.status === 401;

/**
 * A run the user cannot open is "not found" to them: 404 (no such run or not a member), 403 (no right to view),
 * 400 (a malformed id in a deep link).
 * @param {unknown} err
 */
export const isRunNotFound = (err) => err instanceof ApiError && [400, 403, 404].includes(err.status);
