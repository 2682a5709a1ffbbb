/**
 * Renders the monthly C12-TS notice (domain.md section 3) as an A4 landscape PDF.
 *
 * Pure: statement in, bytes out. A monthly run renders one PDF per employer, so the fonts are read from
 * disk once per process and every layout decision is a simple computation (no measuring passes).
 */
import type { Statement, TotalLine } from '../model.ts';
import { DEFAULT_POLICY, valueAt, type Fund } from '../policy.ts';
import {
  NOTICE_FUNDS,
  fundLabel,
  formatDate,
  formatMonth,
  formatNumber,
  formatRatePcm,
  formatSigned,
  formatVnd,
} from './format.ts';
import { noticeFonts } from './pdf-font.ts';
import { PdfWriter } from './pdf-writer.ts';

export interface NoticeEmployer {
  /** Mã đơn vị. */
  id: string;
  name: string;
  address: string;
  /** The employer's head, to whom the notice is addressed. */
  headName: string;
  /** e.g. "Giám đốc". */
  headTitle: string;
}

/** "Ông/Bà Nguyễn Văn An, Giám đốc Công ty …", or the office alone when the head's name is not on record. */
export function noticeAddressee(employer: NoticeEmployer): string {
  const head = employer.headName.trim();
  const office = `${employer.headTitle.trim() || 'Thủ trưởng đơn vị'} ${employer.name}`;
  return head ? `Ông/Bà ${head}, ${office}` : office;
}

export interface CollectionAccount {
  number: string;
  name: string;
  bank: string;
}

export interface NoticeInput {
  statement: Statement;
  employer: NoticeEmployer;
  office: { name: string };
  account: CollectionAccount;
  /**
   * Daily interest rate per fund (pcm) that the engine applied. The statement does not carry it; when absent
   * the default policy's rate in force on the first day of the period is shown.
   */
  dailyInterestPcm?: Readonly<Record<Fund, number>>;
}

// ---------------------------------------------------------------------------------------------------------
// The table as data, then drawn.

type Cells = Readonly<Record<Fund, string>>;

interface Row {
  style: 'section' | 'item' | 'detail';
  no: string;
  label: string;
  /** Per-fund cells, or null for employer-level figures (headcount, wage fund, credit, payments). */
  funds: Cells | null;
  total: string;
}

function perFund(pick: (fund: Fund) => string): Cells {
  return Object.fromEntries(NOTICE_FUNDS.map((fund) => [fund, pick(fund)])) as unknown as Cells;
}

function moneyRow(
  style: Row['style'],
  no: string,
  label: string,
  statement: Statement,
  pick: (line: TotalLine) => number,
): Row {
  return {
    style,
    no,
    label,
    funds: perFund((fund) => formatNumber(pick(statement.funds[fund]))),
    total: formatNumber(pick(statement.total)),
  };
}

function section(no: string, label: string, total = ''): Row {
  return { style: 'section', no, label, funds: null, total };
}

const NO_DATA = 'chưa có dữ liệu';

function employerLevel(no: string, label: string, total: string, style: Row['style'] = 'item'): Row {
  return { style, no, label, funds: null, total };
}

function interestRates(input: NoticeInput): Readonly<Record<Fund, number>> {
  return (
    input.dailyInterestPcm ??
    valueAt(DEFAULT_POLICY.dailyInterestPcm, `${input.statement.period}-01`, 'daily interest rate')
  );
}

