/**
 * One evaluation of a debt case, as the daily sweep (or an evaluation on demand) runs it:
 * 1. the debt recomputed from the ledger as of the day (a payment since the last run stops the next step);
 * 2. documents a crash left claimed but unsent go out first;
 * 3. the ladder (ladder.ts) under the case's own policy version decides: close (paid in full), wait, or
 *    climb: automatic stages taken in one conditional write and their documents sent, then the first
 *    approval stage that is due handed to an approval workflow (one per case and stage).
 * Every action is in the case's audit trail. Safe to repeat: a write that finds the case moved changes
 * nothing, a document is claimed before it is sent, an approval workflow is named after case, stage and day.
 */
import { debtAsOf } from '../c12/account.ts';
import {
  employerRecordSchema,
  ledgerToRequest,
  LedgerValidationError,
  type EmployerRecord,
  type LedgerRow,
} from '../c12/ledger.ts';
import { describeIssues } from '../c12/model.ts';
import { formatVnd } from '../c12/notice/format.ts';
import type { CaseApprovalSubject } from '../approvals/model.ts';
import type { OutgoingEmail, SendOutcome } from '../shared/email.ts';
import { addDays } from '../shared/calendar.ts';
import { isInfrastructureError, isUnreadableNumber } from '../shared/errors.ts';
import { logger } from '../shared/logger.ts';
import {
  approvalDetails,
  closingLetter,
  MEASURES,
  STAGE_ACTION,
  STAGE_AUDIENCE,
  stageLetter,
  type CaseFacts,
  type Letter,
  type OfficeSettings,
} from './documents.ts';
import { evaluateCase, type DebtFacts, type Evaluation } from './ladder.ts';
import { renderUrgingLetterPdf } from './letter-pdf.ts';
import { policyFor, type ApproverRole, type EscalationPolicy, type Stage } from './policy.ts';
import type { CaseDocument, EscalationCase, EscalationRepository, OfficerRecord } from './repository.ts';

/** What the approval workflow starts from. */
export interface ApprovalStart {
  /** Names the execution: one approval workflow per case, stage and day, however often this runs. */
  executionName: string;
  employerId: string;
  caseId: string;
  stage: Stage;
  approvers: ApproverRole[];
  asOf: string;
  /** The case's policy version: its approval deadline. */
  policyVersion: string;
  officerId: string | null;
  subject: CaseApprovalSubject;
  /** The debt's interest and oldest deadline as evaluated, for the stage's letter sent once approved. */
  overdueInterestVnd?: number | undefined;
  oldestOverdueDueDate?: string | null | undefined;
}

export interface SweepDeps {
  cases: EscalationRepository;
  employer(employerId: string): Promise<Record<string, unknown> | undefined>;
  ledger(partition: string, employerId: string): Promise<LedgerRow[]>;
  send(mail: OutgoingEmail): Promise<SendOutcome>;
  /**
   * Starts the approval workflow under the start's name. `RUNNING`: a run of that name is going (an earlier
   * attempt's); `ended`: a run of that name ended without this start (it failed, or the name was used today).
   */
  startApproval(start: ApprovalStart): Promise<'STARTED' | 'RUNNING' | { ended: string }>;
  /** The escalation policy versions (published and built in), oldest first. */
  policies(): Promise<EscalationPolicy[]>;
  office: OfficeSettings;
  now(): string;
}

export type CaseOutcome =
  'CLOSED' | 'CLIMBED' | 'APPROVAL_REQUESTED' | 'WAITING' | 'PAUSED' | 'AWAITING_APPROVAL' | 'SKIPPED';

/**
 * evaluateOne, with one case's failure kept to that case: an error of its own (data no rule expected, a
 * policy version no longer published, a bug it alone triggers) is logged and written to its trail
 * (EVALUATION_FAILED), and the sweep goes on with the others; the sweep then ends failed, naming it, so
 * the alarm fires. A service or network error is rethrown: the whole batch is retried (it is idempotent).
 */
