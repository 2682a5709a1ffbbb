import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { FontFormatError, unhinted, withoutInstructions } from '../../../../functions/c12/notice/unhinted.ts';
import { renderNoticePdf } from '../../../../functions/c12/notice/pdf.ts';
import { noticeInput } from './fixtures.ts';

const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

function tables(font: Buffer): Map<string, { checksum: number; data: Buffer }> {
  const out = new Map<string, { checksum: number; data: Buffer }>();
  for (let i = 0; i < font.readUInt16BE(4); i++) {
    const record = 12 + 16 * i;
    const offset = font.readUInt32BE(record + 8);
    out.set(font.toString('latin1', record, record + 4), {
      checksum: font.readUInt32BE(record + 4),
      data: font.subarray(offset, offset + font.readUInt32BE(record + 12)),
    });
  }
  return out;
}

function sum(data: Buffer): number {
  const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
  let total = 0;
  for (let i = 0; i < padded.length; i += 4) total = (total + padded.readUInt32BE(i)) >>> 0;
  return total;
}

/** Bytes of glyph programs in a font: simple glyphs' instructionLength, composites' trailing program. */
function instructionBytes(font: Buffer): { bytes: number; composites: number } {
  const t = tables(font);
  const long = t.get('head')!.data.readInt16BE(50) === 1;
  const loca = t.get('loca')!.data;
  const glyf = t.get('glyf')!.data;
  const count = t.get('maxp')!.data.readUInt16BE(4);
  const at = (i: number) => (long ? loca.readUInt32BE(4 * i) : 2 * loca.readUInt16BE(2 * i));
  let bytes = 0;
  let composites = 0;
  for (let i = 0; i < count; i++) {
    const glyph = glyf.subarray(at(i), at(i + 1));
    if (glyph.length === 0) continue;
    const contours = glyph.readInt16BE(0);
    if (contours >= 0) {
      bytes += glyph.readUInt16BE(10 + 2 * contours);
      continue;
    }
    composites++;
    let p = 10;
    let flags: number;
    do {
      flags = glyph.readUInt16BE(p);
      p += 4 + (flags & 1 ? 4 : 2) + (flags & 8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0);
    } while (flags & 0x20);
    if (flags & 0x100) bytes += glyph.readUInt16BE(p);
  }
  return { bytes, composites };
}

describe('a font without its hinting', () => {
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
    it(`keeps every outline and metric of ${file}, and none of its programs`, () => {
      const original = fontkit.create(readFileSync(join(dir, file)));
      // A subset as the notices embed it: Vietnamese letters (composites among them), digits, punctuation.
      const subset = original.createSubset();
      const text = 'Bảo hiểm xã hội Việt Nam ĐỒNG ăắằẳẵặ ơớờởỡợ ưứừửữự 0123456789 .,;:–“”ﬁ';
      for (const glyph of original.layout(text).glyphs) subset.includeGlyph(glyph.id);
      const hinted = Buffer.from(subset.encode());
      const before = instructionBytes(hinted);
      expect(before.bytes).toBeGreaterThan(0);
      expect(before.composites).toBeGreaterThan(0);

      const stripped = unhinted(hinted);
      expect(stripped.length).toBeLessThan(hinted.length * 0.75);
      expect(instructionBytes(stripped)).toEqual({ bytes: 0, composites: before.composites });
      const strippedTables = tables(stripped);
      for (const tag of ['fpgm', 'prep', 'cvt ']) {
        expect(tables(hinted).has(tag)).toBe(true);
        expect(strippedTables.has(tag)).toBe(false);
      }
      // A valid sfnt: every table's checksum, and the whole font summing to the magic number.
      for (const [tag, table] of strippedTables) {
        if (tag !== 'head') expect(sum(table.data), tag).toBe(table.checksum);
      }
      expect(sum(stripped)).toBe(0xb1b0afba);

      const a = fontkit.create(hinted);
      const b = fontkit.create(stripped);
      expect(b.numGlyphs).toBe(a.numGlyphs);
      for (let id = 0; id < a.numGlyphs; id++) {
        const [ga, gb] = [a.getGlyph(id), b.getGlyph(id)];
        expect(gb.path.toSVG(), `glyph ${id}`).toBe(ga.path.toSVG());
        expect(gb.advanceWidth, `glyph ${id}`).toBe(ga.advanceWidth);
        expect(gb.bbox, `glyph ${id}`).toEqual(ga.bbox);
      }
    });
  }

  it("drops a composite glyph's program whichever component announces it", () => {
    const MORE = 0x0020;
    const XY = 0x0002;
    const INSTRUCTIONS = 0x0100;
    const component = (flags: number, glyph: number) => {
      const bytes = Buffer.alloc(6);
      bytes.writeUInt16BE(flags, 0);
      bytes.writeUInt16BE(glyph, 2);
      bytes.writeInt8(5, 4); // byte offsets x, y
      bytes.writeInt8(-3, 5);
      return bytes;
    };
    const header = Buffer.alloc(10);
    header.writeInt16BE(-1, 0);
    // The flag on the first component (readers accept it anywhere), the program after the last.
    const glyph = Buffer.concat([
      header,
      component(MORE | XY | INSTRUCTIONS, 7),
      component(XY, 9),
      Buffer.from([0, 3, 0xb0, 0x01, 0x2f]),
    ]);
    const stripped = withoutInstructions(glyph);
    expect(stripped).toEqual(Buffer.concat([header, component(MORE | XY, 7), component(XY, 9)]));
  });

  it('refuses what is not a TrueType font, naming why', () => {
    expect(() => unhinted(Buffer.from('%PDF-1.7 not a font at all'))).toThrow(FontFormatError);
    expect(() => unhinted(Buffer.from('%PDF-1.7 not a font at all'))).toThrow(/not a TrueType font/);
  });

  it('leaves the C12-TS notice PDF well under the 60 KB it weighed with hinting', async () => {
    const pdf = await renderNoticePdf(noticeInput());
    expect(pdf.length).toBeLessThan(40_000);
  });
});
