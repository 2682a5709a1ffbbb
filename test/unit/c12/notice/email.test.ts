import { describe, expect, it } from 'vitest';
import {
  buildNoticeEmail,
  buildRunSummaryEmail,
  escapeHtml,
  type RunSummary,
} from '../../../../functions/c12/notice/email.ts';
import { formatDate, formatVnd } from '../../../../functions/c12/notice/format.ts';
import { reasonInVietnamese } from '../../../../functions/shared/reasons.ts';
import { composeNotice } from '../../../../functions/c12/compose.ts';
import { employerRecordSchema } from '../../../../functions/c12/ledger.ts';
import { loadConfig } from '../../../../functions/shared/config.ts';
import { noticeInput } from './fixtures.ts';
import { pdfText } from './pdf-text.ts';
import { computeStatement } from '../../../../functions/c12/account.ts';
import {
  statementRequestSchema,
  type Statement,
  type StatementRequestInput,
} from '../../../../functions/c12/model.ts';
import { dueLines, noticeFootnotes, renderNoticePdf } from '../../../../functions/c12/notice/pdf.ts';

const HOSTILE = 'Công ty <script>alert("x")</script> & <a href="https://evil.example">Đối tác</a>';

function anchors(html: string): string[] {
  return html.match(/<a\b[^>]*>/gi) ?? [];
}

describe('buildNoticeEmail', async () => {
  const input = noticeInput();
  const statement = input.statement;
  const email = await buildNoticeEmail({
    ...input,
    portalUrl: 'https://dichvucong.example/tra-cuu?ma=TS0001A&ky=2026-11',
  });

  it('has the subject with month and mã đơn vị', () => {
    expect(email.subject).toBe('Thông báo kết quả đóng BHXH tháng 11/2026 – Mã đơn vị TS0001A');
  });

  it('addresses the head and states the amount, the date and the account, in both parts', () => {
    for (const part of [email.html, email.text]) {
      expect(part).toContain(`Kính gửi: Ông/Bà ${input.employer.headName}, Giám đốc ${input.employer.name}`);
      expect(part).toContain(formatVnd(statement.amountDue));
      expect(part).toContain(formatDate(statement.payBy));
      expect(part).toContain(input.account.number);
      expect(part).toContain(input.account.bank);
      for (const label of ['Ốm đau, thai sản', 'Hưu trí, tử tuất', 'BHYT', 'BHTN', 'TNLĐ-BNN'])
        expect(part).toContain(label);
    }
    expect(email.html).toContain('<table');
  });

  it('puts ses:no-track on every link', () => {
    const links = anchors(email.html);
    expect(links.length).toBeGreaterThan(0);
    for (const tag of links) expect(tag).toContain('ses:no-track');
    expect(email.html).toContain('href="https://dichvucong.example/tra-cuu?ma=TS0001A&amp;ky=2026-11"');
  });

  it('attaches the PDF under a predictable name', async () => {
    expect(email.attachments).toHaveLength(1);
    const [attachment] = email.attachments;
    expect(attachment?.filename).toBe('C12-TS_TS0001A_2026-11.pdf');
    expect(attachment?.contentType).toBe('application/pdf');
    expect((await pdfText(attachment!.content)).join(' ')).toContain(input.employer.name);
  });

  it('escapes employer-supplied strings, so they add no markup and no link', async () => {
    const hostile = noticeInput();
    hostile.employer = {
      ...hostile.employer,
      name: HOSTILE,
      headName: 'O\'Neil "Bà" <b>',
      address: '<img src=x>',
    };
    const mail = await buildNoticeEmail(hostile);
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<b>');
    expect(anchors(mail.html)).toEqual([]);
    expect(mail.html).toContain(escapeHtml(HOSTILE));
    expect(mail.html).toContain('O&#39;Neil &quot;Bà&quot; &lt;b&gt;');
    // The plain text part is not HTML: it keeps the name as typed.
    expect(mail.text).toContain(HOSTILE);
  });

  it('warns about overdue money only when there is some', async () => {
    expect(email.text).not.toContain('quá hạn');
    const late = noticeInput({
      ...statement,
      overduePrincipal: 19_580_000,
      overdueInterest: 0,
      oldestOverdueDueDate: '2026-10-31',
    });
    expect((await buildNoticeEmail(late)).text).toContain('Trong đó đã quá hạn: 19.580.000 đ');
  });
});

