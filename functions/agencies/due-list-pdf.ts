/**
 * The D08a-TS list (Mẫu D08a-TS, Quyết định 505/QĐ-BHXH) of one organisation as an A4 PDF in Vietnamese:
 * who falls due in the month, with the period and the last month to pay, for its collectors' reminders.
 */
import { formatDate, formatMonth } from '../c12/notice/format.ts';
import type { DueEntry } from './due-list.ts';
import { PdfDocument } from './pdf-table.ts';

const MODE: Record<number, string> = { 1: 'hằng tháng', 3: '3 tháng', 6: '6 tháng', 12: '12 tháng' };

export function dueListRows(entries: readonly DueEntry[]): string[][] {
  return entries.map((entry, i) => [
    String(i + 1),
    entry.participantId,
    entry.name,
    entry.commune,
    entry.product === 'BHXH_TN' ? 'BHXH tự nguyện' : 'BHYT hộ gia đình',
    entry.period
      ? `${MODE[entry.period.paymentMode] ?? entry.period.paymentMode}: ${formatMonth(entry.period.from)}-${formatMonth(entry.period.to)}`
      : `Thẻ hết hạn ${formatDate(entry.cardExpiry!)}`,
    entry.period ? formatMonth(entry.period.payBy) : formatDate(entry.cardExpiry!),
    entry.lastMonth ? 'Hạn cuối' : '',
  ]);
}

export function renderDueListPdf(input: {
  office: string;
  organisation: { code: string; name: string };
  month: string;
  entries: readonly DueEntry[];
}): Buffer {
  const doc = new PdfDocument({
    title: `D08a-TS ${formatMonth(input.month)} - ${input.organisation.code}`,
    author: input.office,
    subject: 'Danh sách người tham gia đến hạn đóng BHXH tự nguyện, BHYT',
  });
  doc
    .text(input.office.toUpperCase(), { bold: true })
    .text('Mẫu D08a-TS', { align: 'left' })
    .space(10)
    .text('DANH SÁCH NGƯỜI THAM GIA ĐẾN HẠN ĐÓNG BHXH TỰ NGUYỆN, BHYT', {
      bold: true,
      size: 13,
      align: 'center',
    })
    .text(`Tháng ${formatMonth(input.month)} - ${input.organisation.name} (mã ${input.organisation.code})`, {
      size: 11,
      align: 'center',
    })
    .space(10);
  if (input.entries.length === 0) doc.text('Không có người tham gia đến hạn đóng trong tháng.');
  else {
    doc.table(
      ['STT', 'Mã số', 'Họ tên', 'Xã', 'Loại', 'Kỳ đóng', 'Hạn đóng', 'Ghi chú'],
      dueListRows(input.entries),
      [0.06, 0.13, 0.17, 0.1, 0.13, 0.2, 0.11, 0.1],
    );
  }
  return doc.end();
}
