/**
 * An organisation's monthly review as an A4 PDF in Vietnamese (the notice's fonts and writer): the KPIs
 * against its targets, each collector's figures, the findings with their evidence. Pure: data in, bytes out.
 */
import { formatMonth, formatNumber } from '../c12/notice/format.ts';
import { noticeFonts } from '../c12/notice/pdf-font.ts';
import { PdfWriter } from '../c12/notice/pdf-writer.ts';
import { RULE_TITLE, findingLine } from './documents.ts';
import type { Finding, OrganisationKpi } from './review.ts';

const WIDTH = 595.28;
const HEIGHT = 841.89;
const MARGIN = 48;
const CONTENT = WIDTH - 2 * MARGIN;
const SIZE = 10;

export function renderReviewPdf(input: {
  office: string;
  organisation: { code: string; name: string };
  month: string;
  kpi: OrganisationKpi;
  findings: Finding[];
}): Buffer {
  const doc = new PdfWriter(noticeFonts(), WIDTH, HEIGHT, {
    title: `Đánh giá tháng ${formatMonth(input.month)} - ${input.organisation.code}`,
    author: input.office,
    subject: 'Đánh giá tổ chức dịch vụ thu',
    lang: 'vi-VN',
  });
  let y = MARGIN;
  const room = (height: number) => {
    if (y + height <= HEIGHT - MARGIN) return;
    doc.addPage();
    y = MARGIN;
  };
  const row = (cells: string[], widths: number[], bold = false) => {
    doc.font(bold, SIZE - 1);
    const height = Math.max(...cells.map((cell, i) => doc.heightOfString(cell, widths[i]! - 6))) + 4;
    room(height);
    let x = MARGIN;
    cells.forEach((cell, i) => {
      if (bold) doc.fillStrokeRect(x, y, widths[i]!, height, 0.92);
      else doc.strokeRect(x, y, widths[i]!, height);
      doc.textBlock(cell, x + 3, y + 2, widths[i]! - 6);
      x += widths[i]!;
    });
    y += height;
  };
  const heading = (text: string) => {
    room(40);
    y += 10;
    doc.font(true, SIZE + 1);
    y = doc.textBlock(text, MARGIN, y, CONTENT) + 4;
  };

  doc.font(true, SIZE);
  y = doc.textBlock(input.office.toUpperCase(), MARGIN, y, CONTENT);
  y += 10;
  doc.font(true, SIZE + 4);
  y = doc.textBlock(`KẾT QUẢ ĐÁNH GIÁ THÁNG ${formatMonth(input.month)}`, MARGIN, y, CONTENT, 'center');
  doc.font(false, SIZE + 1);
  y = doc.textBlock(
    `${input.organisation.name} (mã ${input.organisation.code})`,
    MARGIN,
    y,
    CONTENT,
    'center',
  );

  heading('1. Chỉ tiêu đã cam kết');
  const kpiWidths = [CONTENT * 0.4, CONTENT * 0.15, CONTENT * 0.15, CONTENT * 0.12, CONTENT * 0.18];
  row(
    ['Chỉ tiêu', 'Cam kết tháng', 'Thực hiện', 'Tỷ lệ', `Lũy kế ${input.kpi.quarterToDate.quarter}`],
    kpiWidths,
    true,
  );
  for (const [key, label] of [
    ['newBhxh', 'Phát triển mới BHXH tự nguyện'],
    ['newBhyt', 'Phát triển mới BHYT hộ gia đình'],
    ['renewals', 'Vận động đóng tiếp'],
  ] as const) {
    row(
      [
        label,
        formatNumber(input.kpi.month.target[key]),
        formatNumber(input.kpi.month.actual[key]),
        `${input.kpi.month.percent[key]}%`,
        `${formatNumber(input.kpi.quarterToDate.actual[key])}/${formatNumber(input.kpi.quarterToDate.target[key])}`,
      ],
      kpiWidths,
    );
  }
  doc.font(false, SIZE);
  y = doc.textBlock(
    `Số tuần đạt chỉ tiêu tuần: ${input.kpi.weeks.met}/${input.kpi.weeks.of}`,
    MARGIN,
    y + 4,
    CONTENT,
  );

  heading('2. Nhân viên thu');
  const collectorWidths = [CONTENT * 0.2, CONTENT * 0.4, CONTENT * 0.14, CONTENT * 0.13, CONTENT * 0.13];
  row(['Mã', 'Họ tên', 'Người mới', 'Đóng tiếp', 'Chỉ tiêu'], collectorWidths, true);
  for (const c of input.kpi.collectors) {
    row(
      [
        c.collectorId,
        c.name,
        formatNumber(c.newParticipants),
        formatNumber(c.renewals),
        c.target === undefined ? '' : formatNumber(c.target),
      ],
      collectorWidths,
    );
  }

  heading('3. Nội dung cần khắc phục');
  if (input.findings.length === 0) {
    doc.font(false, SIZE);
    y = doc.textBlock('Không có nội dung vi phạm quy định trong tháng.', MARGIN, y, CONTENT);
  }
  const findingWidths = [CONTENT * 0.35, CONTENT * 0.65];
  if (input.findings.length) row(['Nội dung', 'Chi tiết'], findingWidths, true);
  for (const finding of input.findings) row([RULE_TITLE[finding.rule], findingLine(finding)], findingWidths);
  return doc.end();
}
