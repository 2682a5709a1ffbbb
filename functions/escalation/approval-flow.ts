/**
 * The steps of the approval workflow (workflows/case-approval.asl.json) for one stage of one case:
 * plan who approves next and until when; ask them by email link (the waiting task's token is stored in the
 * approval record, never sent); remind once with the same link; then pass the approval to their supervisor
 * (the first link dies); grant the stage, or record a rejection or a lapse. Every step is audited.
 *
 * Two roles are two people: the second approver is never the one who approved first (their supervisor
 * takes their place).
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { APPROVAL_REJECTED, type ApprovalGranted } from '../approvals/http.ts';
import type { ApprovalRecord, Approver } from '../approvals/model.ts';
import type { ApprovalsRepository } from '../approvals/repository.ts';
import { approvalLink, newApproval } from '../approvals/request.ts';
import { TransientError } from '../shared/errors.ts';
import type { OutgoingEmail, SendOutcome } from '../shared/email.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { approvalRequestLetter, type CaseFacts, type OfficeSettings } from './documents.ts';
import { approvalDeadline } from './ladder.ts';
import { policyFor, type ApproverRole, type EscalationPolicy } from './policy.ts';
import { CaseNotWaitingError, type EscalationRepository, type OfficerRecord } from './repository.ts';
import { deliver, type ApprovalStart } from './sweep.ts';

export interface FlowDeps {
  cases: EscalationRepository;
  approvals: ApprovalsRepository;
  sfn: SFNClient;
  send(mail: OutgoingEmail): Promise<SendOutcome>;
  office: OfficeSettings;
  baseUrl: string;
  /** The escalation policy versions (published and built in), oldest first. */
  policies(): Promise<EscalationPolicy[]>;
  /** Seconds each wait lasts instead of the policy's working days (demos, tests). */
  waitSecondsOverride?: number | undefined;
  now(): string;
}

export interface Plan {
  role: ApproverRole;
  approver: Approver;
  /** Instant the link stops working, and how long the workflow waits for it. */
  expiresAt: string;
  waitSeconds: number;
  deadline: string;
}

/** No one can take the approval over (the director's has no supervisor), or the case has no officer. */
export class NoApproverError extends Error {
  override name = 'NoApproverError';
}

function toApprover(officer: OfficerRecord): Approver {
  return { officerId: officer.officerId, name: officer.name, email: officer.email, role: officer.role };
}

async function requireOfficer(
  deps: FlowDeps,
  officerId: string | undefined | null,
  what: string,
): Promise<OfficerRecord> {
  const officer = officerId ? await deps.cases.officer(officerId) : undefined;
  if (!officer)
    throw new NoApproverError(`${what}: no officer record${officerId ? ` for ${officerId}` : ''}`);
  return officer;
}

/** The person for `role` on this case, never `exclude` (the first approver of a two-person stage). */
async function resolve(
  deps: FlowDeps,
  role: ApproverRole,
  officerId: string | null,
  exclude: string | null,
): Promise<OfficerRecord> {
  let person = await requireOfficer(deps, officerId, 'the case officer');
  const climb = async () =>
    (person = await requireOfficer(deps, person.supervisorId, `the supervisor of ${person.officerId}`));
  if (role === 'SUPERVISOR' || role === 'DIRECTOR') await climb();
  if (role === 'DIRECTOR') while (person.role !== 'DIRECTOR') await climb();
  if (person.officerId === exclude) await climb();
  return person;
}

/**
 * End of the deadline day in Vietnam (UTC+7), or `now + override`. Counted from today in Vietnam, or from the
 * sweep's day when that is later (a simulated day ahead): a second approver asked days after the sweep gets
 * their own working days, not what is left of the first's.
 */
