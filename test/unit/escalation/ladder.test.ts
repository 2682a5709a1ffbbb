import { describe, expect, it } from 'vitest';
import {
  approvalDeadline,
  daysLate,
  evaluateCase,
  proposedFine,
  type CaseState,
  type DebtFacts,
} from '../../../functions/escalation/ladder.ts';
import {
  DEFAULT_ESCALATION_POLICY as POLICY,
  policyFor,
  policyForNewCase,
  UnknownPolicyVersionError,
  type EscalationPolicy,
} from '../../../functions/escalation/policy.ts';
import { addWorkingDays, wholeMonthsBetween } from '../../../functions/shared/calendar.ts';
import { debtAsOf } from '../../../functions/c12/account.ts';
import { statementRequestSchema } from '../../../functions/c12/model.ts';

/** September's charge, due 2026-09-30, unpaid. */
const DEADLINE = '2026-09-30';

function debt(asOf: string, fields: Partial<DebtFacts> = {}): DebtFacts {
  return {
    asOf,
    overduePrincipal: 19_580_000,
    overdueInterest: 52_866,
    oldestOverdueDueDate: DEADLINE,
    amountDue: 39_212_866,
    workers: 2,
    organisation: true,
    ...fields,
  };
}

function state(stage: CaseState['stage'], fields: Partial<CaseState> = {}): CaseState {
  return { status: 'OPEN', stage, pauses: [], ...fields };
}

describe('daysLate', () => {
  it('starts the day after the deadline', () => {
    expect(daysLate(DEADLINE, '2026-09-30', [])).toBe(0);
    expect(daysLate(DEADLINE, '2026-10-01', [])).toBe(1);
    expect(daysLate(DEADLINE, '2026-10-30', [])).toBe(30);
    expect(daysLate(null, '2026-10-30', [])).toBe(0);
  });

  it('does not count paused days, closed or still running', () => {
    const pauses = [{ from: '2026-10-05', to: '2026-10-15', reason: 'DISPUTE' as const }];
    // 5..14 October paused (the 15th the case resumed): 10 days.
    expect(daysLate(DEADLINE, '2026-10-30', pauses)).toBe(20);
    const running = [{ from: '2026-10-21', reason: 'FORCE_MAJEURE' as const }];
    expect(daysLate(DEADLINE, '2026-10-30', running)).toBe(20);
    // Overlapping pauses: a day both cover is one paused day (1..29 October, 29 days).
    const overlapping = [
      { from: '2026-10-01', to: '2026-10-21', reason: 'DISPUTE' as const },
      { from: '2026-10-10', to: '2026-10-30', reason: 'FORCE_MAJEURE' as const },
    ];
    expect(daysLate(DEADLINE, '2026-11-09', overlapping)).toBe(40 - 29);
    // A pause before the deadline does not make the debt younger.
    expect(
      daysLate(DEADLINE, '2026-10-30', [{ from: '2026-09-01', to: '2026-09-20', reason: 'DISPUTE' }]),
    ).toBe(30);
  });
});