/** Rows of sections A-Đ, in the order of domain.md section 3. Exported for tests. */
export function noticeRows(input: NoticeInput): Row[] {
  const s = input.statement;
  const rates = interestRates(input);
  const paidTotal = s.payments.reduce((sum, payment) => sum + payment.amount, 0);
  const allocated = s.total.paidPrincipal + s.total.paidInterest;
  const fromCredit = Math.min(s.credit.broughtForward, Math.max(0, allocated - paidTotal));
  // A month not yet reported is not a month every worker left: its headcount and wage fund are unknown.
  const noPayroll = s.flags.some((flag) => flag.code === 'NO_PAYROLL');
  const rows: Row[] = [
    section('A', 'Kỳ trước chuyển sang'),
    employerLevel('1', 'Số lao động', formatNumber(s.previousHeadcount)),
    employerLevel('2', 'Số tiền đóng thừa', formatNumber(s.credit.broughtForward)),
    moneyRow('item', '3', 'Số tiền còn thiếu', s, (line) => line.broughtForward.owed),
    moneyRow('item', '4', 'Số tiền lãi chậm đóng chưa đóng', s, (line) => line.broughtForward.interestOwed),

    section('B', 'Phát sinh trong kỳ'),
    employerLevel(
      '1',
      'Số lao động tăng (+), giảm (-)',
      noPayroll ? NO_DATA : formatSigned(s.headcount - s.previousHeadcount),
    ),
    employerLevel(
      '2',
      'Quỹ tiền lương tăng (+), giảm (-)',
      noPayroll ? NO_DATA : formatSigned(s.wageFund - s.previousWageFund),
    ),
    employerLevel(
      '',
      `Quỹ tiền lương đóng tháng ${formatMonth(s.period)}`,
      noPayroll ? NO_DATA : formatNumber(s.wageFund),
      'detail',
    ),
    moneyRow('item', '3', 'Số phải đóng phát sinh trong kỳ', s, (line) => line.charged),
    moneyRow('item', '4', 'Điều chỉnh số phải đóng các kỳ trước (+/-)', s, (line) => line.adjusted),
    moneyRow('item', '5', 'Lãi chậm đóng phát sinh trong kỳ', s, (line) => line.interest),
    moneyRow('detail', '', 'Số tiền tính lãi (đồng x ngày chậm đóng)', s, (line) => line.interestBase),
    {
      style: 'detail',
      no: '',
      label: 'Lãi suất chậm đóng (mỗi ngày)',
      funds: perFund((fund) => formatRatePcm(rates[fund])),
      total: '',
    },

    section('C', 'Số tiền đã đóng trong kỳ', formatNumber(paidTotal)),
    ...s.payments.map((payment, index) =>
      employerLevel(
        String(index + 1),
        `Ngày ${formatDate(payment.date)}${payment.ref ? `, chứng từ số ${payment.ref}` : ''}`,
        formatNumber(payment.amount),
      ),
    ),

    section('D', 'Phân bổ số tiền đã đóng'),
    moneyRow('item', '1', 'Đóng tiền phải đóng (gốc)', s, (line) => line.paidPrincipal),
    moneyRow('item', '2', 'Đóng tiền lãi chậm đóng', s, (line) => line.paidInterest),
    // What D allocated beyond C came from the credit brought forward: said, so C and D reconcile.
    ...(fromCredit > 0
      ? [employerLevel('', 'Trong đó từ số tiền đóng thừa kỳ trước', formatNumber(fromCredit), 'detail')]
      : []),

    section('Đ', 'Chuyển kỳ sau'),
    employerLevel('1', 'Số lao động', noPayroll ? NO_DATA : formatNumber(s.headcount)),
    employerLevel('2', 'Số tiền đóng thừa', formatNumber(s.credit.carriedForward)),
    moneyRow('item', '3', 'Số tiền còn thiếu', s, (line) => line.carriedForward.owed),
    moneyRow('item', '4', 'Số tiền lãi chậm đóng chưa đóng', s, (line) => line.carriedForward.interestOwed),
  ];
  return rows;
}

/**
 * What the employer has to pay, and by when, one line each: what is already late (pay now), what falls
 * due on `payBy`, and what falls due later (a suspended pension fund's make-up, an adjustment with its own
 * deadline). Shared by the email and the PDF so both say the same. Nothing to pay: no line.
 */
export function dueLines(s: Statement): string[] {
  const overdue = Math.min(s.amountDue, s.overduePrincipal + s.overdueInterest);
  const lines: string[] = [];
  if (overdue > 0) lines.push(`Số tiền đã quá hạn, đề nghị đơn vị đóng ngay: ${formatVnd(overdue)}.`);
  const suspended = s.flags.some((flag) => flag.code === 'PENSION_SUSPENDED');
  if (s.dueLater === undefined && suspended) {
    // Stored before deadlines were split, in a suspension: part of what is not late is the make-up, due
    // later, so it is said as one sum rather than under a pay-by date it does not have.
    const rest = s.amountDue - overdue;
    if (rest > 0) lines.push(`Số tiền còn lại, đóng theo hạn của từng khoản: ${formatVnd(rest)}.`);
    return lines;
  }
  const later = s.dueLater ?? [];
  const ownDates = later.reduce((sum, entry) => sum + entry.amount, 0);
  const byPayBy = Math.max(0, s.amountDue - overdue - ownDates);
  // In date order, the pay-by date among the others.
  const dated = [
    ...later.map((entry) => ({
      date: entry.dueDate,
      text:
        entry.reason === 'SUSPENSION_MAKE_UP'
          ? `Số tiền đóng bù vào quỹ hưu trí, tử tuất sau thời gian tạm dừng đóng, chậm nhất ngày ${formatDate(entry.dueDate)}: ${formatVnd(entry.amount)}.`
          : `Khoản điều chỉnh (quỹ ${fundLabel(entry.fund)}) có hạn đóng riêng, chậm nhất ngày ${formatDate(entry.dueDate)}: ${formatVnd(entry.amount)}.`,
    })),
    ...(byPayBy > 0
      ? [
          {
            date: s.payBy,
            text: `Số tiền phải đóng chậm nhất ngày ${formatDate(s.payBy)}: ${formatVnd(byPayBy)}.`,
          },
        ]
      : []),
  ].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return [...lines, ...dated.map((entry) => entry.text)];
}