async function expiry(
  deps: FlowDeps,
  start: ApprovalStart,
): Promise<{ expiresAt: string; waitSeconds: number; deadline: string }> {
  const today = todayInVietnam(new Date(deps.now()));
  const from = start.asOf > today ? start.asOf : today;
  const deadline = approvalDeadline(policyFor(start.policyVersion, await deps.policies()), from);
  const now = Date.parse(deps.now());
  if (deps.waitSecondsOverride) {
    return {
      deadline,
      waitSeconds: deps.waitSecondsOverride,
      expiresAt: new Date(now + deps.waitSecondsOverride * 1000).toISOString(),
    };
  }
  const end = Date.parse(`${deadline}T23:59:59.999+07:00`);
  const waitSeconds = Math.max(60, Math.ceil((end - now) / 1000));
  return { deadline, waitSeconds, expiresAt: new Date(now + waitSeconds * 1000).toISOString() };
}

export async function planApproval(
  deps: FlowDeps,
  input: { start: ApprovalStart; index: number; previousApprover: string | null },
): Promise<Plan> {
  const role = input.start.approvers[input.index];
  if (!role) throw new NoApproverError(`stage ${input.start.stage} has no approver ${input.index + 1}`);
  const person = await resolve(deps, role, input.start.officerId, input.previousApprover);
  return { role, approver: toApprover(person), ...(await expiry(deps, input.start)) };
}

/**
 * The plan of a reminder or a reassignment: the same approver (the one who did not answer), a wait of the
 * policy's working days counted from today, its link's expiry the end of that deadline day. The step waits
 * exactly that (its TimeoutSecondsPath), so the link and the wait end together, as the email says.
 */
export async function renewPlan(deps: FlowDeps, input: { start: ApprovalStart; renew: Plan }): Promise<Plan> {
  return { ...input.renew, ...(await expiry(deps, input.start)) };
}

function facts(start: ApprovalStart): CaseFacts {
  return {
    caseId: start.caseId,
    employerId: start.employerId,
    employerName: start.subject.employerName,
    overdueVnd: start.subject.overdueVnd,
    overdueInterestVnd: start.overdueInterestVnd ?? 0,
    daysLate: start.subject.daysLate,
    oldestOverdueDueDate: start.oldestOverdueDueDate ?? null,
    asOf: start.asOf,
  };
}

async function mail(
  deps: FlowDeps,
  record: ApprovalRecord,
  start: ApprovalStart,
  deadline: string,
  extra: { reminder?: boolean; reassignedFrom?: string } = {},
) {
  const letter = approvalRequestLetter({
    approverName: record.approver.name,
    stage: start.stage,
    caseFacts: facts(start),
    details: start.subject.details,
    url: approvalLink(deps.baseUrl, record.approvalId),
    deadline,
    ...extra,
  });
  const sent = await deps.send({
    from: deps.office.sender,
    to: [record.approver.email],
    ...letter,
    attachments: [],
    configurationSet: deps.office.configurationSet,
  });
  // The wait goes on (at its end: the reminder, then the supervisor), but the trail says the mail did not go.
  if (sent.status === 'REJECTED')
    await deps.cases.audit({
      caseId: start.caseId,
      at: deps.now(),
      who: 'dondoc',
      what: 'APPROVAL_EMAIL_REJECTED',
      why: `thư tới ${record.approver.email} bị từ chối (${sent.reason}); hết hạn sẽ nhắc lại rồi chuyển cấp trên`,
      channel: 'SYSTEM',
      discriminator: `${start.stage}#${record.approvalId}`,
    });
}

/** An approval in a state no step expected (e.g. reassigned twice over): the run fails, recorded. */
export class ApprovalStateError extends Error {
  override name = 'ApprovalStateError';
}

