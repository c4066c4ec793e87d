// @ts-check
// The one owner of every periodic refresh (run detail, run list, notifications). Tasks are named, so scheduling a
// task again replaces it and a view cancels exactly its own; sign-out cancels all. One timer is armed, for the
// earliest task due. DOM-free: the clock is injected, so tests drive it with a fake one.

/**
 * @typedef {{ now(): number, setTimeout(callback: () => void, ms: number): unknown,
 *   clearTimeout(handle: unknown): void }} Clock
 * @typedef {() => unknown} TaskFn may return a promise; a periodic task's next run waits for it
 * @typedef {{ due: number, fn: TaskFn, period: number | null }} Task
 */

export class Scheduler {
  /** @type {Map<string, Task>} */
  #tasks = new Map();
  /** @type {unknown} */
  #timer = null;
  #clock;
  #onError;

  /**
   * @param {Clock} clock
   * @param {(error: unknown) => void} [onError] a task that throws or rejects is reported here and does not stop
   *   the others (nor, if periodic, its own next run)
   */
  constructor(clock, onError = (error) => console.error(error)) {
    this.#clock = clock;
    this.#onError = onError;
  }

  /**
   * Runs fn once after delayMs, replacing any task of that name.
   * @param {string} name
   * @param {number} delayMs
   * @param {TaskFn} fn
   */
  after(name, delayMs, fn) {
    this.#tasks.set(name, { due: this.#clock.now() + delayMs, fn, period: null });
    this.#arm();
  }

  /**
   * Runs fn every periodMs (first after one period), replacing any task of that name. The next run is counted from
   * the end of the previous one, so a slow server never sees two of them at once.
   * @param {string} name
   * @param {number} periodMs
   * @param {TaskFn} fn
   */
  every(name, periodMs, fn) {
    this.#tasks.set(name, { due: this.#clock.now() + periodMs, fn, period: periodMs });
    this.#arm();
  }

  /** @param {string} name */
  cancel(name) {
    if (this.#tasks.delete(name)) this.#arm();
  }

  cancelAll() {
    this.#tasks.clear();
    this.#arm();
  }

  /** @param {string} name @returns {boolean} whether the task is scheduled (a periodic one: also while it runs) */
  has(name) {
    return this.#tasks.has(name);
  }

  #arm() {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    let next = Infinity;
    for (const task of this.#tasks.values()) next = Math.min(next, task.due);
    if (next === Infinity) return;
    this.#timer = this.#clock.setTimeout(() => this.#tick(), Math.max(0, next - this.#clock.now()));
  }

  #tick() {
    this.#timer = null;
    const now = this.#clock.now();
    const due = [...this.#tasks].filter(([, task]) => task.due <= now).sort(([, a], [, b]) => a.due - b.due);
    for (const [name, task] of due) {
      if (this.#tasks.get(name) !== task) continue; // cancelled or replaced by a task that ran before it
      if (task.period === null) {
        this.#tasks.delete(name); // before running: a one-shot task may schedule its successor
      } else {
        task.due = Infinity; // not again until this run has ended
      }
      this.#run(name, task);
    }
    this.#arm();
  }

  /** @param {string} name @param {Task} task */
  #run(name, task) {
    /** @type {Promise<unknown>} */
    let result;
    try {
      result = Promise.resolve(task.fn());
    } catch (error) {
      result = Promise.reject(error);
    }
    result.catch(this.#onError).finally(() => {
      if (task.period === null || this.#tasks.get(name) !== task) return;
      task.due = this.#clock.now() + task.period;
      this.#arm();
    });
  }
}

/** The browser's clock. @type {Clock} */
export const systemClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(/** @type {number} */ (handle)),
};
