/**
 * The statement request (an employer and its ledger) and the C12-TS statement the engine produces.
 * The zod schemas are the single validation point for the CLI, the workflow handlers and the seeds:
 * a malformed ledger row fails here with the path of the offending field.
 */
import { z } from 'zod';
import { monthSchema } from '../shared/schemas.ts';
import { DEFAULT_POLICY, FUNDS, policyCoverageStart, REGIONS, type Fund } from './policy.ts';

const isoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
/** The first day the default policy covers (2024-07-01). */
const COVERED_FROM = policyCoverageStart(DEFAULT_POLICY);
const period = monthSchema;
/**
 * No ledger row comes near a trillion VND (the largest employers' monthly charges are tens of billions):
 * the bound keeps every sum and interest base of the engine exact, and a typo is named by its field.
 */
export const MAX_ROW_VND = 1_000_000_000_000;
/** The bound as the messages say it (the CLI's and the quarantine reasons). */
export const MAX_ROW_WORDS = '1.000.000.000.000 VND';
const vnd = z
  .number({ error: 'must be a number of VND' })
  .int('must be whole VND')
  .min(-MAX_ROW_VND, `must not be below -${MAX_ROW_WORDS}`)
  .max(MAX_ROW_VND, `must not exceed ${MAX_ROW_WORDS}`);
const positiveVnd = vnd.positive('must be positive');
const nonNegativeVnd = vnd.nonnegative('must not be negative');

export const fundSchema = z.enum(FUNDS, { error: `must be one of ${FUNDS.join(', ')}` });

const regionSchema = z.enum(REGIONS, { error: `must be one of ${REGIONS.join(', ')}` });

/**
 * The employer's regions before its current one, each up to a month (inclusive), oldest first: a period
 * is charged with the region it was in (a commune re-classed, the employer moved), so last month's
 * closing balance stays this month's opening one.
 */
export const earlierRegionsSchema = z
  .array(z.object({ to: monthSchema, region: regionSchema }))
  .superRefine((entries, context) => {
    entries.forEach((entry, index) => {
      if (index > 0 && entry.to <= entries[index - 1]!.to)
        context.addIssue({
          code: 'custom',
          path: [index, 'to'],
          message: 'must be after the previous entry',
        });
    });
  })
  .default([]);

export const employerSchema = z.object({
  id: z.string().min(1, 'must not be empty'),
  name: z.string().min(1, 'must not be empty'),
  /** The region in force now (and for every period after the last of `earlierRegions`). */
  region: regionSchema,
  earlierRegions: earlierRegionsSchema,
  reducedAccidentRate: z.boolean().default(false),
});

export const employeeSchema = z.object({
  id: z.string().min(1, 'must not be empty'),
  insuredWage: nonNegativeVnd,
  bhtn: z.boolean().default(true),
});

export const payrollSchema = z.object({
  period,
  employees: z.array(employeeSchema),
});

export const paymentSchema = z.object({
  date: isoDate,
  amount: positiveVnd,
  ref: z.string().default(''),
});

export const adjustmentSchema = z.object({
  date: isoDate,
  period,
  fund: fundSchema,
  amount: vnd.refine((value) => value !== 0, 'must not be zero'),
  dueDate: isoDate.optional(),
});

/**
 * A legal suspension of the pension fund (HT_TT), months inclusive. One longer than the law allows is not
 * refused (a stored ledger would lose its notice over it): the engine applies the policy's maximum and
 * flags the statement.
 */
export const pensionSuspensionSchema = z
  .object({ from: period, to: period })
  .refine((value) => value.from <= value.to, { message: 'from must not be after to', path: ['to'] });

export const statementRequestSchema = z
  .object({
    employer: employerSchema,
    period,
    payroll: z.array(payrollSchema).superRefine((payroll, context) => {
      const seen = new Set<string>();
      payroll.forEach((entry, index) => {
        if (seen.has(entry.period)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'period'],
            message: `duplicate period ${entry.period}`,
          });
        }
        seen.add(entry.period);
      });
    }),
    payments: z.array(paymentSchema).default([]),
    adjustments: z.array(adjustmentSchema).default([]),
    pensionSuspensions: z.array(pensionSuspensionSchema).default([]),
  })
  .superRefine((request, context) => {
    // Rates, caps and interest are known from COVERED_FROM on: an earlier date (or a year typed 0026) is an
    // input error naming its field, not a gap found half-way through the computation.
    // A month (YYYY-MM) against the first covered month, a date against the first covered day.
    const early = (value: string, path: (string | number)[]) => {
      const first = COVERED_FROM.slice(0, value.length);
      if (value < first)
        context.addIssue({
          code: 'custom',
          path,
          message: `must not be before ${first} (the earliest rates dondoc holds)`,
        });
    };
    early(request.period, ['period']);
    request.payroll.forEach((entry, i) => early(entry.period, ['payroll', i, 'period']));
    request.payments.forEach((payment, i) => early(payment.date, ['payments', i, 'date']));
    request.adjustments.forEach((adjustment, i) => {
      early(adjustment.date, ['adjustments', i, 'date']);
      early(adjustment.period, ['adjustments', i, 'period']);
      // A due date before the posting is allowed: the charge is late from its posting.
      if (adjustment.dueDate !== undefined) early(adjustment.dueDate, ['adjustments', i, 'dueDate']);
    });
  });

