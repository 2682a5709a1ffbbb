/**
 * What happens when nobody answers, or the answer is no: on the embedded stack with approvals that wait two
 * seconds instead of three working days.
 */
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/shared/aws.ts';
import { stateMachineArn } from '../../infra/local/sfn-engine.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { captureOutput, tempDataDir, until } from '../infra/local/helpers.ts';
import type { EscalationCase } from '../../functions/escalation/repository.ts';
import { cases, decide, linkOf, mailer, seedEscalation, stageOf, sweep } from './escalation-fixtures.ts';

process.env.APPROVAL_WAIT_SECONDS_OVERRIDE = '2';

const data = tempDataDir();
let stack: LocalStack;
let mail: ReturnType<typeof mailer>;
/** The handlers' log lines (they run in this process), and every task token the engine issued. */
let output: ReturnType<typeof captureOutput>;
const issuedTokens: string[] = [];

/** Marks a case as waiting for an approval of `stage` under the run `executionName` (as the sweep's climb does). */
async function markWaiting(employerId: string, executionName: string, set: Record<string, unknown> = {}) {
  const [, stage, day] = /^[A-Z0-9]+-([A-Z_]+)-(\d{4}-\d{2}-\d{2})$/.exec(executionName)!;
  const extra = Object.keys(set);
  await awsClients().dynamo.send(
    new UpdateCommand({
      TableName: 'Cases',
      Key: { employerId, slot: 'CURRENT' },
      UpdateExpression: `SET pendingApproval = :pending${extra.map((key) => `, ${key} = :${key}`).join('')}`,
      ExpressionAttributeValues: {
        ':pending': { stage, requestedAt: `${day}T00:05:00.000Z`, executionName },
        ...Object.fromEntries(extra.map((key) => [`:${key}`, set[key]])),
      },
    }),
  );
}

/** Starts the approval workflow for the WORKING_SESSION of a case, as the sweep would; the ended run. */
async function runApproval(kase: EscalationCase, officerId: string) {
  const { sfn } = awsClients();
  const name = `${kase.employerId}-WORKING_SESSION-2026-10-30`;
  const start = {
    executionName: name,
    employerId: kase.employerId,
    caseId: kase.caseId,
    stage: 'WORKING_SESSION',
    approvers: ['OFFICER'],
    asOf: '2026-10-30',
    policyVersion: kase.policyVersion,
    officerId,
    subject: {
      caseId: kase.caseId,
      employerId: kase.employerId,
      employerName: kase.employerName ?? kase.employerId,
      stage: 'WORKING_SESSION',
      action: 'Mời đơn vị làm việc',
      overdueVnd: 40_000_000,
      daysLate: 30,
      details: [],
    },
  };
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('CaseApproval'),
      name,
      input: JSON.stringify({ start, approverCount: 1, index: 0, previousApprover: null }),
    }),
  );
  return until(async () => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });
}

beforeAll(async () => {
  output = captureOutput();
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  stack.engine.taskTokenListeners.add((token) => issuedTokens.push(token));
  mail = mailer(stack);
  await seedEscalation([
    { employerId: 'TS0011A', name: 'Công ty TNHH Im Lặng', email: 'ketoan@imlang.example' },
    { employerId: 'TS0012A', name: 'Công ty TNHH Bị Từ Chối', email: 'ketoan@bituchoi.example' },
    { employerId: 'TS0013A', name: 'Công ty TNHH Gián Đoạn', email: 'ketoan@giandoan.example' },
    { employerId: 'TS0014A', name: 'Công ty TNHH Hỏng Giữa Đường', email: 'ketoan@hong.example' },
    { employerId: 'TS0015A', name: 'Công ty TNHH Lỗi Bước Hỏi', email: 'ketoan@loibuochoi.example' },
    { employerId: 'TS0016A', name: 'Công ty TNHH Vừa Nộp Đủ', email: 'ketoan@vuanopdu.example' },
  ]);
  await sweep('2026-10-02');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
  output.restore();
});

