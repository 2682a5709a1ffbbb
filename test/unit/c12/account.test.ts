import { describe, expect, it } from 'vitest';
import { computeStatement, debtAsOf } from '../../../functions/c12/account.ts';
import { chargePayroll } from '../../../functions/c12/charges.ts';
import { noticeFootnotes } from '../../../functions/c12/notice/pdf.ts';
import { noticeInput } from './notice/fixtures.ts';
import { statementRequestSchema, type StatementRequestInput } from '../../../functions/c12/model.ts';
import { DEFAULT_POLICY, FUNDS, type ContributionPolicy } from '../../../functions/c12/policy.ts';
import { addMonths } from '../../../functions/shared/calendar.ts';

const EMPLOYER = { id: 'TS0001A', name: 'Công ty TNHH Thử Nghiệm', region: 'I' as const };
const WORKED_EMPLOYEES = [
  { id: 'NV01', insuredWage: 10_000_000 },
  { id: 'NV02', insuredWage: 60_000_000 },
];

function request(input: Partial<StatementRequestInput> & Pick<StatementRequestInput, 'period'>) {
  return statementRequestSchema.parse({ employer: EMPLOYER, payroll: [], ...input });
}

function months(from: string, to: string): string[] {
  const result: string[] = [];
  for (let period = from; period <= to; period = addMonths(period, 1)) result.push(period);
  return result;
}

/** domain.md section 2, worked example: region I, August-November 2026. */
const worked = (period: string) =>
  request({
    period,
    payroll: months('2026-08', '2026-11').map((p) => ({ period: p, employees: WORKED_EMPLOYEES })),
    payments: [
      { date: '2026-09-20', amount: 19_580_000, ref: 'UNC-001' },
      { date: '2026-11-10', amount: 19_580_000, ref: 'UNC-002' },
      { date: '2026-11-25', amount: 19_580_000, ref: 'UNC-003' },
    ],
  });

describe('worked example (domain.md section 2)', () => {
  it('charges 19,580,000 a month, per fund as the table says', () => {
    const november = computeStatement(worked('2026-11'));
    expect(november.funds.OD_TS.charged).toBe(1_818_000);
    expect(november.funds.HT_TT.charged).toBe(13_332_000);
    expect(november.funds.TNLD_BNN.charged).toBe(303_000);
    expect(november.funds.BHYT.charged).toBe(2_727_000);
    expect(november.funds.BHTN.charged).toBe(1_400_000);
    expect(november.total.charged).toBe(19_580_000);
    expect(november.headcount).toBe(2);
    expect(november.wageFund).toBe(70_000_000);
  });

  it('October: no interest, closes owing September and October', () => {
    const october = computeStatement(worked('2026-10'));
    expect(october.total.interest).toBe(0);
    expect(october.total.carriedForward).toEqual({ owed: 39_160_000, interestOwed: 0 });
    expect(october.total.paidPrincipal).toBe(0);
    // September's deadline (10-31) has passed unpaid by the month's end: late from 11-01, so in arrears.
    expect(october.overduePrincipal).toBe(19_580_000);
    expect(october.oldestOverdueDueDate).toBe('2026-10-31');
    expect(october.flags.map((flag) => flag.code)).toContain('IN_ARREARS');
    expect(october.funds.BHYT.paidUpTo).toBe('2026-08');
  });

  it('November: 9 days of interest on September, per fund, and the closing balance', () => {
    const november = computeStatement(worked('2026-11'));
    expect(november.funds.OD_TS.interest).toBe(4_909);
    expect(november.funds.HT_TT.interest).toBe(35_996);
    expect(november.funds.TNLD_BNN.interest).toBe(818);
    expect(november.funds.BHYT.interest).toBe(7_363);
    expect(november.funds.BHTN.interest).toBe(3_780);
    expect(november.total.interest).toBe(52_866);
    expect(november.total.interestBase).toBe(19_580_000 * 9);
    expect(november.total.broughtForward).toEqual({ owed: 39_160_000, interestOwed: 0 });
    expect(november.total.paidPrincipal).toBe(39_160_000);
    expect(november.total.paidInterest).toBe(0);
    expect(november.total.carriedForward).toEqual({ owed: 19_580_000, interestOwed: 52_866 });
    expect(november.amountDue).toBe(19_580_000 + 52_866);
    expect(november.payBy).toBe('2026-12-31');
    expect(november.payments.map((payment) => payment.ref)).toEqual(['UNC-002', 'UNC-003']);
    for (const fund of FUNDS) expect(november.funds[fund].paidUpTo).toBe('2026-10');
  });

  it('every fund reconciles: carried = brought + charged + adjusted + interest - paid', () => {
    const november = computeStatement(worked('2026-11'));
    for (const fund of FUNDS) {
      const line = november.funds[fund];
      expect(line.carriedForward.owed).toBe(
        line.broughtForward.owed + line.charged + line.adjusted - line.paidPrincipal,
      );
      expect(line.carriedForward.interestOwed).toBe(
        line.broughtForward.interestOwed + line.interest - line.paidInterest,
      );
    }
  });
});

