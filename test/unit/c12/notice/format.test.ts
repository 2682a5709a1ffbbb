import { describe, expect, it } from 'vitest';
import {
  FUND_LABELS,
  NOTICE_FUNDS,
  formatDate,
  formatMonth,
  formatNumber,
  formatRatePcm,
  formatSigned,
  formatVnd,
} from '../../../../functions/c12/notice/format.ts';
import { FUNDS } from '../../../../functions/c12/policy.ts';

describe('formatVnd', () => {
  it.each([
    [19_580_000, '19.580.000 đ'],
    [-500_000, '-500.000 đ'],
    [0, '0 đ'],
    [-0, '0 đ'],
    [7, '7 đ'],
    [999, '999 đ'],
    [1_000, '1.000 đ'],
    [-1_000, '-1.000 đ'],
    [52_866, '52.866 đ'],
    [100_000_000_000, '100.000.000.000 đ'],
    [Number.MAX_SAFE_INTEGER, '9.007.199.254.740.991 đ'],
  ])('%d -> %s', (value, expected) => {
    expect(formatVnd(value)).toBe(expected);
  });

  it('does not use the Intl currency sign', () => {
    expect(formatVnd(1_234)).not.toContain('₫');
  });

  it.each([0.5, 1_000.25, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'refuses %d, which is not whole VND',
    (value) => {
      expect(() => formatVnd(value)).toThrow(RangeError);
    },
  );
});

describe('formatNumber and formatSigned', () => {
  it('uses dots without a suffix', () => {
    expect(formatNumber(1_234_567)).toBe('1.234.567');
  });
  it.each([
    [2, '+2'],
    [-1, '-1'],
    [0, '0'],
    [1_500_000, '+1.500.000'],
  ])('signs %d as %s', (value, expected) => {
    expect(formatSigned(value)).toBe(expected);
  });
});

describe('formatMonth and formatDate', () => {
  it('formats months', () => {
    expect(formatMonth('2026-11')).toBe('11/2026');
    expect(formatMonth('2027-01')).toBe('01/2027');
  });
  it('formats dates', () => {
    expect(formatDate('2026-11-30')).toBe('30/11/2026');
    expect(formatDate('2026-02-01')).toBe('01/02/2026');
  });
  it.each(['2026-13', '2026-1', '11/2026', ''])('rejects the month %j', (value) => {
    expect(() => formatMonth(value)).toThrow(RangeError);
  });
  it.each(['2026-11-32', '2026-11', '2026-11-30T10:00:00Z', '30/11/2026'])('rejects the date %j', (value) => {
    expect(() => formatDate(value)).toThrow(RangeError);
  });
});

describe('rates and fund labels', () => {
  it.each([
    [30, '0,03%'],
    [22_000, '22%'],
    [500, '0,5%'],
    [1_500, '1,5%'],
    [0, '0%'],
  ])('%d pcm -> %s', (pcm, expected) => {
    expect(formatRatePcm(pcm)).toBe(expected);
  });

  it('labels every fund in Vietnamese, in the C12-TS column order', () => {
    expect(FUND_LABELS).toEqual({
      OD_TS: 'Ốm đau, thai sản',
      HT_TT: 'Hưu trí, tử tuất',
      BHYT: 'BHYT',
      BHTN: 'BHTN',
      TNLD_BNN: 'TNLĐ-BNN',
    });
    expect([...NOTICE_FUNDS].sort()).toEqual([...FUNDS].sort());
    expect(NOTICE_FUNDS[0]).toBe('OD_TS');
  });
});
