/**
 * Cron expressions in the EventBridge Scheduler syntax, `cron(minutes hours day-of-month month day-of-week
 * year)`, checked the way Scheduler checks them, with their next run times in a time zone and a readable
 * description. The local scheduler fires from the same computation, so a schedule means the same thing on
 * both engines.
 *
 * croner evaluates (7-part mode with seconds fixed at 0, Quartz weekday numbering 1 = Sunday as Scheduler
 * uses, numeric-prefix steps like `0/15`); cronstrue describes (Vietnamese or English).
 */
import { Cron } from 'croner';
import cronstrueModule from 'cronstrue/i18n.js';
import type { Options as DescribeOptions } from 'cronstrue/dist/options.js';

// cronstrue is CommonJS: its module object is the describer, which its typings only name as `default`.
const cronToText = (
  cronstrueModule as unknown as { toString(cron: string, options: DescribeOptions): string }
).toString;

export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
}

const FIELDS = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;

/** Scheduler's range for each field's numbers (day-of-week 1 = Sunday; years Scheduler accepts). */
const RANGES: Record<(typeof FIELDS)[number], [number, number, string]> = {
  minutes: [0, 59, '0-59'],
  hours: [0, 23, '0-23'],
  'day-of-month': [1, 31, '1-31'],
  month: [1, 12, '1-12 or JAN-DEC'],
  'day-of-week': [1, 7, '1-7 (1 = Sunday) or SUN-SAT'],
  year: [1970, 2199, '1970-2199'],
};

/**
 * Every number of a field within Scheduler's range, checked before croner (which accepts some values
 * Scheduler refuses, and words its errors in its own zero-based terms): the error names the value typed.
 */
function checkRanges(fields: readonly string[]): void {
  fields.forEach((field, index) => {
    const name = FIELDS[index]!;
    const [min, max, range] = RANGES[name];
    for (const part of field.split(',')) {
      const [values = '', step] = part.split('/');
      if (step !== undefined && !/^[1-9]\d*$/.test(step))
        throw new InvalidScheduleError(`${name}: the step in '${part}' must be a whole number from 1`);
      const [value, nth] = values.split('#');
      if (nth !== undefined && !/^[1-5]$/.test(nth))
        throw new InvalidScheduleError(
          `${name}: '#${nth}' in '${part}' must be #1-#5 (which week of the month)`,
        );
      for (const bound of (value ?? '')
        .replace(/^L-/, '')
        .replace(/[LW]+$/, '')
        .split('-')) {
        if (!/^\d+$/.test(bound)) continue; // *, ?, L, names: croner checks those
        const number = Number(bound);
        if (number < min || number > max)
          throw new InvalidScheduleError(`${name} is ${range}, got ${bound} in '${field}'`);
      }
    }
  });
}

/** The canonical form, `cron(0 7 * * ? *)`, of `cron(...)` or its six fields bare; throws with the reason. */
export function normaliseCron(text: string): string {
  const trimmed = text.trim();
  const inner = /^cron\((.*)\)$/s.exec(trimmed)?.[1] ?? trimmed;
  const fields = inner.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== FIELDS.length) {
    throw new InvalidScheduleError(
      `a cron expression has six fields (${FIELDS.join(' ')}), e.g. cron(0 7 * * ? *); '${trimmed}' has ${fields.length}`,
    );
  }
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string, string];
  // Scheduler's rule: one of the two day fields is '?', never both.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new InvalidScheduleError(
      `exactly one of day-of-month and day-of-week must be '?' (found '${dayOfMonth}' and '${dayOfWeek}')`,
    );
  }
  checkRanges(fields);
  const expression = `cron(${fields.join(' ')})`;
  const cron = compile(expression);
  if (!cron.nextRun(new Date())) throw new InvalidScheduleError(`${expression} never runs again`);
  return expression;
}

function compile(expression: string, timeZone = 'UTC'): Cron {
  const fields = expression.slice('cron('.length, -1).split(' ');
  try {
    return new Cron(['0', ...fields].join(' '), {
      timezone: timeZone,
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      paused: true,
    });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, '');
    // croner counts weekdays from 0 inside; say it in Scheduler's terms.
    throw new InvalidScheduleError(
      /dayOfWeek/.test(reason)
        ? `${expression}: day-of-week is 1-7 (1 = Sunday) or SUN-SAT, with L or # as Scheduler allows`
        : `${expression}: ${reason}`,
    );
  }
}

export function assertTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new InvalidScheduleError(`unknown time zone '${timeZone}' (an IANA name, e.g. Asia/Ho_Chi_Minh)`);
  }
  return timeZone;
}

/** The next `count` run times strictly after `after`, as instants. */
export function nextRuns(expression: string, timeZone: string, count: number, after: Date): Date[] {
  return compile(expression, timeZone).nextRuns(count, after);
}

/** The latest run time strictly before `before`, if there was one. */
export function previousRun(expression: string, timeZone: string, before: Date): Date | undefined {
  return compile(expression, timeZone).previousRuns(1, before)[0];
}

const ORDINAL_VI = ['', 'thứ nhất', 'thứ hai', 'thứ ba', 'thứ tư', 'thứ năm'];

/** cronstrue's Vietnamese reads a day of the month as a count ("vào 5 ngày": on five days): say it right. */
const VI_FIXES: [RegExp, (...groups: string[]) => string][] = [
  [/vào ([\d và,]+) ngày trong tháng/, (_all, days) => `vào ngày ${days} hằng tháng`],
  [
    /trên thứ (\d) (Thứ \d|Chủ nhật) của tháng/,
    (_all, n, day) => `vào ${day} ${ORDINAL_VI[Number(n)]} của tháng`,
  ],
];

/** "Vào 07:00" / "At 07:00": what the expression says, for people. */
export function describeCron(expression: string, locale: 'vi' | 'en'): string {
  const fields = expression.slice('cron('.length, -1).split(' ');
  const text = describeRaw(fields, locale);
  return locale === 'vi'
    ? VI_FIXES.reduce(
        (said, [pattern, fix]) => said.replace(pattern, (...groups: string[]) => fix(...groups)),
        text,
      )
    : text;
}

function describeRaw(fields: string[], locale: 'vi' | 'en'): string {
  return cronToText(['0', ...fields].join(' '), {
    locale,
    use24HourTimeFormat: true,
    dayOfWeekStartIndexZero: false,
    throwExceptionOnParseError: false,
  });
}
