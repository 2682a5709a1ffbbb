/**
 * Contribution policy as effective-dated data (domain.md sections 1-2).
 *
 * Rates are integers in "per 100,000" (pcm) so every money calculation stays in integer arithmetic:
 * 22% = 22_000 pcm, 0.03% = 30 pcm. An administrator extends a series by appending an entry with a later
 * `from`; nothing in the engine hard-codes a figure.
 */
export const FUNDS = ['BHYT', 'BHTN', 'TNLD_BNN', 'OD_TS', 'HT_TT'] as const;
export type Fund = (typeof FUNDS)[number];

export const REGIONS = ['I', 'II', 'III', 'IV'] as const;
export type Region = (typeof REGIONS)[number];

export const RATE_DENOMINATOR = 100_000;

/** A value in force from `from` (ISO date, inclusive) until the next entry's `from`. */
export interface Effective<T> {
  from: string;
  value: T;
}

export interface FundRate {
  employerPcm: number;
  employeePcm: number;
  /** Which cap applies to the insured wage: 20 x reference level or 20 x regional minimum wage. */
  cap: 'REFERENCE_LEVEL' | 'REGIONAL_MINIMUM';
}

export type AllocationStep = 'OVERDUE_PRINCIPAL' | 'POSTED_INTEREST' | 'PRINCIPAL_NOT_YET_DUE';

export interface AllocationPolicy {
  steps: AllocationStep[];
  /** Within one period, funds are paid in this order. */
  fundOrder: Fund[];
  /**
   * How principal not yet due is ordered. OLDEST_PERIOD is domain.md's wording; SOONEST_DEADLINE (then oldest
   * period) is the same order except where a deadline moved: it keeps a legally suspended pension fund's
   * make-up from taking the money of the funds due before it, so that employer is not put in arrears.
   */
  notYetDueOrder: 'SOONEST_DEADLINE' | 'OLDEST_PERIOD';
}

export interface ContributionPolicy {
  version: string;
  referenceLevel: Effective<number>[];
  regionalMinimumWage: Effective<Record<Region, number>>[];
  /** Multiple of the reference level / regional minimum that caps the insured wage. */
  capMultiple: Effective<number>[];
  rates: Effective<Record<Fund, FundRate>>[];
  /** TNLD_BNN employer rate for employers approved for the reduced rate. */
  reducedAccidentRatePcm: Effective<number>[];
  /** Late-payment interest per day, per fund. */
  dailyInterestPcm: Effective<Record<Fund, number>>[];
  allocation: Effective<AllocationPolicy>[];
  /**
   * The longest a legal pension-fund (HT_TT) suspension runs, in months, by the month it starts: a
   * longer span recorded is applied up to this and flagged (the employer must resume after it).
   */
  pensionSuspensionMaxMonths: Effective<number>[];
}

const STANDARD_RATES: Record<Fund, FundRate> = {
  OD_TS: { employerPcm: 3_000, employeePcm: 0, cap: 'REFERENCE_LEVEL' },
  HT_TT: { employerPcm: 14_000, employeePcm: 8_000, cap: 'REFERENCE_LEVEL' },
  TNLD_BNN: { employerPcm: 500, employeePcm: 0, cap: 'REFERENCE_LEVEL' },
  BHYT: { employerPcm: 3_000, employeePcm: 1_500, cap: 'REFERENCE_LEVEL' },
  BHTN: { employerPcm: 1_000, employeePcm: 1_000, cap: 'REGIONAL_MINIMUM' },
};

/** Law 41/2024, Decree 58/2020, BHYT and Employment laws; Decree 274/2025 for interest. */
export const DEFAULT_POLICY: ContributionPolicy = {
  version: '2026-07-01',
  referenceLevel: [
    { from: '2024-07-01', value: 2_340_000 },
    { from: '2026-07-01', value: 2_530_000 },
  ],
  regionalMinimumWage: [
    { from: '2024-07-01', value: { I: 4_960_000, II: 4_410_000, III: 3_860_000, IV: 3_450_000 } },
    { from: '2026-01-01', value: { I: 5_310_000, II: 4_730_000, III: 4_140_000, IV: 3_700_000 } },
  ],
  capMultiple: [{ from: '2016-01-01', value: 20 }],
  rates: [{ from: '2016-01-01', value: STANDARD_RATES }],
  reducedAccidentRatePcm: [{ from: '2016-01-01', value: 300 }],
  dailyInterestPcm: [
    { from: '2016-01-01', value: { BHYT: 30, BHTN: 30, TNLD_BNN: 30, OD_TS: 30, HT_TT: 30 } },
  ],
  allocation: [
    {
      from: '2016-01-01',
      value: {
        steps: ['OVERDUE_PRINCIPAL', 'POSTED_INTEREST', 'PRINCIPAL_NOT_YET_DUE'],
        fundOrder: ['BHYT', 'BHTN', 'TNLD_BNN', 'OD_TS', 'HT_TT'],
        notYetDueOrder: 'SOONEST_DEADLINE',
      },
    },
  ],
  pensionSuspensionMaxMonths: [{ from: '2016-01-01', value: 12 }],
};

export class PolicyGapError extends Error {
  override name = 'PolicyGapError';
}

/** The first day every series of the policy has a value in force: the engine knows nothing earlier. */
export function policyCoverageStart(policy: ContributionPolicy): string {
  const series = [
    policy.referenceLevel,
    policy.regionalMinimumWage,
    policy.capMultiple,
    policy.rates,
    policy.reducedAccidentRatePcm,
    policy.dailyInterestPcm,
    policy.allocation,
  ];
  return series.map((values) => values[0]!.from).reduce((a, b) => (a > b ? a : b));
}

/** The value in force on `isoDate` (series sorted by `from`). */
export function valueAt<T>(series: readonly Effective<T>[], isoDate: string, what = 'policy value'): T {
  let found: T | undefined;
  for (const entry of series) {
    if (entry.from <= isoDate) found = entry.value;
    else break;
  }
  if (found === undefined) throw new PolicyGapError(`No ${what} in force on ${isoDate}`);
  return found;
}

/** Every date at which some series changes value; used to split interest intervals. */
export function changeDates<T>(series: readonly Effective<T>[]): string[] {
  return series.map((entry) => entry.from);
}
