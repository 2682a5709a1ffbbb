/**
 * Vietnam's public holidays (Labour Code 2019 Art. 112): the days off of the office besides Saturdays and
 * Sundays, for every working-day deadline (approvals, agency decisions).
 *
 * Calendar facts, not ladder policy: every case uses this list whatever policy version it keeps, so a year
 * added here reaches the cases already open (a policy version may add local days off of its own).
 * Art. 112 fixes New Year, Hùng Kings' day (10/3 lunar), 30/4, 1/5 and 2/9 with one day beside it; a
 * holiday on a weekend gives a day off on the next working day. The government sets the five days of Tết
 * and the day beside 2/9 each year: where its notice is not out yet the days are provisional (the likely
 * pattern), to be replaced when it is.
 */
export interface PublicHoliday {
  date: string;
  name: string;
  /** Set by the government's yearly notice, not yet published when this list was made. */
  provisional?: true;
}

export const VIETNAM_PUBLIC_HOLIDAYS: readonly PublicHoliday[] = [
  { date: '2026-01-01', name: 'Tết Dương lịch' },
  // Tết Bính Ngọ: 14/2 (27 tháng Chạp) to 22/2/2026 (mùng 6), nine days with the weekends.
  ...['14', '15', '16', '17', '18', '19', '20', '21', '22'].map((day) => ({
    date: `2026-02-${day}`,
    name: 'Tết Nguyên đán',
  })),
  { date: '2026-04-27', name: 'Giỗ Tổ Hùng Vương (26/4, Chủ nhật: nghỉ bù)' },
  { date: '2026-04-30', name: 'Ngày Chiến thắng' },
  { date: '2026-05-01', name: 'Quốc tế Lao động' },
  { date: '2026-09-01', name: 'Quốc khánh (ngày liền kề)' },
  { date: '2026-09-02', name: 'Quốc khánh' },
  { date: '2027-01-01', name: 'Tết Dương lịch' },
  // Tết Đinh Mùi: mùng 1 is Saturday 6/2/2027. Five days, those on the weekend given back after.
  ...['05', '08', '09', '10', '11'].map((day) => ({
    date: `2027-02-${day}`,
    name: 'Tết Nguyên đán',
    provisional: true as const,
  })),
  { date: '2027-04-16', name: 'Giỗ Tổ Hùng Vương' },
  { date: '2027-04-30', name: 'Ngày Chiến thắng' },
  { date: '2027-05-03', name: 'Quốc tế Lao động (1/5, thứ Bảy: nghỉ bù)' },
  { date: '2027-09-02', name: 'Quốc khánh' },
  { date: '2027-09-03', name: 'Quốc khánh (ngày liền kề)', provisional: true },
];

const HOLIDAY_DATES: ReadonlySet<string> = new Set(VIETNAM_PUBLIC_HOLIDAYS.map((holiday) => holiday.date));

/** The holiday dates, with a policy version's own days off added (a new set only when it has some). */
export function nonWorkingDays(extra: readonly string[] = []): ReadonlySet<string> {
  return extra.length ? new Set([...HOLIDAY_DATES, ...extra]) : HOLIDAY_DATES;
}
