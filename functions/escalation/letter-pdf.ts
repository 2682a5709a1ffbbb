/**
 * The urging letter (văn bản đôn đốc) as a one-page A4 PDF in Vietnamese, in the notice's fonts and writer:
 * the office's heading, the addressee, the amount, days late and interest so far, the cure date, and the
 * measures that follow. Pure: data in, bytes out.
 */
import { formatDate, formatVnd } from '../c12/notice/format.ts';
import { noticeFonts } from '../c12/notice/pdf-font.ts';
import { PdfWriter } from '../c12/notice/pdf-writer.ts';

export interface UrgingLetterInput {
  office: string;
  employer: { id: string; name: string };
  caseId: string;
  asOf: string;
  overdueVnd: number;
  interestVnd: number;
  daysLate: number;
  oldestOverdueDueDate: string | null;
  cureDate: string;
  measures: readonly string[];
}

const WIDTH = 595.28; // A4 portrait, points
const HEIGHT = 841.89;
const MARGIN = 56;
const CONTENT = WIDTH - 2 * MARGIN;
const SIZE = 11;

export function renderUrgingLetterPdf(input: UrgingLetterInput): Buffer {
  const doc = new PdfWriter(noticeFonts(), WIDTH, HEIGHT, {
    title: `Văn bản đôn đốc nộp tiền BHXH, BHYT, BHTN - ${input.employer.id}`,
    author: input.office,
    subject: 'Văn bản đôn đốc',
    lang: 'vi-VN',
  });
  const half = CONTENT / 2;
  doc.font(false, SIZE - 1);
  doc.textBlock('BẢO HIỂM XÃ HỘI VIỆT NAM', MARGIN, MARGIN, half, 'center');
  doc.font(true, SIZE - 1);
  let left = doc.textBlock(input.office.toUpperCase(), MARGIN, MARGIN + doc.lineHeight(true), half, 'center');
  let right = doc.textBlock('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', MARGIN + half, MARGIN, half, 'center');
  right = doc.textBlock('Độc lập - Tự do - Hạnh phúc', MARGIN + half, right, half, 'center');
  doc.font(false, SIZE - 1);
  const [year, month, day] = input.asOf.split('-');
  right = doc.textBlock(`ngày ${day} tháng ${month} năm ${year}`, MARGIN + half, right + 6, half, 'center');
  left = doc.textBlock(`Hồ sơ: ${input.caseId}`, MARGIN, left + 6, half, 'center');

  let y = Math.max(left, right) + 24;
  doc.font(true, SIZE + 3);
  y = doc.textBlock('VĂN BẢN ĐÔN ĐỐC', MARGIN, y, CONTENT, 'center');
  doc.font(true, SIZE);
  y = doc.textBlock(
    'Về việc nộp tiền bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp',
    MARGIN,
    y,
    CONTENT,
    'center',
  );
  y += 16;

  doc.font(true, SIZE);
  y = doc.textBlock(`Kính gửi: ${input.employer.name} (mã đơn vị ${input.employer.id})`, MARGIN, y, CONTENT);
  y += 8;
  doc.font(false, SIZE);
  const lines = [
    `Căn cứ Luật Bảo hiểm xã hội số 41/2024/QH15, ${input.office} đôn đốc đơn vị nộp đủ số tiền chậm đóng và tiền lãi chậm đóng dưới đây chậm nhất ngày ${formatDate(input.cureDate)}.`,
    '',
    `Số tiền quá hạn: ${formatVnd(input.overdueVnd)}`,
    `Trong đó tiền lãi chậm đóng: ${formatVnd(input.interestVnd)}`,
    `Số ngày chậm đóng: ${input.daysLate}`,
    ...(input.oldestOverdueDueDate
      ? [`Hạn đóng sớm nhất chưa đóng: ${formatDate(input.oldestOverdueDueDate)}`]
      : []),
    '',
    'Đơn vị chậm đóng được công khai trên Cổng thông tin điện tử của cơ quan bảo hiểm xã hội (Điều 35 Luật Bảo hiểm xã hội 2024).',
    '',
    'Quá thời hạn trên, cơ quan bảo hiểm xã hội sẽ lần lượt:',
    ...input.measures.map((measure) => `- ${measure}`),
  ];
  for (const line of lines) y = line ? doc.textBlock(line, MARGIN, y, CONTENT) + 2 : y + 8;

  y += 24;
  doc.font(true, SIZE);
  y = doc.textBlock(input.office.toUpperCase(), MARGIN + half, y, half, 'center');
  doc.font(false, SIZE - 2);
  doc.textBlock(
    'Văn bản được lập tự động từ dữ liệu thu của cơ quan bảo hiểm xã hội.',
    MARGIN + half,
    y + 4,
    half,
    'center',
  );
  return doc.end();
}
