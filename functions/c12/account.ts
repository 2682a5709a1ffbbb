/**
 * The employer's contribution account (domain.md section 2), simulated event by event up to the end of the
 * statement month, and the C12-TS statement read off it (section 3).
 *
 * Rules, in the order they are applied on each day d:
 *  1. postings dated d: payroll charges (last day of their period, due the last day of the next month),
 *     adjustments (own date, own or default due date); an existing credit pays them at once; a negative
 *     adjustment (refund) reduces the fund's unpaid principal, the excess becomes credit;
 *  2. payments dated d, allocated by the policy: overdue principal (oldest period first, funds in policy
 *     order), posted interest (oldest first), principal not yet due (soonest deadline first by default), then credit;
 *  3. interest accrues on day d on the principal whose deadline is before d and still unpaid after step 2,
 *     at the fund's daily rate; interest is not charged on interest;
 *  4. on a month's last day the month's interest per fund, round_half_up(sum of overdue x rate), is posted.
 * The simulation jumps from event to event: the overdue amount is constant in between, so the interest of an
 * interval is overdue x days x rate, exactly the day-by-day sum, in integer arithmetic.
 */
import { addMonths, dayNumber, isoFromDay, lastDayNumberOf, memo, nextPeriod } from '../shared/calendar.ts';
import { roundHalfUpPcm } from '../shared/money.ts';
import { chargePayroll, emptyFunds, type PeriodCharge } from './charges.ts';
import type { Balance, FundLine, Statement, StatementFlag, StatementRequest, TotalLine } from './model.ts';
import {
  DEFAULT_POLICY,
  FUNDS,
  type AllocationPolicy,
  valueAt,
  type ContributionPolicy,
  type Fund,
} from './policy.ts';

interface PrincipalItem {
  fund: Fund;
  /** Index of `fund` in FUNDS: the hot accrual loop sums into arrays, not records keyed by name. */
  fundIndex: number;
  fundRank: number;
  period: string;
  /** Its deadline was moved by a pension-fund suspension (what the notice calls the make-up). */
  suspended: boolean;
  /** 0 = payroll charge, 1 = adjustment: within a period and fund, the charge is settled first. */
  kindRank: number;
  posted: number;
  due: number;
  unpaid: number;
}

interface InterestItem {
  fund: Fund;
  fundRank: number;
  period: string;
  posted: number;
  unpaid: number;
}

interface Refund {
  fund: Fund;
  period: string;
  amount: number;
}

interface DayEvents {
  postings: PrincipalItem[];
  refunds: Refund[];
  payments: number[];
}

interface DaySeries<T> {
  fromDays: number[];
  values: T[];
}

function toDaySeries<T>(series: readonly { from: string; value: T }[]): DaySeries<T> {
  return {
    fromDays: series.map((entry) => dayNumber(entry.from)),
    values: series.map((entry) => entry.value),
  };
}

function valueOnDay<T>(series: DaySeries<T>, day: number, what: string): T {
  let index = -1;
  for (let i = 0; i < series.fromDays.length && series.fromDays[i]! <= day; i++) index = i;
  if (index < 0) throw new Error(`No ${what} in force on ${isoFromDay(day)}`);
  return series.values[index]!;
}

interface PreparedPolicy {
  interest: DaySeries<Record<Fund, number>>;
  /** The same daily rates as arrays in FUNDS order. */
  interestByIndex: DaySeries<number[]>;
  allocation: DaySeries<AllocationPolicy>;
}

const FUND_INDEX = Object.fromEntries(FUNDS.map((fund, index) => [fund, index])) as Record<Fund, number>;

const preparedPolicies = new WeakMap<ContributionPolicy, PreparedPolicy>();