describe('charges', () => {
  const oneEmployee = (period: string, insuredWage: number, extra: object = {}) =>
    computeStatement(
      request({ period, payroll: [{ period, employees: [{ id: 'NV01', insuredWage, ...extra }] }] }),
    );

  it('caps at 20 x 2,340,000 before 2026-07-01 and 20 x 2,530,000 from it', () => {
    expect(oneEmployee('2026-06', 60_000_000).funds.HT_TT.charged).toBe(10_296_000); // 46.8M x 22%
    expect(oneEmployee('2026-07', 60_000_000).funds.HT_TT.charged).toBe(11_132_000); // 50.6M x 22%
  });

  it('caps BHTN at 20 x the regional minimum wage in force on the first day of the period', () => {
    const wage = 200_000_000;
    const byRegion = (region: 'I' | 'II' | 'III' | 'IV', period: string) =>
      computeStatement(
        statementRequestSchema.parse({
          employer: { ...EMPLOYER, region },
          period,
          payroll: [{ period, employees: [{ id: 'NV01', insuredWage: wage }] }],
        }),
      ).funds.BHTN.charged;
    expect(byRegion('I', '2025-12')).toBe(1_984_000); // 20 x 4,960,000 x 2%
    expect(byRegion('I', '2026-01')).toBe(2_124_000); // 20 x 5,310,000 x 2%
    expect(byRegion('II', '2026-01')).toBe(1_892_000);
    expect(byRegion('III', '2026-01')).toBe(1_656_000);
    expect(byRegion('IV', '2026-01')).toBe(1_480_000);
  });

  it('uses the reduced accident rate for approved employers', () => {
    const reduced = computeStatement(
      statementRequestSchema.parse({
        employer: { ...EMPLOYER, reducedAccidentRate: true },
        period: '2026-11',
        payroll: [{ period: '2026-11', employees: [{ id: 'NV01', insuredWage: 10_000_000 }] }],
      }),
    );
    expect(reduced.funds.TNLD_BNN.charged).toBe(30_000);
    expect(oneEmployee('2026-11', 10_000_000).funds.TNLD_BNN.charged).toBe(50_000);
  });

  it('charges no BHTN for employees outside it', () => {
    const foreign = oneEmployee('2026-11', 10_000_000, { bhtn: false });
    expect(foreign.funds.BHTN.charged).toBe(0);
    expect(foreign.total.charged).toBe(3_000_000);
  });

  it('counts a stored employee without a bhtn field inside BHTN, as the schema defaults it', () => {
    const stored = chargePayroll(
      DEFAULT_POLICY,
      { region: 'I', reducedAccidentRate: false },
      {
        period: '2026-11',
        employees: [
          { id: 'NV01', insuredWage: 10_000_000 },
          { id: 'NV02', insuredWage: 10_000_000, bhtn: false },
        ],
      },
    );
    expect(stored.funds.BHTN).toBe(200_000);
  });

  it('lists at most 20 employees below the regional minimum and counts the rest', () => {
    const employees = Array.from({ length: 50 }, (_, i) => ({ id: `NV${i}`, insuredWage: 4_000_000 }));
    const statement = computeStatement(
      request({ period: '2026-11', payroll: [{ period: '2026-11', employees }] }),
    );
    const below = statement.flags.filter((flag) => flag.code === 'BELOW_REGIONAL_MINIMUM');
    expect(below.filter((flag) => flag.employeeId)).toHaveLength(20);
    expect(below.find((flag) => flag.more)).toEqual({
      code: 'BELOW_REGIONAL_MINIMUM',
      period: '2026-11',
      more: 30,
    });
    // The notice tells the employer how many, all of them.
    expect(noticeFootnotes(noticeInput(statement)).join('\n')).toContain('Có 50 lao động');
  });

  it('rounds half up per employee and fund', () => {
    // 1,234,567 x 4.5% = 55,555.515 -> 55,556; x 0.5% = 6,172.835 -> 6,173
    const odd = oneEmployee('2026-11', 1_234_567);
    expect(odd.funds.BHYT.charged).toBe(55_556);
    expect(odd.funds.TNLD_BNN.charged).toBe(6_173);
  });

  it('flags a wage below the regional minimum and still charges it', () => {
    const low = oneEmployee('2026-11', 4_000_000);
    expect(low.flags).toContainEqual({
      code: 'BELOW_REGIONAL_MINIMUM',
      period: '2026-11',
      employeeId: 'NV01',
    });
    expect(low.funds.HT_TT.charged).toBe(880_000);
  });

  it('judges a wage by the minimum of the employer’s own region', () => {
    // 4,500,000 in 2026: below region I (5,310,000) and II (4,730,000), not III (4,140,000) or IV (3,700,000).
    const flagged = (region: 'I' | 'II' | 'III' | 'IV') =>
      computeStatement(
        request({
          employer: { ...EMPLOYER, region },
          period: '2026-11',
          payroll: [{ period: '2026-11', employees: [{ id: 'NV01', insuredWage: 4_500_000 }] }],
        }),
      ).flags.some((flag) => flag.code === 'BELOW_REGIONAL_MINIMUM');
    expect((['I', 'II', 'III', 'IV'] as const).map(flagged)).toEqual([true, true, false, false]);
  });
});

