/**
 * A decision written, then a failure telling the workflow or the trail (after the SDK's retries): a workflow
 * not told gets the decision taken back, so the approver's retry decides; a trail not written leaves the
 * decision standing.
 */
import { describe, expect, it } from 'vitest';
import { handleApprovalRequest, type ApprovalHttpDeps } from '../../../functions/approvals/http.ts';
import type { ApprovalsRepository } from '../../../functions/approvals/repository.ts';
import { newApproval } from '../../../functions/approvals/request.ts';
import { WORKING_SESSION_SUBJECT } from '../../workflows/escalation-fixtures.ts';

const record = newApproval({
  taskToken: 'AQtoken',
  approver: { officerId: 'CB01', name: 'Trần Văn Bình', email: 'binh.tv@bhxh-demo.vn', role: 'OFFICER' },
  subject: WORKING_SESSION_SUBJECT,
  createdAt: '2026-11-05T00:00:00.000Z',
  expiresAt: '2099-01-01T00:00:00.000Z',
});

function deps(
  sfnSend: () => Promise<unknown>,
  audit: (entry: { what: string }) => Promise<void>,
  undecide: () => Promise<boolean> = async () => true,
): ApprovalHttpDeps {
  return {
    approvals: {
      decide: async () => ({ decided: true, record: { ...record, state: 'APPROVED' } }),
      undecide,
    } as unknown as ApprovalsRepository,
    sfn: { send: sfnSend } as never,
    now: () => '2026-11-05T01:00:00.000Z',
    audit,
  };
}

const post = (d: ApprovalHttpDeps) =>
  handleApprovalRequest(d, {
    rawPath: `/approvals/${record.approvalId}`,
    requestContext: { http: { method: 'POST' } },
    body: new URLSearchParams({ decision: 'approve', csrf: record.csrfToken }).toString(),
    isBase64Encoded: false,
  } as never);

const throttled = () =>
  Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

describe('a decision written but not passed on', () => {
  it('takes the decision back and asks the approver to send it again', async () => {
    const trail: string[] = [];
    const result = await post(deps(throttled, async (entry) => void trail.push(entry.what)));
    expect(result.statusCode).toBe(503);
    expect(result.body).toContain('xin mở lại liên kết sau ít phút');
    expect(trail.sort()).toEqual(['APPROVED', 'DECISION_NOT_DELIVERED']);
  });

  it('says it is recorded when it could not be taken back (decided again meanwhile)', async () => {
    const result = await post(
      deps(
        throttled,
        async () => undefined,
        async () => false,
      ),
    );
    expect(result.statusCode).toBe(202);
    expect(result.body).toContain('Quyết định đã được ghi nhận');
  });

  it('still completes the workflow when only the trail entry failed', async () => {
    const told: unknown[] = [];
    const result = await post(
      deps(
        async () => void told.push(1),
        () => throttled() as Promise<void>,
      ),
    );
    expect(told).toHaveLength(1);
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Đã phê duyệt');
  });
});