function prepare(policy: ContributionPolicy): PreparedPolicy {
  let prepared = preparedPolicies.get(policy);
  if (!prepared) {
    const interest = toDaySeries(policy.dailyInterestPcm);
    prepared = {
      interest,
      interestByIndex: {
        fromDays: interest.fromDays,
        values: interest.values.map((rates) => FUNDS.map((fund) => rates[fund])),
      },
      allocation: toDaySeries(policy.allocation),
    };
    preparedPolicies.set(policy, prepared);
  }
  return prepared;
}

function comparePrincipal(a: PrincipalItem, b: PrincipalItem): number {
  if (a.period !== b.period) return a.period < b.period ? -1 : 1;
  // Within one period the policy's fund order comes first (domain.md): a BHYT adjustment of September is
  // paid before September's HT_TT charge.
  return a.fundRank - b.fundRank || a.kindRank - b.kindRank || a.posted - b.posted;
}

/** A day's postings usually arrive in order (a payroll's funds are pushed in FUNDS order, the default policy's): check before sorting. */
function inOrder(items: readonly PrincipalItem[]): boolean {
  for (let i = 1; i < items.length; i++) if (comparePrincipal(items[i - 1]!, items[i]!) > 0) return false;
  return true;
}

/** Per-fund accumulators of what happened inside the statement month. */
interface MonthActivity {
  charged: Record<Fund, number>;
  adjusted: Record<Fund, number>;
  interest: Record<Fund, number>;
  paidPrincipal: Record<Fund, number>;
  paidInterest: Record<Fund, number>;
}

/**
 * Paid items can never become unpaid again (nothing raises `unpaid`), so the account keeps only the open
 * ones: an on-time payer with 14 months of history has a handful open at any time instead of seventy, and
 * every step below walks the open list. What paid items still tell (a fund's first period, for `paidUpTo`)
 * is kept on the side.
 */
class Account {
  /** Unpaid principal, in allocation order (comparePrincipal). */
  principal: PrincipalItem[] = [];
  /** Unpaid posted interest, oldest first. */
  interest: InterestItem[] = [];
  /** The first period each fund was ever charged for, paid or not. */
  readonly firstPeriod: Partial<Record<Fund, string>> = {};
  credit = 0;
  /** Accrued, not yet posted interest of the current month per fund (FUNDS order), in VND x pcm. */
  readonly accrued = [0, 0, 0, 0, 0];
  /** Principal x days overdue inside the statement month per fund (FUNDS order): the interest base. */
  readonly interestBase = [0, 0, 0, 0, 0];
  readonly fundRank = {} as Record<Fund, number>;
  /** The fund order the ranks follow: the one in force on the last allocation's day. */
  private order: readonly Fund[];

  constructor(
    private readonly policy: PreparedPolicy,
    private readonly statementStart: number,
    private readonly statementEnd: number,
    private readonly month: MonthActivity,
  ) {
    this.order = valueOnDay(policy.allocation, statementEnd, 'allocation policy').fundOrder;
    for (let rank = 0; rank < this.order.length; rank++) this.fundRank[this.order[rank]!] = rank;
  }

  /**
   * The fund order in force on a payment's day (policy data, effective-dated): a change re-ranks what is
   * open, so a payment is allocated by the order of its own day, and a later order never rewrites the past.
   */
  private useOrder(order: readonly Fund[]): void {
    if (order === this.order) return; // one entry of the policy series: the usual case
    this.order = order;
    for (let rank = 0; rank < order.length; rank++) this.fundRank[order[rank]!] = rank;
    for (const item of this.principal) item.fundRank = this.fundRank[item.fund];
    for (const item of this.interest) item.fundRank = this.fundRank[item.fund];
    this.principal.sort(comparePrincipal);
  }

  private inStatement(day: number): boolean {
    return day >= this.statementStart && day <= this.statementEnd;
  }

  private recordPrincipal(fund: Fund, amount: number, day: number): void {
    if (this.inStatement(day)) this.month.paidPrincipal[fund] += amount;
  }

