/**
 * An organisation's monthly review as an A4 PDF in Vietnamese: the KPIs against its targets, each
 * collector's figures, the findings with their evidence. Pure: data in, bytes out.
 */
import { formatMonth, formatNumber } from '../c12/notice/format.ts';
import { RULE_TITLE, findingLine } from './documents.ts';
import { PdfDocument } from './pdf-table.ts';
import type { Finding, OrganisationKpi } from './review.ts';

export function renderReviewPdf(input: {
  office: string;
  organisation: { code: string; name: string };
  month: string;
  kpi: OrganisationKpi;
  findings: Finding[];
}): Buffer {
  const { kpi } = input;
  const doc = new PdfDocument({
    title: `Đánh giá tháng ${formatMonth(input.month)} - ${input.organisation.code}`,
    author: input.office,
    subject: 'Đánh giá tổ chức dịch vụ thu',
  });
  doc
    .text(input.office.toUpperCase(), { bold: true })
    .space(10)
    .text(`KẾT QUẢ ĐÁNH GIÁ THÁNG ${formatMonth(input.month)}`, { bold: true, size: 14, align: 'center' })
    .text(`${input.organisation.name} (mã ${input.organisation.code})`, { size: 11, align: 'center' });

  doc.heading('1. Chỉ tiêu đã cam kết').table(
    ['Chỉ tiêu', 'Cam kết tháng', 'Thực hiện', 'Tỷ lệ', `Lũy kế ${kpi.quarterToDate.quarter}`],
    (
      [
        ['newBhxh', 'Phát triển mới BHXH tự nguyện'],
        ['newBhyt', 'Phát triển mới BHYT hộ gia đình'],
        ['renewals', 'Vận động đóng tiếp'],
      ] as const
    ).map(([key, label]) => [
      label,
      formatNumber(kpi.month.target[key]),
      formatNumber(kpi.month.actual[key]),
      `${kpi.month.percent[key]}%`,
      `${formatNumber(kpi.quarterToDate.actual[key])}/${formatNumber(kpi.quarterToDate.target[key])}`,
    ]),
    [0.4, 0.15, 0.15, 0.12, 0.18],
  );
  doc.text(`Số tuần đạt chỉ tiêu tuần: ${kpi.weeks.met}/${kpi.weeks.of}`, { gap: 4 });

  doc.heading('2. Nhân viên thu').table(
    ['Mã', 'Họ tên', 'Người mới', 'Đóng tiếp', 'Chỉ tiêu'],
    kpi.collectors.map((c) => [
      c.collectorId,
      c.name,
      formatNumber(c.newParticipants),
      formatNumber(c.renewals),
      c.target === undefined ? '' : formatNumber(c.target),
    ]),
    [0.2, 0.4, 0.14, 0.13, 0.13],
  );

  doc.heading('3. Nội dung cần khắc phục');
  if (input.findings.length === 0) doc.text('Không có nội dung vi phạm quy định trong tháng.');
  else {
    doc.table(
      ['Nội dung', 'Chi tiết'],
      input.findings.map((f) => [RULE_TITLE[f.rule], findingLine(f)]),
      [0.35, 0.65],
    );
  }
  return doc.end();
}
