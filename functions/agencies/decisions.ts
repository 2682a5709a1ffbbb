/**
 * Decisions about an organisation that wait for its managing officer's approval by email link (the same
 * approval records, pages and single-use links as the escalation's): a collector's termination, proposed by
 * the review. Pure: the decision in, the approval's subject and letters out.
 */
import type { DecisionApprovalSubject } from '../approvals/model.ts';
import { formatMonth } from '../c12/notice/format.ts';
import { escapeHtml } from '../shared/html.ts';
import type { Letter } from './documents.ts';

export interface TerminationDecision {
  kind: 'TERMINATE_COLLECTOR';
  organisationCode: string;
  organisationName: string;
  organisationEmail?: string | undefined;
  collectorId: string;
  collectorName: string;
  month: string;
  lastNewParticipant: string | null;
  monthsWithoutNewParticipant: number;
}

/** Where the decisions about an organisation are kept in the trail (the Audit table's key). */
export const decisionTrail = (organisationCode: string) => `AGENCY#${organisationCode}`;

export function decisionSubject(decision: TerminationDecision): DecisionApprovalSubject {
  return {
    kind: 'DECISION',
    caseId: decisionTrail(decision.organisationCode),
    decision: decision.kind,
    action: `Chấm dứt hoạt động thu của nhân viên ${decision.collectorName} (${decision.collectorId}) tại ${decision.organisationName}`,
    facts: [
      ['Tổ chức dịch vụ thu', `${decision.organisationName} (mã ${decision.organisationCode})`],
      ['Nhân viên thu', `${decision.collectorName} (${decision.collectorId})`],
      ['Số tháng liên tục không có người tham gia mới', String(decision.monthsWithoutNewParticipant)],
      ['Lần gần nhất có người tham gia mới', decision.lastNewParticipant ?? 'chưa có'],
      ['Kỳ đánh giá', formatMonth(decision.month)],
    ],
    details: [
      'Căn cứ: Công văn 1362/BHXH-TST: nhân viên thu 6 tháng liên tục không phát triển được người tham gia mới thì chấm dứt.',
    ],
  };
}

export function decisionRequestLetter(
  decision: TerminationDecision,
  approver: string,
  link: string,
  deadline: string,
): Letter {
  const subject = `Đề nghị phê duyệt: chấm dứt nhân viên thu ${decision.collectorId} (${decision.organisationCode})`;
  const text = [
    `Kính gửi ${approver},`,
    '',
    `Kết quả đánh giá tháng ${formatMonth(decision.month)}: nhân viên thu ${decision.collectorName} (${decision.collectorId}) của ${decision.organisationName} đã ${decision.monthsWithoutNewParticipant} tháng liên tục không phát triển được người tham gia mới.`,
    'Đề nghị anh/chị xem và phê duyệt việc chấm dứt hoạt động thu của nhân viên này tại:',
    link,
    '',
    `Hạn quyết định: ${deadline}. Mở liên kết không thay đổi gì; quyết định chỉ được ghi nhận khi bấm nút trên trang.`,
  ].join('\n');
  const html = `<p>Kính gửi ${escapeHtml(approver)},</p>
<p>Kết quả đánh giá tháng ${escapeHtml(formatMonth(decision.month))}: nhân viên thu ${escapeHtml(decision.collectorName)} (${escapeHtml(decision.collectorId)}) của ${escapeHtml(decision.organisationName)} đã ${decision.monthsWithoutNewParticipant} tháng liên tục không phát triển được người tham gia mới.</p>
<p><a href="${escapeHtml(link)}">Xem và phê duyệt</a></p>
<p>Hạn quyết định: ${escapeHtml(deadline)}. Mở liên kết không thay đổi gì; quyết định chỉ được ghi nhận khi bấm nút trên trang.</p>`;
  return { subject, text, html };
}

export function terminationNoticeLetter(
  decision: TerminationDecision,
  office: string,
  decidedOn: string,
): Letter {
  const subject = `Thông báo chấm dứt hoạt động thu của nhân viên ${decision.collectorId} - ${decision.organisationName}`;
  const text = [
    `Kính gửi: ${decision.organisationName}`,
    '',
    `Căn cứ Công văn 1362/BHXH-TST và kết quả đánh giá tháng ${formatMonth(decision.month)}, ${office} thông báo chấm dứt hoạt động thu của nhân viên ${decision.collectorName} (${decision.collectorId}) từ ngày ${decidedOn}, do ${decision.monthsWithoutNewParticipant} tháng liên tục không phát triển được người tham gia mới.`,
    'Đề nghị đơn vị thu hồi thẻ nhân viên thu và bố trí người thay thế tại điểm thu.',
    '',
    office,
  ].join('\n');
  const html = text
    .split('\n')
    .map((line) => (line ? `<p>${escapeHtml(line)}</p>` : ''))
    .join('\n');
  return { subject, text, html };
}
