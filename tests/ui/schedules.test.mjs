// @ts-check
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_FORM, enabledText, formFromSchedule, retentionText, scheduleDefinition, selectionText, whenText,
} from '../../src/Gateway/wwwroot/modules/schedules.mjs';

const ALL = ['POLICY_FAMILY_DEVICE_CONFIGURATIONS', 'POLICY_FAMILY_COMPLIANCE_POLICIES'];
const schedule = {
  scheduleId: 'c-1',
  displayName: 'Nightly',
  cronExpression: '0 2 * * *',
  timeZone: 'Europe/Berlin',
  selection: { families: ALL },
  retention: { keepLast: 5 },
  enabled: true,
  nextFireTimes: ['2026-03-02T01:00:00Z'],
};

describe('form values', () => {
  test('a new schedule starts from the defaults', () => {
    assert.deepEqual(formFromSchedule(null), { ...DEFAULT_FORM });
  });

  test('editing starts from the schedule; an omitted enabled (false) is unchecked', () => {
    assert.deepEqual(formFromSchedule(schedule), { name: 'Nightly', cron: '0 2 * * *', timeZone: 'Europe/Berlin', keepLast: '5', enabled: true });
    assert.equal(formFromSchedule({ ...schedule, enabled: undefined }).enabled, false);
  });
});

describe('scheduleDefinition', () => {
  const form = { name: ' Nightly ', cron: ' 0  2 * * * ', timeZone: ' UTC ', keepLast: '7', enabled: false };

  test('maps the form to the definition: all policies, keep-last N', () => {
    assert.deepEqual(scheduleDefinition(form), {
      ok: true,
      definition: { displayName: 'Nightly', cronExpression: '0 2 * * *', timeZone: 'UTC', selection: { families: ALL }, retention: { keepLast: 7 }, enabled: false },
    });
  });

  test('the browser checks what it can: a name, five cron fields, a zone, 1-1000 to keep', () => {
    /** @type {[Partial<typeof form>, string][]} */
    const cases = [
      [{ name: '  ' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ cron: '0 2 * *' }, 'cron'],
      [{ cron: '' }, 'cron'],
      [{ cron: '0 0 2 * * *' }, 'cron'],
      [{ timeZone: '' }, 'timeZone'],
      [{ keepLast: '0' }, 'keepLast'],
      [{ keepLast: '1001' }, 'keepLast'],
      [{ keepLast: '2.5' }, 'keepLast'],
      [{ keepLast: '' }, 'keepLast'],
    ];
    for (const [change, field] of cases) {
      const result = scheduleDefinition({ ...form, ...change });
      assert.equal(result.ok, false, JSON.stringify(change));
      if (!result.ok) {
        assert.equal(result.field, field);
        assert.ok(result.message.length > 0);
      }
    }
  });

  test('what the server judges is left to it: a five-field cron it may refuse, any zone name', () => {
    assert.equal(scheduleDefinition({ ...form, cron: '61 * * * *', timeZone: 'Mars/Olympus' }).ok, true);
  });

  test('editing keeps what the form does not show: single-policy selections and keep-days', () => {
    const existing = { ...schedule, selection: { families: ['POLICY_FAMILY_COMPLIANCE_POLICIES'], policyIds: ['p-1'] }, retention: { keepLast: 5, keepDays: 30 } };
    const result = scheduleDefinition(form, existing);
    assert.ok(result.ok);
    if (result.ok) {
      assert.deepEqual(result.definition.selection, { families: ['POLICY_FAMILY_COMPLIANCE_POLICIES'], policyIds: ['p-1'] });
      assert.deepEqual(result.definition.retention, { keepLast: 7, keepDays: 30 });
    }
    const plain = scheduleDefinition(form, schedule);
    assert.ok(plain.ok);
    if (plain.ok) assert.deepEqual(plain.definition.selection, { families: ALL });
  });
});

describe('how a schedule reads', () => {
  test('when, selection, retention, enabled', () => {
    assert.equal(whenText(schedule), '0 2 * * * (Europe/Berlin)');
    assert.equal(selectionText(schedule), 'All policies');
    assert.equal(selectionText({ scheduleId: 'x', selection: { families: ['POLICY_FAMILY_COMPLIANCE_POLICIES'], policyIds: ['a', 'b'] } }), '1 family + 2 policies');
    assert.equal(retentionText(schedule), 'Keep the last 5');
    assert.equal(retentionText({ scheduleId: 'x', retention: { keepLast: 3, keepDays: 30 } }), 'Keep the last 3 and every backup younger than 30 days');
    assert.equal(enabledText(schedule), 'enabled');
    assert.equal(enabledText({ scheduleId: 'x' }), 'disabled');
  });
});