describe('evaluateCase on a debt read from a ledger', () => {
  it('climbs a debt of posted interest alone from the interest’s deadline, and closes it once paid', () => {
    // September (due 10-31) paid 10 days late on 11-11: 58,740 of interest posted 11-30, due by 12-31.
    const payroll = [
      {
        period: '2026-09',
        employees: [
          { id: 'NV01', insuredWage: 10_000_000 },
          { id: 'NV02', insuredWage: 60_000_000 },
        ],
      },
    ];
    const payments = [{ date: '2026-11-11', amount: 19_580_000 }];
    const facts = (asOf: string, paid = payments): DebtFacts => ({
      ...debtAsOf(
        statementRequestSchema.parse({
          employer: { id: 'TS0001A', name: 'Công ty', region: 'I' },
          period: asOf.slice(0, 7),
          payroll,
          payments: paid,
        }),
        asOf,
      ),
      workers: 2,
      organisation: true,
    });
    expect(evaluateCase(POLICY, state('NONE'), facts('2027-01-02'))).toMatchObject({
      action: 'CLIMB',
      // Late from 01-01, and the urging letter's days of the month (1-10) have come.
      automatic: ['REMINDER', 'URGING_LETTER'],
    });
    expect(daysLate(facts('2027-01-02').oldestOverdueDueDate, '2027-01-02', [])).toBe(2);
    // Interest alone is not evasion: past the working session it waits, however late, until paid.
    expect(evaluateCase(POLICY, state('URGING_LETTER'), facts('2027-02-05'))).toMatchObject({
      action: 'CLIMB',
      approval: { stage: 'WORKING_SESSION' },
    });
    expect(evaluateCase(POLICY, state('WORKING_SESSION'), facts('2027-04-05'))).toMatchObject({
      action: 'WAIT',
      reason: 'NOT_DUE',
      next: { stage: 'EVASION_NOTICE', conditionsMet: false },
    });
    // The same days late with a contribution unpaid are evasion.
    expect(
      evaluateCase(
        POLICY,
        state('WORKING_SESSION'),
        debt('2027-04-05', { oldestOverdueDueDate: '2026-12-31' }),
      ),
    ).toMatchObject({ action: 'CLIMB', approval: { stage: 'EVASION_NOTICE' } });
    const settled = facts('2027-01-10', [...payments, { date: '2027-01-08', amount: 58_740 }]);
    expect(evaluateCase(POLICY, state('REMINDER'), settled)).toEqual({
      action: 'CLOSE',
      reason: 'PAID_IN_FULL',
    });
  });
});

