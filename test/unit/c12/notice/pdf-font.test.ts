import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { NoticeFont } from '../../../../functions/c12/notice/pdf-font.ts';
import { noticeFootnotes, noticeRows, renderNoticePdf } from '../../../../functions/c12/notice/pdf.ts';
import { noticeInput, novemberStatement } from './fixtures.ts';
import { pdfText } from './pdf-text.ts';

const flat = (pages: string[]) => pages.join('\n').replace(/\s+/g, ' ');

/** The subset tags of the embedded fonts, e.g. ["ABCDEF+DejaVuSans", "GHIJKL+DejaVuSans-Bold"]. */
function baseFonts(pdf: Buffer): string[] {
  return [...new Set(pdf.toString('latin1').match(/\/BaseFont \/[A-Z]{6}\+[\w-]+/g) ?? [])].sort();
}

const UNUSUAL = 'Công ty Ōkubo Łódź Ωmega x\u0303 office “Đối tác” – ÆØÅ ß';

describe('notice font layout', () => {
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const reference = {
    regular: fontkit.create(readFileSync(join(dir, 'DejaVuSans.ttf'))),
    bold: fontkit.create(readFileSync(join(dir, 'DejaVuSans-Bold.ttf'))),
  };

  /** Width as pdfkit measured it: fontkit's full shaping of each word with its trailing space. */
  function shapedWidth(font: fontkit.Font, text: string): number {
    let width = 0;
    for (const segment of text.match(/[^ \t]*[ \t]|[^ \t]+$/g) ?? []) {
      width += font.layout(segment).advanceWidth;
    }
    return (width * 1000) / font.unitsPerEm;
  }

  it('measures every string of a notice as fontkit shapes it (kerning included)', () => {
    const statement = novemberStatement();
    statement.overduePrincipal = 19_580_000;
    statement.overdueInterest = 4_000;
    statement.oldestOverdueDueDate = '2026-10-31';
    const input = noticeInput(statement);
    const strings = [
      // First on purpose: a word of digits and punctuation before a Latin word with a kerned pair.
      '1. BHYT: 10',
      ...noticeRows(input).flatMap((row) => [
        row.no,
        row.label,
        row.total,
        ...Object.values(row.funds ?? {}),
      ]),
      ...noticeFootnotes(input),
      'THÔNG BÁO KẾT QUẢ ĐÓNG BHXH, BHYT, BHTN',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'AVATAR Tây Tư Vũ Yên LT Wa  two  spaces',
      // Kerned in a Latin word, not in one of digits and punctuation: "BHYT: 10/2026;" against "6;T:".
      'BHYT: 10/2026; 6;T: 1.T: TNLĐ-BNN: trên',
      'office affluent ﬁ x\u0303 東京',
      UNUSUAL,
    ];
    let kerned = 0;
    for (const name of ['regular', 'bold'] as const) {
      // Fresh fonts, so the kerning cache is learnt here: once from all strings at once (pairs met in mixed
      // words), once string by string in reverse order.
      const together = new NoticeFont(reference[name]);
      together.width(strings.join(' '));
      const apart = new NoticeFont(reference[name]);
      for (const text of [...strings].reverse()) apart.width(text);
      for (const text of strings) {
        const expected = shapedWidth(reference[name], text);
        expect(together.width(text), `${name}: ${text}`).toBeCloseTo(expected, 6);
        expect(apart.width(text), `${name}: ${text}`).toBeCloseTo(expected, 6);
        const plain = [...text].reduce(
          (sum, char) => sum + (reference[name].layout(char).advanceWidth * 1000) / 2048,
          0,
        );
        if (Math.abs(plain - expected) > 1e-6) kerned++;
      }
    }
    // The check is not vacuous: some of these strings are kerned or shaped.
    expect(kerned).toBeGreaterThan(0);
  });
});

describe('renderNoticePdf, fonts', () => {
  it('embeds the same fixed subset in every ordinary notice', async () => {
    const other = noticeInput();
    other.employer = {
      ...other.employer,
      name: 'Hợp tác xã Nông nghiệp Ứng Hòa',
      headName: 'Trần Quốc Tuấn',
    };
    const first = baseFonts(await renderNoticePdf(noticeInput()));
    expect(first).toHaveLength(2);
    expect(baseFonts(await renderNoticePdf(other))).toEqual(first);
  });

  it('renders characters outside the fixed subset with an extended subset, and leaves the fixed one alone', async () => {
    const usual = baseFonts(await renderNoticePdf(noticeInput()));
    const input = noticeInput();
    input.employer = { ...input.employer, name: UNUSUAL };
    const pdf = await renderNoticePdf(input);
    const text = flat(await pdfText(pdf));
    expect(text).toContain(UNUSUAL.normalize('NFC'));
    expect(text).toContain('Kính gửi: Ông/Bà');
    const fonts = baseFonts(pdf);
    expect(fonts).toHaveLength(2);
    // Bold (the addressee line) needed glyphs beyond the fixed set, so its subset is a different one.
    expect(fonts).not.toEqual(usual);
    expect(baseFonts(await renderNoticePdf(noticeInput()))).toEqual(usual);
  });

  it('keeps one-line fields on one line when a registration holds line breaks', async () => {
    const input = noticeInput();
    input.employer = { ...input.employer, address: '12 Đường Trần Hưng Đạo\r\nĐà Lạt' };
    expect(flat(await pdfText(await renderNoticePdf(input)))).toContain('12 Đường Trần Hưng Đạo Đà Lạt');
  });

  it('wraps a long addressee line within the page and keeps all of it', async () => {
    const input = noticeInput();
    const long = `${'Công ty Cổ phần Đầu tư Phát triển Nông nghiệp Công nghệ cao '.repeat(4)}Lâm Đồng`;
    input.employer = { ...input.employer, name: long };
    const pages = await pdfText(await renderNoticePdf(input));
    expect(pages).toHaveLength(1);
    expect(flat(pages)).toContain(long);
  });
});