/** A decision made while no task was waiting for it: the task now waiting gets it at once. */
async function forward(deps: FlowDeps, record: ApprovalRecord, token: string): Promise<void> {
  if (record.state === 'WITHDRAWN')
    throw new CaseNotWaitingError(`approval ${record.approvalId} was withdrawn: the case no longer waits`);
  if (record.state !== 'APPROVED' && record.state !== 'REJECTED')
    throw new ApprovalStateError(`approval ${record.approvalId} is ${record.state}: no decision to forward`);
  // Marked first, so the page's take-back of a decision it could not deliver cannot undo one on its way;
  // taken back already, the step is retried and finds the approval pending again.
  if (!(await deps.approvals.markForwarded(record.approvalId, record.state, deps.now())))
    throw new TransientError(`approval ${record.approvalId} changed while being forwarded`);
  if (record.state === 'APPROVED') {
    const output: ApprovalGranted = {
      decision: 'APPROVED',
      approvalId: record.approvalId,
      by: record.approver.officerId,
      at: record.decidedAt!,
      reason: record.decision?.reason,
    };
    await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  } else {
    await deps.sfn.send(
      new SendTaskFailureCommand({
        taskToken: token,
        error: APPROVAL_REJECTED,
        cause: JSON.stringify({
          approvalId: record.approvalId,
          by: record.approver.officerId,
          at: record.decidedAt,
          reason: record.decision?.reason,
        }),
      }),
    );
  }
}

export type Attempt = 'FIRST' | 'REMINDER' | 'REASSIGN';

