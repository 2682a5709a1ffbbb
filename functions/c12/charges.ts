/**
 * Contributions due for one payroll period (domain.md section 1): per employee and fund,
 * base = min(insured wage, cap), amount = round_half_up(base x rate); the employer's charge is the sum.
 * A period uses the policy values in force on its first day.
 */
import { firstDayOf } from '../shared/calendar.ts';
import type { Payroll, StatementFlag } from './model.ts';
import {
  FUNDS,
  RATE_DENOMINATOR,
  valueAt,
  type ContributionPolicy,
  type Fund,
  type Region,
} from './policy.ts';

/** round_half_up(x / RATE_DENOMINATOR) = floor((x + HALF) / RATE_DENOMINATOR) for x >= 0. */
const HALF = RATE_DENOMINATOR / 2;

export interface EmployerTerms {
  region: Region;
  reducedAccidentRate: boolean;
}

export interface PeriodCharge {
  period: string;
  funds: Record<Fund, number>;
  total: number;
  headcount: number;
  wageFund: number;
  flags: StatementFlag[];
}

interface ResolvedRates {
  capByFund: Record<Fund, number>;
  ratePcmByFund: Record<Fund, number>;
  regionalMinimum: number;
}

export function emptyFunds(): Record<Fund, number> {
  return { BHYT: 0, BHTN: 0, TNLD_BNN: 0, OD_TS: 0, HT_TT: 0 };
}

function resolveRates(policy: ContributionPolicy, terms: EmployerTerms, period: string): ResolvedRates {
  const on = firstDayOf(period);
  const multiple = valueAt(policy.capMultiple, on, 'cap multiple');
  const referenceLevel = valueAt(policy.referenceLevel, on, 'reference level');
  const regionalMinimum = valueAt(policy.regionalMinimumWage, on, 'regional minimum wage')[terms.region];
  const rates = valueAt(policy.rates, on, 'contribution rates');
  const capByFund = emptyFunds();
  const ratePcmByFund = emptyFunds();
  for (const fund of FUNDS) {
    const rate = rates[fund];
    capByFund[fund] = multiple * (rate.cap === 'REGIONAL_MINIMUM' ? regionalMinimum : referenceLevel);
    ratePcmByFund[fund] = rate.employerPcm + rate.employeePcm;
  }
  if (terms.reducedAccidentRate) {
    ratePcmByFund.TNLD_BNN =
      valueAt(policy.reducedAccidentRatePcm, on, 'reduced accident rate') + rates.TNLD_BNN.employeePcm;
  }
  return { capByFund, ratePcmByFund, regionalMinimum };
}

/**
 * Rates depend only on (policy, region, reduced rate, period): cached per policy and terms, then by period,
 * so the lookup the engine makes for every payroll of every employer builds no key string.
 */
const rateCache = new WeakMap<ContributionPolicy, Map<Region, Map<string, ResolvedRates>>[]>();

function ratesFor(policy: ContributionPolicy, terms: EmployerTerms, period: string): ResolvedRates {
  let byReduced = rateCache.get(policy);
  if (!byReduced) rateCache.set(policy, (byReduced = [new Map(), new Map()]));
  const byRegion = byReduced[terms.reducedAccidentRate ? 1 : 0]!;
  let byPeriod = byRegion.get(terms.region);
  if (!byPeriod) byRegion.set(terms.region, (byPeriod = new Map()));
  let resolved = byPeriod.get(period);
  if (!resolved) byPeriod.set(period, (resolved = resolveRates(policy, terms, period)));
  return resolved;
}

/** A payroll as parsed, or as stored (where `bhtn` is kept only when false). */
export type PayrollInput = Pick<Payroll, 'period'> & {
  employees: readonly { id: string; insuredWage: number; bhtn?: boolean }[];
};

export function chargePayroll(
  policy: ContributionPolicy,
  terms: EmployerTerms,
  payroll: PayrollInput,
): PeriodCharge {
  const { capByFund, ratePcmByFund, regionalMinimum } = ratesFor(policy, terms, payroll.period);
  // The hot loop of a monthly run (employees x funds x 14 months per statement), unrolled over the five
  // funds with plain locals. Bases are capped, so base x rate stays far inside the exact integer range.
  const [capBhyt, capBhtn, capTnld, capOdts, capHttt] = [
    capByFund.BHYT,
    capByFund.BHTN,
    capByFund.TNLD_BNN,
    capByFund.OD_TS,
    capByFund.HT_TT,
  ];
  const [rateBhyt, rateBhtn, rateTnld, rateOdts, rateHttt] = [
    ratePcmByFund.BHYT,
    ratePcmByFund.BHTN,
    ratePcmByFund.TNLD_BNN,
    ratePcmByFund.OD_TS,
    ratePcmByFund.HT_TT,
  ];
  // Module bindings (imports, module-level consts) cost a checked load on every access: locals in the loop.
  const denominator = RATE_DENOMINATOR;
  const half = HALF;
  let bhyt = 0, bhtn = 0, tnld = 0, odts = 0, httt = 0, wageFund = 0; // prettier-ignore
  const flags: StatementFlag[] = [];
  for (const employee of payroll.employees) {
    const wage = employee.insuredWage;
    wageFund += wage;
    if (wage < regionalMinimum) {
      flags.push({ code: 'BELOW_REGIONAL_MINIMUM', period: payroll.period, employeeId: employee.id });
    }
    bhyt += Math.floor(((wage < capBhyt ? wage : capBhyt) * rateBhyt + half) / denominator);
    tnld += Math.floor(((wage < capTnld ? wage : capTnld) * rateTnld + half) / denominator);
    odts += Math.floor(((wage < capOdts ? wage : capOdts) * rateOdts + half) / denominator);
    httt += Math.floor(((wage < capHttt ? wage : capHttt) * rateHttt + half) / denominator);
    // Outside BHTN only when explicitly false: absent means the schema default, inside.
    if (employee.bhtn !== false)
      bhtn += Math.floor(((wage < capBhtn ? wage : capBhtn) * rateBhtn + half) / denominator);
  }
  const funds: Record<Fund, number> = { BHYT: bhyt, BHTN: bhtn, TNLD_BNN: tnld, OD_TS: odts, HT_TT: httt };
  const total = bhyt + bhtn + tnld + odts + httt;
  return { period: payroll.period, funds, total, headcount: payroll.employees.length, wageFund, flags };
}