export async function evaluateOrRecordFailure(
  deps: SweepDeps,
  kase: EscalationCase,
  asOf: string,
): Promise<CaseOutcome | 'FAILED'> {
  try {
    return await evaluateOne(deps, kase, asOf);
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.error('case evaluation failed', { caseId: kase.caseId, error });
    await deps.cases.audit({
      caseId: kase.caseId,
      at: deps.now(),
      who: 'dondoc',
      what: 'EVALUATION_FAILED',
      why: why.slice(0, 1000),
      channel: 'SYSTEM',
      discriminator: asOf,
    });
    return 'FAILED';
  }
}

/** The debt is judged cured after this many days from the urging letter (its cure date). */
const CURE_DAYS = 15;

/**
 * One approval run per case, stage and day, and per withdrawal: a pause or a payment withdraws the run's
 * approval, and the run, still waiting, keeps its name; asked again the same day, the new run needs its own.
 */
function executionName(employerId: string, stage: Stage, asOf: string, withdrawals: number): string {
  return `${employerId}-${stage}-${asOf}${withdrawals ? `-w${withdrawals}` : ''}`
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 80);
}

export async function evaluateOne(deps: SweepDeps, kase: EscalationCase, asOf: string): Promise<CaseOutcome> {
  const at = deps.now();
  const skip = async (why: string) => {
    logger.warn('case skipped', { caseId: kase.caseId, why });
    await deps.cases.audit({
      caseId: kase.caseId,
      at,
      who: 'dondoc',
      what: 'SKIPPED',
      why,
      channel: 'SYSTEM',
      discriminator: asOf,
    });
    return 'SKIPPED' as const;
  };
  const stored = await deps.employer(kase.employerId);
  const parsed = employerRecordSchema.safeParse(stored);
  if (!parsed.success)
    return skip(
      stored
        ? `employer record: ${describeIssues(parsed.error).replaceAll('\n', '; ')}`
        : 'employer record missing',
    );
  const employer = parsed.data;

  let debt;
  try {
    const { period: _period, ...ledger } = ledgerToRequest(
      employer,
      await deps.ledger(employer.partition, employer.employerId),
      asOf.slice(0, 7),
    );
    debt = debtAsOf(ledger, asOf);
  } catch (error) {
    if (error instanceof LedgerValidationError) return skip(`ledger: ${error.reasons.join('; ')}`);
    if (isUnreadableNumber(error)) return skip(`ledger: ${(error as Error).message}`);
    throw error;
  }
  const facts: DebtFacts = {
    asOf,
    overduePrincipal: debt.overduePrincipal,
    overdueInterest: debt.overdueInterest,
    oldestOverdueDueDate: debt.oldestOverdueDueDate,
    amountDue: debt.amountDue,
    workers: debt.headcount,
    organisation: employer.organisation,
  };
  const policy = policyFor(kase.policyVersion, await deps.policies());
  const state = {
    status: kase.status,
    stage: kase.stage,
    pauses: kase.pauses ?? [],
    pendingApproval: kase.pendingApproval,
  };
  let evaluation = evaluateCase(policy, state, facts);
  const pending = kase.pendingApproval;
  if (evaluation.action === 'WAIT' && evaluation.reason === 'AWAITING_APPROVAL' && pending) {
    // The approval in progress, judged again on today's debt (without it).
    const again = evaluateCase(policy, { ...state, pendingApproval: undefined }, facts);
    const stillDue =
      again.action === 'CLIMB' && again.automatic.length === 0 && again.approval?.stage === pending.stage;
    if (stillDue && !pending.approvalId) {
      // Marked in progress but no approval link recorded yet: a crash may have come between the climb's
      // write and StartExecution. The approval is started again under the marked name (a no-op if it runs).
      evaluation = again;
    } else if (again.action === 'CLOSE') {
      evaluation = again; // closing ends the wait and withdraws the link (act)
    } else if (!stillDue) {
      // Asked on the figures of its day: a payment since took the case below the stage. The approval is
      // withdrawn (its link dies) rather than decided on old figures, and the case goes on from today's debt.
      const why = `số tiền quá hạn nay là ${formatVnd(debt.overduePrincipal + debt.overdueInterest)}, ${again.action === 'WAIT' ? again.daysLate : 0} ngày chậm đóng: chưa đến bước này`;
      if (await deps.cases.withdrawPendingApproval(kase, pending, at, why)) {
        evaluation = again;
        kase = { ...kase, pendingApproval: undefined };
      }
    }
  }
  const caseFacts = (daysLate: number): CaseFacts => ({
    caseId: kase.caseId,
    employerId: kase.employerId,
    employerName: employer.name,
    overdueVnd: debt.overduePrincipal + debt.overdueInterest,
    overdueInterestVnd: debt.overdueInterest,
    daysLate,
    oldestOverdueDueDate: debt.oldestOverdueDueDate,
    asOf,
  });
  const daysLate = evaluation.action === 'CLOSE' ? 0 : evaluation.daysLate;

  // Documents a crash left claimed: send them before anything new (a paused case's wait for its resume).
  // The closing letter only with the close itself (act): a case back in arrears meanwhile must not get it.
  for (const [key, document] of Object.entries(kase.status === 'PAUSED' ? {} : (kase.documents ?? {}))) {
    if (document?.status !== 'PENDING' || key === 'CLOSED') continue;
    await deliver(deps, kase, employer, key as Stage | 'CLOSED', caseFacts(daysLate), asOf);
  }

  return act(deps, kase, employer, evaluation, caseFacts(daysLate), asOf, at);
}

