/**
 * The emails of a monthly run: the C12-TS notice to each employer's head (PDF attached) and the run summary
 * for the administrators. Pure: data in, strings and bytes out; sending is elsewhere.
 *
 * Employer data comes from registrations and is untrusted: every such string goes through `escapeHtml`.
 * Links are built only by `link`, which turns SES click tracking off, so an employer's address never turns
 * into a tracking redirect.
 */
import type { Fund } from '../policy.ts';
import { NOTICE_FUNDS, formatDate, formatMonth, formatNumber, formatVnd, fundLabel } from './format.ts';
import { reasonInVietnamese } from '../../shared/reasons.ts';
import type { EmailAttachment } from '../../shared/email.ts';
import { escapeHtml, link } from '../../shared/html.ts';

export { escapeHtml, link };
import {
  dueLines,
  flagNotes,
  noticeAddressee,
  renderNoticePdf,
  transferReference,
  type NoticeInput,
} from './pdf.ts';

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachment[];
}

export interface NoticeEmailInput extends NoticeInput {
  /** Where the employer can look its account up; shown as a link when given. */
  portalUrl?: string | undefined;
}

/** A file name that survives every mail client: the mã đơn vị reduced to safe characters. */
export function noticeFilename(employerId: string, period: string): string {
  return `C12-TS_${employerId.replace(/[^A-Za-z0-9_-]/g, '_')}_${period}.pdf`;
}

export function noticeSubject(employerId: string, period: string): string {
  return `Thông báo kết quả đóng BHXH tháng ${formatMonth(period)} – Mã đơn vị ${employerId}`;
}

interface FundSummary {
  label: string;
  charged: number;
  interest: number;
  owed: number;
  interestOwed: number;
}

function fundSummaries(input: NoticeInput): FundSummary[] {
  const s = input.statement;
  const line = (label: string, fund: Fund | null): FundSummary => {
    const source = fund ? s.funds[fund] : s.total;
    return {
      label,
      charged: source.charged,
      interest: source.interest,
      owed: source.carriedForward.owed,
      interestOwed: source.carriedForward.interestOwed,
    };
  };
  return [...NOTICE_FUNDS.map((fund) => line(fundLabel(fund), fund)), line('Tổng cộng', null)];
}

const SUMMARY_COLUMNS = [
  'Quỹ',
  'Phải đóng trong tháng',
  'Lãi chậm đóng trong tháng',
  'Còn thiếu',
  'Lãi chưa đóng',
];

/** The paragraphs shared by the HTML and text parts, as plain text (escaped when put in HTML). */
function noticeParagraphs(input: NoticeInput): {
  dueLines: string[];
  overdueLine: string | null;
  notes: string[];
  closing: string[];
} {
  const { statement: s, employer, office, account } = input;
  const payBy = formatDate(s.payBy);
  let due: string[];
  if (s.amountDue > 0)
    due = [`Tổng số tiền đơn vị còn phải đóng: ${formatVnd(s.amountDue)}.`, ...dueLines(s)];
  else if (s.credit.carriedForward > 0) {
    due = [`Đơn vị đã đóng thừa ${formatVnd(s.credit.carriedForward)}, số tiền này được chuyển sang kỳ sau.`];
  } else due = ['Đơn vị đã đóng đủ, không còn số tiền phải đóng.'];
  // What is late, and since when; interest keeps accruing on late principal only, never on interest.
  const since = s.oldestOverdueDueDate ? ` (quá hạn từ sau ngày ${formatDate(s.oldestOverdueDueDate)})` : '';
  const parts = [
    ...(s.overduePrincipal > 0 ? [`${formatVnd(s.overduePrincipal)} tiền phải đóng`] : []),
    ...(s.overdueInterest > 0 ? [`${formatVnd(s.overdueInterest)} tiền lãi`] : []),
  ];
  const overdueLine =
    parts.length > 0
      ? `Trong đó đã quá hạn: ${parts.join(' và ')}${since}` +
        (s.overduePrincipal > 0 ? '; lãi chậm đóng tiếp tục được tính đến ngày đơn vị đóng.' : '.')
      : null;
  return {
    dueLines: due,
    overdueLine,
    notes: flagNotes(s),
    closing: [
      `Tài khoản thu: số ${account.number}, ${account.name}, tại ${account.bank}. ` +
        `Nội dung nộp tiền: "${transferReference(employer.id, s.period)}".`,
      `Đề nghị đơn vị đối chiếu số liệu; nếu có sai lệch, liên hệ ${office.name} trước ngày ${payBy}. ` +
        'Quá thời hạn trên mà đơn vị không có ý kiến, số liệu trong thông báo được xác nhận là đúng.',
    ],
  };
}