describe('payments and interest', () => {
  const september = { period: '2026-09', employees: WORKED_EMPLOYEES };

  it('a payment on the deadline day is on time: no interest', () => {
    const onDeadline = computeStatement(
      request({
        period: '2026-10',
        payroll: [september],
        payments: [{ date: '2026-10-31', amount: 19_580_000 }],
      }),
    );
    expect(onDeadline.total.interest).toBe(0);
    expect(onDeadline.total.carriedForward.owed).toBe(0);
    const dayAfter = computeStatement(
      request({
        period: '2026-11',
        payroll: [september],
        payments: [{ date: '2026-11-01', amount: 19_580_000 }],
      }),
    );
    // Overdue from 11-01, paid on 11-01: no day of interest accrues.
    expect(dayAfter.total.interest).toBe(0);
    const twoDaysLate = computeStatement(
      request({
        period: '2026-11',
        payroll: [september],
        payments: [{ date: '2026-11-02', amount: 19_580_000 }],
      }),
    );
    expect(twoDaysLate.total.interestBase).toBe(19_580_000);
  });

  it('a partial payment pays funds in policy order and interest runs on the rest', () => {
    const partial = computeStatement(
      request({
        period: '2026-11',
        payroll: [september],
        payments: [{ date: '2026-11-01', amount: 5_000_000 }],
      }),
    );
    // BHYT 2,727,000 then BHTN 1,400,000 then TNLD 303,000 then OD_TS 570,000 of 1,818,000.
    expect(partial.funds.BHYT.paidPrincipal).toBe(2_727_000);
    expect(partial.funds.BHTN.paidPrincipal).toBe(1_400_000);
    expect(partial.funds.TNLD_BNN.paidPrincipal).toBe(303_000);
    expect(partial.funds.OD_TS.paidPrincipal).toBe(570_000);
    expect(partial.funds.HT_TT.paidPrincipal).toBe(0);
    expect(partial.funds.OD_TS.carriedForward.owed).toBe(1_248_000);
    // The unpaid rest is late every day of November, 11-01 included: 1,248,000 x 30 x 0.03% = 11,232.
    expect(partial.funds.OD_TS.interest).toBe(11_232);
    // HT_TT: 13,332,000 x 30 x 0.03% = 119,988
    expect(partial.funds.HT_TT.interest).toBe(119_988);
    expect(partial.overduePrincipal).toBe(14_580_000);
    expect(partial.oldestOverdueDueDate).toBe('2026-10-31');
    expect(partial.flags.map((flag) => flag.code)).toContain('IN_ARREARS');
    expect(partial.funds.HT_TT.paidUpTo).toBeNull();
    expect(partial.funds.BHYT.paidUpTo).toBe('2026-11');
  });

  it('interest accrues across month ends: each month posts its own days', () => {
    const accrual = (period: string) =>
      computeStatement(
        request({ period, payroll: [september], payments: [{ date: '2026-12-06', amount: 30_000_000 }] }),
      );
    const november = accrual('2026-11');
    const december = accrual('2026-12');
    expect(november.total.interestBase).toBe(19_580_000 * 30);
    expect(november.funds.HT_TT.interest).toBe(119_988); // 13,332,000 x 30 x 0.03%
    // December: overdue 12-01..12-05 (5 days) before the payment of 12-06.
    expect(december.total.interestBase).toBe(19_580_000 * 5);
    expect(december.funds.HT_TT.interest).toBe(19_998); // 13,332,000 x 5 x 0.03% = 19,998
    // The December payment pays the principal, then November's posted interest; the rest is credit.
    expect(december.total.broughtForward.interestOwed).toBe(november.total.interest);
    expect(december.total.paidPrincipal).toBe(19_580_000);
    expect(december.total.paidInterest).toBe(november.total.interest + december.total.interest);
    expect(december.total.carriedForward.interestOwed).toBe(0);
    expect(december.credit.carriedForward).toBe(
      30_000_000 - 19_580_000 - november.total.interest - december.total.interest,
    );
  });

  it('an overpayment becomes credit that pays charges as they are posted', () => {
    const overpaid = computeStatement(
      request({
        period: '2026-10',
        payroll: [september, { period: '2026-10', employees: WORKED_EMPLOYEES }],
        payments: [{ date: '2026-09-15', amount: 50_000_000 }],
      }),
    );
    expect(overpaid.credit.broughtForward).toBe(50_000_000 - 19_580_000);
    expect(overpaid.total.paidPrincipal).toBe(19_580_000); // October's charge, paid from credit on 10-31
    expect(overpaid.credit.carriedForward).toBe(50_000_000 - 2 * 19_580_000);
    expect(overpaid.total.carriedForward.owed).toBe(0);
    expect(overpaid.amountDue).toBe(0);
  });

  it('pays overdue principal before posted interest before principal not yet due', () => {
    const statement = computeStatement(
      request({
        period: '2026-12',
        payroll: [september, { period: '2026-10', employees: WORKED_EMPLOYEES }],
        payments: [
          { date: '2026-11-11', amount: 19_580_000 }, // September, 10 days late (11-01..11-10)
          { date: '2026-12-05', amount: 19_580_000 + 10_000 }, // October (overdue), then 10,000 of interest
        ],
      }),
    );
    // November interest: September 10 days, October (due 11-30) none; December: October 12-01..12-04 = 4 days.
    expect(statement.total.broughtForward.interestOwed).toBe(58_740); // 19,580,000 x 10 x 0.03%
    expect(statement.total.paidInterest).toBe(10_000);
    expect(statement.funds.BHYT.paidInterest).toBe(8_181); // BHYT's 8,181 first, then BHTN
    expect(statement.funds.BHTN.paidInterest).toBe(1_819);
  });

  it('pays posted interest before principal not yet due, and the interest in the policy fund order', () => {
    const ledger = {
      // September paid 10 days late (58,740 of interest posted 11-30); November's charge due 12-31.
      payroll: [september, { period: '2026-11', employees: WORKED_EMPLOYEES }],
      payments: [
        { date: '2026-11-11', amount: 19_580_000 },
        { date: '2026-12-05', amount: 58_740 + 1_000_000 },
      ],
    };
    const december = computeStatement(request({ period: '2026-12', ...ledger }));
    expect(december.total.paidInterest).toBe(58_740);
    expect(december.total.paidPrincipal).toBe(1_000_000);
    expect(december.funds.BHYT.paidPrincipal).toBe(1_000_000);

    const pensionFirst: ContributionPolicy = {
      ...DEFAULT_POLICY,
      version: 'pension-first',
      allocation: [
        {
          from: '2016-01-01',
          value: {
            ...DEFAULT_POLICY.allocation[0]!.value,
            fundOrder: ['HT_TT', 'OD_TS', 'TNLD_BNN', 'BHTN', 'BHYT'],
          },
        },
      ],
    };
    const reordered = computeStatement(
      request({
        period: '2026-12',
        payroll: [september],
        payments: [ledger.payments[0]!, { date: '2026-12-05', amount: 10_000 }],
      }),
      pensionFirst,
    );
    // HT_TT's interest is 13,332,000 x 10 x 0.03% = 39,996: all of the 10,000 goes to it.
    expect(reordered.funds.HT_TT.paidInterest).toBe(10_000);
    expect(reordered.funds.BHYT.paidInterest).toBe(0);
    // So does a credit when the interest is posted (11-30): 10,000 overpaid on 11-11.
    const fromCredit = computeStatement(
      request({
        period: '2026-11',
        payroll: [september],
        payments: [{ date: '2026-11-11', amount: 19_580_000 + 10_000 }],
      }),
      pensionFirst,
    );
    expect(fromCredit.funds.HT_TT.paidInterest).toBe(10_000);
    expect(fromCredit.funds.BHYT.paidInterest).toBe(0);
  });
});