async function act(
  deps: SweepDeps,
  kase: EscalationCase,
  employer: EmployerRecord,
  evaluation: Evaluation,
  facts: CaseFacts,
  asOf: string,
  at: string,
): Promise<CaseOutcome> {
  const audit = (what: string, why?: string, discriminator = asOf, details?: Record<string, unknown>) =>
    deps.cases.audit({
      caseId: kase.caseId,
      at,
      who: 'dondoc',
      what,
      why,
      channel: 'SYSTEM',
      discriminator,
      details,
    });
  if (evaluation.action === 'CLOSE') {
    // The closing letter goes out before the case closes: a send that fails leaves the case open with its
    // letter claimed, and the next sweep, finding it paid, sends it and closes it (the letter is never lost;
    // at most it goes twice, if the first send did go out).
    const letter = await deps.cases.claimClosingLetter(kase.employerId, at);
    if (letter === 'CLOSED') return 'CLOSED';
    if (kase.pendingApproval)
      await deps.cases.withdrawApprovalLink(
        kase.caseId,
        kase.pendingApproval,
        at,
        'đơn vị đã nộp đủ số tiền quá hạn',
      );
    if (letter === 'CLAIMED') await deliver(deps, kase, employer, 'CLOSED', facts, asOf);
    if (await deps.cases.close(kase.employerId, 'PAID_IN_FULL', at))
      await audit('CLOSED', 'nộp đủ số tiền quá hạn');
    return 'CLOSED';
  }
  if (evaluation.action === 'WAIT') {
    if (evaluation.reason === 'PAUSED') return 'PAUSED';
    if (evaluation.reason === 'AWAITING_APPROVAL') return 'AWAITING_APPROVAL';
    return 'WAITING';
  }

  const approval = evaluation.approval;
  const resumed = kase.pendingApproval; // set only when evaluateOne resumes an unstarted approval
  const start: ApprovalStart | undefined = approval && {
    executionName:
      resumed?.executionName ?? executionName(kase.employerId, approval.stage, asOf, kase.withdrawals ?? 0),
    employerId: kase.employerId,
    caseId: kase.caseId,
    stage: approval.stage,
    approvers: approval.approvers,
    asOf,
    policyVersion: kase.policyVersion,
    officerId: kase.officerId ?? null,
    overdueInterestVnd: facts.overdueInterestVnd,
    oldestOverdueDueDate: facts.oldestOverdueDueDate,
    subject: {
      caseId: kase.caseId,
      employerId: kase.employerId,
      employerName: employer.name,
      stage: approval.stage,
      action: STAGE_ACTION[approval.stage],
      overdueVnd: facts.overdueVnd,
      daysLate: facts.daysLate,
      details: approvalDetails(approval.fine, approval.referral),
    },
  };
  // The climb in one write: the automatic stages reached, their documents claimed, the approval marked in
  // progress. A crash after it leaves the documents PENDING and the approval unstarted; the next evaluation
  // sends the first and starts the second (evaluateOne).
  if (resumed && start) return startApproval(deps, kase, start, at);
  const pending = start && { stage: start.stage, requestedAt: at, executionName: start.executionName };
  if (!(await deps.cases.advance(kase.employerId, kase.stage, evaluation.automatic, at, pending))) {
    return 'WAITING'; // another run moved the case meanwhile
  }
  await deps.cases.auditAll([
    ...evaluation.automatic.map((stage) => ({
      caseId: kase.caseId,
      at,
      who: 'dondoc',
      what: 'STAGE_REACHED',
      why: `${facts.daysLate} ngày chậm đóng`,
      channel: 'SYSTEM' as const,
      discriminator: stage,
      details: { stage },
    })),
    ...(start
      ? [
          {
            caseId: kase.caseId,
            at,
            who: 'dondoc',
            what: 'APPROVAL_REQUESTED',
            why: start.approvers.join(' + '),
            channel: 'SYSTEM' as const,
            discriminator: start.stage,
            details: { stage: start.stage, approvers: start.approvers },
          },
        ]
      : []),
  ]);
  const sent: [Stage, CaseDocument][] = [];
  try {
    for (const stage of evaluation.automatic) {
      sent.push([stage, await sendDocument(deps, kase, employer, stage, facts, asOf)]);
    }
  } finally {
    // What went out is recorded even when a later letter failed, so a retry does not send it again.
    await deps.cases.markDocuments(kase.employerId, sent);
  }
  if (!start) return 'CLIMBED';
  return startApproval(deps, kase, start, at);
}