describe('evaluateCase: the ladder, never skipping a stage', () => {
  it('closes a case at any stage once nothing is overdue, principal or interest', () => {
    const paid = debt('2027-01-05', { overduePrincipal: 0, overdueInterest: 0, oldestOverdueDueDate: null });
    for (const stage of ['NONE', 'URGING_LETTER', 'INSPECTION', 'ADMIN_PENALTY'] as const) {
      expect(evaluateCase(POLICY, state(stage), paid)).toEqual({ action: 'CLOSE', reason: 'PAID_IN_FULL' });
    }
    expect(
      evaluateCase(POLICY, state('REMINDER'), debt('2026-10-05', { overduePrincipal: 0 })),
    ).toMatchObject({
      action: 'CLIMB',
    });
  });

  it('takes the reminder at once and the urging letter in the first 10 days of a month', () => {
    expect(evaluateCase(POLICY, state('NONE'), debt('2026-10-01'))).toEqual({
      action: 'CLIMB',
      daysLate: 1,
      automatic: ['REMINDER', 'URGING_LETTER'],
    });
    expect(evaluateCase(POLICY, state('NONE'), debt('2026-10-15'))).toEqual({
      action: 'CLIMB',
      daysLate: 15,
      automatic: ['REMINDER'],
    });
    expect(evaluateCase(POLICY, state('REMINDER'), debt('2026-10-20'))).toMatchObject({
      action: 'WAIT',
      reason: 'NOT_DUE',
      next: { stage: 'URGING_LETTER' },
    });
    expect(evaluateCase(POLICY, state('REMINDER'), debt('2026-11-02'))).toEqual({
      action: 'CLIMB',
      daysLate: 33,
      automatic: ['URGING_LETTER'],
      // Due too, but behind the letter: asked for now, after it.
      approval: { stage: 'WORKING_SESSION', approvers: ['OFFICER'], fine: undefined, referral: undefined },
    });
  });

  it('asks for one approval at a time, the next stage only, however late the debt is', () => {
    const late = debt('2027-03-05'); // 156 days late
    expect(evaluateCase(POLICY, state('NONE'), late)).toMatchObject({
      action: 'CLIMB',
      automatic: ['REMINDER', 'URGING_LETTER'],
      approval: { stage: 'WORKING_SESSION', approvers: ['OFFICER'] },
    });
    expect(evaluateCase(POLICY, state('WORKING_SESSION'), late)).toMatchObject({
      automatic: [],
      approval: { stage: 'EVASION_NOTICE', approvers: ['OFFICER'] },
    });
    expect(evaluateCase(POLICY, state('EVASION_NOTICE'), late)).toMatchObject({
      approval: { stage: 'INSPECTION', approvers: ['OFFICER', 'SUPERVISOR'] },
    });
    expect(evaluateCase(POLICY, state('INSPECTION'), late)).toMatchObject({
      approval: { stage: 'ADMIN_PENALTY', approvers: ['SUPERVISOR'] },
    });
    expect(
      evaluateCase(POLICY, state('WORKING_SESSION', { pendingApproval: { stage: 'EVASION_NOTICE' } }), late),
    ).toEqual({ action: 'WAIT', reason: 'AWAITING_APPROVAL', daysLate: 156 });
  });

  it('waits for each threshold of days late: 30, 60, 90, 120', () => {
    const cases = [
      ['URGING_LETTER', '2026-10-29', '2026-10-30', 'WORKING_SESSION'],
      ['WORKING_SESSION', '2026-11-28', '2026-11-29', 'EVASION_NOTICE'],
      ['EVASION_NOTICE', '2026-12-28', '2026-12-29', 'INSPECTION'],
      ['INSPECTION', '2027-01-27', '2027-01-28', 'ADMIN_PENALTY'],
    ] as const;
    for (const [reached, before, on, next] of cases) {
      expect(evaluateCase(POLICY, state(reached), debt(before))).toMatchObject({
        action: 'WAIT',
        reason: 'NOT_DUE',
        next: { stage: next },
      });
      expect(evaluateCase(POLICY, state(reached), debt(on))).toMatchObject({ approval: { stage: next } });
    }
  });

  it('climbs more slowly after a partial payment: the oldest overdue deadline moved', () => {
    // September paid; October's charge (due 2026-11-30) is what is overdue now.
    const partly = debt('2027-01-10', { oldestOverdueDueDate: '2026-11-30' });
    expect(evaluateCase(POLICY, state('EVASION_NOTICE'), partly)).toMatchObject({
      action: 'WAIT',
      daysLate: 41,
      next: { stage: 'INSPECTION', dueAtDaysLate: 90 },
    });
  });

  it('does nothing while paused, and the paused days do not age the case', () => {
    const pauses = [{ from: '2026-10-10', reason: 'FORCE_MAJEURE' as const }];
    expect(
      evaluateCase(POLICY, state('URGING_LETTER', { status: 'PAUSED', pauses }), debt('2026-12-01')),
    ).toEqual({ action: 'WAIT', reason: 'PAUSED', daysLate: 9 });
    const resumed = [{ from: '2026-10-10', to: '2026-12-01', reason: 'FORCE_MAJEURE' as const }];
    expect(
      evaluateCase(POLICY, state('URGING_LETTER', { pauses: resumed }), debt('2026-12-01')),
    ).toMatchObject({
      action: 'WAIT',
      daysLate: 10,
      next: { stage: 'WORKING_SESSION' },
    });
  });

  it('uses the thresholds of the policy version it is given', () => {
    const stricter: EscalationPolicy = {
      ...POLICY,
      version: 'strict',
      stages: POLICY.stages.map((rule) =>
        rule.stage === 'WORKING_SESSION' ? { ...rule, minDaysLate: 15 } : rule,
      ),
    };
    expect(evaluateCase(POLICY, state('URGING_LETTER'), debt('2026-10-16'))).toMatchObject({
      action: 'WAIT',
    });
    expect(evaluateCase(stricter, state('URGING_LETTER'), debt('2026-10-16'))).toMatchObject({
      approval: { stage: 'WORKING_SESSION' },
    });
  });
});