/** "payroll[2].employees[0].insuredWage: must not be negative" for each problem, one per line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((key, index) =>
          typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`,
        )
        .join('');
      return `${path || '(request)'}: ${issue.message}`;
    })
    .join('\n');
}

export type StatementRequest = z.output<typeof statementRequestSchema>;
export type StatementRequestInput = z.input<typeof statementRequestSchema>;
export type Payroll = z.output<typeof payrollSchema>;
export type Payment = z.output<typeof paymentSchema>;
export type Adjustment = z.output<typeof adjustmentSchema>;
export type PensionSuspension = z.output<typeof pensionSuspensionSchema>;

export interface Balance {
  /** Unpaid principal (charges and adjustments). */
  owed: number;
  /** Unpaid posted late-payment interest. */
  interestOwed: number;
}

export interface FundLine {
  broughtForward: Balance;
  /** Payroll charge of the statement period (posted on its last day). */
  charged: number;
  /** Adjustments to earlier periods posted in the statement month (negative = refund). */
  adjusted: number;
  /** Late-payment interest of the statement month. */
  interest: number;
  /** Sum over the days of the month of the overdue principal (VND x days): the interest base. */
  interestBase: number;
  /** Money applied to principal in the month, from payments or credit. */
  paidPrincipal: number;
  /** Money applied to interest in the month, from payments or credit. */
  paidInterest: number;
  carriedForward: Balance;
  /** Latest period whose principal in this fund is fully paid (YYYY-MM), or null. */
  paidUpTo: string | null;
}

export type TotalLine = Omit<FundLine, 'paidUpTo'>;

export type StatementFlagCode =
  | 'BELOW_REGIONAL_MINIMUM'
  | 'IN_ARREARS'
  | 'PENSION_SUSPENDED'
  /** A suspension recorded longer than the law allows: applied up to the maximum (policy). */
  | 'PENSION_SUSPENSION_CAPPED'
  | 'NO_PAYROLL';

export interface StatementFlag {
  code: StatementFlagCode;
  period?: string;
  employeeId?: string;
  fund?: Fund;
  /** How many more employees have this flag than are listed (per-employee flags are capped). */
  more?: number;
}

export interface Statement {
  employerId: string;
  period: string;
  policyVersion: string;
  /** Daily late-payment interest rate per fund (pcm) in force on the month's last day, shown on the notice. */
  dailyInterestPcm: Record<Fund, number>;
  funds: Record<Fund, FundLine>;
  total: TotalLine;
  credit: { broughtForward: number; carriedForward: number };
  headcount: number;
  previousHeadcount: number;
  wageFund: number;
  previousWageFund: number;
  /** Payments received in the statement month (section C). */
  payments: Payment[];
  /**
   * Principal still unpaid at the end of its deadline day, that deadline being in or before the statement
   * month: late from the next day on (chậm đóng). This is what opens a debt case.
   */
  overduePrincipal: number;
  /** Interest posted before this month's end (at an earlier month-end) and still unpaid. */
  overdueInterest: number;
  /**
   * What days late count from: the deadline of the oldest overdue principal; when only posted interest is
   * overdue, the oldest interest's deadline (the month end after its posting); null when nothing is overdue.
   */
  oldestOverdueDueDate: string | null;
  /** Everything the employer owes (owed + interest owed - credit, never negative), late or not. */
  amountDue: number;
  /**
   * Principal not yet late whose deadline is not `payBy` (a suspended pension fund's make-up, an adjustment
   * with a due date of its own), per fund, deadline and reason: part of `amountDue`, due on its own date.
   * Absent on statements stored before it existed.
   */
  dueLater?: {
    fund: Fund;
    amount: number;
    dueDate: string;
    reason: 'SUSPENSION_MAKE_UP' | 'OWN_DUE_DATE';
  }[];
  /** The deadline of this period's charge: the last day of the following month. */
  payBy: string;
  flags: StatementFlag[];
}
