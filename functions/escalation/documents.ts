/**
 * The escalation's mail, in Vietnamese: what each stage sends the employer (or, for the stages that must
 * not warn it, the office), the closing letter, and the approval requests with their link. Pure: data in,
 * subject and parts out. Employer data is escaped in HTML; links carry ses:no-track.
 */
import { formatDate, formatVnd } from '../c12/notice/format.ts';
import type { Config } from '../shared/config.ts';
import { escapeHtml, link } from '../shared/html.ts';
import type { FineProposal, ReferralConditions } from './ladder.ts';
import type { Stage } from './policy.ts';

export interface CaseFacts {
  caseId: string;
  employerId: string;
  employerName: string;
  overdueVnd: number;
  overdueInterestVnd: number;
  daysLate: number;
  oldestOverdueDueDate: string | null;
  asOf: string;
}

export interface Letter {
  subject: string;
  text: string;
  html: string;
}

/** The office that signs and sends the case's documents, and who it informs of an evasion. */
export interface OfficeSettings {
  name: string;
  sender: string;
  configurationSet?: string | undefined;
  /** The labour authority and the inspectorate: told of every employer classed as evading. */
  evasionRecipients: string[];
}

export function officeSettings(config: Config): OfficeSettings {
  return {
    name: config.OFFICE_NAME,
    sender: config.SENDER_EMAIL,
    configurationSet: config.SES_CONFIGURATION_SET,
    evasionRecipients: config.EVASION_NOTICE_RECIPIENTS,
  };
}

/** Who a stage's document goes to: the employer, or the office only (a surprise inspection warns nobody). */
export const STAGE_AUDIENCE: Record<Stage, 'EMPLOYER' | 'OFFICE'> = {
  REMINDER: 'EMPLOYER',
  URGING_LETTER: 'EMPLOYER',
  WORKING_SESSION: 'EMPLOYER',
  EVASION_NOTICE: 'EMPLOYER',
  INSPECTION: 'OFFICE',
  ADMIN_PENALTY: 'OFFICE',
  CRIMINAL_REFERRAL: 'OFFICE',
};

/** What approving a stage will do, as the approval page and email say it. */
export const STAGE_ACTION: Record<Stage, string> = {
  REMINDER: 'Gửi thư nhắc nợ cho đơn vị',
  URGING_LETTER: 'Gửi văn bản đôn đốc và đưa đơn vị vào danh sách công khai chậm đóng',
  WORKING_SESSION: 'Mời đơn vị làm việc, đối chiếu số nợ với cán bộ chuyên quản',
  EVASION_NOTICE: 'Xác định đơn vị trốn đóng, thông báo cho đơn vị, cơ quan lao động và thanh tra',
  INSPECTION: 'Tiến hành thanh tra chuyên ngành đột xuất tại đơn vị',
  ADMIN_PENALTY: 'Lập biên bản, đề xuất xử phạt vi phạm hành chính',
  CRIMINAL_REFERRAL: 'Chuyển hồ sơ đề nghị cơ quan điều tra xem xét theo Điều 216 Bộ luật Hình sự',
};

/** What follows an unanswered urging letter, in the ladder's order. */
export const MEASURES = [
  'mời đơn vị làm việc, đối chiếu số nợ;',
  'sau 60 ngày, xác định trốn đóng và thông báo cơ quan quản lý nhà nước về lao động, thanh tra;',
  'thanh tra chuyên ngành đột xuất;',
  'xử phạt vi phạm hành chính theo Nghị định 12/2022/NĐ-CP (và văn bản thay thế);',
  'chuyển hồ sơ đến cơ quan điều tra theo Điều 216 Bộ luật Hình sự.',
];

function facts(caseFacts: CaseFacts): { text: string[]; html: string } {
  const rows: [string, string][] = [
    ['Đơn vị', `${caseFacts.employerName} (mã ${caseFacts.employerId})`],
    ['Số tiền quá hạn', formatVnd(caseFacts.overdueVnd)],
    ['Trong đó tiền lãi chậm đóng', formatVnd(caseFacts.overdueInterestVnd)],
    ['Số ngày chậm đóng', String(caseFacts.daysLate)],
    ...(caseFacts.oldestOverdueDueDate
      ? ([['Hạn đóng sớm nhất chưa đóng', formatDate(caseFacts.oldestOverdueDueDate)]] as [string, string][])
      : []),
    ['Hồ sơ', caseFacts.caseId],
  ];
  return {
    text: rows.map(([label, value]) => `${label}: ${value}`),
    html: `<table>${rows.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`,
  };
}

