/**
 * Renders the monthly C12-TS notice (domain.md section 3) as an A4 landscape PDF.
 *
 * Pure: statement in, bytes out. A monthly run renders one PDF per employer, so the fonts are read from
 * disk once per process and every layout decision is a simple computation (no measuring passes).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
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
// Fonts: the standard PDF fonts have no Vietnamese glyphs, so DejaVu is embedded (subset by pdfkit).

/**
 * A parsed font, shared by every document of the process. pdfkit accepts a fontkit font in place of the
 * file bytes; parsing DejaVu's tables again for each document cost ~60 ms, most of a render.
 */
type FontSource = PDFKit.Mixins.PDFFontSource;

interface Fonts {
  regular: FontSource;
  bold: FontSource;
  /**
   * With parsed fonts the regular one is the document's default font, selected again by its PostScript name.
   * Registering it under another name would make pdfkit compare the two fonts' name tables (JSON of the
   * whole licence text) on every switch back to it.
   */
  regularName: string | null;
}

let fonts: Fonts | undefined;

interface Position {
  [key: string]: number;
}
interface Run {
  glyphs: unknown[];
  positions: Position[];
  readonly advanceWidth: number;
}
interface LayoutFont {
  postscriptName: string;
  layout(text: string, features?: unknown): Run;
}

const LAYOUT_CACHE_LIMIT = 50_000;

/**
 * pdfkit shapes every word through fontkit's OpenType engine and caches the result per document only; the
 * notices repeat the same words, so shaping dominated the render. The cache is per font and process.
 * pdfkit scales the returned positions in place, hence a fresh copy of the positions on every call.
 */
interface DecodableGlyph {
  _decode?: () => unknown;
  __dondocMemo?: true;
}

/**
 * pdfkit subsets the font anew for every document, and fontkit decodes each used glyph's outline again to
 * find composite glyphs' components. The glyph objects are already cached per font; their decoded data is
 * read-only for a font without variations, so it is kept too. Guarded: an unexpected fontkit shape is left
 * alone, only slower.
 */
function memoizeGlyphDecoding(font: {
  getGlyph(id: number, characters?: number[]): DecodableGlyph | null;
}): void {
  const getGlyph = font.getGlyph.bind(font);
  font.getGlyph = (id, characters) => {
    const glyph = getGlyph(id, characters);
    const decode = glyph?._decode;
    if (glyph && typeof decode === 'function' && !glyph.__dondocMemo) {
      let decoded: unknown;
      let done = false;
      glyph._decode = () => {
        if (!done) {
          decoded = decode.call(glyph);
          done = true;
        }
        return decoded;
      };
      glyph.__dondocMemo = true;
    }
    return glyph;
  };
}

function memoizeLayout(font: LayoutFont): LayoutFont {
  const shape = font.layout.bind(font);
  const cache = new Map<string, Run>();
  font.layout = (text, features) => {
    if (features !== undefined) return shape(text, features);
    let run = cache.get(text);
    if (!run) {
      run = shape(text);
      if (cache.size >= LAYOUT_CACHE_LIMIT) cache.clear();
      cache.set(text, run);
    }
    const positions = run.positions.map((position) => ({ ...position }));
    return {
      glyphs: run.glyphs,
      positions,
      // fontkit's GlyphRun computes it from the positions, so it follows pdfkit's scaling.
      get advanceWidth() {
        return positions.reduce((sum, position) => sum + (position.xAdvance ?? 0), 0);
      },
    };
  };
  return font;
}