describe('adjustments and suspensions', () => {
  it('within one period, funds are paid in policy order before charges are split from adjustments', () => {
    const statement = computeStatement(
      request({
        period: '2026-11',
        payroll: [{ period: '2026-09', employees: WORKED_EMPLOYEES }],
        adjustments: [
          { date: '2026-10-05', period: '2026-09', fund: 'BHYT', amount: 1_000_000, dueDate: '2026-10-31' },
        ],
        payments: [{ date: '2026-11-05', amount: 19_580_000 }],
      }),
    );
    // September owes 19,580,000 + 1,000,000 (BHYT); the payment pays BHYT (charge and adjustment) first,
    // so what is left unpaid is the end of HT_TT, the last fund in the order.
    expect(statement.funds.BHYT.carriedForward.owed).toBe(0);
    expect(statement.funds.BHYT.paidUpTo).toBe('2026-11');
    expect(statement.funds.HT_TT.carriedForward.owed).toBe(1_000_000);
    expect(statement.funds.HT_TT.paidUpTo).toBeNull();
  });

  const november = { period: '2026-11', employees: WORKED_EMPLOYEES };

  it('an adjustment is posted on its date and due on its own due date', () => {
    const adjusted = (period: string) =>
      computeStatement(
        request({
          period,
          payroll: [november],
          adjustments: [
            { date: '2026-10-15', period: '2026-06', fund: 'HT_TT', amount: 500_000, dueDate: '2026-11-30' },
          ],
        }),
      );
    const october = adjusted('2026-10');
    expect(october.funds.HT_TT.adjusted).toBe(500_000);
    expect(october.funds.HT_TT.carriedForward.owed).toBe(500_000);
    expect(october.funds.HT_TT.paidUpTo).toBeNull();
    const december = adjusted('2026-12');
    expect(december.funds.HT_TT.adjusted).toBe(0);
    // Due 11-30, unpaid through December: 31 days of interest on 500,000 = 4,650.
    expect(december.funds.HT_TT.interest).toBe(4_650);
  });

  it('an adjustment without a due date is due the last day of the month after posting', () => {
    const statement = computeStatement(
      request({
        period: '2026-12',
        adjustments: [{ date: '2026-10-15', period: '2026-06', fund: 'BHYT', amount: 1_000_000 }],
      }),
    );
    // Due 2026-11-30: overdue all of December.
    expect(statement.funds.BHYT.interestBase).toBe(1_000_000 * 31);
    expect(statement.oldestOverdueDueDate).toBe('2026-11-30');
  });

  it('a refund reduces the fund owed; the excess becomes credit and the balances still reconcile', () => {
    const statement = computeStatement(
      request({
        period: '2026-11',
        payroll: [november],
        adjustments: [{ date: '2026-11-30', period: '2026-06', fund: 'BHTN', amount: -2_000_000 }],
      }),
    );
    // BHTN owes 1,400,000 (November); the refund clears it and 600,000 is left, which pays BHYT of November.
    expect(statement.funds.BHTN.adjusted).toBe(-2_000_000);
    expect(statement.funds.BHTN.carriedForward.owed).toBe(0);
    expect(statement.credit.carriedForward).toBe(0);
    expect(statement.funds.BHYT.carriedForward.owed).toBe(2_727_000 - 600_000);
    for (const fund of FUNDS) {
      const line = statement.funds[fund];
      expect(line.carriedForward.owed).toBe(
        line.broughtForward.owed + line.charged + line.adjusted - line.paidPrincipal,
      );
    }
  });

  it('a pension-fund suspension moves the HT_TT deadline to the month after it ends', () => {
    // Before 2026-07-01 the cap is 46,800,000: each month is 5,944,000 outside HT_TT and 12,496,000 HT_TT.
    const outsidePension = 5_944_000;
    const pension = 12_496_000;
    const suspended = (period: string) =>
      computeStatement(
        request({
          period,
          payroll: months('2026-03', '2026-05').map((p) => ({ period: p, employees: WORKED_EMPLOYEES })),
          pensionSuspensions: [{ from: '2026-03', to: '2026-05' }],
          payments: ['2026-04-20', '2026-05-20', '2026-06-20'].map((date) => ({
            date,
            amount: outsidePension,
          })),
        }),
      );
    const may = suspended('2026-05');
    expect(may.funds.HT_TT.charged).toBe(pension);
    expect(may.total.charged - may.funds.HT_TT.charged).toBe(outsidePension);
    // Paying everything but HT_TT keeps the employer out of arrears during the suspension.
    expect(may.overduePrincipal).toBe(0);
    expect(may.funds.HT_TT.carriedForward.owed).toBe(3 * pension);
    expect(may.funds.BHYT.paidUpTo).toBe('2026-04');
    expect(may.flags).toContainEqual({ code: 'PENSION_SUSPENDED', period: '2026-05', fund: 'HT_TT' });
    const june = suspended('2026-06');
    expect(june.funds.HT_TT.interest).toBe(0);
    // Unpaid at the end of the make-up deadline (06-30): late from 07-01.
    expect(june.overduePrincipal).toBe(3 * pension);
    expect(june.oldestOverdueDueDate).toBe('2026-06-30');
    const july = suspended('2026-07');
    expect(july.total.interestBase).toBe(3 * pension * 31);
  });

  it('suspension rows that overlap or follow each other are one suspension, in any order', () => {
    const outsidePension = 5_944_000;
    const withRows = (rows: { from: string; to: string }[]) =>
      computeStatement(
        request({
          period: '2026-08',
          payroll: months('2026-01', '2026-06').map((p) => ({ period: p, employees: WORKED_EMPLOYEES })),
          pensionSuspensions: rows,
          payments: months('2026-02', '2026-07').map((m) => ({ date: `${m}-20`, amount: outsidePension })),
        }),
      );
    const one = withRows([{ from: '2026-01', to: '2026-12' }]);
    expect(one.overduePrincipal).toBe(0);
    expect(one.total.interest).toBe(0);
    for (const rows of [
      [
        { from: '2026-01', to: '2026-06' },
        { from: '2026-07', to: '2026-12' },
      ],
      [
        { from: '2026-03', to: '2026-12' },
        { from: '2026-01', to: '2026-06' },
      ],
      [
        { from: '2026-01', to: '2026-06' },
        { from: '2026-03', to: '2026-12' },
      ],
    ]) {
      const statement = withRows(rows);
      expect(statement.overduePrincipal, JSON.stringify(rows)).toBe(0);
      expect(statement.total.carriedForward, JSON.stringify(rows)).toEqual(one.total.carriedForward);
    }
    // A gap between two rows is two suspensions: the first is made up by the end of the month after it,
    // and April's HT_TT, outside both, is due on 05-31 as usual; all four are late by August.
    const gap = withRows([
      { from: '2026-01', to: '2026-03' },
      { from: '2026-05', to: '2026-12' },
    ]);
    expect(gap.overduePrincipal).toBe(4 * 12_496_000);
    expect(gap.oldestOverdueDueDate).toBe('2026-04-30');
  });

  it('applies at most 12 months of one suspension, however it was recorded, and flags it', () => {
    const pension = 12_496_000; // before the 2026-07-01 cap
    const withRows = (rows: { from: string; to: string }[]) =>
      computeStatement(
        request({
          period: '2026-03',
          payroll: months('2025-01', '2026-03').map((p) => ({ period: p, employees: WORKED_EMPLOYEES })),
          pensionSuspensions: rows,
          // Everything but HT_TT paid on time.
          payments: months('2025-02', '2026-03').map((m) => ({ date: `${m}-20`, amount: 5_944_000 })),
        }),
      );
    // 2025 suspended: made up by 2026-01-31. January 2026 on is ordinary, due the month after: by the
    // statement's end 2025's twelve months, January's and February's (due 03-31) are unpaid.
    const expected = withRows([{ from: '2025-01', to: '2025-12' }]);
    expect(expected.oldestOverdueDueDate).toBe('2026-01-31');
    expect(expected.overduePrincipal).toBe(14 * pension);
    expect(expected.flags.map((flag) => flag.code)).not.toContain('PENSION_SUSPENSION_CAPPED');
    for (const rows of [
      [{ from: '2025-01', to: '2026-12' }],
      [
        { from: '2025-01', to: '2025-12' },
        { from: '2026-01', to: '2026-12' },
      ],
    ]) {
      const statement = withRows(rows);
      expect(statement.overduePrincipal, JSON.stringify(rows)).toBe(expected.overduePrincipal);
      expect(statement.oldestOverdueDueDate).toBe('2026-01-31');
      expect(statement.flags).toContainEqual({
        code: 'PENSION_SUSPENSION_CAPPED',
        period: '2026-03',
        fund: 'HT_TT',
      });
      expect(statement.flags.map((flag) => flag.code)).not.toContain('PENSION_SUSPENDED');
    }
  });

  it('an HT_TT adjustment of a suspended month is due with the suspension’s make-up, not before', () => {
    const outsidePension = 5_944_000;
    const statement = (period: string, dueDate?: string) =>
      computeStatement(
        request({
          period,
          payroll: months('2026-02', '2026-05').map((p) => ({ period: p, employees: WORKED_EMPLOYEES })),
          pensionSuspensions: [{ from: '2026-02', to: '2026-07' }],
          payments: ['2026-03-20', '2026-04-20', '2026-05-20', '2026-06-20'].map((date) => ({
            date,
            amount: outsidePension,
          })),
          adjustments: [
            {
              date: '2026-03-15',
              period: '2026-02',
              fund: 'HT_TT',
              amount: 1_000_000,
              ...(dueDate && { dueDate }),
            },
          ],
        }),
      );
    const may = statement('2026-05');
    expect(may.overduePrincipal).toBe(0);
    expect(may.total.interest).toBe(0);
    expect(may.funds.HT_TT.carriedForward.owed).toBe(4 * 12_496_000 + 1_000_000);
    // Unpaid after the make-up deadline (08-31), it is late with the suspended charges.
    const september = statement('2026-09');
    expect(september.overduePrincipal).toBe(4 * 12_496_000 + 1_000_000);
    expect(september.oldestOverdueDueDate).toBe('2026-08-31');
    // A due date of its own is kept: the officer set it.
    expect(statement('2026-05', '2026-04-30').overduePrincipal).toBe(1_000_000);
  });

  it('the policy chooses how principal not yet due is ordered: soonest deadline, or oldest period', () => {
    const inSuspension = (notYetDueOrder: 'SOONEST_DEADLINE' | 'OLDEST_PERIOD') =>
      computeStatement(
        request({
          period: '2026-05',
          payroll: months('2026-03', '2026-05').map((p) => ({ period: p, employees: WORKED_EMPLOYEES })),
          pensionSuspensions: [{ from: '2026-03', to: '2026-05' }],
          // April pays March without HT_TT; May 20 pays April without HT_TT.
          payments: ['2026-04-20', '2026-05-20'].map((date) => ({ date, amount: 5_944_000 })),
        }),
        {
          ...DEFAULT_POLICY,
          version: notYetDueOrder,
          allocation: [
            { from: '2016-01-01', value: { ...DEFAULT_POLICY.allocation[0]!.value, notYetDueOrder } },
          ],
        },
      );
    // On 05-20 March's suspended HT_TT (due 06-30) and April's funds (due 05-31) are all not yet due.
    const byDeadline = inSuspension('SOONEST_DEADLINE');
    expect(byDeadline.overduePrincipal).toBe(0);
    expect(byDeadline.funds.HT_TT.paidPrincipal).toBe(0);
    // domain.md's literal order pays March's HT_TT first, and April's other funds fall late on 06-01.
    const byPeriod = inSuspension('OLDEST_PERIOD');
    expect(byPeriod.funds.HT_TT.paidPrincipal).toBe(5_944_000);
    expect(byPeriod.funds.BHYT.paidPrincipal).toBe(0);
    expect(byPeriod.funds.HT_TT.carriedForward.owed).toBe(3 * 12_496_000 - 5_944_000);
  });
});