  /** Drop what a step paid off; cheap because the lists stay short. */
  private compact(): void {
    if (this.principal.some((item) => item.unpaid === 0))
      this.principal = this.principal.filter((item) => item.unpaid > 0);
    if (this.interest.some((item) => item.unpaid === 0))
      this.interest = this.interest.filter((item) => item.unpaid > 0);
  }

  post(item: PrincipalItem, day: number): void {
    const first = this.firstPeriod[item.fund];
    if (first === undefined || item.period < first) this.firstPeriod[item.fund] = item.period;
    if (this.credit > 0) {
      const paid = Math.min(this.credit, item.unpaid);
      item.unpaid -= paid;
      this.credit -= paid;
      this.recordPrincipal(item.fund, paid, day);
    }
    if (item.unpaid === 0) return;
    item.fundRank = this.fundRank[item.fund];
    let index = this.principal.length;
    while (index > 0 && comparePrincipal(this.principal[index - 1]!, item) > 0) index--;
    if (index === this.principal.length) this.principal.push(item);
    else this.principal.splice(index, 0, item);
  }

  refund(refund: Refund, day: number): void {
    let remaining = refund.amount;
    // The refunded period first, then the fund's other unpaid principal, oldest first.
    const sameFund = this.principal.filter((item) => item.fund === refund.fund && item.unpaid > 0);
    sameFund.sort((a, b) => Number(b.period === refund.period) - Number(a.period === refund.period));
    for (const item of sameFund) {
      if (remaining === 0) break;
      const reduced = Math.min(remaining, item.unpaid);
      item.unpaid -= reduced;
      remaining -= reduced;
    }
    if (remaining > 0) {
      // Nothing left to reduce in this fund: the excess is the employer's money, held as credit. It is
      // reported as negative principal paid so the fund's and the credit's balances both reconcile.
      this.recordPrincipal(refund.fund, -remaining, day);
      this.allocate(remaining, day);
    }
    this.compact();
  }

  allocate(amount: number, day: number): void {
    let remaining = amount;
    const allocation = valueOnDay(this.policy.allocation, day, 'allocation policy');
    this.useOrder(allocation.fundOrder);
    for (const step of allocation.steps) {
      if (remaining === 0) break;
      if (step === 'POSTED_INTEREST') {
        // Oldest posting first; within one, the policy's fund order (postings arrive in FUNDS order).
        this.interest.sort((a, b) => a.posted - b.posted || a.fundRank - b.fundRank);
        for (const item of this.interest) {
          if (remaining === 0) break;
          if (item.unpaid === 0) continue;
          const paid = Math.min(remaining, item.unpaid);
          item.unpaid -= paid;
          remaining -= paid;
          if (this.inStatement(day)) this.month.paidInterest[item.fund] += paid;
        }
        continue;
      }
      const overdue = step === 'OVERDUE_PRINCIPAL';
      let candidates = this.principal.filter((item) => item.unpaid > 0 && item.due < day === overdue);
      // Principal not yet due, by default soonest deadline first (then oldest period): the period order
      // except where a deadline was moved, so a suspended pension fund is paid after the funds due before it.
      if (!overdue && allocation.notYetDueOrder === 'SOONEST_DEADLINE')
        candidates = candidates.sort((a, b) => a.due - b.due || comparePrincipal(a, b));
      for (const item of candidates) {
        if (remaining === 0) break;
        const paid = Math.min(remaining, item.unpaid);
        item.unpaid -= paid;
        remaining -= paid;
        this.recordPrincipal(item.fund, paid, day);
      }
    }
    this.credit += remaining;
    this.compact();
  }

  accrue(day: number, days: number): void {
    // Nothing is overdue on most days of an on-time payer: skip the fund bookkeeping entirely then.
    let anyOverdue = false;
    for (const item of this.principal) {
      if (item.unpaid > 0 && item.due < day) {
        anyOverdue = true;
        break;
      }
    }
    if (!anyOverdue) return;
    const ratePcm = valueOnDay(this.policy.interestByIndex, day, 'interest rate');
    const inStatement = this.inStatement(day);
    const { accrued, interestBase } = this;
    for (const item of this.principal) {
      if (item.unpaid === 0 || item.due >= day) continue;
      accrued[item.fundIndex]! += item.unpaid * days * ratePcm[item.fundIndex]!;
      if (inStatement) interestBase[item.fundIndex]! += item.unpaid * days;
    }
  }