describe('the penalty proposal', () => {
  it('proposes the evasion range at ADMIN_PENALTY, doubled for an organisation, with both ranges shown', () => {
    const evaluation = evaluateCase(POLICY, state('INSPECTION'), debt('2027-01-28'));
    expect(evaluation).toMatchObject({
      approval: {
        stage: 'ADMIN_PENALTY',
        fine: {
          classification: 'EVASION',
          range: { minVnd: 100_000_000, maxVnd: 150_000_000 },
          // 12% and 15% of 39,212,866, doubled.
          latePayment: { minVnd: 2 * 4_705_544, maxVnd: 2 * 5_881_930 },
          instrument: 'Nghị định 283/2026/NĐ-CP',
          confirmed: false,
        },
      },
    });
  });

  it('caps the late-payment share at 75,000,000 for a person, and follows the scale in force', () => {
    const person = proposedFine(
      POLICY,
      { asOf: '2026-08-01', amountDue: 1_000_000_000, organisation: false },
      'LATE_PAYMENT',
    );
    expect(person).toMatchObject({
      instrument: 'Nghị định 12/2022/NĐ-CP',
      confirmed: true,
      range: { minVnd: 75_000_000, maxVnd: 75_000_000 },
      evasion: { minVnd: 50_000_000, maxVnd: 75_000_000 },
    });
    const small = proposedFine(
      POLICY,
      { asOf: '2026-08-01', amountDue: 10_000_000, organisation: false },
      'LATE_PAYMENT',
    );
    expect(small.range).toEqual({ minVnd: 1_200_000, maxVnd: 1_500_000 });
    const lateRange = (amountDue: number, organisation = false) =>
      proposedFine(POLICY, { asOf: '2026-08-01', amountDue, organisation }, 'LATE_PAYMENT').range;
    // Far past the cap, in exact integers (the share itself would leave them): the cap, not an error.
    expect(lateRange(650_000_000_000, true)).toEqual({ minVnd: 150_000_000, maxVnd: 150_000_000 });
    // Just below the cap's threshold the share is computed: 624,999,999 x 12% = 74,999,999.88.
    expect(lateRange(624_999_999)).toEqual({ minVnd: 75_000_000, maxVnd: 75_000_000 });
    expect(lateRange(624_999_990).minVnd).toBe(74_999_999);
  });
});

describe('criminal referral (Penal Code Art. 216)', () => {
  it('counts the evaded contributions towards 50,000,000, not the interest on them', () => {
    const justUnder = debt('2027-06-05', {
      overduePrincipal: 45_000_000,
      overdueInterest: 6_000_000,
      workers: 3,
    });
    expect(evaluateCase(POLICY, state('ADMIN_PENALTY'), justUnder)).toMatchObject({
      action: 'WAIT',
      next: { stage: 'CRIMINAL_REFERRAL', conditionsMet: false },
    });
  });

  // Evasion from 60 days late: 2026-11-29 for the September charge; six months later: 2027-05-29.
  it('waits, saying so, until six months of evasion, fined, and 50,000,000 or 10 workers', () => {
    const before = evaluateCase(
      POLICY,
      state('ADMIN_PENALTY'),
      debt('2027-05-28', { overduePrincipal: 60_000_000 }),
    );
    expect(before).toMatchObject({
      action: 'WAIT',
      next: { stage: 'CRIMINAL_REFERRAL', conditionsMet: false },
    });
    const after = evaluateCase(
      POLICY,
      state('ADMIN_PENALTY'),
      debt('2027-05-29', { overduePrincipal: 60_000_000 }),
    );
    expect(after).toMatchObject({
      approval: {
        stage: 'CRIMINAL_REFERRAL',
        approvers: ['OFFICER', 'DIRECTOR'],
        referral: { evasionMonths: 6, fined: true, met: true, minAmountVnd: 50_000_000, minWorkers: 10 },
      },
    });
  });

  it('is enough at stake with 10 workers affected even below 50,000,000, and not otherwise', () => {
    expect(evaluateCase(POLICY, state('ADMIN_PENALTY'), debt('2027-06-10', { workers: 10 }))).toMatchObject({
      approval: { stage: 'CRIMINAL_REFERRAL', referral: { met: true, workers: 10 } },
    });
    expect(evaluateCase(POLICY, state('ADMIN_PENALTY'), debt('2027-06-10', { workers: 9 }))).toMatchObject({
      action: 'WAIT',
      next: { stage: 'CRIMINAL_REFERRAL', conditionsMet: false },
    });
  });

  it('is the top of the ladder', () => {
    expect(evaluateCase(POLICY, state('CRIMINAL_REFERRAL'), debt('2027-09-01'))).toMatchObject({
      action: 'WAIT',
      reason: 'TOP_OF_LADDER',
    });
  });
});