describe('composeNotice', () => {
  const config = loadConfig({
    SENDER_EMAIL: 'thongbao@bhxh-demo.vn',
    SES_CONFIGURATION_SET: 'dondoc-no-tracking',
  });
  const input = noticeInput();
  const employer = employerRecordSchema.parse({
    employerId: input.employer.id,
    name: input.employer.name,
    region: 'I',
    email: 'ketoan@dalatxanh.example',
    headName: input.employer.headName,
    address: input.employer.address,
    partition: 'P1',
  });

  it('addresses the employer from the office, through the no-tracking configuration set, PDF attached', async () => {
    const mail = await composeNotice(config, employer, input.statement);
    expect(mail.from).toBe('thongbao@bhxh-demo.vn');
    expect(mail.to).toEqual(['ketoan@dalatxanh.example']);
    expect(mail.configurationSet).toBe('dondoc-no-tracking');
    expect(mail.subject).toBe('Thông báo kết quả đóng BHXH tháng 11/2026 – Mã đơn vị TS0001A');
    expect(mail.attachments.map((attachment) => attachment.filename)).toEqual(['C12-TS_TS0001A_2026-11.pdf']);
    expect((await pdfText(mail.attachments[0]!.content)).join(' ')).toContain(input.employer.name);
  });

  it('has no recipient for an employer without email (its notice goes by post)', async () => {
    const { email: _email, ...postal } = employer;
    expect((await composeNotice(config, postal, input.statement)).to).toEqual([]);
  });
});

describe('buildRunSummaryEmail', () => {
  const summary: RunSummary = {
    runId: 'c12-2026-11',
    period: '2026-11',
    employers: 1_250,
    sent: 1_200,
    alreadyDelivered: 30,
    inArrears: 87,
    quarantined: 2,
    postal: 15,
    rejected: 1,
    possibleDuplicates: 1,
    quarantinedEmployers: [
      {
        employerId: 'TS0099Z',
        name: 'Công ty <Lỗi>',
        reason: 'payroll[0].employees[1].insuredWage: must not be negative',
      },
      { employerId: 'TS0100Z', name: 'HTX Nông nghiệp', reason: 'duplicate period 2026-10' },
    ],
    postalEmployers: [{ employerId: 'TS0200P', name: 'Hộ kinh doanh Bảy Núi' }],
    rejectedEmployers: [
      { employerId: 'TS0300R', name: 'Công ty Mất Thư', reason: 'MessageRejected: address blacklisted' },
    ],
    duplicateEmployers: [{ employerId: 'TS0400D', name: 'Công ty Trùng' }],
  };
  const email = buildRunSummaryEmail(summary);

  it('states the period and every count', () => {
    expect(email.subject).toContain('11/2026');
    expect(email.text).toContain('Số đơn vị: 1.250');
    expect(email.text).toContain('Thông báo đã gửi: 1.200');
    expect(email.text).toContain('Đã gửi trước đó (bỏ qua): 30');
    expect(email.text).toContain('Đơn vị chậm đóng: 87');
    expect(email.text).toContain('Gửi qua bưu điện: 15');
    expect(email.text).toContain('Có thể gửi trùng (sau sự cố): 1');
    expect(email.attachments).toEqual([]);
  });

  it('lists the employers with their reasons, in Vietnamese with the field named, escaped in HTML', () => {
    expect(email.text).toContain(
      '- TS0099Z – Công ty <Lỗi>: payroll[0].employees[1].insuredWage: không được âm',
    );
    expect(email.text).toContain('- TS0200P – Hộ kinh doanh Bảy Núi');
    expect(email.text).toContain('MessageRejected: address blacklisted');
    expect(email.html).toContain('Công ty &lt;Lỗi&gt;');
    expect(email.html).not.toContain('<Lỗi>');
    expect(anchors(email.html)).toEqual([]);
  });

  it('shortens very long lists', () => {
    const many = Array.from({ length: 1_000 }, (_, i) => ({
      employerId: `TS${i}`,
      name: `Đơn vị ${i}`,
      reason: 'x',
    }));
    const long = buildRunSummaryEmail({ ...summary, quarantined: 1_000, quarantinedEmployers: many });
    expect(long.text).toContain('Đơn vị tạm giữ và lý do (1000):');
    expect(long.text).toContain('… và 700 đơn vị khác');
    expect(long.text).not.toContain('TS999 ');
  });
});