/** Resolved through the packages rather than a path relative to this file, which moves when bundled. */
function loadFonts(): Fonts {
  if (fonts) return fonts;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch (error) {
    throw new Error('C12-TS notice: the dejavu-fonts-ttf package is not installed next to the code', {
      cause: error,
    });
  }
  const regular = readFileSync(join(dir, 'DejaVuSans.ttf'));
  const bold = readFileSync(join(dir, 'DejaVuSans-Bold.ttf'));
  fonts = { regular, bold, regularName: null };
  try {
    // The fontkit that pdfkit itself depends on, whatever the install layout.
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as {
      create(data: Uint8Array): unknown;
    };
    // pdfkit takes a fontkit font (it checks for a layout function); its typings only list byte sources.
    const prepare = (data: Buffer): LayoutFont => {
      const font = fontkit.create(data) as LayoutFont & Parameters<typeof memoizeGlyphDecoding>[0];
      memoizeGlyphDecoding(font);
      return memoizeLayout(font);
    };
    const parsedRegular = prepare(regular);
    fonts = {
      regular: parsedRegular as unknown as FontSource,
      bold: prepare(bold) as unknown as FontSource,
      regularName: parsedRegular.postscriptName,
    };
  } catch {
    // Still correct with the bytes, only slower: pdfkit parses them per document.
  }
  return fonts;
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
  const rows: Row[] = [
    section('A', 'Kỳ trước chuyển sang'),
    employerLevel('1', 'Số lao động', formatNumber(s.previousHeadcount)),
    employerLevel('2', 'Số tiền đóng thừa', formatNumber(s.credit.broughtForward)),
    moneyRow('item', '3', 'Số tiền còn thiếu', s, (line) => line.broughtForward.owed),
    moneyRow('item', '4', 'Số tiền lãi chậm đóng chưa đóng', s, (line) => line.broughtForward.interestOwed),

    section('B', 'Phát sinh trong kỳ'),
    employerLevel('1', 'Số lao động tăng (+), giảm (-)', formatSigned(s.headcount - s.previousHeadcount)),
    employerLevel('2', 'Quỹ tiền lương tăng (+), giảm (-)', formatSigned(s.wageFund - s.previousWageFund)),
    employerLevel(
      '',
      `Quỹ tiền lương đóng tháng ${formatMonth(s.period)}`,
      formatNumber(s.wageFund),
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

    section('Đ', 'Chuyển kỳ sau'),
    employerLevel('1', 'Số lao động', formatNumber(s.headcount)),
    employerLevel('2', 'Số tiền đóng thừa', formatNumber(s.credit.carriedForward)),
    moneyRow('item', '3', 'Số tiền còn thiếu', s, (line) => line.carriedForward.owed),
    moneyRow('item', '4', 'Số tiền lãi chậm đóng chưa đóng', s, (line) => line.carriedForward.interestOwed),
  ];
  return rows;
}

/** Footnotes under the table, one paragraph each. Exported for tests and reused wording in the email. */
export function noticeFootnotes(input: NoticeInput): string[] {
  const { statement: s, employer, office, account } = input;
  const payBy = formatDate(s.payBy);
  const rates = interestRates(input);
  const paidUpTo = NOTICE_FUNDS.map(
    (fund) =>
      `${fundLabel(fund)}: ${s.funds[fund].paidUpTo ? formatMonth(s.funds[fund].paidUpTo) : 'chưa đóng'}`,
  ).join('; ');
  const notes = [`Đã đóng đến hết tháng: ${paidUpTo}.`];

  if (s.amountDue > 0) {
    const credit =
      s.credit.carriedForward > 0 ? `, đã trừ số tiền đóng thừa ${formatVnd(s.credit.carriedForward)}` : '';
    notes.push(
      `Tổng số tiền đơn vị còn phải đóng: ${formatVnd(s.amountDue)} (tiền phải đóng ${formatVnd(
        s.total.carriedForward.owed,
      )}, tiền lãi chậm đóng ${formatVnd(s.total.carriedForward.interestOwed)}${credit}), ` +
        `đóng chậm nhất ngày ${payBy}.`,
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
    notes.push(
      `Trong đó số tiền đã quá hạn đóng: tiền phải đóng ${formatVnd(s.overduePrincipal)}${since}; ` +
        `tiền lãi chậm đóng ${formatVnd(s.overdueInterest)}. Lãi chậm đóng tiếp tục được tính${rate} ` +
        'trên số tiền chậm đóng đến ngày đơn vị đóng; đề nghị đơn vị đóng ngay.',
    );
  }

  notes.push(
    `Đơn vị nộp tiền vào tài khoản số ${account.number} của ${account.name} tại ${account.bank}; ` +
      // Bank transfer references lose diacritics at many banks; the mã đơn vị is what matching relies on.
      `nội dung: "${employer.id} nop tien BHXH BHYT BHTN thang ${formatMonth(s.period)}".`,
  );

  for (const note of flagNotes(s)) notes.push(note);

  notes.push(
    `Đề nghị đơn vị đối chiếu các số liệu trên; nếu có sai lệch, liên hệ ${office.name} trước ngày ${payBy}. ` +
      'Quá thời hạn trên mà đơn vị không có ý kiến, số liệu trong thông báo này được xác nhận là đúng.',
  );
  return notes;
}

function flagNotes(s: Statement): string[] {
  const notes: string[] = [];
  const belowMinimum = new Set(
    s.flags.filter((flag) => flag.code === 'BELOW_REGIONAL_MINIMUM').map((flag) => flag.employeeId ?? '?'),
  );
  if (belowMinimum.size > 0) {
    notes.push(
      `Có ${belowMinimum.size} lao động đóng trên mức tiền lương thấp hơn mức lương tối thiểu vùng; ` +
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
// Drawing. Positions are computed here rather than left to pdfkit's flow, so nothing wraps or breaks a page
// where it should not, and single-line cells skip pdfkit's (slow) line wrapper.

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

type Doc = PDFKit.PDFDocument;

class Page {
  constructor(
    private readonly doc: Doc,
    private readonly fonts: Fonts,
  ) {}

  private size = 0;

  font(bold: boolean, size: number): Doc {
    this.size = size;
    return this.doc.font(bold ? 'bold' : (this.fonts.regularName ?? 'regular'), size);
  }

  /** Height of a text block in the current font: one line without running the wrapper when it fits. */
  height(text: string, width: number): number {
    if (this.doc.widthOfString(text) <= width) return this.doc.currentLineHeight(true);
    return this.doc.heightOfString(text, { width });
  }

  /** Left-aligned text block; returns the y below it. */
  block(text: string, x: number, y: number, width: number): number {
    if (this.doc.widthOfString(text) <= width) {
      this.doc.text(text, x, y, { lineBreak: false });
      return y + this.doc.currentLineHeight(true);
    }
    this.doc.text(text, x, y, { width });
    return this.doc.y;
  }

  /** One line, aligned within [x, x + width]; an over-long line is set smaller rather than wrapped. */
  line(text: string, x: number, y: number, width: number, align: 'left' | 'center' | 'right'): void {
    if (!text) return;
    let textWidth = this.doc.widthOfString(text);
    if (textWidth > width) {
      this.doc.fontSize((this.size * width) / textWidth);
      textWidth = width;
    }
    const left =
      align === 'left' ? x : align === 'right' ? x + width - textWidth : x + (width - textWidth) / 2;
    this.doc.text(text, left, y, { lineBreak: false });
  }
}

function tableHeader(page: Page, doc: Doc, y: number): number {
  const titles = ['STT', 'Chỉ tiêu', ...NOTICE_FUNDS.map(fundLabel), 'Tổng cộng'];
  const widths = [COL_NO, COL_LABEL, ...NOTICE_FUNDS.map(() => COL_NUMBER), COL_NUMBER];
  page.font(true, TABLE_SIZE);
  const lineHeight = doc.currentLineHeight(true);
  const height =
    Math.max(...titles.map((title, i) => page.height(title, (widths[i] ?? 0) - 2 * PAD))) + 2 * ROW_PAD + 2;
  doc.rect(MARGIN, y, CONTENT_WIDTH, height).fillAndStroke('#e6e6e6', '#000000').fillColor('#000000');
  let x = MARGIN;
  titles.forEach((title, i) => {
    const width = widths[i] ?? 0;
    const single = doc.widthOfString(title) <= width - 2 * PAD;
    // Vertically centred: one-line titles sit in the middle of a two-line header.
    const textY = single ? y + (height - lineHeight) / 2 : y + ROW_PAD + 1;
    if (single) page.line(title, x + PAD, textY, width - 2 * PAD, 'center');
    else doc.text(title, x + PAD, textY, { width: width - 2 * PAD, align: 'center' });
    if (i > 0)
      doc
        .moveTo(x, y)
        .lineTo(x, y + height)
        .stroke();
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
  if (bold)
    doc.rect(MARGIN, y, CONTENT_WIDTH, height).fillAndStroke('#f2f2f2', '#000000').fillColor('#000000');
  else doc.rect(MARGIN, y, CONTENT_WIDTH, height).stroke();
  const textY = y + ROW_PAD + 0.5;
  page.font(bold, TABLE_SIZE);
  page.line(row.no, MARGIN, textY, COL_NO, 'center');
  page.block(row.label, MARGIN + COL_NO + PAD + indent, textY, COL_LABEL - 2 * PAD - indent);
  let x = MARGIN + COL_NO + COL_LABEL;
  const cells = [...NOTICE_FUNDS.map((fund) => row.funds?.[fund] ?? ''), row.total];
  cells.forEach((cell, i) => {
    doc
      .moveTo(x, y)
      .lineTo(x, y + height)
      .stroke();
    // The total column is bold, as on the printed form; line() may have shrunk the previous cell.
    page.font(bold || i === cells.length - 1, TABLE_SIZE);
    page.line(cell, x + PAD, textY, COL_NUMBER - 2 * PAD, 'right');
    x += COL_NUMBER;
  });
  doc
    .moveTo(MARGIN + COL_NO, y)
    .lineTo(MARGIN + COL_NO, y + height)
    .stroke();
  return y + height;
}

function drawHeading(page: Page, doc: Doc, input: NoticeInput): number {
  const { statement: s, employer, office } = input;
  const half = CONTENT_WIDTH / 2;
  const left = half * 0.8;
  page.font(false, TEXT_SIZE - 1);
  page.line('Mẫu C12-TS', MARGIN + half, MARGIN - 10, half, 'right');
  page.font(false, TEXT_SIZE);
  const lh = doc.currentLineHeight(true);
  let y = MARGIN;
  page.line('BẢO HIỂM XÃ HỘI VIỆT NAM', MARGIN, y, left, 'center');
  page.font(true, TEXT_SIZE);
  page.line(office.name.toUpperCase(), MARGIN, y + lh, left, 'center');
  page.line('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', MARGIN + half, y, half, 'center');
  page.line('Độc lập - Tự do - Hạnh phúc', MARGIN + half, y + lh, half, 'center');
  y += 2 * lh + 8;

  page.font(true, 13);
  page.line('THÔNG BÁO KẾT QUẢ ĐÓNG BHXH, BHYT, BHTN', MARGIN, y, CONTENT_WIDTH, 'center');
  y += doc.currentLineHeight(true);
  page.font(false, 10);
  page.line(`Tháng ${formatMonth(s.period)}`, MARGIN, y, CONTENT_WIDTH, 'center');
  y += doc.currentLineHeight(true) + 4;

  page.font(true, TEXT_SIZE);
  y = page.block(
    `Kính gửi: Ông/Bà ${employer.headName}, ${employer.headTitle} ${employer.name}`,
    MARGIN,
    y,
    CONTENT_WIDTH,
  );
  page.font(false, TEXT_SIZE);
  y = page.block(`Mã đơn vị: ${employer.id}    Địa chỉ: ${employer.address}`, MARGIN, y, CONTENT_WIDTH);
  const intro = `${office.name} thông báo kết quả đóng BHXH, BHYT, BHTN của đơn vị đến hết tháng ${formatMonth(s.period)} như sau:`;
  const introBottom = page.block(intro, MARGIN, y, CONTENT_WIDTH - 90);
  page.font(false, TEXT_SIZE - 1);
  page.line(
    'Đơn vị tính: đồng',
    MARGIN + CONTENT_WIDTH - 90,
    introBottom - doc.currentLineHeight(true),
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
 * produce) would otherwise be set as separate marks and copy out of the PDF differently.
 */
function normalized(input: NoticeInput): NoticeInput {
  const { employer, statement } = input;
  return {
    ...input,
    employer: {
      id: employer.id.normalize('NFC'),
      name: employer.name.normalize('NFC'),
      address: employer.address.normalize('NFC'),
      headName: employer.headName.normalize('NFC'),
      headTitle: employer.headTitle.normalize('NFC'),
    },
    statement: {
      ...statement,
      payments: statement.payments.map((payment) => ({ ...payment, ref: payment.ref.normalize('NFC') })),
    },
  };
}

export async function renderNoticePdf(notice: NoticeInput): Promise<Buffer> {
  const input = normalized(notice);
  const fonts = loadFonts();
  const s = input.statement;
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    // No bottom margin: pdfkit's own page break never fires, rows break before BOTTOM by hand.
    margins: { top: MARGIN, bottom: 0, left: MARGIN, right: MARGIN },
    compress: true,
    bufferPages: true,
    // The default font is otherwise Helvetica, whose metrics pdfkit would parse for every document.
    ...(fonts.regularName ? { font: fonts.regular as unknown as string } : {}),
    lang: 'vi-VN',
    info: {
      Title: `Thông báo kết quả đóng BHXH, BHYT, BHTN tháng ${formatMonth(s.period)} - ${input.employer.id}`,
      Author: input.office.name,
      Subject: 'Mẫu C12-TS',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (!fonts.regularName) doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  doc.lineWidth(0.5).strokeColor('#000000').fillColor('#000000');
  const page = new Page(doc, fonts);

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
    y + 6 + doc.currentLineHeight(true),
    CONTENT_WIDTH / 2,
    'center',
  );

  // Page numbers only when the notice runs over (many payments or long names).
  const { start, count } = doc.bufferedPageRange();
  if (count > 1) {
    for (let i = start; i < start + count; i++) {
      doc.switchToPage(i);
      page.font(false, TEXT_SIZE - 1);
      page.line(
        `${input.employer.id} - Trang ${i - start + 1}/${count}`,
        MARGIN,
        BOTTOM + 8,
        CONTENT_WIDTH,
        'right',
      );
    }
  }

  doc.end();
  return done;
}
