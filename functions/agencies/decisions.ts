/**
 * Decisions about an organisation that wait for its managing officer's approval by email link (the same
 * approval records, pages and single-use links as the escalation's): a collector's termination, proposed by
 * the review, and the contract review (every six months and within 60 days of the contract's end), whose
 * answer is renew, renew with conditions, or end. Pure: the decision in, the approval's subject and letters
 * out.
 */
import type { DecisionApprovalSubject } from '../approvals/model.ts';
import { formatDate, formatMonth } from '../c12/notice/format.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { escapeHtml } from '../shared/html.ts';
import { lastNewWords, monthsWithoutWords, type Letter } from './documents.ts';
import type { Counts } from './review.ts';

export interface TerminationDecision {
  kind: 'TERMINATE_COLLECTOR';
  organisationCode: string;
  organisationName: string;
  organisationEmail?: string | undefined;
  collectorId: string;
  collectorName: string;
  month: string;
  lastNewParticipant: string | null;
  /** Set when no new participant is known since the first month the review read (this month). */
  lastNewBefore?: string | undefined;
  monthsWithoutNewParticipant: number;
  /** The count is a lower bound: the months before those read are not known. */
  atLeast?: boolean | undefined;
}

export interface ContractReviewDecision {
  kind: 'CONTRACT_REVIEW';
  organisationCode: string;
  organisationName: string;
  organisationEmail?: string | undefined;
  month: string;
  reason: 'SIX_MONTHLY' | 'ENDING';
  /** Once per six-month mark or per contract end. */
  key: string;
  contract: { start: string; end: string };
  period: { from: string; to: string };
  figures: { actual: Counts; target: Counts; percent: Counts };
  findings: number;
}

export type AgencyDecision = TerminationDecision | ContractReviewDecision;

export const CONTRACT_CHOICES = [
  { value: 'RENEW', label: 'Gia hạn hợp đồng' },
  { value: 'RENEW_WITH_CONDITIONS', label: 'Gia hạn có điều kiện', reasonRequired: true },
  { value: 'END', label: 'Không gia hạn (chấm dứt)', reasonRequired: true },
] as const;
export type ContractChoice = (typeof CONTRACT_CHOICES)[number]['value'];

const monthsWithout = (decision: TerminationDecision) =>
  monthsWithoutWords(decision.monthsWithoutNewParticipant, decision.atLeast);

/** The day a decision taken at `at` (an instant) takes effect: its day in Vietnam, not in UTC. */
export const decisionDay = (at: string) => todayInVietnam(new Date(at));

/** Where the decisions about an organisation are kept in the trail (the Audit table's key). */
export const decisionTrail = (organisationCode: string) => `AGENCY#${organisationCode}`;

/** The decision's key among an organisation's decisions: one per collector and month, one per contract review. */
export function decisionKey(decision: AgencyDecision): string {
  return decision.kind === 'TERMINATE_COLLECTOR'
    ? `${decision.kind}#${decision.collectorId}#${decision.month}`
    : `${decision.kind}#${decision.key}`;
}

const figuresLine = (f: ContractReviewDecision['figures']) =>
  `mới BHXH ${f.actual.newBhxh}/${f.target.newBhxh} (${f.percent.newBhxh}%), ` +
  `mới BHYT ${f.actual.newBhyt}/${f.target.newBhyt} (${f.percent.newBhyt}%), ` +
  `đóng tiếp ${f.actual.renewals}/${f.target.renewals} (${f.percent.renewals}%)`;

const periodLabel = (period: { from: string; to: string }) =>
  `${formatMonth(period.from)}-${formatMonth(period.to)}`;

export function decisionSubject(decision: AgencyDecision): DecisionApprovalSubject {
  const organisation: [string, string] = [
    'Tổ chức dịch vụ thu',
    `${decision.organisationName} (mã ${decision.organisationCode})`,
  ];
  if (decision.kind === 'CONTRACT_REVIEW') {
    return {
      kind: 'DECISION',
      caseId: decisionTrail(decision.organisationCode),
      decision: decision.kind,
      action: `Quyết định về hợp đồng với ${decision.organisationName}`,
      facts: [
        organisation,
        ['Hợp đồng', `${formatDate(decision.contract.start)} đến ${formatDate(decision.contract.end)}`],
        [
          'Lý do rà soát',
          decision.reason === 'ENDING'
            ? 'Còn dưới 60 ngày đến khi hết hạn hợp đồng'
            : 'Rà soát định kỳ 6 tháng',
        ],
        [`Kết quả ${periodLabel(decision.period)}`, figuresLine(decision.figures)],
        ['Số nội dung vi phạm trong tháng', String(decision.findings)],
      ],
      details: ['Gia hạn có điều kiện hoặc không gia hạn: ghi rõ điều kiện hoặc lý do.'],
      options: CONTRACT_CHOICES.map((choice) => ({ ...choice })),
    };
  }
  return {
    kind: 'DECISION',
    caseId: decisionTrail(decision.organisationCode),
    decision: decision.kind,
    action: `Chấm dứt hoạt động thu của nhân viên ${decision.collectorName} (${decision.collectorId}) tại ${decision.organisationName}`,
    facts: [
      organisation,
      ['Nhân viên thu', `${decision.collectorName} (${decision.collectorId})`],
      ['Số tháng liên tục không có người tham gia mới', monthsWithout(decision)],
      [
        'Lần gần nhất có người tham gia mới',
        lastNewWords(decision.lastNewParticipant, decision.lastNewBefore),
      ],
      ['Kỳ đánh giá', formatMonth(decision.month)],
    ],
    details: [
      'Căn cứ: Công văn 1362/BHXH-TST: nhân viên thu 6 tháng liên tục không phát triển được người tham gia mới thì chấm dứt.',
    ],
  };
}

