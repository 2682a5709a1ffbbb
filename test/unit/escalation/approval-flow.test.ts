/**
 * The approval workflow's steps against in-memory records (approval-flow.ts): the retries Step Functions
 * makes of a step that failed half-way must not climb twice or lose a letter, and a case that stopped
 * waiting is asked nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRecord } from '../../../functions/approvals/model.ts';
import type { ApprovalsRepository } from '../../../functions/approvals/repository.ts';
import {
  grantStage,
  planApproval,
  recordOutcome,
  renewPlan,
  requestApproval,
  type FlowDeps,
  type Plan,
} from '../../../functions/escalation/approval-flow.ts';
import { DEFAULT_ESCALATION_POLICY } from '../../../functions/escalation/policy.ts';
import {
  CaseNotWaitingError,
  type AuditEntry,
  type CaseDocument,
  type EscalationCase,
  type EscalationRepository,
  type OfficerRecord,
} from '../../../functions/escalation/repository.ts';
import type { ApprovalStart } from '../../../functions/escalation/sweep.ts';
import type { OutgoingEmail } from '../../../functions/shared/email.ts';
import { OFFICERS, WORKING_SESSION_SUBJECT } from '../../workflows/escalation-fixtures.ts';

const approverOf = (officer: OfficerRecord) => ({
  officerId: officer.officerId,
  name: officer.name,
  email: officer.email,
  role: officer.role,
});

const start: ApprovalStart = {
  executionName: 'TS0001A-WORKING_SESSION-2026-10-30',
  employerId: 'TS0001A',
  caseId: 'TS0001A#2026-09',
  stage: 'WORKING_SESSION',
  approvers: ['OFFICER'],
  asOf: '2026-10-30',
  policyVersion: DEFAULT_ESCALATION_POLICY.version,
  officerId: 'CB01',
  subject: WORKING_SESSION_SUBJECT,
};
const plan: Plan = {
  role: 'OFFICER',
  approver: approverOf(OFFICERS[2]!),
  expiresAt: '2026-11-04T16:59:59.999Z',
  waitSeconds: 600,
  deadline: '2026-11-04',
};

function world(kase: EscalationCase) {
  const approvals = new Map<string, ApprovalRecord>();
  const sent: OutgoingEmail[] = [];
  const trail: AuditEntry[] = [];
  const marked: [string, CaseDocument][] = [];
  const cases = {
    currentCase: async () => kase,
    officer: async (id: string) => OFFICERS.find((officer) => officer.officerId === id),
    audit: async (entry: AuditEntry) => void trail.push(entry),
    setWaitingApproval: async (
      _employerId: string,
      waitingFor: { executionName: string },
      approvalId: string,
      approverId: string,
    ) => {
      if (kase.pendingApproval?.executionName !== waitingFor.executionName)
        throw new CaseNotWaitingError('gone');
      kase.pendingApproval = { ...kase.pendingApproval, approvalId, approverId };
    },
    grantStage: async () => undefined, // granted by an earlier attempt
    clearPendingApproval: async (_employerId: string, _stage: string, run: string) => {
      if (kase.pendingApproval?.executionName !== run) return false;
      kase.pendingApproval = undefined;
      return true;
    },
    markDocument: async (_employerId: string, key: string, document: CaseDocument) => {
      marked.push([key, document]);
    },
  } as unknown as EscalationRepository;
  const repository = {
    create: async (record: ApprovalRecord) => void approvals.set(record.approvalId, record),
    get: async (id: string) => approvals.get(id),
    renew: async (id: string, taskToken: string, expiresAt: string) => {
      const record = approvals.get(id);
      if (record?.state !== 'PENDING') return false;
      approvals.set(id, { ...record, taskToken, expiresAt });
      return true;
    },
    reassign: async (id: string, to: string) => {
      const record = approvals.get(id);
      if (record?.state !== 'PENDING') return false;
      approvals.set(id, { ...record, state: 'REASSIGNED', reassignedTo: to });
      return true;
    },
    markForwarded: async (id: string, state: string) => approvals.get(id)?.state === state,
    withdraw: async (id: string, _at: string, reason: string) => {
      const record = approvals.get(id);
      if (record?.state !== 'PENDING') return false;
      approvals.set(id, { ...record, state: 'WITHDRAWN', withdrawnReason: reason });
      return true;
    },
  } as unknown as ApprovalsRepository;
  const told: { command: string; input: Record<string, unknown> }[] = [];
  const deps: FlowDeps = {
    cases,
    approvals: repository,
    sfn: {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        told.push({ command: command.constructor.name, input: command.input });
        return {};
      },
    } as never,
    send: async (mail) => (sent.push(mail), { status: 'SENT', messageId: `m-${sent.length}` }),
    office: { name: 'Bảo hiểm xã hội tỉnh Lâm Đồng', sender: 'thongbao@bhxh-demo.vn', evasionRecipients: [] },
    baseUrl: 'http://127.0.0.1:8090',
    policies: async () => [DEFAULT_ESCALATION_POLICY],
    now: () => '2026-11-05T01:00:00.000Z',
  };
  return { deps, approvals, sent, trail, marked, told };
}

function waitingCase(): EscalationCase {
  return {
    employerId: 'TS0001A',
    caseId: start.caseId,
    status: 'OPEN',
    stage: 'URGING_LETTER',
    pendingApproval: {
      stage: 'WORKING_SESSION',
      requestedAt: '2026-10-30T00:05:00.000Z',
      executionName: start.executionName,
    },
    policyVersion: start.policyVersion,
    officerId: 'CB01',
    openedAt: '2026-10-02T00:00:00.000Z',
    openedForPeriod: '2026-09',
    overduePrincipal: 40_000_000,
    overdueInterest: 0,
    owed: 40_000_000,
    interestOwed: 0,
    oldestOverdueDueDate: '2026-09-30',
    lastStatementPeriod: '2026-10',
    updatedAt: '2026-10-30T00:05:00.000Z',
  };
}

describe('requestApproval', () => {
  it('passes a lapsed approval to the supervisor once, even when the step is retried after it did', async () => {
    const kase = waitingCase();
    const { deps, approvals, sent } = world(kase);
    await requestApproval(deps, { token: 'token-1', start, plan, attempt: 'FIRST' });
    await requestApproval(deps, { token: 'token-2', start, plan, attempt: 'REASSIGN' });
    const supervisors = [...approvals.values()].filter((r) => r.approver.officerId === 'TP01');
    expect(supervisors).toHaveLength(1);
    // The retry (a new task token) finds the supervisor's approval: it renews it, it does not climb again.
    await requestApproval(deps, { token: 'token-3', start, plan, attempt: 'REASSIGN' });
    expect([...approvals.values()].map((r) => r.approver.officerId).sort()).toEqual(['CB01', 'TP01']);
    expect(approvals.get(kase.pendingApproval!.approvalId!)).toMatchObject({
      approver: { officerId: 'TP01' },
      taskToken: 'token-3',
      state: 'PENDING',
    });
    expect(sent.map((mail) => mail.to[0])).toEqual([
      'binh.tv@bhxh-demo.vn',
      'hoa.lt@bhxh-demo.vn',
      'hoa.lt@bhxh-demo.vn',
    ]);
  });

  it('takes up the approval it passed on when the step failed before the case recorded it', async () => {
    const kase = waitingCase();
    const { deps, approvals, sent, told, trail } = world(kase);
    await requestApproval(deps, { token: 'token-1', start, plan, attempt: 'FIRST' });
    const waitFor = deps.cases.setWaitingApproval.bind(deps.cases);
    let failures = 1;
    deps.cases.setWaitingApproval = async (...args) => {
      if (failures-- > 0) throw Object.assign(new Error('throttled'), { name: 'TransientError' });
      return waitFor(...args);
    };
    await expect(
      requestApproval(deps, { token: 'token-2', start, plan, attempt: 'REASSIGN' }),
    ).rejects.toThrow('throttled');
    // The retry: the officer's approval is REASSIGNED, the case still names it.
    await requestApproval(deps, { token: 'token-3', start, plan, attempt: 'REASSIGN' });
    expect(told).toEqual([]); // no refusal invented on the officer's behalf
    expect(trail.map((entry) => entry.what)).not.toContain('APPROVAL_REJECTED');
    const supervisors = [...approvals.values()].filter((r) => r.approver.officerId === 'TP01');
    expect(supervisors).toHaveLength(1);
    expect(supervisors[0]).toMatchObject({ state: 'PENDING', taskToken: 'token-3' });
    expect(kase.pendingApproval).toMatchObject({
      approvalId: supervisors[0]!.approvalId,
      approverId: 'TP01',
    });
    expect(sent.at(-1)!.to).toEqual(['hoa.lt@bhxh-demo.vn']);
  });

  it('keeps one live link when the first ask is retried after its email went out', async () => {
    const kase = waitingCase();
    const { deps, approvals, sent } = world(kase);
    const audit = deps.cases.audit.bind(deps.cases);
    let failures = 1;
    deps.cases.audit = async (entry) => {
      if (failures-- > 0) throw Object.assign(new Error('throttled'), { name: 'TransientError' });
      return audit(entry);
    };
    await expect(requestApproval(deps, { token: 'token-1', start, plan, attempt: 'FIRST' })).rejects.toThrow(
      'throttled',
    );
    await requestApproval(deps, { token: 'token-2', start, plan, attempt: 'FIRST' });
    expect(approvals.size).toBe(1);
    const [record] = [...approvals.values()];
    expect(record).toMatchObject({ state: 'PENDING', taskToken: 'token-2' });
    expect(kase.pendingApproval?.approvalId).toBe(record!.approvalId);
    // The email again, with the same link.
    expect(sent).toHaveLength(2);
    for (const mail of sent) expect(mail.text).toContain(`/approvals/${record!.approvalId}`);
  });

  it('asks the second approver with a link of their own, the first one decided', async () => {
    const kase = waitingCase();
    const { deps, approvals, sent, told } = world(kase);
    await requestApproval(deps, { token: 'token-1', start, plan, attempt: 'FIRST' });
    const first = kase.pendingApproval!.approvalId!;
    approvals.set(first, { ...approvals.get(first)!, state: 'APPROVED' });
    const second: Plan = { ...plan, role: 'SUPERVISOR', approver: approverOf(OFFICERS[1]!) };
    await requestApproval(deps, { token: 'token-2', start, plan: second, attempt: 'FIRST' });
    expect(told).toEqual([]); // the officer's approval is not taken for the supervisor's
    expect(approvals.size).toBe(2);
    expect(approvals.get(kase.pendingApproval!.approvalId!)).toMatchObject({
      approver: { officerId: OFFICERS[1]!.officerId },
      state: 'PENDING',
      taskToken: 'token-2',
    });
    expect(sent.at(-1)!.to).toEqual([OFFICERS[1]!.email]);
  });

  it("says in the trail when the approver's mail was refused, and waits on for the reminder", async () => {
    const kase = waitingCase();
    const { deps, approvals, trail } = world(kase);
    deps.send = async () => ({ status: 'REJECTED', reason: 'MessageRejected: address blacklisted' });
    await requestApproval(deps, { token: 'token-1', start, plan, attempt: 'FIRST' });
    expect(trail.map((entry) => entry.what)).toEqual(['APPROVAL_EMAIL_REJECTED', 'APPROVAL_ASKED']);
    expect(trail[0]!.why).toContain('address blacklisted');
    expect([...approvals.values()].map((record) => record.state)).toEqual(['PENDING']);
  });

  it('renews a reminded link with the plan renewed for its step: working days from today, to the end of the day', async () => {
    const kase = waitingCase();
    const { deps, approvals, sent } = world(kase);
    await requestApproval(deps, { token: 'token-1', start, plan, attempt: 'FIRST' });
    // Thursday 2027-01-07, 10:00 in Vietnam: three working days to the end of Tuesday 2027-01-12 there.
    deps.now = () => '2027-01-07T03:00:00.000Z';
    const renewed = await renewPlan(deps, { start, renew: plan });
    expect(renewed).toMatchObject({
      approver: plan.approver,
      deadline: '2027-01-12',
      // The end of that day, to the whole second the step's timeout counts in.
      expiresAt: '2027-01-12T17:00:00.000Z',
      waitSeconds: (Date.parse('2027-01-12T17:00:00.000Z') - Date.parse(deps.now())) / 1000,
    });
    await requestApproval(deps, { token: 'token-2', start, plan: renewed, attempt: 'REMINDER' });
    expect(approvals.get(kase.pendingApproval!.approvalId!)!.expiresAt).toBe(renewed.expiresAt);
    expect(sent[1]!.text).toContain('12/01/2027');
  });

  it('withdraws the link it made when the case stopped waiting before the ask', async () => {
    const kase = { ...waitingCase(), pendingApproval: undefined };
    const { deps, approvals, sent } = world(kase);
    await expect(requestApproval(deps, { token: 't', start, plan, attempt: 'FIRST' })).rejects.toThrow(
      CaseNotWaitingError,
    );
    expect([...approvals.values()].map((record) => record.state)).toEqual(['WITHDRAWN']);
    expect(sent).toEqual([]);
  });

  it('asks nobody when the case no longer waits for this run (closed meanwhile)', async () => {
    const kase = { ...waitingCase(), status: 'CLOSED' as const, pendingApproval: undefined };
    const { deps, sent } = world(kase);
    await expect(requestApproval(deps, { token: 't', start, plan, attempt: 'FIRST' })).rejects.toThrow(
      CaseNotWaitingError,
    );
    await expect(requestApproval(deps, { token: 't', start, plan, attempt: 'REMINDER' })).rejects.toThrow(
      CaseNotWaitingError,
    );
    await expect(requestApproval(deps, { token: 't', start, plan, attempt: 'REASSIGN' })).rejects.toThrow(
      CaseNotWaitingError,
    );
    expect(sent).toEqual([]);
  });
});

describe('a run started before the renewal steps existed', () => {
  it('renews the reminder from today when the plan it passes has run out', async () => {
    const kase = waitingCase();
    const { deps, approvals } = world(kase);
    await requestApproval(deps, { token: 'token-1', start, plan, attempt: 'FIRST' });
    deps.now = () => '2026-11-06T03:00:00.000Z'; // plan.expiresAt (11-04) long past
    await requestApproval(deps, { token: 'token-2', start, plan, attempt: 'REMINDER' });
    const record = approvals.get(kase.pendingApproval!.approvalId!)!;
    expect(Date.parse(record.expiresAt)).toBeGreaterThan(Date.parse(deps.now()));
  });
});

describe('recordOutcome', () => {
  it("records nothing for a run whose wait had ended already (withdrawn), and the case's own lapse", async () => {
    const kase = waitingCase();
    const { deps, trail } = world(kase);
    await recordOutcome(deps, { start: { ...start, executionName: 'an-older-run' }, outcome: 'LAPSED' });
    expect(trail).toEqual([]);
    expect(kase.pendingApproval).toBeDefined();
    await recordOutcome(deps, { start, outcome: 'LAPSED' });
    expect(trail.map((entry) => entry.what)).toEqual(['APPROVAL_LAPSED']);
    expect(kase.pendingApproval).toBeUndefined();
  });
});

describe('planApproval', () => {
  it('gives the second approver their own working days, from the day they are asked', async () => {
    const kase = waitingCase();
    const { deps } = world(kase);
    // The sweep asked on 10-30; the officer approved on Thursday 2027-01-07: the supervisor has until the
    // third working day after it, not a deadline already passed.
    deps.now = () => '2027-01-07T03:00:00.000Z';
    const second = await planApproval(deps, {
      start: { ...start, stage: 'INSPECTION', approvers: ['OFFICER', 'SUPERVISOR'] },
      index: 1,
      previousApprover: 'CB01',
    });
    expect(second.approver.officerId).toBe('TP01');
    expect(second.deadline).toBe('2027-01-12');
    expect(second.waitSeconds).toBeGreaterThan(4 * 86_400);
  });
});

describe('grantStage', () => {
  it('leaves a letter another run claimed to that run', async () => {
    const kase: EscalationCase = {
      ...waitingCase(),
      stage: 'WORKING_SESSION',
      pendingApproval: undefined,
      documents: {
        WORKING_SESSION: { status: 'PENDING', at: '2026-11-05T00:59:00.000Z', run: 'another-run' },
      },
    };
    const { deps, sent } = world(kase);
    await grantStage(deps, { start, employerEmail: 'ketoan@nokeodai.example' });
    expect(sent).toEqual([]);
  });

  it('sends the letter from the case as granted, without reading the case again', async () => {
    const { deps, sent, trail, marked } = world(waitingCase());
    const granted: EscalationCase = {
      ...waitingCase(),
      stage: 'WORKING_SESSION',
      pendingApproval: undefined,
      documents: {
        WORKING_SESSION: { status: 'PENDING', at: '2026-11-05T01:00:00.000Z', run: start.executionName },
      },
    };
    Object.assign(deps.cases, {
      grantStage: async () => granted,
      currentCase: async () => {
        throw new Error('read again');
      },
    });
    await grantStage(deps, { start, employerEmail: 'ketoan@nokeodai.example' });
    expect(trail.map((entry) => entry.what)).toEqual(['STAGE_REACHED']);
    expect(sent.map((mail) => mail.subject)).toEqual([expect.stringMatching(/^Giấy mời làm việc/)]);
    expect(marked).toEqual([['WORKING_SESSION', expect.objectContaining({ status: 'SENT' })]]);
  });

  it('takes no step on an approval that arrives when the case is paused, and says so', async () => {
    const kase: EscalationCase = { ...waitingCase(), status: 'PAUSED', pendingApproval: undefined };
    const { deps, sent, trail } = world(kase);
    await grantStage(deps, { start, employerEmail: 'ketoan@nokeodai.example' });
    expect(sent).toEqual([]);
    expect(trail).toEqual([
      expect.objectContaining({ what: 'APPROVAL_SET_ASIDE', why: expect.stringContaining('đang tạm dừng') }),
    ]);
  });

  it('sends the letter an earlier attempt granted but left claimed, and nothing when it went out', async () => {
    const kase: EscalationCase = {
      ...waitingCase(),
      stage: 'WORKING_SESSION',
      pendingApproval: undefined,
      documents: { WORKING_SESSION: { status: 'PENDING', at: '2026-11-05T00:59:00.000Z' } },
    };
    const { deps, sent, marked } = world(kase);
    await grantStage(deps, { start, employerEmail: 'ketoan@nokeodai.example' });
    expect(sent.map((mail) => mail.subject)).toEqual([expect.stringMatching(/^Giấy mời làm việc/)]);
    expect(marked).toEqual([['WORKING_SESSION', expect.objectContaining({ status: 'SENT' })]]);

    kase.documents = {
      WORKING_SESSION: { status: 'SENT', at: '2026-11-05T01:00:00.000Z', messageId: 'm-1' },
    };
    await grantStage(deps, { start, employerEmail: 'ketoan@nokeodai.example' });
    expect(sent).toHaveLength(1);
  });
});