describe('approval timeouts and rejections', () => {
  it('reminds the officer once with the same link, then passes the approval to the supervisor; the first link dies', async () => {
    await sweep('2026-10-30', 'TS0011A');
    const ask = await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt/);
    // The officer opens the page, and leaves it open without deciding.
    const openPage = await (await fetch(linkOf(ask))).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(openPage)![1]!;
    const reminder = await mail.next('binh.tv@bhxh-demo.vn', /^\[Nhắc\] Đề nghị phê duyệt/);
    expect(linkOf(reminder)).toBe(linkOf(ask));
    const handed = await mail.next('hoa.lt@bhxh-demo.vn', /^Đề nghị phê duyệt/);
    expect(handed.body.text).toContain('được chuyển cho anh/chị vì Trần Văn Bình chưa quyết định');
    expect(linkOf(handed)).not.toBe(linkOf(ask));

    const dead = await fetch(linkOf(ask));
    expect(dead.status).toBe(410);
    expect(await dead.text()).toContain('Liên kết không còn hiệu lực');
    // The form left open submits after the approval passed on: refused, nothing changes.
    const tooLate = await fetch(linkOf(ask), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'approve', csrf }).toString(),
    });
    expect(tooLate.status).toBe(410);

    expect((await decide(linkOf(handed), 'approve')).status).toBe(200);
    await stageOf('TS0011A', 'WORKING_SESSION');
    const trail = await cases().trail('TS0011A#2026-09');
    expect(
      trail.map((entry) => [entry.what, entry.who]).filter(([what]) => what!.startsWith('APPROV')),
    ).toEqual([
      ['APPROVAL_REQUESTED', 'dondoc'],
      ['APPROVAL_ASKED', 'CB01'],
      ['APPROVAL_REMINDED', 'CB01'],
      ['APPROVAL_REASSIGNED', 'TP01'],
      ['APPROVED', 'TP01'],
    ]);
  }, 60_000);

  it('records a rejection with its reason and keeps the case at its stage until the next evaluation', async () => {
    await sweep('2026-10-30', 'TS0012A');
    const ask = await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt.*TS0012A/);
    const rejected = await decide(linkOf(ask), 'reject', 'Đơn vị đã hẹn nộp ngày 05/11');
    expect(rejected.status).toBe(200);
    await until(async () => ((await cases().currentCase('TS0012A'))?.pendingApproval ? undefined : true));
    expect((await cases().currentCase('TS0012A'))?.stage).toBe('URGING_LETTER');
    const trail = await cases().trail('TS0012A#2026-09');
    expect(trail.find((entry) => entry.what === 'REJECTED')).toMatchObject({
      who: 'CB01',
      why: 'Đơn vị đã hẹn nộp ngày 05/11',
      channel: 'EMAIL_LINK',
    });
    expect(trail.find((entry) => entry.what === 'APPROVAL_REJECTED')).toMatchObject({
      why: 'Đơn vị đã hẹn nộp ngày 05/11',
    });
    // The next evaluation asks again.
    await sweep('2026-10-31', 'TS0012A');
    await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt.*TS0012A/);
  }, 60_000);

  it('starts an approval a crash left marked but unstarted, under the name it was marked with', async () => {
    // As if the sweep had written the climb and crashed before StartExecution.
    const marked = { executionName: 'TS0013A-WORKING_SESSION-2026-10-29' };
    await markWaiting('TS0013A', marked.executionName);
    await sweep('2026-10-30', 'TS0013A');
    const ask = await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt.*TS0013A/);
    expect((await decide(linkOf(ask), 'approve')).status).toBe(200);
    await stageOf('TS0013A', 'WORKING_SESSION');
    const started = await new ListExecutionsCommand({ stateMachineArn: stateMachineArn('CaseApproval') });
    const executions = (await awsClients().sfn.send(started)).executions ?? [];
    expect(executions.filter((e) => e.name?.startsWith('TS0013A-'))).toEqual([
      expect.objectContaining({ name: marked.executionName }),
    ]);
  }, 60_000);

  it('asks again when the marked approval run ended without asking, instead of waiting for it forever', async () => {
    const { sfn } = awsClients();
    const name = 'TS0014A-WORKING_SESSION-2026-10-29';
    // A run of the marked name that failed before it asked anyone (here: started without its input).
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn('CaseApproval'), name, input: '{}' }),
    );
    await until(async () => {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status === 'FAILED' ? true : undefined;
    });
    await markWaiting('TS0014A', name);
    expect((await sweep('2026-10-30', 'TS0014A')).totals).toMatchObject({ WAITING: 1 });
    expect((await cases().currentCase('TS0014A'))?.pendingApproval).toBeUndefined();
    const trail = await cases().trail('TS0014A#2026-09');
    expect(trail.find((entry) => entry.what === 'APPROVAL_NOT_STARTED')?.why).toContain(
      `${name} thuộc một lần chạy đã kết thúc (FAILED)`,
    );
    // The next evaluation asks, under its own day's name.
    expect((await sweep('2026-10-31', 'TS0014A')).totals).toMatchObject({ APPROVAL_REQUESTED: 1 });
    const ask = await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt.*TS0014A/);
    expect(linkOf(ask)).toMatch(/\/approvals\//);
    expect((await cases().currentCase('TS0014A'))?.pendingApproval?.executionName).toBe(
      'TS0014A-WORKING_SESSION-2026-10-31',
    );
  }, 60_000);

  it('ends the case’s wait when a step fails for good, audits it and fails the run (its alarm)', async () => {
    const { dynamo } = awsClients();
    // An officer record without a name: the ask step refuses the plan built from it (not retried).
    await dynamo.send(
      new PutCommand({
        TableName: 'Officers',
        Item: { officerId: 'CB99', email: 'cb99@bhxh-demo.vn', role: 'OFFICER', supervisorId: 'TP01' },
      }),
    );
    const kase = (await cases().currentCase('TS0015A'))!;
    const name = 'TS0015A-WORKING_SESSION-2026-10-30';
    await markWaiting('TS0015A', name, { officerId: 'CB99' });
    const ended = await runApproval(kase, 'CB99');
    expect(ended).toMatchObject({ status: 'FAILED', error: 'ApprovalWorkflowFailed' });
    expect((await cases().currentCase('TS0015A'))?.pendingApproval).toBeUndefined();
    const trail = await cases().trail(kase.caseId);
    expect(trail.find((entry) => entry.what === 'APPROVAL_FAILED')?.why).toMatch(
      /gặp lỗi, sẽ đề nghị lại ở lần xét sau \(InvalidEventError: invalid event: plan.approver.name: [^)]*\)$/,
    );
  }, 60_000);

  it('ends quietly, asking nobody, when the case stopped waiting before the ask (paid meanwhile, say)', async () => {
    const kase = (await cases().currentCase('TS0016A'))!;
    expect(kase.pendingApproval).toBeUndefined();
    const ended = await runApproval(kase, 'CB01');
    expect(ended.status).toBe('SUCCEEDED');
    const trail = await cases().trail(kase.caseId);
    expect(trail.map((entry) => entry.what)).not.toContain('APPROVAL_FAILED');
    expect(trail.map((entry) => entry.what)).not.toContain('APPROVAL_ASKED');
    const asked = (await mail.mailbox()).filter(
      (m) => /TS0016A/.test(m.subject) && /^Đề nghị/.test(m.subject),
    );
    expect(asked).toEqual([]);
  }, 60_000);

  it('never put a task token, the reminders’ and reassignments’ included, in an email, a page or a log line', async () => {
    const { Items = [] } = await awsClients().dynamo.send(new ScanCommand({ TableName: 'Approvals' }));
    // The listener saw every stored token; a reminder renews its approval's token, so it saw more.
    expect(Items.length).toBeGreaterThan(0);
    for (const item of Items) expect(issuedTokens).toContain(String(item.taskToken));
    expect(issuedTokens.length).toBeGreaterThan(Items.length);
    const pages = await Promise.all(
      Items.map(async (item) => (await fetch(`${stack.webUrl}/approvals/${item.approvalId}`)).text()),
    );
    const everything = [JSON.stringify(await mail.mailbox()), ...pages, ...output.lines].join('\n');
    expect(everything).toContain('/approvals/');
    expect(output.lines.join('')).toContain('"service":"dondoc"');
    for (const token of issuedTokens) expect(everything).not.toContain(token);
  });
});
