import { describe, expect, it } from 'vitest';
import { decisionDay } from '../../../functions/agencies/decisions.ts';
import { findingLine, reviewSummaryLetter } from '../../../functions/agencies/documents.ts';
import type { Finding } from '../../../functions/agencies/review.ts';

const breach = (i: number): Finding => ({
  rule: 'POINT_WITHOUT_SIGNBOARD',
  organisationCode: 'TCDV001',
  subject: `D${i}`,
  key: `POINT_WITHOUT_SIGNBOARD#D${i}`,
  evidence: { pointId: `D${i}`, commune: 'X1' },
});

describe('the administrators’ summary', () => {
  it('counts every breach in its subject, though it lists the first ones only', () => {
    const letter = reviewSummaryLetter({
      office: 'BHXH tỉnh',
      month: '2026-11',
      ranking: [{ organisationCode: 'TCDV001', name: 'Bưu điện xã A', score: 80 }],
      communesWithoutPoint: [],
      breaches: Array.from({ length: 300 }, (_, i) => breach(i)),
      rejected: [],
      totalBreaches: 1450,
      totalRejected: 0,
    });
    expect(letter.subject).toBe(
      'Tổng hợp đánh giá tổ chức dịch vụ thu tháng 11/2026: 1 tổ chức, 1.450 vi phạm',
    );
    expect(letter.text).toContain('Vi phạm (300 đầu tiên trong 1.450):');
  });
});

describe('an inactive collector’s line', () => {
  const inactive = (evidence: Record<string, unknown>): Finding => ({
    rule: 'INACTIVE_COLLECTOR',
    organisationCode: 'TCDV001',
    subject: 'NVT1',
    key: 'INACTIVE_COLLECTOR#NVT1',
    evidence: { collector: 'Lê Văn Bình', ...evidence },
  });

  it('dates the last new participant, or says it is older than the months read', () => {
    expect(findingLine(inactive({ lastNewParticipant: '2026-05-28', monthsWithoutNewParticipant: 6 }))).toBe(
      'NVT1 (Lê Văn Bình): 6 tháng không có người tham gia mới, lần gần nhất 28/05/2026; đề nghị chấm dứt',
    );
    expect(
      findingLine(
        inactive({
          lastNewParticipant: null,
          lastNewBefore: '2025-12',
          atLeast: true,
          monthsWithoutNewParticipant: 12,
        }),
      ),
    ).toBe(
      'NVT1 (Lê Văn Bình): ít nhất 12 tháng không có người tham gia mới, lần gần nhất trước tháng 12/2025 (nếu có); đề nghị chấm dứt',
    );
  });

  it('says why no termination is proposed when a new enrolment was set aside', () => {
    expect(
      findingLine(
        inactive({ lastNewParticipant: null, monthsWithoutNewParticipant: 7, setAsideNewEnrolments: 2 }),
      ),
    ).toContain('chưa đề nghị chấm dứt: 2 giao dịch phát triển mới của nhân viên này bị loại khỏi đánh giá');
  });
});

describe('the day a decision takes effect', () => {
  it('is the day in Vietnam: 06:30 on 1 January there is 23:30 on 31 December in UTC', () => {
    expect(decisionDay('2025-12-31T23:30:00.000Z')).toBe('2026-01-01');
    expect(decisionDay('2025-12-31T16:59:59.999Z')).toBe('2025-12-31');
  });
});
