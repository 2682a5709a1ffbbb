/**
 * Calendar arithmetic on ISO dates (YYYY-MM-DD) and periods (YYYY-MM).
 *
 * Business dates are Asia/Ho_Chi_Minh calendar dates, carried as plain ISO strings; inside the engine they
 * become day numbers (days since 1970-01-01) so interest can be summed over intervals with integer maths.
 * Vietnam has no daylight saving time (UTC+7 all year), so "today" there is UTC shifted by 7 hours.
 */
const MS_PER_DAY = 86_400_000;
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/**
 * The engine converts the same few hundred dates for every employer of a run; a small memo turns Date
 * arithmetic into a map lookup. Bounded so a long-lived process cannot grow it without limit.
 */
export function memo<K, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size > 50_000) cache.clear();
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

export const dayNumber: (isoDate: string) => number = memo((isoDate: string) => {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  const day = Number(isoDate.slice(8, 10));
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
});

export const isoFromDay: (day: number) => string = memo((day: number) =>
  new Date(day * MS_PER_DAY).toISOString().slice(0, 10),
);

export function periodOf(isoDate: string): string {
  return isoDate.slice(0, 7);
}

export function addMonths(period: string, months: number): string {
  const index = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function firstDayOf(period: string): string {
  return `${period}-01`;
}

export function lastDayOf(period: string): string {
  return isoFromDay(dayNumber(firstDayOf(addMonths(period, 1))) - 1);
}

/** Day number of the last day of a period. */
export const lastDayNumberOf: (period: string) => number = memo(
  (period: string) => dayNumber(firstDayOf(addMonths(period, 1))) - 1,
);

/** The period after `period`: the engine's most frequent month step. */
export const nextPeriod: (period: string) => string = memo((period: string) => addMonths(period, 1));

/** Today's date in Asia/Ho_Chi_Minh. */
export function todayInVietnam(now: Date = new Date()): string {
  return new Date(now.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last month that has closed as of a date: for 2026-11-22 it is 2026-10. */
export function lastClosedPeriod(isoDate: string): string {
  return addMonths(periodOf(isoDate), -1);
}

/** Whole days from `fromIso` to `toIso` (positive when `toIso` is later). */
export function daysBetween(fromIso: string, toIso: string): number {
  return dayNumber(toIso) - dayNumber(fromIso);
}

/** Saturday and Sunday are not working days; neither are the given holidays. */
export function isWorkingDay(isoDate: string, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(isoDate);
}

/** The date `days` working days after `isoDate` (the same date for 0). */
export function addWorkingDays(isoDate: string, days: number, holidays: ReadonlySet<string>): string {
  let day = dayNumber(isoDate);
  for (let left = days; left > 0;) {
    day++;
    if (isWorkingDay(isoFromDay(day), holidays)) left--;
  }
  return isoFromDay(day);
}

/** Whole calendar months from `fromIso` to `toIso` (0 when `toIso` is earlier than a month after). */
export function wholeMonthsBetween(fromIso: string, toIso: string): number {
  let months = (Number(toIso.slice(0, 4)) - Number(fromIso.slice(0, 4))) * 12;
  months += Number(toIso.slice(5, 7)) - Number(fromIso.slice(5, 7));
  if (toIso.slice(8, 10) < fromIso.slice(8, 10)) months--;
  return Math.max(0, months);
}

/** The date `days` calendar days after `isoDate`. */
export function addDays(isoDate: string, days: number): string {
  return isoFromDay(dayNumber(isoDate) + days);
}