  postInterest(period: string, day: number): void {
    // In the policy's fund order: a credit pays the posted interest in it.
    this.useOrder(valueOnDay(this.policy.allocation, day, 'allocation policy').fundOrder);
    for (const fund of this.order) {
      const index = FUND_INDEX[fund];
      if (this.accrued[index] === 0) continue;
      const amount = roundHalfUpPcm(this.accrued[index]!);
      this.accrued[index] = 0;
      if (amount === 0) continue;
      if (this.inStatement(day)) this.month.interest[fund] += amount;
      const item: InterestItem = { fund, fundRank: this.fundRank[fund], period, posted: day, unpaid: amount };
      if (this.credit > 0) {
        const paid = Math.min(this.credit, amount);
        item.unpaid -= paid;
        this.credit -= paid;
        if (this.inStatement(day)) this.month.paidInterest[fund] += paid;
      }
      if (item.unpaid > 0) this.interest.push(item);
    }
  }

  balances(): Record<Fund, Balance> {
    const result = {} as Record<Fund, Balance>;
    for (const fund of FUNDS) result[fund] = { owed: 0, interestOwed: 0 };
    for (const item of this.principal) result[item.fund].owed += item.unpaid;
    for (const item of this.interest) result[item.fund].interestOwed += item.unpaid;
    return result;
  }
}

/** A period's last day and the next period's (posting day and deadline): one memo lookup per payroll. */
const periodDays: (period: string) => { lastDay: number; nextLastDay: number } = memo((period: string) => ({
  lastDay: lastDayNumberOf(period),
  nextLastDay: lastDayNumberOf(nextPeriod(period)),
}));

function eventsOn(events: Map<number, DayEvents>, day: number): DayEvents {
  let entry = events.get(day);
  if (!entry) events.set(day, (entry = { postings: [], refunds: [], payments: [] }));
  return entry;
}

type Suspensions = readonly { from: string; to: string }[];

const NO_SUSPENSIONS = { spans: [] as Suspensions, capped: false };

/**
 * The suspensions as continuous spans: rows that overlap or follow each other (an extension recorded as a
 * second row) are one suspension, made up after its end, whatever order the rows come in. A span longer
 * than the law allows ends at the maximum: the months after it are ordinary months (`capped` says so).
 */
function suspensionSpans(
  rows: Suspensions,
  policy: ContributionPolicy,
): { spans: Suspensions; capped: boolean } {
  if (rows.length === 0) return NO_SUSPENSIONS;
  const sorted = [...rows].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: { from: string; to: string }[] = [];
  for (const row of sorted) {
    const last = merged.at(-1);
    if (last && row.from <= addMonths(last.to, 1)) {
      if (row.to > last.to) last.to = row.to;
    } else merged.push({ from: row.from, to: row.to });
  }
  let capped = false;
  for (const span of merged) {
    const months = valueAt(policy.pensionSuspensionMaxMonths, `${span.from}-01`, 'suspension maximum');
    const last = addMonths(span.from, months - 1);
    if (span.to > last) {
      span.to = last;
      capped = true;
    }
  }
  return { spans: merged, capped };
}

/** The moved HT_TT deadline of a suspended period: the last day of the month after the suspension ends. */
function suspendedDueDay(spans: Suspensions, period: string): number | undefined {
  for (const span of spans) {
    if (period >= span.from && period <= span.to) return lastDayNumberOf(addMonths(span.to, 1));
  }
  return undefined;
}

/**
 * The account simulated from its first event to `endDay` (the statement month's last day for a statement;
 * an earlier day of that month for the debt as of that day): events after it do not exist yet.
 */
