import { describe, expect, it } from 'vitest';
import { computeStatement } from '../../../../functions/c12/account.ts';
import { statementRequestSchema } from '../../../../functions/c12/model.ts';
import {
  FUND_LABELS,
  formatDate,
  formatMonth,
  formatNumber,
  formatSigned,
} from '../../../../functions/c12/notice/format.ts';
import { noticeFootnotes, noticeRows, renderNoticePdf } from '../../../../functions/c12/notice/pdf.ts';
import { FUNDS } from '../../../../functions/c12/policy.ts';
import { novemberStatement, noticeInput } from './fixtures.ts';
import { pdfText } from './pdf-text.ts';

/** pdf.js may break a line into several items; compare on single spaces. */
const flat = (pages: string[]) => pages.join('\n').replace(/\s+/g, ' ');

describe('renderNoticePdf, November 2026 worked example', async () => {
  const input = noticeInput();
  const statement = input.statement;
  const pdf = await renderNoticePdf(input);
  const pages = await pdfText(pdf);
  const text = flat(pages);

  it('is a one-page PDF', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(pages).toHaveLength(1);
  });

  it('embeds subsets of DejaVu Sans and no standard font', () => {
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold\b/);
    expect(raw).toContain('/FontFile2');
    expect(raw).not.toContain('/Helvetica');
  });

  it('reads back in Vietnamese with its diacritics', () => {
    expect(text).toContain('Bảo hiểm xã hội tỉnh Lâm Đồng');
    expect(text).toContain('THÔNG BÁO KẾT QUẢ ĐÓNG BHXH, BHYT, BHTN');
    expect(text).toContain('Mẫu C12-TS');
    expect(text).toContain(`Tháng ${formatMonth(statement.period)}`);
    expect(text).toContain(
      `Kính gửi: Ông/Bà ${input.employer.headName}, ${input.employer.headTitle} ${input.employer.name}`,
    );
    expect(text).toContain(input.employer.address);
    for (const fund of FUNDS) expect(text).toContain(FUND_LABELS[fund]);
  });

  it('shows the sections and the worked example figures', () => {
    for (const heading of [
      'Kỳ trước chuyển sang',
      'Phát sinh trong kỳ',
      'Số tiền đã đóng trong kỳ',
      'Phân bổ số tiền đã đóng',
      'Chuyển kỳ sau',
    ]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('19.580.000');
    expect(text).toContain(formatNumber(statement.total.interest));
    expect(text).toContain(formatNumber(statement.funds.HT_TT.interest));
    expect(text).toContain(formatNumber(statement.total.broughtForward.owed));
    for (const payment of statement.payments) {
      expect(text).toContain(`Ngày ${formatDate(payment.date)}, chứng từ số ${payment.ref}`);
    }
    expect(text).toContain('0,03%');
  });

  it('has the footnotes: paid up to, amount and date to pay by, account, reconciliation', () => {
    expect(text).toContain(`Đã đóng đến hết tháng: Ốm đau, thai sản: ${formatMonth('2026-10')}`);
    expect(text).toContain(`${formatNumber(statement.amountDue)} đ`);
    expect(text).toContain(`đóng chậm nhất ngày ${formatDate(statement.payBy)}`);
    expect(text).toContain(input.account.number);
    expect(text).toContain(input.account.bank);
    expect(text).toContain('được xác nhận là đúng');
  });
});