describe('approval deadlines and policy versions', () => {
  it('gives approvers 3 working days, weekends and public holidays left out', () => {
    expect(approvalDeadline(POLICY, '2026-11-02')).toBe('2026-11-05'); // Monday -> Thursday
    expect(approvalDeadline(POLICY, '2026-11-05')).toBe('2026-11-10'); // Thursday -> Tuesday
    // Friday before Hùng Kings' day (Mon 27 April) and 30 April / 1 May.
    expect(approvalDeadline(POLICY, '2026-04-24')).toBe('2026-05-04');
    // Over Tết 2027 (provisional days: Fri 5/2, Mon-Thu 8-11/2) and 1 May 2027 given back on Monday 3 May.
    expect(approvalDeadline(POLICY, '2027-02-03')).toBe('2027-02-15');
    expect(approvalDeadline(POLICY, '2027-04-29')).toBe('2027-05-06');
  });

  it('counts the public holidays for every version, and a version’s own days off on top', () => {
    // A version published with no holidays of its own (or one made before the calendar moved out of the
    // policy) still skips Tết; a local day off it lists is skipped too.
    const bare = { ...POLICY, version: 'bare', holidays: [] };
    expect(approvalDeadline(bare, '2026-02-13')).toBe('2026-02-25');
    const local = { ...POLICY, version: 'local', holidays: ['2026-11-03'] };
    expect(approvalDeadline(local, '2026-11-02')).toBe('2026-11-06');
  });

  it('keeps the version a case was opened under, and refuses an unknown one', () => {
    const stricter = { ...POLICY, version: 'strict', effectiveFrom: '2027-01-01' };
    const versions = [POLICY, stricter];
    expect(policyFor('2026-07-01', versions)).toBe(POLICY);
    expect(policyFor('strict', versions)).toBe(stricter);
    expect(policyForNewCase('2026-12-31', versions)).toBe(POLICY);
    expect(policyForNewCase('2027-01-01', versions)).toBe(stricter);
    expect(() => policyFor('1999-01-01', versions)).toThrow(UnknownPolicyVersionError);
    expect(() => policyForNewCase('2020-01-01', versions)).toThrow(UnknownPolicyVersionError);
  });
});

describe('calendar helpers', () => {
  it('counts whole months and working days', () => {
    expect(wholeMonthsBetween('2026-11-29', '2027-05-28')).toBe(5);
    expect(wholeMonthsBetween('2026-11-29', '2027-05-29')).toBe(6);
    expect(wholeMonthsBetween('2027-05-29', '2026-11-29')).toBe(0);
    expect(addWorkingDays('2026-11-06', 0, new Set())).toBe('2026-11-06');
    expect(addWorkingDays('2026-11-06', 1, new Set())).toBe('2026-11-09');
    expect(addWorkingDays('2026-11-06', 1, new Set(['2026-11-09']))).toBe('2026-11-10');
  });
});