function simulate(request: StatementRequest, policy: ContributionPolicy, endDay?: number) {
  const prepared = prepare(policy);
  const period = request.period;
  const statementStart = dayNumber(`${period}-01`);
  const statementEnd = lastDayNumberOf(period);
  const simulationEnd = endDay ?? statementEnd;
  const { region, earlierRegions, reducedAccidentRate } = request.employer;
  const current = { region, reducedAccidentRate };
  /** The terms a period is charged on: the region it was in. */
  const termsOf = (payrollPeriod: string) => {
    for (const earlier of earlierRegions)
      if (payrollPeriod <= earlier.to) return { region: earlier.region, reducedAccidentRate };
    return current;
  };

  const { spans: suspensions, capped: suspensionCapped } = suspensionSpans(
    request.pensionSuspensions,
    policy,
  );
  const events = new Map<number, DayEvents>();
  const boundaries: number[] = [statementStart];
  const charges = new Map<string, PeriodCharge>();
  const allocationOrder = valueOnDay(prepared.allocation, statementEnd, 'allocation policy').fundOrder;
  const rankOf = (fund: Fund) => allocationOrder.indexOf(fund);
  let firstDay = statementStart;

  for (const payroll of request.payroll) {
    if (payroll.period > period || lastDayNumberOf(payroll.period) > simulationEnd) continue;
    const charge = chargePayroll(policy, termsOf(payroll.period), payroll);
    charges.set(payroll.period, charge);
    const { lastDay: posted, nextLastDay: normalDue } = periodDays(payroll.period);
    const pensionDue = suspendedDueDay(suspensions, payroll.period);
    const day = eventsOn(events, posted);
    // normalDue + 1 is a month's first day, a boundary already; a moved pension deadline is not.
    if (pensionDue !== undefined) boundaries.push(pensionDue + 1);
    for (const fund of FUNDS) {
      if (charge.funds[fund] === 0) continue;
      const suspended = fund === 'HT_TT' && pensionDue !== undefined;
      const due = suspended ? pensionDue : normalDue;
      day.postings.push({
        fund,
        fundIndex: FUND_INDEX[fund],
        fundRank: rankOf(fund),
        period: payroll.period,
        suspended,
        kindRank: 0,
        posted,
        due,
        unpaid: charge.funds[fund],
      });
    }
    firstDay = Math.min(firstDay, posted);
  }

  const month: MonthActivity = {
    charged: charges.get(period)?.funds ?? emptyFunds(),
    adjusted: emptyFunds(),
    interest: emptyFunds(),
    paidPrincipal: emptyFunds(),
    paidInterest: emptyFunds(),
  };

  for (const adjustment of request.adjustments) {
    const posted = dayNumber(adjustment.date);
    if (posted > simulationEnd) continue;
    if (posted >= statementStart) month.adjusted[adjustment.fund] += adjustment.amount;
    const day = eventsOn(events, posted);
    if (adjustment.amount < 0) {
      day.refunds.push({ fund: adjustment.fund, period: adjustment.period, amount: -adjustment.amount });
    } else {
      // Without a due date of its own: the month end after posting, and an HT_TT adjustment of a suspended
      // month no earlier than the suspension's make-up deadline (the suspension covers it too).
      let due = adjustment.dueDate
        ? dayNumber(adjustment.dueDate)
        : lastDayNumberOf(nextPeriod(adjustment.date.slice(0, 7)));
      let suspended = false;
      if (!adjustment.dueDate && adjustment.fund === 'HT_TT') {
        const pensionDue = suspendedDueDay(suspensions, adjustment.period);
        if (pensionDue !== undefined && pensionDue > due) [due, suspended] = [pensionDue, true];
      }
      day.postings.push({
        fund: adjustment.fund,
        fundIndex: FUND_INDEX[adjustment.fund],
        fundRank: rankOf(adjustment.fund),
        period: adjustment.period,
        suspended,
        kindRank: 1,
        posted,
        due,
        unpaid: adjustment.amount,
      });
      boundaries.push(due + 1);
    }
    firstDay = Math.min(firstDay, posted);
  }

  const statementPayments = [];
  for (const payment of request.payments) {
    const day = dayNumber(payment.date);
    if (day > simulationEnd) continue;
    eventsOn(events, day).payments.push(payment.amount);
    if (day >= statementStart) statementPayments.push(payment);
    firstDay = Math.min(firstDay, day);
  }
  statementPayments.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  // Month boundaries (interest is posted at each month end) and rate changes split the accrual intervals.
  const monthEnds = new Map<number, string>();
  for (let m = isoFromDay(firstDay).slice(0, 7); m <= period; m = nextPeriod(m)) {
    const end = lastDayNumberOf(m);
    monthEnds.set(end, m);
    boundaries.push(end);
    boundaries.push(end + 1);
  }
  for (const from of prepared.interest.fromDays) boundaries.push(from);
  for (const day of events.keys()) boundaries.push(day);

  // A typed array sorts numbers natively, without a comparator call per comparison.
  const sorted = Int32Array.from(boundaries).sort();
  const days: number[] = [];
  for (const day of sorted) {
    if (day >= firstDay && day <= simulationEnd && day !== days[days.length - 1]) days.push(day);
  }
  const account = new Account(prepared, statementStart, statementEnd, month);
  let broughtForward: Record<Fund, Balance> | undefined;
  let creditBroughtForward = 0;

  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    if (!broughtForward && day >= statementStart) {
      broughtForward = account.balances();
      creditBroughtForward = account.credit;
    }
    const today = events.get(day);
    if (today) {
      if (!inOrder(today.postings)) today.postings.sort(comparePrincipal);
      for (const item of today.postings) account.post(item, day);
      for (const refund of today.refunds) account.refund(refund, day);
      for (const amount of today.payments) account.allocate(amount, day);
    }
    const next = days[i + 1] ?? simulationEnd + 1;
    account.accrue(day, next - day);
    const monthEnding = monthEnds.get(day);
    if (monthEnding) account.postInterest(monthEnding, day);
  }
  broughtForward ??= account.balances();
  return {
    prepared,
    period,
    statementEnd,
    account,
    month,
    charges,
    statementPayments,
    broughtForward,
    creditBroughtForward,
    suspensions,
    suspensionCapped,
  };
}

