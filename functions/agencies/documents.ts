/**
 * The review's documents, in Vietnamese: each organisation's review email (its KPIs and findings, the PDF
 * attached) and the administrators' summary (organisations ranked by completion, communes without a point,
 * every breach, the records set aside). Pure: results in, text out; every value escaped in HTML.
 */
import { formatDate, formatMonth, formatNumber } from '../c12/notice/format.ts';
import { reasonInVietnamese } from '../shared/reasons.ts';
import { escapeHtml } from '../shared/html.ts';
import type { RejectedRecord } from './model.ts';
import type { Finding, FindingRule, OrganisationKpi } from './review.ts';

export interface Letter {
  subject: string;
  text: string;
  html: string;
}

export const RULE_TITLE: Record<FindingRule, string> = {
  INACTIVE_COLLECTOR: 'Nhân viên thu 6 tháng liên tục không phát triển được người tham gia mới',
  COLLECTOR_IN_TWO_ORGANISATIONS: 'Một nhân viên thu đăng ký với hai tổ chức dịch vụ thu',
  OUTSIDE_REGISTERED_COMMUNES: 'Thu ngoài địa bàn xã đã đăng ký',
  RENEWAL_BY_OTHER_ORGANISATION: 'Vận động đóng tiếp cho người tham gia do tổ chức khác quản lý',
  NEW_PARTICIPANT_OF_OTHER_ORGANISATION:
    'Kê khai phát triển mới người tham gia do tổ chức khác quản lý (không tính vào chỉ tiêu)',
  COMMUNE_WITHOUT_POINT: 'Xã chưa có điểm thu',
  POINT_WITHOUT_SIGNBOARD: 'Điểm thu chưa có biển hiệu',
  TARGET_MISSED: 'Chưa đạt chỉ tiêu tháng đã cam kết',
};

const KIND: Record<RejectedRecord['kind'], string> = {
  organisation: 'tổ chức',
  collector: 'nhân viên thu',
  point: 'điểm thu',
  participant: 'người tham gia',
  enrolment: 'giao dịch thu',
};

const MEASURES = [
  ['newBhxh', 'Phát triển mới BHXH tự nguyện'],
  ['newBhyt', 'Phát triển mới BHYT hộ gia đình'],
  ['renewals', 'Vận động đóng tiếp'],
] as const;

/** "7 tháng", or "ít nhất 12 tháng" when the months before those the review read are not known. */
export function monthsWithoutWords(months: unknown, atLeast: unknown): string {
  return `${atLeast === true ? 'ít nhất ' : ''}${String(months)} tháng`;
}

/**
 * When a collector last brought a new participant: the date, "before MM/YYYY" when it is older than the
 * months the review read, or "never".
 */
export function lastNewWords(lastNew: unknown, before: unknown): string {
  if (typeof lastNew === 'string') return formatDate(lastNew);
  if (typeof before === 'string') return `trước tháng ${formatMonth(before)} (nếu có)`;
  return 'chưa có';
}