/**
 * Hands the stage to its approval workflow. A name already taken by a run that ended (it failed before
 * asking, or the name was used earlier today) means no approval is coming from it: the case's marker is
 * cleared, if no approval link was recorded under it (the case would otherwise wait forever), and the next
 * evaluation, under its own day's name, asks again.
 */
async function startApproval(
  deps: SweepDeps,
  kase: EscalationCase,
  start: ApprovalStart,
  at: string,
): Promise<CaseOutcome> {
  const started = await deps.startApproval(start);
  if (typeof started === 'string') return 'APPROVAL_REQUESTED';
  // Only a marker of this run with no approval link recorded: if the run asked, its link stands.
  if (
    !(await deps.cases.clearPendingApproval(kase.employerId, start.stage, start.executionName, {
      onlyUnasked: true,
    }))
  )
    return 'AWAITING_APPROVAL';
  await deps.cases.audit({
    caseId: kase.caseId,
    at,
    who: 'dondoc',
    what: 'APPROVAL_NOT_STARTED',
    why: `tên quy trình phê duyệt ${start.executionName} thuộc một lần chạy đã kết thúc (${started.ended}) mà hồ sơ chưa ghi nhận đề nghị nào; sẽ đề nghị lại ở lần xét sau`,
    channel: 'SYSTEM',
    discriminator: `${start.stage}#${start.executionName}`,
  });
  return 'WAITING';
}

