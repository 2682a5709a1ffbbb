/**
 * A minimal PDF writer for the C12-TS notice: pages of text, rectangles and lines in two embedded fonts.
 *
 * Why not pdfkit: it subsets the fonts again for every document (no way to hand it a prebuilt font stream)
 * and its text pipeline (options, fragments, per-word shaping and encoding) cost ~5 ms per notice on its own,
 * above the whole budget. The notice needs a handful of operators, so they are written here directly; the
 * measurements follow pdfkit's (top-left coordinates, text positioned by its top, line height with the gap,
 * widths from the same fontkit metrics and kerning), so the page is laid out as before.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { num, type EmbeddedFont, type NoticeFont, type NoticeFonts, type Run } from './pdf-font.ts';

const HEX: string[] = [];
function hex(cid: number): string {
  return (HEX[cid] ??= cid.toString(16).padStart(4, '0'));
}

/** A PDF text string in UTF-16BE, so Vietnamese metadata reads right in every viewer. */
function textString(value: string): string {
  let out = '<FEFF';
  for (let i = 0; i < value.length; i++) out += hex(value.charCodeAt(i));
  return `${out}>`;
}

function date(now: Date): string {
  const iso = now.toISOString();
  return `(D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z)`;
}

export interface DocumentInfo {
  title: string;
  author: string;
  subject: string;
  lang: string;
}

interface FontSlot {
  font: NoticeFont;
  resource: string;
  /** CIDs of glyphs outside the fixed subset, in the order this document first used them. */
  extra: Map<number, number>;
}

/** One line wrapped into a width: the text of each line and its width (trailing spaces included). */
export interface WrappedLine {
  text: string;
  width: number;
}

export class PdfWriter {
  private readonly pages: string[] = [];
  private page = 0;
  private readonly slots: [FontSlot, FontSlot];
  private slot: FontSlot;
  private size = 12;

  constructor(
    fonts: NoticeFonts,
    private readonly width: number,
    private readonly height: number,
    private readonly info: DocumentInfo,
  ) {
    this.slots = [
      { font: fonts.regular, resource: 'F1', extra: new Map() },
      { font: fonts.bold, resource: 'F2', extra: new Map() },
    ];
    this.slot = this.slots[0];
    this.addPage();
  }

  addPage(): void {
    // Line width and colours are page state in PDF, so every page sets them.
    this.pages.push('0.5 w 0 0 0 RG 0 0 0 rg\n');
    this.page = this.pages.length - 1;
  }

  get pageCount(): number {
    return this.pages.length;
  }

  switchToPage(index: number): void {
    this.page = index;
  }

  private add(content: string): void {
    this.pages[this.page] += content;
  }

  font(bold: boolean, size: number): void {
    this.slot = this.slots[bold ? 1 : 0];
    this.size = size;
  }

  fontSize(size: number): void {
    this.size = size;
  }

  /** pdfkit's currentLineHeight: ascender to descender, with the font's line gap when asked. */
  lineHeight(includeGap = false): number {
    const font = this.slot.font;
    return ((font.ascender + (includeGap ? font.lineGap : 0) - font.descender) / 1000) * this.size;
  }

  widthOfString(text: string): number {
    return (this.slot.font.width(text) * this.size) / 1000;
  }

  /** One line of text whose top is at y (pdfkit's default baseline), left edge at x. */
  text(text: string, x: number, y: number): void {
    if (!text) return;
    const run = this.slot.font.run(text);
    this.drawRun(run, x, this.height - y - (this.slot.font.ascender / 1000) * this.size);
  }

  private cid(gid: number): number {
    const fixed = this.slot.font.fixedCid(gid);
    if (fixed >= 0) return fixed;
    let cid = this.slot.extra.get(gid);
    if (cid === undefined) {
      cid = this.slot.font.fixedCount + this.slot.extra.size;
      this.slot.extra.set(gid, cid);
    }
    return cid;
  }