/** One line saying what a finding is about and its evidence, for text and PDF. */
export function findingLine(finding: Finding): string {
  const e = finding.evidence as Record<string, unknown>;
  switch (finding.rule) {
    case 'INACTIVE_COLLECTOR': {
      const months = monthsWithoutWords(e.monthsWithoutNewParticipant, e.atLeast);
      const last = lastNewWords(e.lastNewParticipant, e.lastNewBefore);
      const proposal = e.setAsideNewEnrolments
        ? `chưa đề nghị chấm dứt: ${String(e.setAsideNewEnrolments)} giao dịch phát triển mới của nhân viên này bị loại khỏi đánh giá, cần xử lý trước`
        : 'đề nghị chấm dứt';
      return `${finding.subject} (${String(e.collector)}): ${months} không có người tham gia mới, lần gần nhất ${last}; ${proposal}`;
    }
    case 'COLLECTOR_IN_TWO_ORGANISATIONS':
      return `CCCD ${finding.subject} đăng ký với ${(e.organisations as string[]).join(' và ')}`;
    case 'OUTSIDE_REGISTERED_COMMUNES':
      return `${String(e.enrolments)} giao dịch tại ${finding.subject}, ngoài các xã đã đăng ký (${(e.registeredCommunes as string[]).join(', ')})`;
    case 'RENEWAL_BY_OTHER_ORGANISATION':
    case 'NEW_PARTICIPANT_OF_OTHER_ORGANISATION':
      return `Người tham gia ${String(e.participantId)} do ${String(e.managedBy)} quản lý, ${String(e.collectedBy)} thu ngày ${formatDate(String(e.date))}`;
    case 'COMMUNE_WITHOUT_POINT':
      return `${finding.subject}`;
    case 'POINT_WITHOUT_SIGNBOARD':
      return `Điểm thu ${finding.subject} tại ${String(e.commune)}`;
    case 'TARGET_MISSED': {
      const percent = e.percent as Record<string, number>;
      return MEASURES.map(([key, label]) => `${label} ${percent[key]}%`).join('; ');
    }
  }
}

function kpiRows(kpi: OrganisationKpi): string[][] {
  return MEASURES.map(([key, label]) => [
    label,
    formatNumber(kpi.month.target[key]),
    formatNumber(kpi.month.actual[key]),
    `${kpi.month.percent[key]}%`,
    `${formatNumber(kpi.quarterToDate.actual[key])}/${formatNumber(kpi.quarterToDate.target[key])}`,
  ]);
}

const KPI_HEAD = ['Chỉ tiêu', 'Cam kết tháng', 'Thực hiện', 'Tỷ lệ', 'Lũy kế quý'];

function htmlTable(head: string[], rows: string[][]): string {
  const cell = (tag: string, value: string) =>
    `<${tag} style="border:1px solid #ccc;padding:4px 8px;text-align:left">${escapeHtml(value)}</${tag}>`;
  return `<table style="border-collapse:collapse">
<tr>${head.map((h) => cell('th', h)).join('')}</tr>
${rows.map((row) => `<tr>${row.map((v) => cell('td', v)).join('')}</tr>`).join('\n')}
</table>`;
}