/** Footnotes under the table, one paragraph each. Exported for tests and reused wording in the email. */
export function noticeFootnotes(input: NoticeInput): string[] {
  const { statement: s, employer, office, account } = input;
  const payBy = formatDate(s.payBy);
  const rates = interestRates(input);
  const paidUpTo = NOTICE_FUNDS.map((fund) => {
    const line = s.funds[fund];
    // No month paid up to: its first period is unpaid (something is owed), or it was never charged.
    const words = line.paidUpTo
      ? formatMonth(line.paidUpTo)
      : line.carriedForward.owed > 0
        ? 'chưa đóng'
        : 'không phát sinh';
    return `${fundLabel(fund)}: ${words}`;
  }).join('; ');
  const notes = [`Đã đóng đến hết tháng: ${paidUpTo}.`];

  if (s.amountDue > 0) {
    const credit =
      s.credit.carriedForward > 0 ? `, đã trừ số tiền đóng thừa ${formatVnd(s.credit.carriedForward)}` : '';
    notes.push(
      `Tổng số tiền đơn vị còn phải đóng: ${formatVnd(s.amountDue)} (tiền phải đóng ${formatVnd(
        s.total.carriedForward.owed,
      )}, tiền lãi chậm đóng ${formatVnd(s.total.carriedForward.interestOwed)}${credit}). ` +
        dueLines(s).join(' '),
    );
  } else if (s.credit.carriedForward > 0) {
    notes.push(`Đơn vị đã đóng thừa ${formatVnd(s.credit.carriedForward)}, được chuyển sang kỳ sau.`);
  } else {
    notes.push('Đơn vị đã đóng đủ, không còn số tiền phải đóng.');
  }

  if (s.overduePrincipal > 0 || s.overdueInterest > 0) {
    const since = s.oldestOverdueDueDate ? `, quá hạn từ sau ngày ${formatDate(s.oldestOverdueDueDate)}` : '';
    // One rate is shown when all funds share it, which is the case under the current law.
    const distinct = [...new Set(NOTICE_FUNDS.map((fund) => rates[fund]))];
    const rate =
      distinct.length === 1 && distinct[0] !== undefined ? ` ${formatRatePcm(distinct[0])}/ngày` : '';
    // The date goes with what it is the deadline of: the principal, or, when only interest is late, the interest.
    const principalSince = s.overduePrincipal > 0 ? since : '';
    const interestSince = s.overduePrincipal > 0 ? '' : since;
    // Interest accrues on late principal only (never on interest): the sentence is there when some is late.
    const parts = [
      ...(s.overduePrincipal > 0 ? [`tiền phải đóng ${formatVnd(s.overduePrincipal)}${principalSince}`] : []),
      ...(s.overdueInterest > 0
        ? [`tiền lãi chậm đóng ${formatVnd(s.overdueInterest)}${interestSince}`]
        : []),
    ];
    const accrues =
      s.overduePrincipal > 0
        ? ` Lãi chậm đóng tiếp tục được tính${rate} trên số tiền chậm đóng đến ngày đơn vị đóng.`
        : '';
    notes.push(`Trong đó số tiền đã quá hạn đóng: ${parts.join('; ')}.${accrues}`);
  }

  // The reference on a line of its own, so it is copied whole. Bank transfer references lose diacritics at
  // many banks; the mã đơn vị is what matching relies on.
  notes.push(
    `Đơn vị nộp tiền vào tài khoản số ${account.number} của ${account.name} tại ${account.bank}, ` +
      `ghi nội dung nộp tiền đúng như dòng dưới đây:\n${transferReference(employer.id, s.period)}`,
  );

  for (const note of flagNotes(s)) notes.push(note);

  notes.push(
    `Đề nghị đơn vị đối chiếu các số liệu trên; nếu có sai lệch, liên hệ ${office.name} trước ngày ${payBy}. ` +
      'Quá thời hạn trên mà đơn vị không có ý kiến, số liệu trong thông báo này được xác nhận là đúng.',
  );
  return notes;
}