describe('a fund never charged', () => {
  it('has no month paid up to and nothing owed, and the notice says it did not arise', () => {
    const outsideBhtn = [{ id: 'NV01', insuredWage: 10_000_000, bhtn: false }];
    const statement = computeStatement(
      request({
        period: '2026-11',
        payroll: months('2026-09', '2026-11').map((p) => ({ period: p, employees: outsideBhtn })),
        payments: [{ date: '2026-10-20', amount: 10_000_000 }],
      }),
    );
    expect(statement.funds.BHTN).toMatchObject({ paidUpTo: null, charged: 0, carriedForward: { owed: 0 } });
    const notes = noticeFootnotes(noticeInput(statement)).join('\n');
    expect(notes).toContain('BHTN: không phát sinh');
    expect(notes).not.toContain('BHTN: chưa đóng');
  });
});

describe('an employer whose region changed', () => {
  // One employee above every BHTN cap: the cap is 20 regional minimums of the region the period was in.
  const highEarner = [{ id: 'NV01', insuredWage: 150_000_000 }];
  const statement = (period: string, earlierRegions: { to: string; region: 'I' | 'II' }[]) =>
    computeStatement(
      request({
        employer: { ...EMPLOYER, region: 'I', earlierRegions },
        period,
        payroll: months('2025-11', '2026-01').map((p) => ({ period: p, employees: highEarner })),
      }),
    );

  it('charges each period with the region it was in, so one month closes where the next opens', () => {
    const history = [{ to: '2025-12', region: 'II' as const }];
    const december = statement('2025-12', history);
    const january = statement('2026-01', history);
    // Region II before 2026 (minimum 4,410,000): cap 88,200,000, BHTN 2% of it.
    expect(december.funds.BHTN.charged).toBe(1_764_000);
    // Region I from 2026 (minimum 5,310,000): cap 106,200,000.
    expect(january.funds.BHTN.charged).toBe(2_124_000);
    expect(january.funds.BHTN.broughtForward).toEqual(december.funds.BHTN.carriedForward);
    // Without the history every month is charged as region I, and December is not what was issued.
    expect(statement('2025-12', []).funds.BHTN.charged).toBe(1_984_000);
  });

  it('refuses a history out of order, naming the entry', () => {
    const parsed = statementRequestSchema.safeParse({
      employer: {
        ...EMPLOYER,
        earlierRegions: [
          { to: '2025-12', region: 'II' },
          { to: '2025-06', region: 'III' },
        ],
      },
      period: '2026-01',
      payroll: [],
    });
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'employer.earlierRegions.1.to',
    ]);
  });
});