/** The waiting task's Lambda: asks, reminds or reassigns, and stores the new task token in the approval. */
export async function requestApproval(
  deps: FlowDeps,
  input: { token: string; start: ApprovalStart; plan: Plan; attempt: Attempt },
): Promise<void> {
  const { start, plan, token } = input;
  const at = deps.now();
  const audit = (what: string, who: string, why?: string) =>
    deps.cases.audit({
      caseId: start.caseId,
      at,
      who,
      what,
      why,
      channel: 'SYSTEM',
      discriminator: `${start.stage}#${who}`,
    });

  if (input.attempt === 'FIRST') {
    // A retry of this step (the email went, a later write failed) asks with the link already recorded for
    // this approver, so only one link is ever live for the run. (The first approver's, when this is the
    // second of a two-person stage, is someone else's: a new one is made.)
    const kase = await deps.cases.currentCase(start.employerId);
    const asked = kase?.pendingApproval;
    const recorded =
      asked?.executionName === start.executionName && asked.approvalId
        ? await deps.approvals.get(asked.approvalId)
        : undefined;
    const earlier = recorded?.approver.officerId === plan.approver.officerId ? recorded : undefined;
    if (earlier && earlier.state !== 'PENDING') return forward(deps, earlier, token);
    if (earlier) {
      if (!(await deps.approvals.renew(earlier.approvalId, token, plan.expiresAt, at)))
        return forward(deps, (await deps.approvals.get(earlier.approvalId))!, token);
      await mail(deps, { ...earlier, expiresAt: plan.expiresAt }, start, plan.deadline);
      await audit('APPROVAL_ASKED', earlier.approver.officerId, `${start.stage}, hạn ${plan.deadline}`);
      return;
    }
    const record = newApproval({
      taskToken: token,
      approver: plan.approver,
      subject: start.subject,
      createdAt: at,
      expiresAt: plan.expiresAt,
    });
    await deps.approvals.create(record);
    try {
      await deps.cases.setWaitingApproval(
        start.employerId,
        { stage: start.stage, executionName: start.executionName },
        record.approvalId,
        plan.approver.officerId,
      );
    } catch (error) {
      // The case stopped waiting before the ask: the link, never sent, is withdrawn with it.
      if (error instanceof CaseNotWaitingError)
        await deps.approvals.withdraw(record.approvalId, at, 'hồ sơ không còn chờ phê duyệt trước khi gửi');
      throw error;
    }
    await mail(deps, record, start, plan.deadline);
    await audit('APPROVAL_ASKED', plan.approver.officerId, `${start.stage}, hạn ${plan.deadline}`);
    return;
  }

  const kase = await deps.cases.currentCase(start.employerId);
  // Paid and closed, or its wait ended, meanwhile: nobody is reminded or asked.
  if (kase?.pendingApproval?.executionName !== start.executionName || kase.status === 'CLOSED')
    throw new CaseNotWaitingError(
      `the case of ${start.employerId} no longer waits for ${start.executionName}`,
    );
  const approvalId = kase.pendingApproval.approvalId;
  let current = approvalId ? await deps.approvals.get(approvalId) : undefined;
  if (!current) throw new NoApproverError(`case ${start.caseId} has no approval waiting for ${start.stage}`);
  // An earlier attempt of this step passed the approval on and failed before the case recorded it: go on
  // with the approval it passed to, rather than climbing again (or reading "reassigned" as a refusal).
  const passedOn = current.state === 'REASSIGNED' && current.reassignedTo;
  if (passedOn) current = await deps.approvals.get(current.reassignedTo!);
  if (!current) throw new NoApproverError(`case ${start.caseId}: the approval it passed to is missing`);
  if (current.state !== 'PENDING') return forward(deps, current, token);

  // The plan was renewed for this step (renewPlan): its link lasts as long as the step waits. A run started
  // under the definition before the renewal steps passes its first plan, long past: renewed here.
  const { expiresAt, deadline } =
    Date.parse(plan.expiresAt) > Date.parse(at) ? plan : await renewPlan(deps, { start, renew: plan });
  if (input.attempt === 'REMINDER') {
    if (!(await deps.approvals.renew(current.approvalId, token, expiresAt, at))) {
      return forward(deps, (await deps.approvals.get(current.approvalId))!, token);
    }
    await mail(deps, { ...current, expiresAt }, start, deadline, { reminder: true });
    await audit('APPROVAL_REMINDED', current.approver.officerId);
    return;
  }

  // REASSIGN: the approver's supervisor takes it over with a new link; the first one dies.
  if (current.approver.officerId !== plan.approver.officerId) {
    // An earlier attempt of this step passed it on already (and failed after): the supervisor's approval
    // takes this attempt's token and its email goes (again), rather than climbing one more level.
    if (!(await deps.approvals.renew(current.approvalId, token, expiresAt, at))) {
      return forward(deps, (await deps.approvals.get(current.approvalId))!, token);
    }
    if (passedOn)
      await deps.cases.setWaitingApproval(
        start.employerId,
        { stage: start.stage, executionName: start.executionName },
        current.approvalId,
        current.approver.officerId,
      );
    await mail(deps, { ...current, expiresAt }, start, deadline, { reassignedFrom: plan.approver.name });
    await audit(
      'APPROVAL_REASSIGNED',
      current.approver.officerId,
      `${plan.approver.officerId} chưa quyết định trong thời hạn`,
    );
    return;
  }
  const approver = await requireOfficer(deps, current.approver.officerId, 'the approver');
  const supervisor = await requireOfficer(
    deps,
    approver.supervisorId,
    `the supervisor of ${approver.officerId}`,
  );
  const record = newApproval({
    taskToken: token,
    approver: toApprover(supervisor),
    subject: start.subject,
    createdAt: at,
    expiresAt,
  });
  await deps.approvals.create(record);
  if (!(await deps.approvals.reassign(current.approvalId, record.approvalId, at))) {
    return forward(deps, (await deps.approvals.get(current.approvalId))!, token);
  }
  await deps.cases.setWaitingApproval(
    start.employerId,
    { stage: start.stage, executionName: start.executionName },
    record.approvalId,
    supervisor.officerId,
  );
  await mail(deps, record, start, deadline, { reassignedFrom: approver.name });
  await audit(
    'APPROVAL_REASSIGNED',
    supervisor.officerId,
    `${approver.officerId} chưa quyết định trong thời hạn`,
  );
}

