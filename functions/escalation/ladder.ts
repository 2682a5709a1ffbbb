/**
 * One evaluation of a debt case against its policy version (domain.md section 4). Pure: the case's state,
 * the debt as recomputed from the ledger just before, and the date, in; what to do, out.
 *
 * - Payment in full (nothing overdue, principal or interest) closes the case, whatever its stage.
 * - A paused case does nothing; paused days never count as days late.
 * - Otherwise the case climbs from the stage it has reached, one stage after the other, never skipping
 *   one: automatic stages that are due are all taken now; the first approval stage that is due stops the
 *   climb and asks for its approval (an approval already asked for is waited for). A partial payment
 *   moves the deadline of the oldest overdue charge, so the case climbs from where it is, more slowly.
 */
import { addWorkingDays, dayNumber, isoFromDay, wholeMonthsBetween } from '../shared/calendar.ts';
import { nonWorkingDays } from '../shared/holidays.ts';
import { roundHalfUpPcm } from '../shared/money.ts';
import { RATE_DENOMINATOR } from '../c12/policy.ts';
import {
  STAGES,
  type ApproverRole,
  type EscalationPolicy,
  type PenaltyScale,
  type Stage,
  type StageRule,
} from './policy.ts';

export type CaseStatus = 'OPEN' | 'PAUSED' | 'CLOSED';
export type PauseReason = 'FORCE_MAJEURE' | 'DISPUTE' | 'LEGAL_SUSPENSION';

export interface Pause {
  from: string;
  /** Absent while the case is paused; the day the case resumed otherwise (not a paused day). */
  to?: string | undefined;
  reason: PauseReason;
}

export interface CaseState {
  status: CaseStatus;
  /** The highest stage reached ('NONE' for a case just opened). */
  stage: Stage | 'NONE';
  pauses: readonly Pause[];
  /** An approval asked for and not yet decided. */
  pendingApproval?: { stage: Stage } | undefined;
}

/** The debt as recomputed from the ledger for this evaluation. */
export interface DebtFacts {
  asOf: string;
  overduePrincipal: number;
  overdueInterest: number;
  /** What days late count from: the oldest overdue charge's deadline, else the oldest overdue interest's. */
  oldestOverdueDueDate: string | null;
  /** Everything owed, due or not: the base of a late-payment fine. */
  amountDue: number;
  /** Workers whose contributions are unpaid (the latest headcount). */
  workers: number;
  /** An organisation (company, cooperative) rather than an individual employer: fines are doubled. */
  organisation: boolean;
}

export interface FineProposal {
  instrument: string;
  confirmed: boolean;
  classification: 'LATE_PAYMENT' | 'EVASION';
  /** The range that applies (by the classification), for this employer (organisations doubled). */
  range: { minVnd: number; maxVnd: number };
  latePayment: { minVnd: number; maxVnd: number };
  evasion: { minVnd: number; maxVnd: number };
}

/** Penal Code Art. 216, each condition with its figure, so the approval email can list them. */
export interface ReferralConditions {
  evasionMonths: number;
  minEvasionMonths: number;
  fined: boolean;
  overdueVnd: number;
  minAmountVnd: number;
  workers: number;
  minWorkers: number;
  met: boolean;
}

export type Evaluation =
  | { action: 'CLOSE'; reason: 'PAID_IN_FULL' }
  | {
      action: 'WAIT';
      reason: 'PAUSED' | 'AWAITING_APPROVAL' | 'NOT_DUE' | 'TOP_OF_LADDER';
      daysLate: number;
      /** The next stage and what it waits for. */
      next?: { stage: Stage; dueAtDaysLate: number; conditionsMet: boolean } | undefined;
    }
  | {
      action: 'CLIMB';
      daysLate: number;
      /** Automatic stages taken now, in order. */
      automatic: Stage[];
      /** The approval stage that is due after them, if any. */
      approval?:
        | {
            stage: Stage;
            approvers: ApproverRole[];
            fine?: FineProposal | undefined;
            referral?: ReferralConditions | undefined;
          }
        | undefined;
    };