describe('what the notice asks the employer to pay, and when', () => {
  // The worked example's employer through the engine, with a pension-fund suspension of its own.
  const employees = [
    { id: 'NV01', insuredWage: 10_000_000 },
    { id: 'NV02', insuredWage: 60_000_000 },
  ];
  const months = ['2026-09', '2026-10', '2026-11'];
  const statementOf = (change: Partial<StatementRequestInput>) =>
    computeStatement(
      statementRequestSchema.parse({
        employer: { id: 'TS0001A', name: 'Công ty TNHH Thử Nghiệm', region: 'I' },
        period: '2026-11',
        payroll: months.map((period) => ({ period, employees })),
        ...change,
      }),
    );
  // A pension-fund suspension from September, every other fund paid on time.
  const suspendedPayingTheRest: Partial<StatementRequestInput> = {
    pensionSuspensions: [{ from: '2026-09', to: '2027-02' }],
    payments: [
      { date: '2026-10-20', amount: 6_248_000 },
      { date: '2026-11-20', amount: 6_248_000 },
    ],
  };
  const both = async (statement: Statement) => {
    const email = await buildNoticeEmail(noticeInput(statement));
    return { email, notes: noticeFootnotes(noticeInput(statement)).join('\n') };
  };

  it('heads arrears with what is late, to pay now, apart from what falls due on the pay-by date', async () => {
    const { email, notes } = await both(statementOf({}));
    for (const text of [email.text, email.html, notes]) {
      expect(text).toContain('Số tiền đã quá hạn, đề nghị đơn vị đóng ngay: 39.160.000 đ.');
      // November's charge and the interest posted at its end (both due by 31/12).
      expect(text).toContain('Số tiền phải đóng chậm nhất ngày 31/12/2026: 19.756.220 đ.');
    }
    expect(email.text).toContain('lãi chậm đóng tiếp tục được tính');
  });

  it('gives a suspended pension fund’s make-up its own date, not the pay-by date', async () => {
    const statement = statementOf({
      ...suspendedPayingTheRest,
    });
    expect(statement.dueLater).toEqual([
      { fund: 'HT_TT', amount: 3 * 13_332_000, dueDate: '2027-03-31', reason: 'SUSPENSION_MAKE_UP' },
    ]);
    const { email, notes } = await both(statement);
    for (const text of [email.text, notes]) {
      expect(text).toContain(
        'Số tiền đóng bù vào quỹ hưu trí, tử tuất sau thời gian tạm dừng đóng, chậm nhất ngày 31/03/2027: 39.996.000 đ.',
      );
      expect(text).toContain('Số tiền phải đóng chậm nhất ngày 31/12/2026: 6.248.000 đ.');
      expect(text).not.toContain('quá hạn, đề nghị');
    }
    expect(email.text).toContain('Đơn vị đang trong thời gian tạm dừng đóng vào quỹ hưu trí, tử tuất.');
  });

  it('lists an adjustment with a deadline of its own on its date, before or after the pay-by date', async () => {
    const statement = statementOf({
      ...suspendedPayingTheRest,
      adjustments: [
        { date: '2026-11-15', period: '2026-08', fund: 'BHYT', amount: 500_000, dueDate: '2026-12-10' },
        { date: '2026-11-16', period: '2026-09', fund: 'HT_TT', amount: 300_000, dueDate: '2027-01-15' },
      ],
    });
    expect(dueLines(statement)).toEqual([
      'Khoản điều chỉnh (quỹ BHYT) có hạn đóng riêng, chậm nhất ngày 10/12/2026: 500.000 đ.',
      'Số tiền phải đóng chậm nhất ngày 31/12/2026: 6.248.000 đ.',
      'Khoản điều chỉnh (quỹ Hưu trí, tử tuất) có hạn đóng riêng, chậm nhất ngày 15/01/2027: 300.000 đ.',
      'Số tiền đóng bù vào quỹ hưu trí, tử tuất sau thời gian tạm dừng đóng, chậm nhất ngày 31/03/2027: 39.996.000 đ.',
    ]);
    // A statement stored before deadlines were split, in a suspension: one sum, no pay-by date it lacks.
    const { dueLater: _dropped, ...stored } = statement;
    expect(dueLines(stored)).toEqual([
      `Số tiền còn lại, đóng theo hạn của từng khoản: ${formatVnd(statement.amountDue)}.`,
    ]);
  });

  it('puts the transfer reference on a line of its own in the PDF, however short the account', async () => {
    const input = noticeInput();
    const short = { ...input, account: { number: '3751', name: 'BHXH Lâm Đồng', bank: 'KBNN' } };
    const lines = (await pdfText(await renderNoticePdf(short))).join('\n').split('\n');
    expect(lines).toContain(`TS0001A nop tien BHXH BHYT BHTN thang 11/2026`);
  });

  it('does not say interest accrues when only interest is late (interest is not charged on interest)', async () => {
    // September's charge paid 9 days late, October's on time: the interest is all that is late.
    const statement = statementOf({
      period: '2026-12',
      payroll: months.slice(0, 2).map((period) => ({ period, employees })),
      payments: [
        { date: '2026-11-10', amount: 19_580_000 },
        { date: '2026-11-20', amount: 19_580_000 },
      ],
    });
    expect(statement.overduePrincipal).toBe(0);
    expect(statement.overdueInterest).toBeGreaterThan(0);
    const { email, notes } = await both(statement);
    expect(email.text).toContain(`Trong đó đã quá hạn: ${formatVnd(statement.overdueInterest)} tiền lãi`);
    expect(email.text).not.toContain('0 đ tiền phải đóng');
    for (const text of [email.text, notes]) expect(text).not.toContain('tiếp tục được tính');
  });

  it('addresses the office when the head’s name is not on record, and leaves out an empty address', async () => {
    const input = noticeInput();
    const anonymous = { ...input, employer: { ...input.employer, headName: '', address: ' ' } };
    const email = await buildNoticeEmail(anonymous);
    expect(email.text).toContain(`Kính gửi: ${input.employer.headTitle} ${input.employer.name}\n`);
    const text = (await pdfText(await renderNoticePdf(anonymous))).join('\n');
    expect(text).toContain(`Kính gửi: ${input.employer.headTitle} ${input.employer.name}`);
    expect(text).not.toContain('Ông/Bà ,');
    expect(text).not.toContain('Địa chỉ:');
  });
});