  /** A TJ array as pdfkit writes it: glyph runs split where kerning moves the next glyph. */
  private drawRun(run: Run, x: number, y: number): void {
    const scale = this.size / 1000;
    let out = `BT /${this.slot.resource} ${num(this.size)} Tf 1 0 0 1 ${num(x)} ${num(y)} Tm [`;
    let glyphs = '';
    const { gids, adjust, xOffset, yOffset } = run;
    if (!xOffset || !yOffset) {
      for (let i = 0; i < gids.length; i++) {
        glyphs += hex(this.cid(gids[i]!));
        const kern = adjust[i]!;
        if (kern !== 0) {
          out += `<${glyphs}> ${num(-kern)} `;
          glyphs = '';
        }
      }
      if (glyphs) out += `<${glyphs}>`;
      this.add(`${out}] TJ ET\n`);
      return;
    }
    // Marks placed by GPOS: each offset glyph is positioned on its own, as pdfkit does.
    let penX = x;
    let moved = false;
    const flush = () => {
      if (glyphs) out += `<${glyphs}>`;
      out += '] TJ ';
      glyphs = '';
    };
    for (let i = 0; i < gids.length; i++) {
      const code = hex(this.cid(gids[i]!));
      const dx = xOffset[i]!;
      const dy = yOffset[i]!;
      if (dx || dy) {
        flush();
        out += `1 0 0 1 ${num(penX + dx * scale)} ${num(y + dy * scale)} Tm [<${code}>] TJ [`;
        moved = true;
      } else {
        if (moved) {
          flush();
          out += `1 0 0 1 ${num(penX)} ${num(y)} Tm [`;
          moved = false;
        }
        glyphs += code;
        if (adjust[i] !== 0) {
          out += `<${glyphs}> ${num(-adjust[i]!)} `;
          glyphs = '';
        }
      }
      penX += (this.slot.font.glyphAdvance(gids[i]!) + adjust[i]!) * scale;
    }
    flush();
    this.add(`${out}ET\n`);
  }

  /**
   * pdfkit's LineWrapper, greedy: words (a word keeps its trailing spaces) fill a line while they fit; a word
   * longer than a line is cut where it must. Breaks after spaces and after a hyphen between letters.
   */
  wrap(text: string, width: number): WrappedLine[] {
    const lines: WrappedLine[] = [];
    let buffer = '';
    let used = 0;
    const push = (word: string, w: number) => {
      if (w <= width - used) {
        buffer += word;
        used += w;
        return;
      }
      if (buffer) lines.push({ text: buffer, width: used });
      buffer = word;
      used = w;
    };
    for (const paragraph of text.split('\n')) {
      for (const word of words(paragraph)) {
        let rest = word;
        let w = this.widthOfString(rest);
        while (w > width) {
          // Longer than a line: cut to what fits in the room left on this line (one character at least).
          let n = rest.length;
          let piece = w;
          while (n > 0 && piece > width - used) piece = this.widthOfString(rest.slice(0, --n));
          if (n === 0) {
            if (used > 0) {
              lines.push({ text: buffer, width: used });
              buffer = '';
              used = 0;
              continue;
            }
            n = 1;
            piece = this.widthOfString(rest.slice(0, 1));
          }
          lines.push({ text: buffer + rest.slice(0, n), width: used + piece });
          buffer = '';
          used = 0;
          rest = rest.slice(n);
          w = this.widthOfString(rest);
        }
        if (rest) push(rest, w);
      }
      if (buffer || lines.length === 0) lines.push({ text: buffer, width: used });
      buffer = '';
      used = 0;
    }
    return lines;
  }

  /** Wrapped text from y down, aligned within [x, x + width]; returns the y below it. */
  textBlock(text: string, x: number, y: number, width: number, align: 'left' | 'center' = 'left'): number {
    const lineHeight = this.lineHeight(true);
    for (const line of this.wrap(text, width)) {
      this.text(line.text, align === 'center' ? x + width / 2 - line.width / 2 : x, y);
      y += lineHeight;
    }
    return y;
  }

  heightOfString(text: string, width: number): number {
    return this.wrap(text, width).length * this.lineHeight(true);
  }