/** Days from `from` to `to` (inclusive of both ends) spent paused. */
function pausedDaysWithin(pauses: readonly Pause[], from: number, to: number): number {
  // As day intervals within [from, to], merged: a day two pauses cover is one paused day.
  const spans = pauses
    .map((pause) => [
      Math.max(from, dayNumber(pause.from)),
      Math.min(to, pause.to ? dayNumber(pause.to) - 1 : to),
    ])
    .filter(([start, end]) => end! >= start!)
    .sort((a, b) => a[0]! - b[0]!);
  let days = 0;
  let covered = from - 1; // the last day counted so far
  for (const [start, end] of spans) {
    const first = Math.max(start!, covered + 1);
    if (end! >= first) days += end! - first + 1;
    covered = Math.max(covered, end!);
  }
  return days;
}

/** Days past the deadline, not counting paused days: the deadline day itself is not late. */
export function daysLate(deadline: string | null, asOf: string, pauses: readonly Pause[]): number {
  if (!deadline) return 0;
  const first = dayNumber(deadline) + 1;
  const today = dayNumber(asOf);
  if (today < first) return 0;
  return today - first + 1 - pausedDaysWithin(pauses, first, today);
}

function scaleOn(policy: EscalationPolicy, asOf: string): PenaltyScale {
  let found: PenaltyScale | undefined;
  for (const scale of policy.penalties) if (scale.from <= asOf) found = scale;
  if (!found) throw new Error(`no penalty scale in force on ${asOf} in escalation policy ${policy.version}`);
  return found;
}

/** The fine range to propose (Decree 12/2022 or its successor), for an individual or an organisation. */
export function proposedFine(
  policy: EscalationPolicy,
  debt: Pick<DebtFacts, 'asOf' | 'amountDue' | 'organisation'>,
  classification: FineProposal['classification'],
): FineProposal {
  const scale = scaleOn(policy, debt.asOf);
  const multiple = debt.organisation ? scale.organisationMultiplier : 1;
  // At or above the amount where the share reaches the cap, the cap: the product is never formed, so a
  // debt of any size stays in exact integers.
  const share = (pcm: number) => {
    const cap = scale.latePayment.capVnd;
    const capped = debt.amountDue >= Math.ceil((cap * RATE_DENOMINATOR) / pcm);
    return (capped ? cap : Math.min(cap, roundHalfUpPcm(debt.amountDue * pcm))) * multiple;
  };
  const latePayment = { minVnd: share(scale.latePayment.minPcm), maxVnd: share(scale.latePayment.maxPcm) };
  const evasion = { minVnd: scale.evasion.minVnd * multiple, maxVnd: scale.evasion.maxVnd * multiple };
  return {
    instrument: scale.instrument,
    confirmed: scale.confirmed,
    classification,
    range: classification === 'EVASION' ? evasion : latePayment,
    latePayment,
    evasion,
  };
}

/** Art. 216's conditions as of the evaluation: evasion long enough, fined for it, and enough at stake. */
export function referralConditions(
  policy: EscalationPolicy,
  state: Pick<CaseState, 'stage' | 'pauses'>,
  debt: DebtFacts,
): ReferralConditions {
  const rule = policy.criminalReferral;
  const late = daysLate(debt.oldestOverdueDueDate, debt.asOf, state.pauses);
  // Evasion began `evasionAfterDaysLate` (not paused) days after the deadline.
  const evasionDays = late - policy.evasionAfterDaysLate;
  const evasionMonths =
    evasionDays > 0 ? wholeMonthsBetween(isoFromDay(dayNumber(debt.asOf) - evasionDays), debt.asOf) : 0;
  const fined = STAGES.indexOf(state.stage as Stage) >= STAGES.indexOf('ADMIN_PENALTY');
  // What was evaded is the unpaid contributions: late-payment interest is not part of it.
  const overdueVnd = debt.overduePrincipal;
  return {
    evasionMonths,
    minEvasionMonths: rule.minEvasionMonths,
    fined,
    overdueVnd,
    minAmountVnd: rule.minAmountVnd,
    workers: debt.workers,
    minWorkers: rule.minWorkers,
    met:
      evasionMonths >= rule.minEvasionMonths &&
      fined &&
      (overdueVnd >= rule.minAmountVnd || debt.workers >= rule.minWorkers),
  };
}