describe('notice content', () => {
  it('lists sections A to Đ in order, per-fund rows summing to the total column', () => {
    const rows = noticeRows(noticeInput());
    expect(rows.filter((row) => row.style === 'section').map((row) => row.no)).toEqual([
      'A',
      'B',
      'C',
      'D',
      'Đ',
    ]);
    const numeric = (cell: string) => Number(cell.replace(/\./g, ''));
    for (const row of rows) {
      if (!row.funds || !/^[\d.-]+$/.test(row.total)) continue;
      const sum = Object.values(row.funds).reduce((acc, cell) => acc + numeric(cell), 0);
      expect(sum, row.label).toBe(numeric(row.total));
    }
  });

  it('shows a month without payroll as not yet reported, not as every worker gone', () => {
    const base = novemberStatement();
    const unreported = {
      ...base,
      headcount: 0,
      wageFund: 0,
      flags: [...base.flags, { code: 'NO_PAYROLL' as const, period: base.period }],
    };
    const rows = noticeRows(noticeInput(unreported));
    const cell = (section: string, label: string) => {
      const at = rows.findIndex((row) => row.style === 'section' && row.no === section);
      return rows.slice(at + 1).find((row) => row.label.startsWith(label))?.total;
    };
    expect(cell('B', 'Số lao động tăng')).toBe('chưa có dữ liệu');
    expect(cell('B', 'Quỹ tiền lương tăng')).toBe('chưa có dữ liệu');
    expect(cell('B', 'Quỹ tiền lương đóng tháng')).toBe('chưa có dữ liệu');
    expect(cell('Đ', 'Số lao động')).toBe('chưa có dữ liệu');
    // What is known stays: last month's headcount brought forward.
    expect(cell('A', 'Số lao động')).toBe(formatNumber(base.previousHeadcount));
    expect(cell('B', 'Số lao động tăng')).not.toMatch(/^-/);
    // A reported month keeps its figures.
    expect(noticeRows(noticeInput()).find((row) => row.label.startsWith('Số lao động tăng'))?.total).toBe(
      formatSigned(base.headcount - base.previousHeadcount),
    );
  });

  it('says what section D allocated from the credit brought forward, so C and D reconcile', () => {
    const base = novemberStatement();
    // No payment this month: the month's charge was paid from last month's overpayment.
    const fromCredit = {
      ...base,
      payments: [],
      credit: { broughtForward: 40_000_000, carriedForward: 840_000 },
    };
    const row = noticeRows(noticeInput(fromCredit)).find(
      (r) => r.label === 'Trong đó từ số tiền đóng thừa kỳ trước',
    );
    expect(row?.total).toBe(formatNumber(base.total.paidPrincipal + base.total.paidInterest));
    expect(noticeRows(noticeInput()).some((r) => r.label.startsWith('Trong đó từ số tiền đóng thừa'))).toBe(
      false,
    );
  });

  it('warns about overdue money and sums nothing it was not given', () => {
    const statement = {
      ...novemberStatement(),
      overduePrincipal: 19_580_000,
      overdueInterest: 4_000,
      oldestOverdueDueDate: '2026-10-31',
    };
    const notes = noticeFootnotes(noticeInput(statement)).join('\n');
    expect(notes).toContain('đã quá hạn đóng: tiền phải đóng 19.580.000 đ, quá hạn từ sau ngày 31/10/2026');
    expect(notes).toContain('tiền lãi chậm đóng 4.000 đ');
    expect(noticeFootnotes(noticeInput()).join('\n')).not.toContain('quá hạn');
  });

  it('says "không phát sinh" for a fund never charged, "chưa đóng" for one whose first period is unpaid', () => {
    const base = novemberStatement();
    const statement = {
      ...base,
      funds: {
        ...base.funds,
        BHTN: { ...base.funds.BHTN, paidUpTo: null, carriedForward: { owed: 0, interestOwed: 0 } },
        HT_TT: { ...base.funds.HT_TT, paidUpTo: null, carriedForward: { owed: 13_332_000, interestOwed: 0 } },
      },
    };
    const notes = noticeFootnotes(noticeInput(statement)).join('\n');
    expect(notes).toMatch(/BHTN: không phát sinh/);
    expect(notes).toContain('Hưu trí, tử tuất: chưa đóng');
  });

  it('says so when nothing is due, and reports a credit', () => {
    const paid = {
      ...novemberStatement(),
      amountDue: 0,
      credit: { broughtForward: 0, carriedForward: 250_000 },
    };
    expect(noticeFootnotes(noticeInput(paid)).join('\n')).toContain('đã đóng thừa 250.000 đ');
    const settled = { ...novemberStatement(), amountDue: 0 };
    expect(noticeFootnotes(noticeInput(settled)).join('\n')).toContain('không còn số tiền phải đóng');
  });
});

describe('renderNoticePdf, harder inputs', () => {
  it('runs over to a second page with the table header repeated and page numbers', async () => {
    const statement = novemberStatement();
    statement.payments = Array.from({ length: 40 }, (_, i) => ({
      date: `2026-11-${String((i % 28) + 1).padStart(2, '0')}`,
      amount: 100_000 + i,
      ref: `UNC-${i}`,
    }));
    const pages = await pdfText(await renderNoticePdf(noticeInput(statement)));
    expect(pages.length).toBeGreaterThan(1);
    for (const [index, page] of pages.entries()) {
      expect(page).toContain(`Trang ${index + 1}/${pages.length}`);
    }
    expect(flat(pages.slice(1))).toContain('Tổng cộng');
    expect(flat(pages)).toContain('chứng từ số UNC-39');
    expect(flat(pages)).toContain('được xác nhận là đúng');
  });

  it('keeps very large figures and decomposed (NFD) names readable', async () => {
    const statement = novemberStatement();
    statement.wageFund = 123_456_789_012;
    const input = noticeInput(statement);
    const nfc = input.employer.name;
    input.employer = { ...input.employer, name: nfc.normalize('NFD') };
    const text = flat(await pdfText(await renderNoticePdf(input)));
    expect(text).toContain('123.456.789.012');
    expect(text).toContain(nfc);
  });

  it('renders what the engine computes for the worked example', async () => {
    const employees = [
      { id: 'NV01', insuredWage: 10_000_000 },
      { id: 'NV02', insuredWage: 60_000_000 },
    ];
    const request = statementRequestSchema.parse({
      employer: { id: 'TS0001A', name: 'Công ty TNHH Cà phê Đà Lạt Xanh', region: 'I' },
      period: '2026-11',
      payroll: ['2026-08', '2026-09', '2026-10', '2026-11'].map((period) => ({ period, employees })),
      payments: [
        { date: '2026-09-20', amount: 19_580_000, ref: 'UNC-001' },
        { date: '2026-11-10', amount: 19_580_000, ref: 'UNC-002' },
        { date: '2026-11-25', amount: 19_580_000, ref: 'UNC-003' },
      ],
    });
    const statement = computeStatement(request);
    const text = flat(await pdfText(await renderNoticePdf(noticeInput(statement))));
    expect(text).toContain(formatNumber(statement.total.interest));
    expect(text).toContain(`${formatNumber(statement.amountDue)} đ`);
    expect(text).toContain('chứng từ số UNC-003');
  });
});