const TD = 'style="border:1px solid #999;padding:4px 8px"';
const TD_NUM = 'style="border:1px solid #999;padding:4px 8px;text-align:right;white-space:nowrap"';

export async function buildNoticeEmail(input: NoticeEmailInput): Promise<EmailContent> {
  const { statement: s, employer, office } = input;
  const month = formatMonth(s.period);
  const subject = noticeSubject(employer.id, s.period);
  const addressee = noticeAddressee(employer);
  const intro =
    `${office.name} gửi đơn vị (mã đơn vị ${employer.id}) Thông báo kết quả đóng BHXH, BHYT, BHTN ` +
    `tháng ${month} (mẫu C12-TS), đính kèm thư này.`;
  const { dueLines: due, overdueLine, notes, closing } = noticeParagraphs(input);
  const funds = fundSummaries(input);

  const rows = funds
    .map((fund, index) => {
      const open = index === funds.length - 1 ? '<tr style="font-weight:bold">' : '<tr>';
      const numbers = [fund.charged, fund.interest, fund.owed, fund.interestOwed]
        .map((value) => `<td ${TD_NUM}>${formatVnd(value)}</td>`)
        .join('');
      return `${open}<td ${TD}>${escapeHtml(fund.label)}</td>${numbers}</tr>`;
    })
    .join('\n');
  const header = SUMMARY_COLUMNS.map((title) => `<th ${TD}>${escapeHtml(title)}</th>`).join('');
  const portal = input.portalUrl
    ? `<p>Tra cứu thông tin đóng BHXH của đơn vị: ${link(input.portalUrl, input.portalUrl)}</p>\n`
    : '';

  const html = `<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">
<p>Kính gửi: ${escapeHtml(addressee)}</p>
<p>${escapeHtml(intro)}</p>
${due.map((line) => `<p><strong>${escapeHtml(line)}</strong></p>`).join('\n')}
${overdueLine ? `<p style="color:#a00">${escapeHtml(overdueLine)}</p>\n` : ''}${notes.map((note) => `<p>${escapeHtml(note)}</p>\n`).join('')}<table style="border-collapse:collapse;font-size:13px">
<caption style="text-align:left;padding:4px 0">Tóm tắt theo quỹ</caption>
<tr>${header}</tr>
${rows}
</table>
${closing.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n')}
${portal}<p>Trân trọng,<br>${escapeHtml(office.name)}</p>
<p style="color:#777;font-size:12px">Thư được gửi tự động; vui lòng không trả lời thư này.</p>
</body>
</html>
`;

  const fundLines = funds.map(
    (fund) =>
      `- ${fund.label}: phải đóng ${formatVnd(fund.charged)}, lãi ${formatVnd(fund.interest)}, ` +
      `còn thiếu ${formatVnd(fund.owed)}, lãi chưa đóng ${formatVnd(fund.interestOwed)}`,
  );
  const text = [
    `Kính gửi: ${addressee}`,
    '',
    intro,
    '',
    ...due,
    ...(overdueLine ? [overdueLine] : []),
    ...notes,
    '',
    'Tóm tắt theo quỹ:',
    ...fundLines,
    '',
    ...closing.flatMap((paragraph) => [paragraph, '']),
    ...(input.portalUrl ? [`Tra cứu thông tin đóng BHXH của đơn vị: ${input.portalUrl}`, ''] : []),
    'Trân trọng,',
    office.name,
    '',
    'Thư được gửi tự động; vui lòng không trả lời thư này.',
    '',
  ].join('\n');

  const pdf = await renderNoticePdf(input);
  return {
    subject,
    html,
    text,
    attachments: [
      { filename: noticeFilename(employer.id, s.period), content: pdf, contentType: 'application/pdf' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Run summary for the administrators.

export interface RunSummaryEmployer {
  employerId: string;
  name: string;
  reason?: string | undefined;
}

export interface RunSummary {
  runId: string;
  period: string;
  employers: number;
  /** Notices sent in this run. */
  sent: number;
  /** Already sent by an earlier attempt of the run, so skipped. */
  alreadyDelivered: number;
  inArrears: number;
  quarantined: number;
  postal: number;
  rejected: number;
  /** Sends whose outcome was lost in a crash: the employer may have received the notice twice. */
  possibleDuplicates: number;
  quarantinedEmployers: RunSummaryEmployer[];
  postalEmployers: RunSummaryEmployer[];
  rejectedEmployers: RunSummaryEmployer[];
  duplicateEmployers: RunSummaryEmployer[];
  /** Set when the run stopped before every partition was done: the error, in the administrators' words. */
  failure?: string | undefined;
}

const COUNT_LABELS: readonly [keyof RunSummary, string][] = [
  ['employers', 'Số đơn vị'],
  ['sent', 'Thông báo đã gửi'],
  ['alreadyDelivered', 'Đã gửi trước đó (bỏ qua)'],
  ['inArrears', 'Đơn vị chậm đóng'],
  ['quarantined', 'Đơn vị tạm giữ (dữ liệu lỗi)'],
  ['postal', 'Gửi qua bưu điện'],
  ['rejected', 'Địa chỉ email bị từ chối'],
  ['possibleDuplicates', 'Có thể gửi trùng (sau sự cố)'],
];

const LISTS: readonly [keyof RunSummary, string][] = [
  ['quarantinedEmployers', 'Đơn vị tạm giữ và lý do'],
  ['postalEmployers', 'Đơn vị gửi qua bưu điện'],
  ['rejectedEmployers', 'Địa chỉ email bị từ chối'],
  ['duplicateEmployers', 'Đơn vị có thể nhận trùng thông báo'],
];

/** A bad run can quarantine thousands; the mail stays readable and the full lists stay in the run's records. */
const LIST_LIMIT = 300;

function shown(employers: RunSummaryEmployer[]): { lines: string[]; more: string | null } {
  const lines = employers.slice(0, LIST_LIMIT).map(employerLine);
  const hidden = employers.length - lines.length;
  return {
    lines,
    more: hidden > 0 ? `… và ${formatNumber(hidden)} đơn vị khác (xem dữ liệu của đợt gửi)` : null,
  };
}

function employerLine(employer: RunSummaryEmployer): string {
  return `${employer.employerId} – ${employer.name}${employer.reason ? `: ${reasonInVietnamese(employer.reason)}` : ''}`;
}

export function buildRunSummaryEmail(summary: RunSummary): EmailContent {
  const month = formatMonth(summary.period);
  const subject =
    (summary.failure ? 'LỖI – lượt chạy dừng giữa chừng – ' : '') +
    `Kết quả gửi thông báo C12-TS tháng ${month}: ${formatNumber(summary.employers)} đơn vị, ` +
    `gửi mới ${formatNumber(summary.sent)}` +
    // A re-run delivers nothing twice: what earlier attempts delivered is said, not counted as unsent.
    (summary.alreadyDelivered > 0 ? `, đã gửi trước đó ${formatNumber(summary.alreadyDelivered)}` : '') +
    `, bưu điện ${formatNumber(summary.postal)}` +
    (summary.quarantined > 0 ? `, cách ly ${formatNumber(summary.quarantined)}` : '') +
    (summary.rejected > 0 ? `, địa chỉ bị từ chối ${formatNumber(summary.rejected)}` : '');
  const failureLine = summary.failure
    ? `Lượt chạy đã dừng trước khi xử lý hết các đơn vị: ${summary.failure}. Các số liệu dưới đây là phần đã xử lý; chạy lại kỳ này sẽ gửi tiếp, không gửi trùng.`
    : undefined;
  const counts = COUNT_LABELS.map(([key, label]) => [label, formatNumber(summary[key] as number)] as const);
  const lists = LISTS.map(([key, title]) => [title, summary[key] as RunSummaryEmployer[]] as const).filter(
    ([, employers]) => employers.length > 0,
  );

  const html = `<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">
${failureLine ? `<p style="color:#b00020"><strong>${escapeHtml(failureLine)}</strong></p>\n` : ''}<p>Đợt gửi ${escapeHtml(summary.runId)}, kỳ ${escapeHtml(month)}.</p>
<table style="border-collapse:collapse;font-size:13px">
${counts.map(([label, value]) => `<tr><td ${TD}>${escapeHtml(label)}</td><td ${TD_NUM}>${value}</td></tr>`).join('\n')}
</table>
${lists
  .map(([title, employers]) => {
    const { lines, more } = shown(employers);
    return (
      `<h3 style="font-size:15px">${escapeHtml(title)} (${employers.length})</h3>\n<ul>\n` +
      lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n') +
      (more ? `\n<li><em>${escapeHtml(more)}</em></li>` : '') +
      '\n</ul>'
    );
  })
  .join('\n')}
</body>
</html>
`;
  const text = [
    ...(failureLine ? [failureLine, ''] : []),
    `Đợt gửi ${summary.runId}, kỳ ${month}.`,
    '',
    ...counts.map(([label, value]) => `${label}: ${value}`),
    ...lists.flatMap(([title, employers]) => {
      const { lines, more } = shown(employers);
      return [
        '',
        `${title} (${employers.length}):`,
        ...lines.map((line) => `- ${line}`),
        ...(more ? [more] : []),
      ];
    }),
    '',
  ].join('\n');
  return { subject, html, text, attachments: [] };
}