type DeliverDeps = Pick<SweepDeps, 'cases' | 'send' | 'office' | 'now'>;
type DeliverCase = Pick<EscalationCase, 'employerId' | 'caseId' | 'officerId'>;

/** Sends the document of `key` (a stage, or the closing letter) to its audience and records it. */
export async function deliver(
  deps: DeliverDeps,
  kase: DeliverCase,
  employer: Pick<EmployerRecord, 'email'>,
  key: Stage | 'CLOSED',
  facts: CaseFacts,
  asOf: string,
): Promise<void> {
  await deps.cases.markDocument(
    kase.employerId,
    key,
    await sendDocument(deps, kase, employer, key, facts, asOf),
  );
}

/** Sends the document of `key` (or finds it goes by post) and returns what to record of it. */
async function sendDocument(
  deps: DeliverDeps,
  kase: DeliverCase,
  employer: Pick<EmployerRecord, 'email'>,
  key: Stage | 'CLOSED',
  facts: CaseFacts,
  asOf: string,
): Promise<CaseDocument> {
  const cureDate = addDays(asOf, CURE_DAYS);
  const letter: Letter =
    key === 'CLOSED'
      ? closingLetter(facts, deps.office.name)
      : stageLetter(key, facts, deps.office.name, cureDate, deps.office.evasionRecipients);
  // The urging letter is a document of record: the email carries it as a PDF.
  const attachments =
    key === 'URGING_LETTER'
      ? [
          {
            filename: `Van-ban-don-doc_${kase.employerId}_${asOf}.pdf`,
            contentType: 'application/pdf',
            content: renderUrgingLetterPdf({
              office: deps.office.name,
              employer: { id: kase.employerId, name: facts.employerName },
              caseId: kase.caseId,
              asOf,
              overdueVnd: facts.overdueVnd,
              interestVnd: facts.overdueInterestVnd,
              daysLate: facts.daysLate,
              oldestOverdueDueDate: facts.oldestOverdueDueDate,
              cureDate,
              measures: MEASURES,
            }),
          },
        ]
      : [];
  const officer = async (): Promise<OfficerRecord | undefined> =>
    kase.officerId ? deps.cases.officer(kase.officerId) : undefined;
  let to: string | undefined = employer.email;
  if (key !== 'CLOSED' && STAGE_AUDIENCE[key] === 'OFFICE') to = (await officer())?.email;
  // Some documents are told to others in copy of the employer's, and to them alone when the employer's
  // goes by post, so they are informed either way: an evasion to the labour authority and the
  // inspectorate; the urging letter, automatic, to the case's officer (domain.md: "officer informed").
  const informed =
    key === 'EVASION_NOTICE'
      ? deps.office.evasionRecipients
      : key === 'URGING_LETTER'
        ? [(await officer())?.email].filter((email): email is string => !!email)
        : [];
  const at = deps.now();
  const mail = (recipients: string[], cc?: string[]) =>
    deps.send({
      from: deps.office.sender,
      to: recipients,
      cc,
      ...letter,
      attachments,
      configurationSet: deps.office.configurationSet,
    });
  const toEmployer = to ? await mail([to], informed.length ? informed : undefined) : undefined;
  let copies: Pick<CaseDocument, 'informed' | 'informedMessageId'> = {};
  if (informed.length && toEmployer?.status === 'SENT') copies = { informed };
  else if (informed.length) {
    // The employer's copy goes by post (no address, or SES refused the message): those informed are told
    // all the same, alone.
    const alone = await mail(informed);
    if (alone.status === 'SENT') copies = { informed, informedMessageId: alone.messageId };
    else
      logger.warn('copy of the document not delivered to those informed', {
        stage: key,
        caseId: kase.caseId,
        why: alone.reason,
      });
  }
  return toEmployer?.status === 'SENT'
    ? { status: 'SENT', at, messageId: toEmployer.messageId, ...copies }
    : { status: 'POSTAL', at, ...copies };
}