describe('policy is data', () => {
  it('a new interest rate from a date applies from that day on', () => {
    const policy: ContributionPolicy = {
      ...DEFAULT_POLICY,
      version: 'test',
      dailyInterestPcm: [
        ...DEFAULT_POLICY.dailyInterestPcm,
        { from: '2026-11-06', value: { BHYT: 60, BHTN: 60, TNLD_BNN: 60, OD_TS: 60, HT_TT: 60 } },
      ],
    };
    const statement = computeStatement(
      request({
        period: '2026-11',
        payroll: [{ period: '2026-09', employees: [{ id: 'NV01', insuredWage: 10_000_000, bhtn: false }] }],
        payments: [{ date: '2026-11-11', amount: 3_000_000 }],
      }),
      policy,
    );
    // HT_TT 2,200,000: 5 days (11-01..11-05) x 30 pcm + 5 days (11-06..11-10) x 60 pcm = 3,300 + 6,600
    expect(statement.funds.HT_TT.interest).toBe(9_900);
    expect(statement.policyVersion).toBe('test');
    expect(statement.dailyInterestPcm.HT_TT).toBe(60);
  });

  it('a new fund order from a date allocates the payments of that day on, and never rewrites the past', () => {
    const policy: ContributionPolicy = {
      ...DEFAULT_POLICY,
      version: 'test-order',
      allocation: [
        ...DEFAULT_POLICY.allocation,
        {
          from: '2026-12-01',
          value: {
            steps: ['OVERDUE_PRINCIPAL', 'POSTED_INTEREST', 'PRINCIPAL_NOT_YET_DUE'],
            fundOrder: ['HT_TT', 'OD_TS', 'TNLD_BNN', 'BHTN', 'BHYT'],
            notYetDueOrder: 'SOONEST_DEADLINE',
          },
        },
      ],
    };
    const payroll = [{ period: '2026-09', employees: [{ id: 'NV01', insuredWage: 10_000_000 }] }];
    const november = computeStatement(
      request({ period: '2026-11', payroll, payments: [{ date: '2026-11-10', amount: 1_000_000 }] }),
      policy,
    );
    // Paid on 11-10 under the old order: BHYT (450,000) first.
    expect(november.funds.BHYT.carriedForward.owed).toBe(0);
    const december = computeStatement(
      request({
        period: '2026-12',
        payroll,
        payments: [
          { date: '2026-11-10', amount: 1_000_000 },
          { date: '2026-12-05', amount: 500_000 },
        ],
      }),
      policy,
    );
    for (const fund of FUNDS)
      expect(december.funds[fund].broughtForward, fund).toEqual(november.funds[fund].carriedForward);
    // Paid on 12-05 under the new order: September's HT_TT first (it is all overdue principal).
    expect(december.funds.HT_TT.paidPrincipal).toBe(500_000);
    expect(december.funds.BHYT.paidPrincipal).toBe(0);
  });
});

