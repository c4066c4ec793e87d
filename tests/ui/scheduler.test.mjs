// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scheduler } from '../../src/Gateway/wwwroot/modules/scheduler.mjs';
import { FakeClock, settle } from './fake-clock.mjs';

/** @param {FakeClock} clock @param {unknown[]} [errors] */
const schedulerOn = (clock, errors = []) => new Scheduler(clock, (e) => errors.push(e));

describe('Scheduler', () => {
  test('after: runs the task once, when its delay has passed', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    let runs = 0;
    scheduler.after('detail', 1000, () => { runs++; });

    await clock.advance(999);
    assert.equal(runs, 0);
    await clock.advance(1);
    assert.equal(runs, 1);
    await clock.advance(5000);
    assert.equal(runs, 1);
    assert.equal(scheduler.has('detail'), false);
  });

  test('after: scheduling a name again replaces the pending task', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    /** @type {string[]} */
    const ran = [];
    scheduler.after('detail', 1000, () => ran.push('first'));
    await clock.advance(500);
    scheduler.after('detail', 1000, () => ran.push('second'));

    await clock.advance(999);
    assert.deepEqual(ran, []);
    await clock.advance(1);
    assert.deepEqual(ran, ['second']);
  });

  test('a one-shot task may schedule its successor (the run-list poll chain)', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    /** @type {number[]} */
    const times = [];
    const poll = async () => {
      times.push(clock.now());
      await settle(); // the request
      if (times.length < 3) scheduler.after('list', 1000, poll);
    };
    scheduler.after('list', 1000, poll);

    await clock.advance(10_000);
    assert.deepEqual(times, [1000, 2000, 3000]);
  });

  test('every: repeats each period, counted from the end of the previous run', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    /** @type {number[]} */
    const starts = [];
    scheduler.every('notifications', 10_000, async () => {
      starts.push(clock.now());
      if (starts.length === 2) {
        // A slow answer: 4 s pass before it settles.
        await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 4000));
      }
    });

    await clock.advance(35_000);
    assert.deepEqual(starts, [10_000, 20_000, 34_000]);
  });

  test('cancel stops a task, cancelAll stops every task', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    /** @type {string[]} */
    const ran = [];
    scheduler.after('detail', 1000, () => ran.push('detail'));
    scheduler.after('list', 1000, () => ran.push('list'));
    scheduler.every('notifications', 500, () => ran.push('notifications'));

    scheduler.cancel('detail');
    await clock.advance(600);
    scheduler.cancelAll();
    await clock.advance(10_000);

    assert.deepEqual(ran, ['notifications']);
    assert.equal(clock.timers.size, 0, 'no timer is left armed');
  });

  test('a periodic task cancelled while it runs does not run again', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    let runs = 0;
    /** @type {(value?: unknown) => void} */
    let finish = () => {};
    scheduler.every('notifications', 1000, () => {
      runs++;
      return new Promise((resolve) => { finish = resolve; });
    });

    await clock.advance(1000);
    scheduler.cancel('notifications');
    finish();
    await clock.advance(10_000);

    assert.equal(runs, 1);
  });

  test('keeps one timer armed, for the earliest task, whatever the number of tasks', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    /** @type {string[]} */
    const ran = [];
    scheduler.every('notifications', 10_000, () => ran.push('notifications'));
    scheduler.after('list', 1000, () => ran.push('list'));
    scheduler.after('detail', 2000, () => ran.push('detail'));

    assert.equal(clock.timers.size, 1);
    assert.equal([...clock.timers.values()][0].at, 1000);
    await clock.advance(10_000);
    assert.deepEqual(ran, ['list', 'detail', 'notifications']);
    assert.equal(clock.timers.size, 1, 'only the periodic task is left');
  });

  test('tasks due at the same tick run in due order', async () => {
    const clock = new FakeClock();
    const scheduler = schedulerOn(clock);
    /** @type {string[]} */
    const ran = [];
    scheduler.after('b', 20, () => ran.push('b'));
    scheduler.after('a', 10, () => ran.push('a'));
    clock.time = 100; // the tab was throttled: both are overdue when the timer fires

    await clock.advance(0);
    assert.deepEqual(ran, ['a', 'b']);
  });

  test('a failing task is reported and stops neither the others nor its own next run', async () => {
    const clock = new FakeClock();
    /** @type {unknown[]} */
    const errors = [];
    const scheduler = schedulerOn(clock, errors);
    let periodicRuns = 0;
    let other = 0;
    scheduler.every('notifications', 1000, () => {
      periodicRuns++;
      throw new Error('boom');
    });
    scheduler.after('list', 1000, async () => { other++; throw new Error('rejected'); });

    await clock.advance(3000);

    assert.equal(periodicRuns, 3);
    assert.equal(other, 1);
    assert.deepEqual(errors.map((e) => /** @type {Error} */ (e).message).sort(), ['boom', 'boom', 'boom', 'rejected']);
  });
});