export function organisationReviewLetter(input: {
  office: string;
  organisation: { code: string; name: string };
  kpi: OrganisationKpi;
  findings: Finding[];
  month: string;
}): Letter {
  const { kpi, findings, organisation, month } = input;
  const subject = `Kết quả đánh giá tháng ${formatMonth(month)} - ${organisation.name} (${organisation.code})`;
  const findingLines = findings.map((f) => `${RULE_TITLE[f.rule]}: ${findingLine(f)}`);
  const text = [
    `Kính gửi: ${organisation.name}`,
    '',
    `${input.office} gửi kết quả đánh giá hoạt động thu BHXH tự nguyện, BHYT hộ gia đình tháng ${formatMonth(month)}.`,
    '',
    ...kpiRows(kpi).map(
      (row) => `- ${row[0]}: thực hiện ${row[2]}/${row[1]} (${row[3]}), lũy kế quý ${row[4]}`,
    ),
    `- Số tuần đạt chỉ tiêu tuần: ${kpi.weeks.met}/${kpi.weeks.of}`,
    '',
    findings.length ? 'Các nội dung cần khắc phục:' : 'Không có nội dung vi phạm quy định trong tháng.',
    ...findingLines.map((line) => `- ${line}`),
    '',
    'Chi tiết theo từng nhân viên thu trong tệp PDF đính kèm.',
    `${input.office}`,
  ].join('\n');
  const html = `<p>Kính gửi: <strong>${escapeHtml(organisation.name)}</strong></p>
<p>${escapeHtml(input.office)} gửi kết quả đánh giá hoạt động thu BHXH tự nguyện, BHYT hộ gia đình tháng ${escapeHtml(formatMonth(month))}.</p>
${htmlTable(KPI_HEAD, kpiRows(kpi))}
<p>Số tuần đạt chỉ tiêu tuần: ${kpi.weeks.met}/${kpi.weeks.of}</p>
${
  findings.length
    ? `<p><strong>Các nội dung cần khắc phục:</strong></p><ul>${findingLines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
    : '<p>Không có nội dung vi phạm quy định trong tháng.</p>'
}
<p>Chi tiết theo từng nhân viên thu trong tệp PDF đính kèm.</p>
<p>${escapeHtml(input.office)}</p>`;
  return { subject, text, html };
}

/** "12", or "300 đầu tiên trong 1.204" when the list holds the first ones only. */
const counted = (listed: number, total: number | undefined) =>
  total !== undefined && total > listed ? `${listed} đầu tiên trong ${formatNumber(total)}` : String(listed);

export function reviewSummaryLetter(input: {
  office: string;
  month: string;
  ranking: { organisationCode: string; name: string; score: number }[];
  communesWithoutPoint: { code: string; name: string }[];
  breaches: Finding[];
  rejected: RejectedRecord[];
  /** How many there are in all (the lists may hold the first ones only). */
  totalBreaches?: number | undefined;
  totalRejected?: number | undefined;
}): Letter {
  const subject = `Tổng hợp đánh giá tổ chức dịch vụ thu tháng ${formatMonth(input.month)}: ${input.ranking.length} tổ chức, ${formatNumber(input.totalBreaches ?? input.breaches.length)} vi phạm`;
  const rankingRows = input.ranking.map((r, i) => [String(i + 1), r.organisationCode, r.name, `${r.score}%`]);
  const breachRows = input.breaches.map((f) => [
    f.organisationCode ?? '',
    RULE_TITLE[f.rule],
    findingLine(f),
  ]);
  const rejectedRows = input.rejected.map((r) => [KIND[r.kind], r.id, reasonInVietnamese(r.reason)]);
  const communes = input.communesWithoutPoint.map((c) => `${c.name} (${c.code})`);
  const text = [
    `Tổng hợp đánh giá tháng ${formatMonth(input.month)}`,
    '',
    'Xếp hạng theo tỷ lệ hoàn thành chỉ tiêu tháng:',
    ...rankingRows.map((r) => `${r[0]}. ${r[1]} ${r[2]}: ${r[3]}`),
    '',
    `Xã chưa có điểm thu (${communes.length}): ${communes.join(', ') || 'không có'}`,
    '',
    `Vi phạm (${counted(breachRows.length, input.totalBreaches)}):`,
    ...breachRows.map((r) => `- ${r[0]} ${r[1]}: ${r[2]}`),
    '',
    `Bản ghi bị loại khỏi đánh giá (${counted(rejectedRows.length, input.totalRejected)}):`,
    ...rejectedRows.map((r) => `- ${r[0]} ${r[1]}: ${r[2]}`),
  ].join('\n');
  const html = `<h2>Tổng hợp đánh giá tháng ${escapeHtml(formatMonth(input.month))}</h2>
<h3>Xếp hạng theo tỷ lệ hoàn thành chỉ tiêu tháng</h3>
${htmlTable(['#', 'Mã', 'Tổ chức', 'Hoàn thành'], rankingRows)}
<h3>Xã chưa có điểm thu (${communes.length})</h3>
<p>${escapeHtml(communes.join(', ') || 'Không có')}</p>
<h3>Vi phạm (${counted(breachRows.length, input.totalBreaches)})</h3>
${breachRows.length ? htmlTable(['Tổ chức', 'Nội dung', 'Chi tiết'], breachRows) : '<p>Không có</p>'}
<h3>Bản ghi bị loại khỏi đánh giá (${counted(rejectedRows.length, input.totalRejected)})</h3>
${rejectedRows.length ? htmlTable(['Loại', 'Mã', 'Lý do'], rejectedRows) : '<p>Không có</p>'}
<p>${escapeHtml(input.office)}</p>`;
  return { subject, text, html };
}