describe('a debt of posted interest alone', () => {
  // September (19,580,000, due 10-31) paid on 11-11: 58,740 of interest posted 11-30, due by 12-31, unpaid.
  const ledger = {
    payroll: [{ period: '2026-09', employees: WORKED_EMPLOYEES }],
    payments: [{ date: '2026-11-11', amount: 19_580_000 }],
  };

  it('is late from the interest’s deadline, in the statement and on any day', () => {
    const january = computeStatement(request({ period: '2027-01', ...ledger }));
    const { period: _period, ...stored } = request({ period: '2027-01', ...ledger });
    expect(january.overduePrincipal).toBe(0);
    expect(january.overdueInterest).toBe(58_740);
    expect(january.oldestOverdueDueDate).toBe('2026-12-31');
    // The notice dates the interest and names no (nil) principal; no interest accrues on interest.
    const notes = noticeFootnotes(noticeInput(january)).join('\n');
    expect(notes).toContain(
      'Trong đó số tiền đã quá hạn đóng: tiền lãi chậm đóng 58.740 đ, quá hạn từ sau ngày 31/12/2026.',
    );
    expect(notes).not.toContain('quá hạn đóng: tiền phải đóng');
    expect(notes).not.toContain('tiếp tục được tính');
    expect(debtAsOf(stored, '2026-12-31')).toMatchObject({ overdueInterest: 0, oldestOverdueDueDate: null });
    expect(debtAsOf(stored, '2027-01-01')).toMatchObject({
      overduePrincipal: 0,
      overdueInterest: 58_740,
      oldestOverdueDueDate: '2026-12-31',
    });
  });

  it('gives way to a late charge: days late count from the oldest unpaid contribution', () => {
    // The same unpaid interest, and December's charge (due 2027-01-31) unpaid too.
    const withDecember = {
      ...ledger,
      payroll: [...ledger.payroll, { period: '2026-12', employees: WORKED_EMPLOYEES }],
    };
    const february = computeStatement(request({ period: '2027-02', ...withDecember }));
    expect(february.overduePrincipal).toBe(19_580_000);
    expect(february.overdueInterest).toBeGreaterThanOrEqual(58_740);
    expect(february.oldestOverdueDueDate).toBe('2027-01-31');
    const { period: _period, ...stored } = request({ period: '2027-02', ...withDecember });
    expect(debtAsOf(stored, '2027-02-10').oldestOverdueDueDate).toBe('2027-01-31');
  });
});

