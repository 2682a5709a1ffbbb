/**
 * Approval links on the embedded stack: a real execution waits on a task token held by an approval record;
 * the test works the link as a browser would (GET the page, POST its form) through the local front door.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApprovalId, type ApprovalRecord } from '../../../functions/approvals/model.ts';
import { ApprovalsRepository } from '../../../functions/approvals/repository.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { stateMachineArn } from '../../../infra/local/sfn-engine.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { TOY_REGISTRY } from '../../fixtures/toy-registry.ts';
import { captureOutput, tempDataDir, until } from '../../infra/local/helpers.ts';

const data = tempDataDir();
let stack: LocalStack;
let approvals: ApprovalsRepository;
/** Everything written to stdout and stderr while the suite runs: the task token must never be in it. */
let output: ReturnType<typeof captureOutput>;
/** Every page the suite received. */
const pages: string[] = [];
const tokens: string[] = [];

beforeAll(async () => {
  output = captureOutput();
  stack = await startLocalStack({
    dataDir: data.dir,
    ports: FREE_PORTS,
    registry: TOY_REGISTRY,
    resume: false,
  });
  approvals = new ApprovalsRepository(awsClients().dynamo);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
  output.restore();
});

const sfn = () => new SFNClient({});

/** Starts a waiting execution and returns its approval once the record exists. */
async function pendingApproval(
  expiresInMs = 3_600_000,
): Promise<{ record: ApprovalRecord; executionArn: string }> {
  const approvalId = newApprovalId();
  const { executionArn } = await sfn().send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('Approval'),
      input: JSON.stringify({ approvalId, expiresAt: new Date(Date.now() + expiresInMs).toISOString() }),
    }),
  );
  const record = await until(() => approvals.get(approvalId), 20_000, `approval ${approvalId}`);
  tokens.push(record.taskToken);
  return { record, executionArn: executionArn! };
}

async function request(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; html: string; headers: Headers }> {
  const response = await fetch(`${stack.webUrl}${path}`, { redirect: 'manual', ...init });
  const html = await response.text();
  pages.push(html);
  return { status: response.status, html, headers: response.headers };
}

/** The CSRF token the page's form carries, as a browser would send it back. */
function csrfOf(html: string): string {
  return /name="csrf" value="([^"]+)"/.exec(html)![1]!;
}