/** Plain lines as HTML paragraphs, the link line as a link. */
function paragraphs(text: string, link?: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line) return '';
      if (line === link) return `<p><a href="${escapeHtml(link)}">Xem và quyết định</a></p>`;
      return `<p>${escapeHtml(line)}</p>`;
    })
    .join('\n');
}

export function decisionRequestLetter(
  decision: AgencyDecision,
  approver: string,
  link: string,
  deadline: string,
): Letter {
  const closing = [
    link,
    '',
    `Hạn quyết định: ${deadline}. Mở liên kết không thay đổi gì; quyết định chỉ được ghi nhận khi bấm nút trên trang.`,
  ];
  if (decision.kind === 'CONTRACT_REVIEW') {
    const text = [
      `Kính gửi ${approver},`,
      '',
      decision.reason === 'ENDING'
        ? `Hợp đồng với ${decision.organisationName} hết hạn ngày ${formatDate(decision.contract.end)}.`
        : `Rà soát 6 tháng hợp đồng với ${decision.organisationName}.`,
      `Kết quả ${periodLabel(decision.period)}: ${figuresLine(decision.figures)}; ${decision.findings} nội dung vi phạm trong tháng.`,
      'Đề nghị anh/chị quyết định gia hạn, gia hạn có điều kiện hoặc không gia hạn tại:',
      ...closing,
    ].join('\n');
    return {
      subject: `Đề nghị quyết định hợp đồng: ${decision.organisationName} (${decision.organisationCode})`,
      text,
      html: paragraphs(text, link),
    };
  }
  const text = [
    `Kính gửi ${approver},`,
    '',
    `Kết quả đánh giá tháng ${formatMonth(decision.month)}: nhân viên thu ${decision.collectorName} (${decision.collectorId}) của ${decision.organisationName} đã có ${monthsWithout(decision)} liên tục không phát triển được người tham gia mới.`,
    'Đề nghị anh/chị xem và phê duyệt việc chấm dứt hoạt động thu của nhân viên này tại:',
    ...closing,
  ].join('\n');
  return {
    subject: `Đề nghị phê duyệt: chấm dứt nhân viên thu ${decision.collectorId} (${decision.organisationCode})`,
    text,
    html: paragraphs(text, link),
  };
}

export function terminationNoticeLetter(
  decision: TerminationDecision,
  office: string,
  decidedOn: string,
): Letter {
  const text = [
    `Kính gửi: ${decision.organisationName}`,
    '',
    `Căn cứ Công văn 1362/BHXH-TST và kết quả đánh giá tháng ${formatMonth(decision.month)}, ${office} thông báo chấm dứt hoạt động thu của nhân viên ${decision.collectorName} (${decision.collectorId}) từ ngày ${formatDate(decidedOn)}, do ${monthsWithout(decision)} liên tục không phát triển được người tham gia mới.`,
    'Đề nghị đơn vị thu hồi thẻ nhân viên thu và bố trí người thay thế tại điểm thu.',
    '',
    office,
  ].join('\n');
  return {
    subject: `Thông báo chấm dứt hoạt động thu của nhân viên ${decision.collectorId} - ${decision.organisationName}`,
    text,
    html: paragraphs(text),
  };
}

const CHOICE_WORDS: Record<ContractChoice, string> = {
  RENEW: 'gia hạn hợp đồng',
  RENEW_WITH_CONDITIONS: 'gia hạn hợp đồng có điều kiện',
  END: 'không gia hạn hợp đồng',
};

export function contractDecisionLetter(
  decision: ContractReviewDecision,
  office: string,
  choice: ContractChoice,
  conditions: string | undefined,
): Letter {
  const text = [
    `Kính gửi: ${decision.organisationName}`,
    '',
    `Sau rà soát hợp đồng (${periodLabel(decision.period)}), ${office} quyết định ${CHOICE_WORDS[choice]}.`,
    ...(conditions ? [`${choice === 'END' ? 'Lý do' : 'Điều kiện'}: ${conditions}`] : []),
    '',
    office,
  ].join('\n');
  return {
    subject: `Thông báo quyết định về hợp đồng: ${CHOICE_WORDS[choice]} - ${decision.organisationName}`,
    text,
    html: paragraphs(text),
  };
}