/** Compute the C12-TS statement of `request.period` from the employer's ledger. */
export function computeStatement(
  request: StatementRequest,
  policy: ContributionPolicy = DEFAULT_POLICY,
): Statement {
  const {
    prepared,
    period,
    statementEnd,
    account,
    month,
    charges,
    statementPayments,
    broughtForward,
    creditBroughtForward,
    suspensions,
    suspensionCapped,
  } = simulate(request, policy);
  const carriedForward = account.balances();
  const funds = {} as Record<Fund, FundLine>;
  for (const fund of FUNDS) {
    funds[fund] = {
      broughtForward: broughtForward[fund],
      charged: month.charged[fund],
      adjusted: month.adjusted[fund],
      interest: month.interest[fund],
      interestBase: account.interestBase[FUND_INDEX[fund]]!,
      paidPrincipal: month.paidPrincipal[fund],
      paidInterest: month.paidInterest[fund],
      carriedForward: carriedForward[fund],
      paidUpTo: paidUpTo(account.principal, account.firstPeriod[fund], fund, period),
    };
  }

  let overduePrincipal = 0;
  let oldestOverdue: number | undefined;
  for (const item of account.principal) {
    if (item.unpaid > 0 && item.due <= statementEnd) {
      overduePrincipal += item.unpaid;
      oldestOverdue = Math.min(oldestOverdue ?? item.due, item.due);
    }
  }
  let overdueInterest = 0;
  let oldestOverdueInterest: number | undefined;
  for (const item of account.interest) {
    if (item.unpaid === 0 || item.posted >= statementEnd) continue;
    overdueInterest += item.unpaid;
    oldestOverdueInterest = Math.min(oldestOverdueInterest ?? interestDueDay(item), interestDueDay(item));
  }
  oldestOverdue ??= oldestOverdueInterest;

  // Principal not yet late whose deadline is not the pay-by date: each with its own date and why.
  const payByDay = lastDayNumberOf(nextPeriod(period));
  const later = new Map<string, NonNullable<Statement['dueLater']>[number]>();
  for (const item of account.principal) {
    if (item.unpaid === 0 || item.due <= statementEnd || item.due === payByDay) continue;
    const key = `${item.fundIndex}#${item.due}#${item.suspended}`;
    const entry = later.get(key);
    if (entry) entry.amount += item.unpaid;
    else {
      const reason = item.suspended ? 'SUSPENSION_MAKE_UP' : 'OWN_DUE_DATE';
      later.set(key, { fund: item.fund, amount: item.unpaid, dueDate: isoFromDay(item.due), reason });
    }
  }
  const dueLater = [...later.values()].sort(
    (a, b) =>
      (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0) || FUND_INDEX[a.fund] - FUND_INDEX[b.fund],
  );

  const current = charges.get(period);
  const previous = charges.get(addMonths(period, -1));
  const total = totalOf(funds);
  const flags: StatementFlag[] = boundedFlags(current?.flags ?? []);
  if (!current) flags.push({ code: 'NO_PAYROLL', period });
  if (overduePrincipal > 0 || overdueInterest > 0) flags.push({ code: 'IN_ARREARS', period });
  if (suspendedDueDay(suspensions, period) !== undefined)
    flags.push({ code: 'PENSION_SUSPENDED', period, fund: 'HT_TT' });
  if (suspensionCapped) flags.push({ code: 'PENSION_SUSPENSION_CAPPED', period, fund: 'HT_TT' });

  return {
    employerId: request.employer.id,
    period,
    policyVersion: policy.version,
    dailyInterestPcm: { ...valueOnDay(prepared.interest, statementEnd, 'interest rate') },
    funds,
    total,
    credit: { broughtForward: creditBroughtForward, carriedForward: account.credit },
    headcount: current?.headcount ?? 0,
    previousHeadcount: previous?.headcount ?? 0,
    wageFund: current?.wageFund ?? 0,
    previousWageFund: previous?.wageFund ?? 0,
    payments: statementPayments,
    overduePrincipal,
    overdueInterest,
    oldestOverdueDueDate: oldestOverdue === undefined ? null : isoFromDay(oldestOverdue),
    amountDue: Math.max(0, total.carriedForward.owed + total.carriedForward.interestOwed - account.credit),
    dueLater,
    payBy: isoFromDay(payByDay),
    flags,
  };
}