function post(approvalId: string, form: Record<string, string>) {
  return request(`/approvals/${approvalId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

async function finished(executionArn: string) {
  return until(async () => {
    const execution = await sfn().send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });
}

describe('approval links', () => {
  it('GET shows the confirmation page, escaped, and decides nothing however often it is fetched', async () => {
    const { record } = await pendingApproval();
    for (let i = 0; i < 5; i++) {
      const page = await request(`/approvals/${record.approvalId}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('Mời đơn vị làm việc, đối chiếu số nợ');
      expect(page.html).toContain('Công ty TNHH &lt;Chè&gt; Cầu Đất &amp; Cộng sự');
      expect(page.html).toContain('39.212.866 đ');
      expect(page.html).toContain('<dd>33</dd>');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('cache-control')).toBe('no-store');
    }
    expect((await approvals.get(record.approvalId))?.state).toBe('PENDING');
  });

  it('a POST with the form token approves once and completes the waiting task; a replay changes nothing', async () => {
    const { record, executionArn } = await pendingApproval();
    const csrf = csrfOf((await request(`/approvals/${record.approvalId}`)).html);
    const approved = await post(record.approvalId, { decision: 'approve', csrf, reason: 'Đồng ý' });
    expect(approved.status).toBe(200);
    expect(approved.html).toContain('Đã phê duyệt');
    const execution = await finished(executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).approval).toMatchObject({
      decision: 'APPROVED',
      approvalId: record.approvalId,
      by: 'CB03',
      reason: 'Đồng ý',
    });
    const replay = await post(record.approvalId, { decision: 'reject', csrf, reason: 'đổi ý' });
    expect(replay.status).toBe(409);
    expect(await approvals.get(record.approvalId)).toMatchObject({
      state: 'APPROVED',
      approver: expect.objectContaining({ officerId: 'CB03' }),
      decision: { channel: 'EMAIL_LINK', reason: 'Đồng ý' },
    });
  });

  it('a rejection needs a reason, and fails the waiting task with ApprovalRejected and the reason', async () => {
    const { record, executionArn } = await pendingApproval();
    const csrf = csrfOf((await request(`/approvals/${record.approvalId}`)).html);
    const noReason = await post(record.approvalId, { decision: 'reject', csrf, reason: '   ' });
    expect(noReason.status).toBe(400);
    expect(noReason.html).toContain('Cần ghi lý do');
    expect((await approvals.get(record.approvalId))?.state).toBe('PENDING');
    const rejected = await post(record.approvalId, {
      decision: 'reject',
      csrf,
      reason: 'Đơn vị đã nộp, chờ đối soát',
    });
    expect(rejected.status).toBe(200);
    const execution = await finished(executionArn);
    const out = JSON.parse(execution.output!);
    expect(out.rejection.Error).toBe('ApprovalRejected');
    expect(JSON.parse(out.rejection.Cause)).toMatchObject({
      reason: 'Đơn vị đã nộp, chờ đối soát',
      by: 'CB03',
    });
  });

  it('refuses a wrong form token, another approval’s token, or a malformed form, and changes nothing', async () => {
    const mine = await pendingApproval();
    const other = await pendingApproval();
    const otherCsrf = csrfOf((await request(`/approvals/${other.record.approvalId}`)).html);
    for (const form of [
      { decision: 'approve', csrf: 'x'.repeat(32) },
      { decision: 'approve', csrf: otherCsrf },
      { decision: 'approve' },
      { decision: 'maybe', csrf: mine.record.csrfToken },
    ]) {
      const response = await post(mine.record.approvalId, form as Record<string, string>);
      expect(response.status).toBe(400);
      expect(response.html).toContain('không có gì thay đổi');
    }
    expect((await approvals.get(mine.record.approvalId))?.state).toBe('PENDING');
    expect((await approvals.get(other.record.approvalId))?.state).toBe('PENDING');
  });

  it('an expired link shows it, and its POST decides nothing', async () => {
    const { record } = await pendingApproval(1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const page = await request(`/approvals/${record.approvalId}`);
    expect(page.status).toBe(410);
    expect(page.html).toContain('Liên kết đã hết hạn');
    expect((await post(record.approvalId, { decision: 'approve', csrf: record.csrfToken })).status).toBe(410);
    expect((await approvals.get(record.approvalId))?.state).toBe('PENDING');
  });

  it('a reassigned link is dead: its page says so and its POST decides nothing', async () => {
    const { record } = await pendingApproval();
    const csrf = csrfOf((await request(`/approvals/${record.approvalId}`)).html);
    expect(await approvals.reassign(record.approvalId, newApprovalId(), new Date().toISOString())).toBe(true);
    expect((await request(`/approvals/${record.approvalId}`)).status).toBe(410);
    const response = await post(record.approvalId, { decision: 'approve', csrf });
    expect(response.status).toBe(410);
    expect(response.html).toContain('chuyển cho người khác');
    expect((await approvals.get(record.approvalId))?.state).toBe('REASSIGNED');
  });

  it('50 concurrent POSTs on one approval give exactly one decision', async () => {
    const { record, executionArn } = await pendingApproval();
    const csrf = csrfOf((await request(`/approvals/${record.approvalId}`)).html);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(
          record.approvalId,
          i % 2 ? { decision: 'approve', csrf } : { decision: 'reject', csrf, reason: `lý do ${i}` },
        ),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    expect(['SUCCEEDED']).toContain((await finished(executionArn)).status);
    const decided = await approvals.get(record.approvalId);
    expect(['APPROVED', 'REJECTED']).toContain(decided?.state);
  });

  it('answers unknown or malformed links and other methods without touching anything', async () => {
    expect((await request(`/approvals/${newApprovalId()}`)).status).toBe(404);
    expect((await request('/approvals/not-an-id')).status).toBe(404);
    // A malformed %-escape is a link that names nothing, not a server error.
    expect((await request('/approvals/%E0%A4%A')).status).toBe(404);
    expect((await request('/approvals/')).status).toBe(404);
    const { record } = await pendingApproval();
    expect((await request(`/approvals/${record.approvalId}`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await approvals.get(record.approvalId))?.state).toBe('PENDING');
  });

  it('takes back a decision only while no workflow step has forwarded it', async () => {
    const { record } = await pendingApproval();
    const at = new Date().toISOString();
    const decide = () =>
      approvals.decide(record.approvalId, { state: 'APPROVED', at, csrfToken: record.csrfToken });
    expect((await decide()).decided).toBe(true);
    expect(await approvals.undecide(record.approvalId, 'APPROVED', at)).toBe(true);
    expect((await approvals.get(record.approvalId))?.state).toBe('PENDING');
    // Decided again, and a reminder step found it and is handing it on: it stays decided.
    expect((await decide()).decided).toBe(true);
    expect(await approvals.markForwarded(record.approvalId, 'APPROVED', new Date().toISOString())).toBe(true);
    expect(await approvals.undecide(record.approvalId, 'APPROVED', at)).toBe(false);
    expect((await approvals.get(record.approvalId))?.state).toBe('APPROVED');
    // And a step cannot mark what was taken back.
    expect(await approvals.markForwarded(record.approvalId, 'REJECTED', new Date().toISOString())).toBe(
      false,
    );
  });

  it('never put a task token in a page or a log line', () => {
    expect(tokens.length).toBeGreaterThan(5);
    const everything = [...pages, ...output.lines].join('\n');
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});