describe('the run summary’s subject', () => {
  it('counts what earlier attempts delivered, so a re-run does not read as nothing sent', () => {
    const summary: RunSummary = {
      runId: 'run-2026-11',
      period: '2026-11',
      employers: 300,
      sent: 0,
      alreadyDelivered: 288,
      inArrears: 114,
      quarantined: 3,
      postal: 9,
      rejected: 0,
      possibleDuplicates: 0,
      quarantinedEmployers: [],
      postalEmployers: [],
      rejectedEmployers: [],
      duplicateEmployers: [],
    };
    expect(buildRunSummaryEmail(summary).subject).toBe(
      'Kết quả gửi thông báo C12-TS tháng 11/2026: 300 đơn vị, gửi mới 0, đã gửi trước đó 288, bưu điện 9, cách ly 3',
    );
  });
});

describe('reasons in the administrators’ words', () => {
  it.each([
    [
      'PAYMENT#2026-02-29#UNC-1: date: must be a date YYYY-MM-DD',
      'PAYMENT#2026-02-29#UNC-1: date: phải là ngày hợp lệ dạng YYYY-MM-DD',
    ],
    [
      'ADJUSTMENT#2026-10-05#DC-1: fund: must be one of BHYT, BHTN, TNLD_BNN, OD_TS, HT_TT',
      'ADJUSTMENT#2026-10-05#DC-1: fund: phải là một trong: BHYT, BHTN, TNLD_BNN, OD_TS, HT_TT',
    ],
    ['amount: must not exceed 1.000.000.000.000 VND', 'amount: không được vượt quá 1.000.000.000.000 đồng'],
    [
      'PAYROLL#2026-10: employees: is not valid JSON',
      'PAYROLL#2026-10: employees: không đọc được (dữ liệu hỏng)',
    ],
    ['name: Invalid input: expected string, received undefined', 'name: thiếu'],
    // Anything else is shown as it came.
    ['SomethingNew: unexpected', 'SomethingNew: unexpected'],
  ])('%s', (reason, said) => {
    expect(reasonInVietnamese(reason)).toBe(said);
  });
});