/** The transfer reference the employer writes on its payment order, ASCII so every bank keeps it. */
export function transferReference(employerId: string, period: string): string {
  return `${employerId} nop tien BHXH BHYT BHTN thang ${formatMonth(period)}`;
}

/** Notes the statement's flags call for (below-minimum wages, a suspension, no payroll). */
export function flagNotes(s: Statement): string[] {
  const notes: string[] = [];
  // The statement lists the first employees and counts the rest (`more`).
  const belowMinimum = s.flags
    .filter((flag) => flag.code === 'BELOW_REGIONAL_MINIMUM')
    .reduce((count, flag) => count + (flag.more ?? 1), 0);
  if (belowMinimum > 0) {
    notes.push(
      `Có ${belowMinimum} lao động đóng trên mức tiền lương thấp hơn mức lương tối thiểu vùng; ` +
        'đề nghị đơn vị kiểm tra và điều chỉnh.',
    );
  }
  if (s.flags.some((flag) => flag.code === 'PENSION_SUSPENDED')) {
    notes.push('Đơn vị đang trong thời gian tạm dừng đóng vào quỹ hưu trí, tử tuất.');
  }
  if (s.flags.some((flag) => flag.code === 'NO_PAYROLL')) {
    notes.push(`Chưa có dữ liệu lao động, tiền lương của đơn vị cho tháng ${formatMonth(s.period)}.`);
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------------------
// Drawing, through the small writer of pdf-writer.ts (why not pdfkit: see there). Every position is computed
// here, so nothing wraps or breaks a page where it should not, and single-line cells skip the line wrapper.

const PAGE = { width: 841.89, height: 595.28 }; // A4 landscape, points
const MARGIN = 24;
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const BOTTOM = PAGE.height - MARGIN;
const COL_NO = 24;
const COL_NUMBER = 86;
const COL_LABEL = CONTENT_WIDTH - COL_NO - 6 * COL_NUMBER;
const PAD = 4;
const ROW_PAD = 2;
const TABLE_SIZE = 7.5;
const TEXT_SIZE = 8.5;

type Doc = PdfWriter;

/** Text placement on top of the writer, with the rules the notice relies on (no wrap where one line fits). */
class Page {
  constructor(private readonly doc: Doc) {}

  private size = 0;

  font(bold: boolean, size: number): Doc {
    this.size = size;
    this.doc.font(bold, size);
    return this.doc;
  }

  /** Height of a text block in the current font: one line without running the wrapper when it fits. */
  height(text: string, width: number): number {
    if (!text.includes('\n') && this.doc.widthOfString(text) <= width) return this.doc.lineHeight(true);
    return this.doc.heightOfString(text, width);
  }

  /** Left-aligned text block; returns the y below it. */
  block(text: string, x: number, y: number, width: number): number {
    // One line drawn as is when it fits; a line break always goes through the wrapper, which keeps it.
    if (!text.includes('\n') && this.doc.widthOfString(text) <= width) {
      this.doc.text(text, x, y);
      return y + this.doc.lineHeight(true);
    }
    return this.doc.textBlock(text, x, y, width);
  }

  /**
   * One line, aligned within [x, x + width]; an over-long line is set smaller rather than wrapped. The smaller
   * size stays until the next font() call, as it did with pdfkit.
   */
  line(text: string, x: number, y: number, width: number, align: 'left' | 'center' | 'right'): void {
    if (!text) return;
    let textWidth = this.doc.widthOfString(text);
    if (textWidth > width) {
      this.doc.fontSize((this.size * width) / textWidth);
      textWidth = width;
    }
    const left =
      align === 'left' ? x : align === 'right' ? x + width - textWidth : x + (width - textWidth) / 2;
    this.doc.text(text, left, y);
  }
}

/** Grey levels of the header row and of section rows (#e6e6e6, #f2f2f2). */
const HEADER_GREY = 230 / 255;
const SECTION_GREY = 242 / 255;

function tableHeader(page: Page, doc: Doc, y: number): number {
  const titles = ['STT', 'Chỉ tiêu', ...NOTICE_FUNDS.map(fundLabel), 'Tổng cộng'];
  const widths = [COL_NO, COL_LABEL, ...NOTICE_FUNDS.map(() => COL_NUMBER), COL_NUMBER];
  page.font(true, TABLE_SIZE);
  const lineHeight = doc.lineHeight(true);
  const height =
    Math.max(...titles.map((title, i) => page.height(title, (widths[i] ?? 0) - 2 * PAD))) + 2 * ROW_PAD + 2;
  doc.fillStrokeRect(MARGIN, y, CONTENT_WIDTH, height, HEADER_GREY);
  let x = MARGIN;
  titles.forEach((title, i) => {
    const width = widths[i] ?? 0;
    const single = doc.widthOfString(title) <= width - 2 * PAD;
    // Vertically centred: one-line titles sit in the middle of a two-line header.
    const textY = single ? y + (height - lineHeight) / 2 : y + ROW_PAD + 1;
    if (single) page.line(title, x + PAD, textY, width - 2 * PAD, 'center');
    else doc.textBlock(title, x + PAD, textY, width - 2 * PAD, 'center');
    if (i > 0) doc.line(x, y, x, y + height);
    x += width;
  });
  return y + height;
}

function rowHeight(page: Page, row: Row): number {
  page.font(row.style === 'section', TABLE_SIZE);
  return page.height(row.label, COL_LABEL - 2 * PAD - (row.style === 'detail' ? 10 : 0)) + 2 * ROW_PAD;
}

function tableRow(page: Page, doc: Doc, row: Row, y: number, height: number): number {
  const bold = row.style === 'section';
  const indent = row.style === 'detail' ? 10 : 0;
  if (bold) doc.fillStrokeRect(MARGIN, y, CONTENT_WIDTH, height, SECTION_GREY);
  else doc.strokeRect(MARGIN, y, CONTENT_WIDTH, height);
  const textY = y + ROW_PAD + 0.5;
  page.font(bold, TABLE_SIZE);
  page.line(row.no, MARGIN, textY, COL_NO, 'center');
  page.block(row.label, MARGIN + COL_NO + PAD + indent, textY, COL_LABEL - 2 * PAD - indent);
  let x = MARGIN + COL_NO + COL_LABEL;
  const cells = [...NOTICE_FUNDS.map((fund) => row.funds?.[fund] ?? ''), row.total];
  cells.forEach((cell, i) => {
    doc.line(x, y, x, y + height);
    // The total column is bold, as on the printed form; line() may have shrunk the previous cell.
    page.font(bold || i === cells.length - 1, TABLE_SIZE);
    page.line(cell, x + PAD, textY, COL_NUMBER - 2 * PAD, 'right');
    x += COL_NUMBER;
  });
  doc.line(MARGIN + COL_NO, y, MARGIN + COL_NO, y + height);
  return y + height;
}

function drawHeading(page: Page, doc: Doc, input: NoticeInput): number {
  const { statement: s, employer, office } = input;
  const half = CONTENT_WIDTH / 2;
  const left = half * 0.8;
  page.font(false, TEXT_SIZE - 1);
  page.line('Mẫu C12-TS', MARGIN + half, MARGIN - 10, half, 'right');
  page.font(false, TEXT_SIZE);
  const lh = doc.lineHeight(true);
  let y = MARGIN;
  page.line('BẢO HIỂM XÃ HỘI VIỆT NAM', MARGIN, y, left, 'center');
  page.font(true, TEXT_SIZE);
  page.line(office.name.toUpperCase(), MARGIN, y + lh, left, 'center');
  page.line('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', MARGIN + half, y, half, 'center');
  page.line('Độc lập - Tự do - Hạnh phúc', MARGIN + half, y + lh, half, 'center');
  y += 2 * lh + 8;

  page.font(true, 13);
  page.line('THÔNG BÁO KẾT QUẢ ĐÓNG BHXH, BHYT, BHTN', MARGIN, y, CONTENT_WIDTH, 'center');
  y += doc.lineHeight(true);
  page.font(false, 10);
  page.line(`Tháng ${formatMonth(s.period)}`, MARGIN, y, CONTENT_WIDTH, 'center');
  y += doc.lineHeight(true) + 4;

  page.font(true, TEXT_SIZE);
  y = page.block(`Kính gửi: ${noticeAddressee(employer)}`, MARGIN, y, CONTENT_WIDTH);
  page.font(false, TEXT_SIZE);
  const address = employer.address.trim() ? `    Địa chỉ: ${employer.address}` : '';
  y = page.block(`Mã đơn vị: ${employer.id}${address}`, MARGIN, y, CONTENT_WIDTH);
  const intro = `${office.name} thông báo kết quả đóng BHXH, BHYT, BHTN của đơn vị đến hết tháng ${formatMonth(s.period)} như sau:`;
  const introBottom = page.block(intro, MARGIN, y, CONTENT_WIDTH - 90);
  page.font(false, TEXT_SIZE - 1);
  page.line(
    'Đơn vị tính: đồng',
    MARGIN + CONTENT_WIDTH - 90,
    introBottom - doc.lineHeight(true),
    90,
    'right',
  );
  return introBottom + 2;
}

function newPage(doc: Doc): number {
  doc.addPage();
  return MARGIN;
}

/**
 * Employer-supplied text in NFC: a name typed with combining accents (NFD, as some keyboards and macOS
 * produce) would otherwise be set as separate marks and copy out of the PDF differently. Line breaks and tabs
 * typed into a registration field become spaces: every such field is one line on the notice.
 */
function clean(value: string): string {
  return value.normalize('NFC').replace(/[\r\n\t]+/g, ' ');
}

function normalized(input: NoticeInput): NoticeInput {
  const { employer, statement } = input;
  return {
    ...input,
    employer: {
      id: clean(employer.id),
      name: clean(employer.name),
      address: clean(employer.address),
      headName: clean(employer.headName),
      headTitle: clean(employer.headTitle),
    },
    statement: {
      ...statement,
      payments: statement.payments.map((payment) => ({ ...payment, ref: clean(payment.ref) })),
    },
  };
}

export async function renderNoticePdf(notice: NoticeInput): Promise<Buffer> {
  const input = normalized(notice);
  const s = input.statement;
  const doc = new PdfWriter(noticeFonts(), PAGE.width, PAGE.height, {
    title: `Thông báo kết quả đóng BHXH, BHYT, BHTN tháng ${formatMonth(s.period)} - ${input.employer.id}`,
    author: input.office.name,
    subject: 'Mẫu C12-TS',
    lang: 'vi-VN',
  });
  const page = new Page(doc);

  let y = drawHeading(page, doc, input);
  y = tableHeader(page, doc, y);
  for (const row of noticeRows(input)) {
    const height = rowHeight(page, row);
    if (y + height > BOTTOM) y = tableHeader(page, doc, newPage(doc));
    y = tableRow(page, doc, row, y, height);
  }

  y += 5;
  page.font(true, TEXT_SIZE);
  y = page.block('Ghi chú:', MARGIN, y, CONTENT_WIDTH);
  page.font(false, TEXT_SIZE);
  noticeFootnotes(input).forEach((note, index) => {
    const text = `${index + 1}. ${note}`;
    if (y + page.height(text, CONTENT_WIDTH) > BOTTOM) y = newPage(doc);
    page.font(false, TEXT_SIZE);
    y = page.block(text, MARGIN, y, CONTENT_WIDTH);
  });

  const signatureX = MARGIN + CONTENT_WIDTH / 2;
  if (y + 30 > BOTTOM) y = newPage(doc);
  page.font(true, TEXT_SIZE);
  page.line(input.office.name.toUpperCase(), signatureX, y + 4, CONTENT_WIDTH / 2, 'center');
  page.font(false, TEXT_SIZE - 1);
  page.line(
    'Thông báo được lập tự động từ dữ liệu thu của cơ quan bảo hiểm xã hội.',
    signatureX,
    y + 6 + doc.lineHeight(true),
    CONTENT_WIDTH / 2,
    'center',
  );

  // Page numbers only when the notice runs over (many payments or long names).
  const count = doc.pageCount;
  if (count > 1) {
    for (let i = 0; i < count; i++) {
      doc.switchToPage(i);
      page.font(false, TEXT_SIZE - 1);
      page.line(`${input.employer.id} - Trang ${i + 1}/${count}`, MARGIN, BOTTOM + 8, CONTENT_WIDTH, 'right');
    }
  }

  return doc.end();
}