function letter(subject: string, paragraphs: string[], caseFacts: CaseFacts, after: string[] = []): Letter {
  const table = facts(caseFacts);
  const text = [
    ...paragraphs,
    '',
    ...table.text,
    '',
    ...after,
    '',
    'Thư được gửi tự động; vui lòng không trả lời thư này.',
  ].join('\n');
  const html = [
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    table.html,
    ...after.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    '<p><small>Thư được gửi tự động; vui lòng không trả lời thư này.</small></p>',
  ].join('\n');
  return { subject, text, html };
}

/** The document a stage sends when it is reached, with the office that signs it. */
export function stageLetter(
  stage: Stage,
  caseFacts: CaseFacts,
  office: string,
  cureDate: string,
  evasionRecipients: string[] = [],
): Letter {
  const who = `${caseFacts.employerName} (mã đơn vị ${caseFacts.employerId})`;
  switch (stage) {
    case 'REMINDER':
      return letter(
        `Nhắc nợ BHXH, BHYT, BHTN – Mã đơn vị ${caseFacts.employerId}`,
        [
          `Kính gửi: ${who}.`,
          `${office} nhắc đơn vị: số tiền đóng BHXH, BHYT, BHTN dưới đây đã quá hạn. Xin đơn vị nộp ngay để tránh phát sinh thêm tiền lãi chậm đóng (0,03%/ngày).`,
        ],
        caseFacts,
      );
    case 'URGING_LETTER':
      return letter(
        `Văn bản đôn đốc nộp tiền BHXH, BHYT, BHTN – Mã đơn vị ${caseFacts.employerId}`,
        [
          `Kính gửi: ${who}.`,
          `Căn cứ Luật Bảo hiểm xã hội số 41/2024/QH15, ${office} đôn đốc đơn vị nộp đủ số tiền chậm đóng và tiền lãi chậm đóng dưới đây chậm nhất ngày ${formatDate(cureDate)}.`,
          'Đơn vị chậm đóng được công khai trên Cổng thông tin điện tử của cơ quan BHXH (Điều 35 Luật BHXH 2024).',
        ],
        caseFacts,
        ['Quá thời hạn trên, cơ quan BHXH sẽ lần lượt:', ...MEASURES.map((measure) => `- ${measure}`)],
      );
    case 'WORKING_SESSION':
      return letter(
        `Giấy mời làm việc về nợ BHXH, BHYT, BHTN – Mã đơn vị ${caseFacts.employerId}`,
        [
          `Kính gửi: ${who}.`,
          `${office} mời đại diện đơn vị đến làm việc với cán bộ chuyên quản thu để đối chiếu số nợ và thống nhất lộ trình nộp trước ngày ${formatDate(cureDate)}.`,
        ],
        caseFacts,
      );
    case 'EVASION_NOTICE':
      return letter(
        `Thông báo về việc trốn đóng BHXH, BHYT, BHTN – Mã đơn vị ${caseFacts.employerId}`,
        [
          `Kính gửi: ${who}.`,
          `Đơn vị chưa nộp số tiền dưới đây sau 60 ngày kể từ hạn đóng dù đã được đôn đốc bằng văn bản: đây là hành vi trốn đóng. ${office} đã thông báo cơ quan quản lý nhà nước về lao động và thanh tra.`,
        ],
        caseFacts,
        [
          'Nơi nhận:',
          `- ${who};`,
          ...evasionRecipients.map((address) => `- ${address} (đồng gửi, Điều 35 Luật BHXH 2024);`),
          '- Lưu hồ sơ.',
        ],
      );
    default:
      return letter(
        `[Nội bộ] ${STAGE_ACTION[stage]} – Mã đơn vị ${caseFacts.employerId}`,
        [
          `Bước "${STAGE_ACTION[stage]}" đã được phê duyệt cho ${who}. Văn bản này chỉ gửi nội bộ, không gửi đơn vị.`,
        ],
        caseFacts,
      );
  }
}