function isDue(rule: StageRule, late: number, asOf: string, conditions: () => boolean): boolean {
  if (late < rule.minDaysLate) return false;
  if (rule.daysOfMonth) {
    const day = Number(asOf.slice(8, 10));
    if (day < rule.daysOfMonth.from || day > rule.daysOfMonth.to) return false;
  }
  return conditions();
}

export function evaluateCase(policy: EscalationPolicy, state: CaseState, debt: DebtFacts): Evaluation {
  if (debt.overduePrincipal + debt.overdueInterest <= 0) return { action: 'CLOSE', reason: 'PAID_IN_FULL' };
  const late = daysLate(debt.oldestOverdueDueDate, debt.asOf, state.pauses);
  if (state.status === 'PAUSED') return { action: 'WAIT', reason: 'PAUSED', daysLate: late };
  if (state.pendingApproval) return { action: 'WAIT', reason: 'AWAITING_APPROVAL', daysLate: late };

  const reached = state.stage === 'NONE' ? -1 : policy.stages.findIndex((rule) => rule.stage === state.stage);
  const automatic: Stage[] = [];
  for (let index = reached + 1; index < policy.stages.length; index++) {
    const rule = policy.stages[index]!;
    const referral =
      rule.stage === 'CRIMINAL_REFERRAL'
        ? referralConditions(
            policy,
            { stage: policy.stages[index - 1]?.stage ?? 'NONE', pauses: state.pauses },
            debt,
          )
        : undefined;
    // Evasion is about contributions (domain.md: charges unpaid after the deadline): a debt of interest
    // alone climbs to the working session and waits there until it is paid.
    const evasionStage = policy.stages.findIndex((candidate) => candidate.stage === 'EVASION_NOTICE');
    const contributionsLate = debt.overduePrincipal > 0 || evasionStage < 0 || index < evasionStage;
    const conditionsMet = (referral?.met ?? true) && contributionsLate;
    const due = isDue(rule, late, debt.asOf, () => conditionsMet);
    if (!due) {
      const next = {
        stage: rule.stage,
        dueAtDaysLate: rule.minDaysLate,
        conditionsMet,
      };
      return automatic.length > 0
        ? { action: 'CLIMB', daysLate: late, automatic }
        : { action: 'WAIT', reason: 'NOT_DUE', daysLate: late, next };
    }
    if (rule.approvers.length === 0) {
      automatic.push(rule.stage);
      continue;
    }
    // Climbing never skips a stage: every stage before this one has been reached, evasion's too if it is one.
    const fine =
      rule.stage === 'ADMIN_PENALTY'
        ? proposedFine(policy, debt, evasionStage >= 0 && evasionStage < index ? 'EVASION' : 'LATE_PAYMENT')
        : undefined;
    return {
      action: 'CLIMB',
      daysLate: late,
      automatic,
      approval: { stage: rule.stage, approvers: [...rule.approvers], fine, referral },
    };
  }
  return automatic.length > 0
    ? { action: 'CLIMB', daysLate: late, automatic }
    : { action: 'WAIT', reason: 'TOP_OF_LADDER', daysLate: late };
}

/** The last day to decide an approval asked for on `requestedOn`: the n-th working day after it. */
export function approvalDeadline(policy: EscalationPolicy, requestedOn: string): string {
  return addWorkingDays(requestedOn, policy.approvalWorkingDays, nonWorkingDays(policy.holidays));
}
