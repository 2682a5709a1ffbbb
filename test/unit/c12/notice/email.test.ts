import { describe, expect, it } from 'vitest';
import {
  buildNoticeEmail,
  buildRunSummaryEmail,
  escapeHtml,
  type RunSummary,
} from '../../../../functions/c12/notice/email.ts';
import { formatDate, formatVnd } from '../../../../functions/c12/notice/format.ts';
import { composeNotice } from '../../../../functions/c12/compose.ts';
import { employerRecordSchema } from '../../../../functions/c12/ledger.ts';
import { loadConfig } from '../../../../functions/shared/config.ts';
import { noticeInput } from './fixtures.ts';
import { pdfText } from './pdf-text.ts';

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

  it('lists the employers with their reasons, escaped in HTML', () => {
    expect(email.text).toContain(
      '- TS0099Z – Công ty <Lỗi>: payroll[0].employees[1].insuredWage: must not be negative',
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