/** Every approver said yes: the stage is reached and its document goes out. */
export async function grantStage(
  deps: FlowDeps,
  input: { start: ApprovalStart; employerEmail?: string | undefined },
): Promise<void> {
  const { start } = input;
  const at = deps.now();
  const granted = await deps.cases.grantStage(start.employerId, start.stage, start.executionName, at);
  if (granted) {
    await deps.cases.audit({
      caseId: start.caseId,
      at,
      who: 'dondoc',
      what: 'STAGE_REACHED',
      why: 'đã được phê duyệt',
      channel: 'SYSTEM',
      discriminator: start.stage,
      details: { stage: start.stage },
    });
  }
  const kase = granted ?? (await deps.cases.currentCase(start.employerId));
  if (kase && kase.stage !== start.stage) {
    // Approved when the case no longer waited for it (paused, closed, or the approval withdrawn meanwhile):
    // no step is taken on it, and the trail says so; the evaluation after a resume asks again.
    await deps.cases.audit({
      caseId: start.caseId,
      at,
      who: 'dondoc',
      what: 'APPROVAL_SET_ASIDE',
      why: `${start.stage} được phê duyệt khi hồ sơ ${kase.status === 'OPEN' ? 'không còn chờ phê duyệt này' : kase.status === 'PAUSED' ? 'đang tạm dừng' : 'đã đóng'}: không thực hiện bước`,
      channel: 'SYSTEM',
      discriminator: `${start.stage}#${start.executionName}`,
    });
    return;
  }
  // Granted now, or by an earlier attempt of this run whose letter did not go out (it stays claimed): send
  // it. Claimed by another run: that run (or the next evaluation) sends it.
  const claimed = kase?.documents?.[start.stage];
  if (kase?.stage !== start.stage || claimed?.status !== 'PENDING') return;
  if (claimed.run !== undefined && claimed.run !== start.executionName) return;
  await deliver(
    deps,
    { employerId: start.employerId, caseId: start.caseId, officerId: kase?.officerId },
    { email: input.employerEmail },
    start.stage,
    facts(start),
    start.asOf,
  );
}

/** A failed step's error in a line: its name and message, without the stack trace a Lambda error carries. */
function failureText(error: string | undefined, cause: string | undefined): string {
  let message = cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // plain text
  }
  return [error, message].filter(Boolean).join(': ').slice(0, 300);
}

const OUTCOME_AUDIT = {
  REJECTED: 'APPROVAL_REJECTED',
  LAPSED: 'APPROVAL_LAPSED',
  FAILED: 'APPROVAL_FAILED',
} as const;

/**
 * A rejection (with its reason), a lapse (no one decided) or a failure (a step failed after its retries):
 * the case stays at its stage, no longer waiting, until the next evaluation.
 */
export async function recordOutcome(
  deps: FlowDeps,
  input: {
    start: ApprovalStart;
    outcome: keyof typeof OUTCOME_AUDIT;
    /** FAILED: the step's error name; its cause is a Lambda error's JSON or plain text. */
    error?: string | undefined;
    cause?: string | undefined;
  },
): Promise<void> {
  const { start } = input;
  const at = deps.now();
  let who = 'dondoc';
  let why: string | undefined = input.outcome === 'LAPSED' ? 'không ai quyết định trong thời hạn' : undefined;
  if (input.outcome === 'FAILED') {
    why = `quy trình phê duyệt gặp lỗi, sẽ đề nghị lại ở lần xét sau (${failureText(input.error, input.cause)})`;
  } else if (input.cause) {
    try {
      const cause = JSON.parse(input.cause) as { by?: string; reason?: string };
      who = cause.by ?? who;
      why = cause.reason ?? why;
    } catch {
      why = input.cause;
    }
  }
  const cleared = await deps.cases.clearPendingApproval(start.employerId, start.stage, start.executionName);
  // A run whose wait had ended already (withdrawn by a pause or a payment, the trail says so) lapsed or was
  // refused on a link no longer the case's: nothing of the case's to record.
  if (!cleared && input.outcome !== 'FAILED') return;
  if (input.outcome === 'FAILED' && !cleared) {
    // The case was not waiting any more: the stage was granted (its letter, still claimed, goes with the
    // next evaluation), or the case was closed. No new ask is coming.
    const kase = await deps.cases.currentCase(start.employerId);
    why =
      kase?.stage === start.stage
        ? `bước ${start.stage} đã được ghi nhận; văn bản của bước sẽ được gửi ở lần xét sau (${failureText(input.error, input.cause)})`
        : `quy trình phê duyệt gặp lỗi khi hồ sơ không còn chờ phê duyệt này (${failureText(input.error, input.cause)})`;
  }
  await deps.cases.audit({
    caseId: start.caseId,
    at,
    who,
    what: OUTCOME_AUDIT[input.outcome],
    why,
    channel: 'SYSTEM',
    discriminator: start.stage,
  });
}
