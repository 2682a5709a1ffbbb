import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildRawMessage, type RawMessageInput } from '../../../../functions/c12/notice/mime.ts';

const PDF = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7919) % 256));

function message(overrides: Partial<RawMessageInput> = {}): RawMessageInput {
  return {
    from: 'Bảo hiểm xã hội tỉnh Lâm Đồng <thongbao@bhxh-demo.vn>',
    to: ['Kế toán "Đà Lạt" <ketoan@example.com>', 'giamdoc@example.com'],
    subject: `Thông báo kết quả đóng BHXH tháng 11/2026 – Mã đơn vị TS0001A ${'ệ'.repeat(40)}`,
    html: '<p>Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung</p>',
    text: 'Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung\n\nTrân trọng,\n',
    attachments: [{ filename: 'C12-TS_TS0001A_2026-11.pdf', content: PDF, contentType: 'application/pdf' }],
    ...overrides,
  };
}

describe('buildRawMessage, wire format', () => {
  it('has the standard headers and only CRLF line ends within the length limits', async () => {
    const raw = (await buildRawMessage(message())).toString('latin1');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^MIME-Version: 1\.0$/m);
    expect(head).toMatch(/^Message-ID: <[^@\s]+@bhxh-demo\.vn>\r$/m);
    expect(head).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r$/m);
    expect(head).toMatch(/^Content-Type: multipart\/mixed; boundary="[^"]+"$/m);
    expect(raw).not.toMatch(/[^\r]\n/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('parses back: encoded subject and display names, both parts, the attachment byte for byte', async () => {
    const input = message();
    const parsed = await simpleParser(await buildRawMessage(input));
    expect(parsed.subject).toBe(input.subject);
    expect(parsed.from?.value).toEqual([
      { name: 'Bảo hiểm xã hội tỉnh Lâm Đồng', address: 'thongbao@bhxh-demo.vn' },
    ]);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((list) => list?.value ?? [])).toEqual([
      { name: 'Kế toán "Đà Lạt"', address: 'ketoan@example.com' },
      { name: '', address: 'giamdoc@example.com' },
    ]);
    expect(parsed.text).toBe(input.text);
    expect(parsed.html).toContain('Nguyễn Thị Hồng Nhung');
    expect(parsed.attachments).toHaveLength(1);
    expect(Buffer.compare(parsed.attachments[0]!.content, PDF)).toBe(0);
    expect(parsed.attachments[0]?.contentDisposition).toBe('attachment');
  });

  it('gives each message its own Message-ID', async () => {
    const ids = await Promise.all(
      [1, 2].map(async () => (await simpleParser(await buildRawMessage(message()))).messageId),
    );
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('keeps a non-ASCII file name', async () => {
    const input = message({
      attachments: [{ filename: 'Thông báo "C12".pdf', content: PDF, contentType: 'application/pdf' }],
    });
    const parsed = await simpleParser(await buildRawMessage(input));
    expect(parsed.attachments[0]?.filename).toBe('Thông báo "C12".pdf');
  });

  it('lets no registration data add a header', async () => {
    const raw = await buildRawMessage(
      message({
        to: ['ketoan@example.com\r\nBcc: spy@evil.example'],
        subject: 'Thử\r\nBcc: spy@evil.example',
        headers: { 'X-Dondoc-Employer': 'TS0001A\nBcc: spy@evil.example' },
      }),
    );
    const parsed = await simpleParser(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(raw.toString('latin1')).not.toMatch(/^Bcc:/im);
  });

  it('is a multipart/alternative message without attachments', async () => {
    const parsed = await simpleParser(await buildRawMessage(message({ attachments: [] })));
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(parsed.attachments).toEqual([]);
    expect(parsed.text).toContain('Trân trọng');
  });
});
