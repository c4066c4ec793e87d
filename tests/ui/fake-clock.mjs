// @ts-check
// A clock for the scheduler whose time moves only when a test says so.

/** Lets pending promise callbacks (a task's async work, its .finally) run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

export class FakeClock {
  time = 0;
  #nextId = 1;
  /** @type {Map<number, { at: number, callback: () => void }>} */
  timers = new Map();

  now = () => this.time;

  /** @param {() => void} callback @param {number} ms */
  setTimeout = (callback, ms) => {
    const id = this.#nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };

  /** @param {unknown} id */
  clearTimeout = (id) => {
    this.timers.delete(/** @type {number} */ (id));
  };

  /** Moves time forward by ms, firing every timer due on the way, in order, and settling after each. @param {number} ms */
  async advance(ms) {
    const end = this.time + ms;
    // A bounded loop: a scheduler that re-arms forever (a task that never leaves the due list) fails the test
    // instead of hanging it.
    for (let fired = 0; ; fired++) {
      if (fired === 10_000) throw new Error(`more than ${fired} timers fired within ${ms} ms`);
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === null || timer.at < next[1].at)) next = /** @type {const} */ ([id, timer]);
      }
      if (next === null) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
      await settle();
    }
    this.time = end;
    await settle();
  }
}