/**
 * The latest period up to which every principal item of the fund is paid: the month before the oldest
 * unpaid one, the statement month when nothing is unpaid, null when the fund has no history or its very
 * first period is still unpaid.
 */
function paidUpTo(
  openPrincipal: readonly PrincipalItem[],
  first: string | undefined,
  fund: Fund,
  statementPeriod: string,
): string | null {
  let oldestUnpaid: string | undefined;
  for (const item of openPrincipal) {
    if (item.fund === fund && (oldestUnpaid === undefined || item.period < oldestUnpaid))
      oldestUnpaid = item.period;
  }
  if (first === undefined) return null;
  if (oldestUnpaid === undefined) return statementPeriod;
  return oldestUnpaid === first ? null : addMonths(oldestUnpaid, -1);
}

/** Per-employee flags kept on a statement; the rest are counted, so a notice stays small for any payroll. */
const MAX_EMPLOYEE_FLAGS = 20;

function boundedFlags(flags: readonly StatementFlag[]): StatementFlag[] {
  if (flags.length <= MAX_EMPLOYEE_FLAGS) return [...flags];
  const kept = flags.slice(0, MAX_EMPLOYEE_FLAGS);
  const first = flags[0]!;
  return [...kept, { code: first.code, period: first.period, more: flags.length - MAX_EMPLOYEE_FLAGS }];
}