export function closingLetter(caseFacts: CaseFacts, office: string): Letter {
  return letter(
    `Kết thúc đôn đốc nợ BHXH, BHYT, BHTN – Mã đơn vị ${caseFacts.employerId}`,
    [
      `Kính gửi: ${caseFacts.employerName} (mã đơn vị ${caseFacts.employerId}).`,
      `${office} xác nhận đơn vị đã nộp đủ số tiền quá hạn; hồ sơ đôn đốc ${caseFacts.caseId} kết thúc. Cảm ơn đơn vị.`,
    ],
    { ...caseFacts, overdueVnd: 0, overdueInterestVnd: 0, daysLate: 0, oldestOverdueDueDate: null },
  );
}

/** The lines an approval lists besides the case's facts: the fine range, Art. 216's conditions. */
export function approvalDetails(fine?: FineProposal, referral?: ReferralConditions): string[] {
  const lines: string[] = [];
  if (fine) {
    const range = (r: { minVnd: number; maxVnd: number }) =>
      `${formatVnd(r.minVnd)} – ${formatVnd(r.maxVnd)}`;
    lines.push(
      `Mức phạt đề xuất (${fine.classification === 'EVASION' ? 'trốn đóng' : 'chậm đóng'}): ${range(fine.range)}, theo ${fine.instrument}${fine.confirmed ? '' : ' (mức phạt của văn bản mới chưa được xác nhận: đang áp dụng mức của Nghị định 12/2022/NĐ-CP)'}`,
      `Chậm đóng (12–15% số tiền phải đóng, tối đa theo quy định): ${range(fine.latePayment)}; trốn đóng: ${range(fine.evasion)}`,
    );
  }
  if (referral) {
    lines.push(
      `Trốn đóng từ ${referral.minEvasionMonths} tháng trở lên: ${referral.evasionMonths} tháng (${referral.evasionMonths >= referral.minEvasionMonths ? 'đạt' : 'chưa đạt'})`,
      `Đã bị xử phạt vi phạm hành chính về hành vi này: ${referral.fined ? 'có' : 'chưa'}`,
      `Số tiền trốn đóng từ ${formatVnd(referral.minAmountVnd)}: ${formatVnd(referral.overdueVnd)}; hoặc từ ${referral.minWorkers} người lao động: ${referral.workers} người`,
    );
  }
  return lines;
}

export function approvalRequestLetter(input: {
  approverName: string;
  stage: Stage;
  caseFacts: CaseFacts;
  details: string[];
  url: string;
  deadline: string;
  reminder?: boolean;
  reassignedFrom?: string;
}): Letter {
  const action = STAGE_ACTION[input.stage];
  const lead = input.reminder
    ? `Nhắc lại: đề nghị phê duyệt dưới đây chưa được quyết định.`
    : input.reassignedFrom
      ? `Đề nghị phê duyệt dưới đây được chuyển cho anh/chị vì ${input.reassignedFrom} chưa quyết định trong thời hạn.`
      : `Hồ sơ nợ dưới đây cần anh/chị phê duyệt.`;
  const paragraphs = [`Kính gửi ${input.approverName},`, lead, `Nếu phê duyệt: ${action}.`];
  const table = facts(input.caseFacts);
  const subject = `${input.reminder ? '[Nhắc] ' : ''}Đề nghị phê duyệt: ${action} – Mã đơn vị ${input.caseFacts.employerId}`;
  const text = [
    ...paragraphs,
    '',
    ...table.text,
    ...input.details.map((line) => `- ${line}`),
    '',
    `Mở liên kết để xem và quyết định (hạn ${formatDate(input.deadline)}): ${input.url}`,
    'Mở trang không thay đổi gì; quyết định chỉ được ghi nhận khi bấm nút trên trang.',
  ].join('\n');
  const html = [
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    table.html,
    input.details.length
      ? `<ul>${input.details.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`
      : '',
    `<p>${link(input.url, 'Xem và quyết định')} (hạn ${escapeHtml(formatDate(input.deadline))})</p>`,
    '<p><small>Mở trang không thay đổi gì; quyết định chỉ được ghi nhận khi bấm nút trên trang.</small></p>',
  ].join('\n');
  return { subject, text, html };
}