  /** Rectangle filled with a grey level and stroked in black; top-left coordinates. */
  fillStrokeRect(x: number, y: number, w: number, h: number, grey: number): void {
    const g = num(grey);
    this.add(`${g} ${g} ${g} rg ${num(x)} ${num(this.height - y - h)} ${num(w)} ${num(h)} re B 0 0 0 rg\n`);
  }

  strokeRect(x: number, y: number, w: number, h: number): void {
    this.add(`${num(x)} ${num(this.height - y - h)} ${num(w)} ${num(h)} re S\n`);
  }

  line(x1: number, y1: number, x2: number, y2: number): void {
    this.add(`${num(x1)} ${num(this.height - y1)} m ${num(x2)} ${num(this.height - y2)} l S\n`);
  }

  /** The whole file. Font objects come prebuilt from the fonts; only pages and their content are new. */
  end(): Buffer {
    const chunks: Buffer[] = [];
    const offsets: number[] = [];
    let length = 0;
    const push = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
    };
    const object = (number: number, body: string) => {
      offsets[number] = length;
      push(Buffer.from(`${number} 0 obj\n${body}\nendobj\n`, 'latin1'));
    };
    push(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'));

    const FONT_OBJECTS = 5;
    const firstFont = 4;
    const firstPage = firstFont + 2 * FONT_OBJECTS;
    const pageRefs = this.pages.map((_, i) => `${firstPage + 2 * i} 0 R`);
    object(1, `<< /Type /Catalog /Pages 2 0 R /Lang (${this.info.lang}) >>`);
    object(2, `<< /Type /Pages /Kids [${pageRefs.join(' ')}] /Count ${this.pages.length} >>`);
    object(
      3,
      `<< /Title ${textString(this.info.title)} /Author ${textString(this.info.author)} /Subject ${textString(
        this.info.subject,
      )} /Producer (dondoc) /CreationDate ${date(new Date())} >>`,
    );
    this.slots.forEach((slot, i) => {
      const first = firstFont + i * FONT_OBJECTS;
      const embedded: EmbeddedFont = slot.font.embed(first, [...slot.extra.keys()]);
      embedded.offsets.forEach((offset, j) => (offsets[first + j] = length + offset));
      push(embedded.bytes);
    });
    const hash = createHash('md5');
    this.pages.forEach((content, i) => {
      const number = firstPage + 2 * i;
      object(
        number,
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(this.width)} ${num(this.height)}] ` +
          `/Resources << /Font << /F1 ${firstFont} 0 R /F2 ${firstFont + FONT_OBJECTS} 0 R >> >> ` +
          `/Contents ${number + 1} 0 R >>`,
      );
      const raw = Buffer.from(content, 'latin1');
      hash.update(raw);
      // Level 1: the fastest zlib level costs ~300 bytes more than level 2 on a ~5 KB stream, for less CPU.
      const data = deflateSync(raw, { level: 1 });
      offsets[number + 1] = length;
      push(
        Buffer.from(
          `${number + 1} 0 obj\n<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`,
          'latin1',
        ),
      );
      push(data);
      push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    });

    const size = firstPage + 2 * this.pages.length;
    const xrefAt = length;
    let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
    for (let i = 1; i < size; i++) xref += `${String(offsets[i] ?? 0).padStart(10, '0')} 00000 n \n`;
    const id = hash.digest('hex');
    xref += `trailer\n<< /Size ${size} /Root 1 0 R /Info 3 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    push(Buffer.from(xref, 'latin1'));
    return Buffer.concat(chunks, length);
  }
}

/** Words for wrapping: each keeps its trailing spaces; a hyphen between two letters ends a word too. */
function words(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code === 0x20 || code === 0x09) {
      if (next !== 0x20 && next !== 0x09) {
        out.push(text.slice(start, i + 1));
        start = i + 1;
      }
    } else if (code === 0x2d && i > start && isLetter(text.charCodeAt(i - 1)) && isLetter(next)) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code >= 0xc0;
}
