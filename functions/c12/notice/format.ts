/**
 * Vietnamese formatting for the C12-TS notice and its emails.
 *
 * Written by hand rather than with Intl: Intl's vi-VN currency output prints "₫" and its exact spacing
 * depends on the ICU build of the Node runtime, while the notice must read the same on every machine.
 */
import type { Fund } from '../policy.ts';

/** Column order of the C12-TS table (domain.md section 3), not the allocation order of policy.ts. */
export const NOTICE_FUNDS: readonly Fund[] = ['OD_TS', 'HT_TT', 'BHYT', 'BHTN', 'TNLD_BNN'];

export const FUND_LABELS: Readonly<Record<Fund, string>> = {
  OD_TS: 'Ốm đau, thai sản',
  HT_TT: 'Hưu trí, tử tuất',
  BHYT: 'BHYT',
  BHTN: 'BHTN',
  TNLD_BNN: 'TNLĐ-BNN',
};

export function fundLabel(fund: Fund): string {
  return FUND_LABELS[fund];
}

/**
 * A whole number with dot thousands separators: 19580000 -> "19.580.000", -500000 -> "-500.000".
 * Money is integer VND: a fraction here is an engine bug, and printing it rounded on thousands of notices
 * would hide it, so it throws.
 */
export function formatNumber(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Not a whole number of VND: ${value}`);
  const digits = Math.abs(value)
    .toString()
    .replace(/\B(?=(\d{3})+$)/g, '.');
  // -0 and 0 both print "0": no "-0" on a notice.
  return value < 0 ? `-${digits}` : digits;
}

/** Money as whole VND: "19.580.000 đ", "-500.000 đ", "0 đ". */
export function formatVnd(value: number): string {
  return `${formatNumber(value)} đ`;
}

/** A signed change for the "+/-" rows: "+2", "-1", "0". */
export function formatSigned(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const ISO_DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** "2026-11" -> "11/2026". */
export function formatMonth(period: string): string {
  const match = PERIOD.exec(period);
  if (!match) throw new RangeError(`Not a month YYYY-MM: ${period}`);
  return `${match[2]}/${match[1]}`;
}

/**
 * "2026-11-30" -> "30/11/2026". Only calendar dates: a timestamp would need a time zone to pick the day,
 * and business dates in dondoc are already Vietnamese calendar dates.
 */
export function formatDate(isoDate: string): string {
  const match = ISO_DATE.exec(isoDate);
  if (!match) throw new RangeError(`Not a date YYYY-MM-DD: ${isoDate}`);
  return `${match[3]}/${match[2]}/${match[1]}`;
}

/**
 * A daily rate in pcm (per 100,000) as a Vietnamese percentage with a decimal comma: 30 -> "0,03%".
 */
export function formatRatePcm(pcm: number): string {
  if (!Number.isSafeInteger(pcm) || pcm < 0) throw new RangeError(`Not a rate in pcm: ${pcm}`);
  const whole = Math.floor(pcm / 1000);
  const fraction = (pcm % 1000).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole},${fraction}%` : `${whole}%`;
}
