// @ts-check
// Watch streams (WatchRun, WatchRuns): the gateway sends one JSON object per line while runs change, and ends the
// stream when a watched run completes. The views subscribe with watch() and fall back to polling when it fails.
// DOM-free: fetch is injected, so it is unit-tested with a fake stream.

import { ApiError, errorFromResponse, GrpcCode } from './api.mjs';

/** Splits newline-delimited JSON as it arrives: complete lines parsed, the unfinished tail kept for the next chunk. */
export class JsonLines {
  #buffer = '';

  /** @param {string} text @returns {unknown[]} */
  push(text) {
    this.#buffer += text;
    const lines = this.#buffer.split('\n');
    this.#buffer = lines.pop() ?? '';
    return lines.map((line) => line.trim()).filter((line) => line.length > 0).map((line) => JSON.parse(line));
  }
}

/**
 * @typedef {{ read(): Promise<{ done: boolean, value?: Uint8Array }> }} StreamReader
 * @typedef {{ ok: boolean, status: number, text(): Promise<string>, body: { getReader(): StreamReader } | null }} StreamResponse
 * @typedef {(path: string, init: { headers: Record<string, string>, signal: AbortSignal }) => Promise<StreamResponse>} StreamFetch
 */

const LOST = 'The live view lost its connection to the server; the page refreshes itself instead.';

/**
 * Opens a watch stream and hands each message's run to onRun until the server ends the stream. Resolves true when the
 * server ended it, false when it was aborted; rejects with an ApiError when it was refused (the error a GET would
 * give) or cut (status 0, UNAVAILABLE).
 * @param {{ fetch: StreamFetch, token: () => string | null, path: string, signal: AbortSignal,
 *   onRun: (run: import('./format.mjs').Run) => void }} options
 * @returns {Promise<boolean>}
 */
export async function watch({ fetch, token, path, signal, onRun }) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(path, { headers, signal });
  } catch {
    if (signal.aborted) return false;
    throw new ApiError(0, GrpcCode.UNAVAILABLE, LOST);
  }
  if (!response.ok) throw errorFromResponse(response.status, await response.text().catch(() => ''));
  if (!response.body) throw new ApiError(0, GrpcCode.UNAVAILABLE, LOST);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const lines = new JsonLines();
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      if (signal.aborted) return false;
      throw new ApiError(0, GrpcCode.UNAVAILABLE, LOST);
    }
    if (chunk.done) return true;
    for (const message of lines.push(decoder.decode(chunk.value, { stream: true }))) {
      const body = /** @type {Record<string, unknown>} */ (message);
      if (body && typeof body === 'object' && body.run && typeof body.run === 'object') {
        onRun(/** @type {import('./format.mjs').Run} */ (body.run));
      } else {
        // An error after the stream began (access lost, too slow) arrives as the JSON error shape.
        throw errorFromResponse(200, JSON.stringify(message));
      }
    }
  }
}