describe('debtAsOf: the debt on a given day, from what the ledger holds by then', () => {
  const ledger = () => {
    const { period: _period, ...rest } = worked('2026-12');
    return rest;
  };

  it('is not late on the deadline day, and is late the day after', () => {
    expect(debtAsOf(ledger(), '2026-10-31')).toMatchObject({
      overduePrincipal: 0,
      oldestOverdueDueDate: null,
    });
    expect(debtAsOf(ledger(), '2026-11-01')).toMatchObject({
      overduePrincipal: 19_580_000,
      overdueInterest: 0,
      oldestOverdueDueDate: '2026-10-31',
      headcount: 2,
    });
  });

  it('counts a payment on the day it is dated, and nothing dated later', () => {
    expect(debtAsOf(ledger(), '2026-11-09').overduePrincipal).toBe(19_580_000);
    const paid = debtAsOf(ledger(), '2026-11-10');
    expect(paid).toMatchObject({ overduePrincipal: 0, oldestOverdueDueDate: null });
    // September and October charges are paid or paid ahead by 11-25; November's is not posted yet on 11-26.
    expect(debtAsOf(ledger(), '2026-11-26')).toMatchObject({ overduePrincipal: 0, amountDue: 0 });
  });

  it("treats November's interest as owed from its posting and late after the next month end", () => {
    const december = debtAsOf(ledger(), '2026-12-15');
    expect(december).toMatchObject({ overduePrincipal: 0, overdueInterest: 0 });
    expect(december.amountDue).toBe(19_580_000 + 52_866);
    expect(debtAsOf(ledger(), '2027-01-01')).toMatchObject({
      // November's charge (due 12-31) and interest are late now; December's payroll is not in this ledger.
      overduePrincipal: 19_580_000,
      overdueInterest: 52_866,
      oldestOverdueDueDate: '2026-12-31',
    });
  });
});