function totalOf(funds: Record<Fund, FundLine>): TotalLine {
  const total: TotalLine = {
    broughtForward: { owed: 0, interestOwed: 0 },
    charged: 0,
    adjusted: 0,
    interest: 0,
    interestBase: 0,
    paidPrincipal: 0,
    paidInterest: 0,
    carriedForward: { owed: 0, interestOwed: 0 },
  };
  for (const fund of FUNDS) {
    const line = funds[fund];
    total.broughtForward.owed += line.broughtForward.owed;
    total.broughtForward.interestOwed += line.broughtForward.interestOwed;
    total.charged += line.charged;
    total.adjusted += line.adjusted;
    total.interest += line.interest;
    total.interestBase += line.interestBase;
    total.paidPrincipal += line.paidPrincipal;
    total.paidInterest += line.paidInterest;
    total.carriedForward.owed += line.carriedForward.owed;
    total.carriedForward.interestOwed += line.carriedForward.interestOwed;
  }
  return total;
}

/** Interest posted at a month end is due by the next month end (domain.md: it is owed from posting). */
function interestDueDay(item: InterestItem): number {
  return lastDayNumberOf(nextPeriod(isoFromDay(item.posted).slice(0, 7)));
}

/** What is owed, and what of it is late, on a given day: what the escalation judges a case by. */
export interface DebtAsOf {
  asOf: string;
  /** Principal whose deadline has passed (late from the day after it) and that is still unpaid. */
  overduePrincipal: number;
  /** Interest posted at a month end, unpaid after the next month end (as the statement counts arrears). */
  overdueInterest: number;
  /**
   * What days late count from: the deadline of the oldest late principal; when only interest is late, the
   * deadline of the oldest late interest; null when nothing is late.
   */
  oldestOverdueDueDate: string | null;
  /** Everything owed, late or not, less the employer's credit. */
  amountDue: number;
  /** The latest payroll's headcount (the workers whose contributions are at stake). */
  headcount: number;
}

/**
 * The debt on `asOf` from the employer's ledger, counting only what exists by then (payments, adjustments
 * and payrolls dated after it are ignored), so a payment made since the last evaluation counts at once.
 */
export function debtAsOf(
  request: Omit<StatementRequest, 'period'>,
  asOf: string,
  policy: ContributionPolicy = DEFAULT_POLICY,
): DebtAsOf {
  const today = dayNumber(asOf);
  const { account, charges } = simulate({ ...request, period: asOf.slice(0, 7) }, policy, today);
  let overduePrincipal = 0;
  let owed = 0;
  let oldest: number | undefined;
  for (const item of account.principal) {
    owed += item.unpaid;
    if (item.due < today) {
      overduePrincipal += item.unpaid;
      oldest = Math.min(oldest ?? item.due, item.due);
    }
  }
  let interestOwed = 0;
  let overdueInterest = 0;
  let oldestInterest: number | undefined;
  for (const item of account.interest) {
    interestOwed += item.unpaid;
    const due = interestDueDay(item);
    if (item.unpaid > 0 && due < today) {
      overdueInterest += item.unpaid;
      oldestInterest = Math.min(oldestInterest ?? due, due);
    }
  }
  oldest ??= oldestInterest;
  let latest: PeriodCharge | undefined;
  for (const charge of charges.values()) if (!latest || charge.period > latest.period) latest = charge;
  return {
    asOf,
    overduePrincipal,
    overdueInterest,
    oldestOverdueDueDate: oldest === undefined ? null : isoFromDay(oldest),
    amountDue: Math.max(0, owed + interestOwed - account.credit),
    headcount: latest?.headcount ?? 0,
  };
}
