import { describe, expect, it } from 'vitest';
import {
  InvalidScheduleError,
  assertTimeZone,
  describeCron,
  nextRuns,
  normaliseCron,
  previousRun,
} from '../../../functions/schedules/cron.ts';

describe('cron expressions in the EventBridge Scheduler syntax', () => {
  it('accepts cron(...) or its six fields bare, and gives the canonical form', () => {
    expect(normaliseCron('cron(0 7 * * ? *)')).toBe('cron(0 7 * * ? *)');
    expect(normaliseCron('  0  8 3 * ? * ')).toBe('cron(0 8 3 * ? *)');
    expect(normaliseCron('cron(0/15 8-17 ? * MON-FRI *)')).toBe('cron(0/15 8-17 ? * MON-FRI *)');
  });

  it.each([
    ['0 7 * * *', /six fields/],
    ['rate(5 minutes)', /six fields/],
    ['0 7 * * * *', /exactly one of day-of-month and day-of-week must be '\?'/],
    ['0 7 ? * ? *', /exactly one of day-of-month and day-of-week/],
    ['61 7 * * ? *', /minutes is 0-59, got 61/],
    ['0 25 * * ? *', /hours is 0-23, got 25/],
    ['0 7 ? * 9 *', /day-of-week is 1-7 \(1 = Sunday\) or SUN-SAT, got 9/],
    // croner takes 8 as Sunday and any year; Scheduler refuses both.
    ['0 7 ? * 8 *', /day-of-week is 1-7 \(1 = Sunday\) or SUN-SAT, got 8/],
    ['0 7 * * ? 2500', /year is 1970-2199, got 2500/],
    // The value typed, not croner's zero-based one.
    ['0 7 32 * ? *', /day-of-month is 1-31, got 32/],
    ['0 7 0 * ? *', /day-of-month is 1-31, got 0/],
    ['0 7 * 13 ? *', /month is 1-12 or JAN-DEC, got 13/],
    ['0 7 ? * 2#6 *', /'#6' in '2#6' must be #1-#5/],
    ['0/0 7 * * ? *', /the step in '0\/0' must be a whole number from 1/],
    ['0 7 1 * ? 2020', /never runs again/],
  ])('refuses %s with the reason', (text, reason) => {
    expect(() => normaliseCron(text)).toThrow(InvalidScheduleError);
    expect(() => normaliseCron(text)).toThrow(reason);
  });

  it('computes run times in the schedule’s time zone, weekdays numbered as Scheduler does (1 = Sunday)', () => {
    const from = new Date('2026-12-01T00:00:00Z');
    // 07:00 in Ho Chi Minh City is 00:00 UTC.
    expect(nextRuns('cron(0 7 * * ? *)', 'Asia/Ho_Chi_Minh', 2, from).map((d) => d.toISOString())).toEqual([
      '2026-12-02T00:00:00.000Z',
      '2026-12-03T00:00:00.000Z',
    ]);
    // 6 is Friday for Scheduler; the third Friday of December 2026 is the 18th.
    expect(nextRuns('cron(0 8 ? * 6#3 *)', 'Asia/Ho_Chi_Minh', 1, from)[0]!.toISOString()).toBe(
      '2026-12-18T01:00:00.000Z',
    );
    expect(nextRuns('cron(0 8 L * ? *)', 'UTC', 1, from)[0]!.toISOString()).toBe('2026-12-31T08:00:00.000Z');
    expect(previousRun('cron(0 7 * * ? *)', 'Asia/Ho_Chi_Minh', from)?.toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
  });

  it('describes an expression in Vietnamese and in English', () => {
    expect(describeCron('cron(0 7 * * ? *)', 'vi')).toBe('Vào 07:00');
    expect(describeCron('cron(0 8 3 * ? *)', 'en')).toBe('At 08:00, on day 3 of the month');
    expect(describeCron('cron(0 18 ? * MON-FRI *)', 'vi')).toBe('Vào 18:00, Thứ 2 đến Thứ 6');
    // A day of the month is a date, not a count of days; the nth weekday an ordinal.
    expect(describeCron('cron(0 6 5 * ? *)', 'vi')).toBe('Vào 06:00, vào ngày 5 hằng tháng');
    expect(describeCron('cron(0 8 1,15 * ? *)', 'vi')).toBe('Vào 08:00, vào ngày 1 và 15 hằng tháng');
    expect(describeCron('cron(0 8 ? * 6#3 *)', 'vi')).toBe('Vào 08:00, vào Thứ 6 thứ ba của tháng');
  });

  it('knows IANA time zones and refuses others', () => {
    expect(assertTimeZone('Asia/Ho_Chi_Minh')).toBe('Asia/Ho_Chi_Minh');
    expect(() => assertTimeZone('Asia/Hanoi-ish')).toThrow(/unknown time zone 'Asia\/Hanoi-ish'/);
  });
});
