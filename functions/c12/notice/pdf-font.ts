/**
 * DejaVu Sans for the C12-TS notice: text layout from cached metrics and a font subset built once per process.
 *
 * pdfkit subsets the font anew for every document and shapes every word through fontkit's OpenType engine;
 * together that was most of a notice's ~15 ms. Here every glyph a notice normally uses (ASCII, Latin-1,
 * Vietnamese letters in NFC, common punctuation, the f-ligatures) goes into one subset per process, encoded and
 * compressed once. Layout is an array lookup per character plus fontkit's own pair kerning, asked once per
 * pair and then cached, so widths match what pdfkit computed. Anything else (a character outside the set,
 * combining marks, a ligature) is shaped by fontkit exactly as pdfkit did, and a document that needs a glyph
 * outside the fixed subset gets a subset extended with it (slower, correct).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import { unhinted } from './unhinted.ts';

/** A laid-out line: original glyph ids, with advances and offsets in 1/1000 em. */
export interface Run {
  gids: number[];
  /** xAdvance minus the glyph's own advance (kerning, or a mark's zero advance). */
  adjust: number[];
  /** Mark positioning; null when no glyph of the run is offset (the usual case). */
  xOffset: number[] | null;
  yOffset: number[] | null;
  width: number;
}

interface ShapedSegment {
  gids: number[];
  adjust: number[];
  xOffset: number[];
  yOffset: number[];
  codePoints: number[][];
  offset: boolean;
  width: number;
}

/** Code points of the fixed subset. */
function fixedCodePoints(): number[] {
  const points: number[] = [];
  for (let c = 0x20; c < 0x7f; c++) points.push(c);
  // Latin-1 letters (Vietnamese uses many; foreign names the rest) and the symbols an address or a name may
  // plausibly hold. The other Latin-1 symbols (¤ ¦ ¶ ¼ ...) and the soft hyphen, which fontkit shapes as a
  // space, take the slow path: every glyph here is in every notice's PDF.
  for (let c = 0xc0; c <= 0xff; c++) if (c !== 0xd7 && c !== 0xf7) points.push(c);
  points.push(0xa0, 0xa9, 0xab, 0xae, 0xb0, 0xb7, 0xbb, 0xa7);
  // Vietnamese letters outside Latin-1: ă đ ĩ ũ ơ ư and Latin Extended Additional (ạ ả ấ ... ỹ).
  for (const c of [0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1a0, 0x1a1, 0x1af, 0x1b0]) {
    points.push(c);
  }
  for (let c = 0x1ea0; c <= 0x1ef9; c++) points.push(c);
  // Dashes, quotes, ellipsis, bullet, đồng and euro signs, numero.
  points.push(0x2013, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2026, 0x2022, 0x20ab, 0x20ac, 0x2116);
  return points;
}

/** DejaVu's default ligatures (GSUB liga); their glyphs are in the fixed subset so English names stay fast. */
const LIGATURES = ['ff', 'fi', 'fl', 'ffi', 'ffl'];

const LAYOUT_CACHE_LIMIT = 20_000;
const NOT_FAST = -1;
/** Marks a pair fontkit does not lay out as two plain glyphs (a ligature): its segment is shaped. */
const COMPLEX = Number.NaN;
/** Maps to .notdef in DejaVu (private use area): separates texts laid out in one batch. */
const SEPARATOR = '\uE000';
/** fontkit's script tags: a word with a Latin letter, and one of digits and punctuation only. */
const LATIN = 'latn';
const COMMON = 'zzzz';

/** The script fontkit gives a word made of this character; null for others (laid out by fontkit). */
function scriptOf(point: number): string | null {
  const char = String.fromCodePoint(point);
  if (/\p{Script=Latin}/u.test(char)) return LATIN;
  if (/\p{Script=Common}/u.test(char)) return COMMON;
  return null;
}

/** A PDF font: the objects of a Type0 font with the given glyphs as CIDs, numbered from `firstObject`. */
export interface EmbeddedFont {
  /** CID of each glyph id that the subset holds. */
  cids: Map<number, number>;
  /** Serialised objects, in order, each starting at `offsets[i]` within `bytes`. */
  bytes: Buffer;
  offsets: number[];
}

export class NoticeFont {
  readonly ascender: number;
  readonly descender: number;
  readonly lineGap: number;
  readonly name: string;
  private readonly scale: number;
  /** Glyph id per UTF-16 code unit for characters laid out without shaping, NOT_FAST otherwise. */
  private readonly fastGid = new Int32Array(0x10000).fill(NOT_FAST);
  /** 1 for fast characters of the Latin script: a word with one is laid out as Latin by fontkit. */
  private readonly latin = new Uint8Array(0x10000);
  /** Advance (1/1000 em) per glyph id. */
  private readonly advances = new Map<number, number>();
  private readonly kerning = new Map<number, number>();
  private readonly charOf = new Map<number, number>();
  private readonly shaped = new Map<string, ShapedSegment>();
  private readonly runs = new Map<string, Run>();
  /** Unicode text of each glyph that may appear, for the ToUnicode map (so the PDF's text copies out). */
  private readonly unicode = new Map<number, number[]>();
  /** Glyph ids of the fixed subset in CID order (CID 0 is .notdef). */
  private readonly fixedGids: number[];
  private readonly fixedCids = new Int32Array(0x10000).fill(-1);
  private readonly embeddings = new Map<string, EmbeddedFont>();

  constructor(private readonly font: fontkit.Font) {
    this.scale = 1000 / font.unitsPerEm;
    this.ascender = font.ascent * this.scale;
    this.descender = font.descent * this.scale;
    this.lineGap = font.lineGap * this.scale;
    this.name = font.postscriptName.replaceAll(' ', '_');
    const gids = new Set<number>();
    const points = fixedCodePoints();
    // Lay each character out under the script fontkit would pick for a word made of it (pdfkit's unit).
    const scripts = points.map((point) => scriptOf(point));
    const runs = points.map(() => null as Pick<fontkit.GlyphRun, 'glyphs' | 'positions'> | null);
    for (const script of [LATIN, COMMON]) {
      const mine = points.flatMap((point, i) => (scripts[i] === script ? [i] : []));
      const texts = mine.map((i) => String.fromCodePoint(points[i]!));
      const laid = this.layoutEach(texts, 1, script) ?? texts.map((text) => font.layout(text, [], script));
      mine.forEach((index, j) => (runs[index] = laid[j] ?? null));
    }
    points.forEach((point, i) => {
      // Only characters fontkit lays out as their own cmap glyph, unshaped and unmoved, take the fast path.
      const run = runs[i];
      const glyph = run?.glyphs[0];
      const position = run?.positions[0];
      if (
        scripts[i] === null ||
        run?.glyphs.length !== 1 ||
        !glyph ||
        !position ||
        glyph.id === 0 ||
        glyph.id !== font.glyphForCodePoint(point).id ||
        position.xOffset !== 0 ||
        position.yOffset !== 0 ||
        position.xAdvance !== glyph.advanceWidth
      ) {
        return;
      }
      this.fastGid[point] = glyph.id;
      if (scripts[i] === LATIN) this.latin[point] = 1;
      this.charOf.set(glyph.id, point);
      this.glyphAdvance(glyph.id);
      if (!this.unicode.has(glyph.id)) this.unicode.set(glyph.id, [point]);
      gids.add(glyph.id);
    });
    for (const ligature of LIGATURES) {
      for (const glyph of font.layout(ligature).glyphs) {
        this.glyphAdvance(glyph.id);
        if (!this.unicode.has(glyph.id)) this.unicode.set(glyph.id, glyph.codePoints);
        gids.add(glyph.id);
      }
    }
    this.fixedGids = [0, ...[...gids].sort((a, b) => a - b)];
    this.fixedGids.forEach((gid, cid) => (this.fixedCids[gid] = cid));
    this.unicode.set(0, [0]);
  }

  /** A glyph's own advance in 1/1000 em. */
  glyphAdvance(gid: number): number {
    let advance = this.advances.get(gid);
    if (advance === undefined) {
      advance = this.font.getGlyph(gid).advanceWidth * this.scale;
      this.advances.set(gid, advance);
    }
    return advance;
  }

  /**
   * fontkit's layout of each text under `script`, in one call: the per-call cost dominates for short texts.
   * A .notdef separator keeps them apart (nothing kerns or ligates with it); the script is given because the
   * separator would otherwise decide it. Null when some text did not give `each` glyphs, so the caller lays
   * them out one by one.
   */
  private layoutEach(
    texts: string[],
    each: number,
    script: string,
  ): Pick<fontkit.GlyphRun, 'glyphs' | 'positions'>[] | null {
    if (texts.length === 0) return [];
    const run = this.font.layout(texts.join(SEPARATOR), [], script);
    if (run.glyphs.length !== texts.length * (each + 1) - 1) return null;
    const runs: Pick<fontkit.GlyphRun, 'glyphs' | 'positions'>[] = [];
    for (let i = 0; i < texts.length; i++) {
      const at = i * (each + 1);
      if (i > 0 && run.glyphs[at - 1]?.id !== 0) return null;
      runs.push({ glyphs: run.glyphs.slice(at, at + each), positions: run.positions.slice(at, at + each) });
    }
    return runs;
  }

  /**
   * Kerning depends on the word's script as fontkit detects it (DejaVu kerns "T:" in a Latin word, not in a
   * word of digits and punctuation), so the key holds it.
   */
  private pairKey(left: number, right: number, latin: boolean): number {
    return (latin ? 0x100000000 : 0) + left * 0x10000 + right;
  }

  /** fontkit's kerning of the pairs (fast glyph ids) in words of the script, or COMPLEX for a shaped pair. */
  private learnPairs(pairs: [number, number][], latin: boolean): void {
    const script = latin ? LATIN : COMMON;
    const texts = pairs.map(([left, right]) =>
      String.fromCharCode(this.charOf.get(left) ?? 0, this.charOf.get(right) ?? 0),
    );
    // A ligature among them changes the glyph count: then one by one.
    const runs =
      (pairs.length > 1 ? this.layoutEach(texts, 2, script) : null) ??
      texts.map((text) => this.font.layout(text, [], script));
    pairs.forEach(([left, right], i) => {
      const run = runs[i];
      const [first, second] = run?.glyphs ?? [];
      const [p1, p2] = run?.positions ?? [];
      const plain =
        run?.glyphs.length === 2 &&
        first?.id === left &&
        second?.id === right &&
        p1 &&
        p2 &&
        !p2.xOffset &&
        !p2.yOffset;
      this.kerning.set(
        this.pairKey(left, right, latin),
        plain ? (p1.xAdvance - first.advanceWidth) * this.scale : COMPLEX,
      );
    });
  }

  /**
   * The word (pdfkit's unit: up to and including a space or tab) starting at `start`: where it ends, whether
   * every character has a fast glyph, and whether fontkit would lay it out as Latin.
   */
  private word(text: string, start: number): { end: number; fast: boolean; latin: boolean } {
    let end = start;
    let fast = true;
    let latin = false;
    while (end < text.length) {
      const code = text.charCodeAt(end++);
      if (this.fastGid[code] === NOT_FAST) fast = false;
      else if (this.latin[code]) latin = true;
      if (code === 0x20 || code === 0x09) break;
    }
    return { end, fast, latin };
  }

  /** Learns, in one batch per script, the kerning of every pair of fast glyphs in `text` not seen before. */
  private learnPairsOf(text: string): void {
    const pairs: [[number, number][], [number, number][]] = [[], []];
    const seen = new Set<number>();
    for (let start = 0; start < text.length;) {
      const { end, fast, latin } = this.word(text, start);
      if (fast) {
        for (let i = start + 1; i < end; i++) {
          const left = this.fastGid[text.charCodeAt(i - 1)]!;
          const right = this.fastGid[text.charCodeAt(i)]!;
          const key = this.pairKey(left, right, latin);
          if (!this.kerning.has(key) && !seen.has(key)) {
            seen.add(key);
            pairs[latin ? 1 : 0].push([left, right]);
          }
        }
      }
      start = end;
    }
    this.learnPairs(pairs[0], false);
    this.learnPairs(pairs[1], true);
  }

  /** fontkit's kerning for a pair of fast glyphs, cached; COMPLEX when the pair is shaped (a ligature). */
  private pairKerning(left: number, right: number, latin: boolean, text: string): number {
    const key = this.pairKey(left, right, latin);
    let kern = this.kerning.get(key);
    if (kern === undefined) {
      this.learnPairsOf(text);
      kern = this.kerning.get(key);
      if (kern === undefined) {
        this.learnPairs([[left, right]], latin);
        kern = this.kerning.get(key) ?? COMPLEX;
      }
    }
    return kern;
  }

  /** A segment (pdfkit's unit: a word with its trailing space) shaped by fontkit, as pdfkit did. */
  private shape(text: string): ShapedSegment {
    let segment = this.shaped.get(text);
    if (!segment) {
      const run = this.font.layout(text);
      segment = { gids: [], adjust: [], xOffset: [], yOffset: [], codePoints: [], offset: false, width: 0 };
      for (let i = 0; i < run.glyphs.length; i++) {
        const glyph = run.glyphs[i];
        const position = run.positions[i];
        if (!glyph || !position) continue;
        const advance = this.glyphAdvance(glyph.id);
        const xAdvance = position.xAdvance * this.scale;
        segment.gids.push(glyph.id);
        segment.adjust.push(xAdvance - advance);
        segment.xOffset.push(position.xOffset * this.scale);
        segment.yOffset.push(position.yOffset * this.scale);
        segment.codePoints.push(glyph.codePoints);
        if (position.xOffset || position.yOffset) segment.offset = true;
        segment.width += xAdvance;
        if (!this.unicode.has(glyph.id)) this.unicode.set(glyph.id, glyph.codePoints);
      }
      if (this.shaped.size >= LAYOUT_CACHE_LIMIT) this.shaped.clear();
      this.shaped.set(text, segment);
    }
    return segment;
  }

  /**
   * Lays one line out in 1/1000 em. Segments end after each space or tab, as in pdfkit (no kerning across a
   * word boundary); a segment with anything the fast path does not cover is shaped by fontkit.
   */
  private layout(text: string, out: Run): number {
    let width = 0;
    const length = text.length;
    for (let start = 0; start < length;) {
      const { end, fast, latin } = this.word(text, start);
      let segmentWidth = 0;
      let simple = fast;
      const mark = out.gids.length;
      for (let i = start; simple && i < end; i++) {
        const gid = this.fastGid[text.charCodeAt(i)]!;
        if (i > start) {
          const kern = this.pairKerning(this.fastGid[text.charCodeAt(i - 1)]!, gid, latin, text);
          if (Number.isNaN(kern)) {
            simple = false;
            break;
          }
          if (kern !== 0) {
            segmentWidth += kern;
            out.adjust[out.adjust.length - 1]! += kern;
          }
        }
        segmentWidth += this.glyphAdvance(gid);
        out.gids.push(gid);
        out.adjust.push(0);
        out.xOffset?.push(0);
        out.yOffset?.push(0);
      }
      if (!simple) {
        // A character without a fast glyph, or a ligature: the word is shaped by fontkit.
        const segment = this.shape(text.slice(start, end));
        segmentWidth = segment.width;
        out.gids.length = mark;
        out.adjust.length = mark;
        if (out.xOffset) out.xOffset.length = mark;
        if (out.yOffset) out.yOffset.length = mark;
        if (segment.offset && !out.xOffset) {
          out.xOffset = new Array<number>(mark).fill(0);
          out.yOffset = new Array<number>(mark).fill(0);
        }
        for (let i = 0; i < segment.gids.length; i++) {
          out.gids.push(segment.gids[i]!);
          out.adjust.push(segment.adjust[i]!);
          out.xOffset?.push(segment.xOffset[i]!);
          out.yOffset?.push(segment.yOffset[i]!);
        }
      }
      width += segmentWidth;
      start = end;
    }
    out.width = width;
    return width;
  }

  /** Width of a line in 1/1000 em. */
  width(text: string): number {
    return this.run(text).width;
  }

  /**
   * A line's layout, cached per process: a notice measures most strings before drawing them, and the labels
   * and fixed wording repeat in every notice. Callers must not change the run.
   */
  run(text: string): Run {
    let run = this.runs.get(text);
    if (!run) {
      run = { gids: [], adjust: [], xOffset: null, yOffset: null, width: 0 };
      this.layout(text, run);
      if (this.runs.size >= LAYOUT_CACHE_LIMIT) this.runs.clear();
      this.runs.set(text, run);
    }
    return run;
  }

  /**
   * The font's PDF objects for a document: the fixed subset (built and compressed once per process), or the
   * fixed subset extended with `extra` glyphs, which keep their CIDs after the fixed ones.
   */
  embed(firstObject: number, extra: readonly number[]): EmbeddedFont {
    const key = `${firstObject}:${extra.join(',')}`;
    let embedded = this.embeddings.get(key);
    if (!embedded) {
      embedded = this.build(firstObject, [...this.fixedGids, ...extra]);
      // The fixed subset stays; extended ones are per unusual employer, so only a few are kept.
      if (extra.length > 0 && this.embeddings.size > 32) this.embeddings.clear();
      this.embeddings.set(key, embedded);
    }
    return embedded;
  }

  /** CID of a glyph in the fixed subset, -1 when it is not there. */
  fixedCid(gid: number): number {
    return this.fixedCids[gid] ?? -1;
  }

  get fixedCount(): number {
    return this.fixedGids.length;
  }

  private build(first: number, gids: number[]): EmbeddedFont {
    const font = this.font;
    const subset = font.createSubset();
    const cids = new Map<number, number>();
    for (const gid of gids) {
      // Glyphs get subset ids in inclusion order, .notdef first: the CID is the subset's glyph id
      // (CIDToGIDMap /Identity). Composite glyphs' components are appended after these by encode().
      cids.set(gid, subset.includeGlyph(gid));
    }
    const fontFile = unhinted(Buffer.from(subset.encode()));
    const tag = [
      ...createHash('md5')
        .update(`${this.name}:${gids.join(',')}`)
        .digest(),
    ]
      .slice(0, 6)
      .map((byte) => String.fromCharCode(65 + (byte % 26)))
      .join('');
    const baseFont = `${tag}+${this.name}`;
    const familyClass = (font['OS/2']?.sFamilyClass ?? 0) >> 8;
    // Same flags as pdfkit: fixed pitch, serif, symbolic (always: Identity-H), script, italic.
    let flags = 1 << 2;
    if (font.post.isFixedPitch) flags |= 1 << 0;
    if (familyClass >= 1 && familyClass <= 7) flags |= 1 << 1;
    if (familyClass === 10) flags |= 1 << 3;
    if (font.head.macStyle.italic) flags |= 1 << 6;
    const s = this.scale;
    const { bbox } = font;
    const widths = gids.map((gid) => num(this.glyphAdvance(gid))).join(' ');
    const toUnicode = cmap(gids.map((gid) => this.unicode.get(gid) ?? [0]));
    const ref = (n: number) => `${first + n} 0 R`;
    const compressedFont = deflateSync(fontFile, { level: 9 });
    const compressedCmap = deflateSync(toUnicode, { level: 9 });
    const parts: (string | Buffer)[] = [
      `<< /Type /Font /Subtype /Type0 /BaseFont /${baseFont} /Encoding /Identity-H /DescendantFonts [${ref(1)}] /ToUnicode ${ref(4)} >>`,
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${baseFont} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${ref(2)} /W [0 [${widths}]] /CIDToGIDMap /Identity >>`,
      `<< /Type /FontDescriptor /FontName /${baseFont} /Flags ${flags} /FontBBox [${num(bbox.minX * s)} ${num(bbox.minY * s)} ${num(bbox.maxX * s)} ${num(bbox.maxY * s)}] /ItalicAngle ${num(font.italicAngle)} /Ascent ${num(this.ascender)} /Descent ${num(this.descender)} /CapHeight ${num((font.capHeight || font.ascent) * s)} /XHeight ${num((font.xHeight || 0) * s)} /StemV 0 /FontFile2 ${ref(3)} >>`,
      stream(`/Length1 ${fontFile.length} /Filter /FlateDecode`, compressedFont),
      stream('/Filter /FlateDecode', compressedCmap),
    ];
    const chunks: Buffer[] = [];
    const offsets: number[] = [];
    let length = 0;
    parts.forEach((part, i) => {
      const body =
        typeof part === 'string'
          ? Buffer.from(`${first + i} 0 obj\n${part}\nendobj\n`, 'latin1')
          : Buffer.concat([Buffer.from(`${first + i} 0 obj\n`), part, Buffer.from('\nendobj\n')]);
      offsets.push(length);
      chunks.push(body);
      length += body.length;
    });
    return { cids, bytes: Buffer.concat(chunks), offsets };
  }
}

function stream(dictionary: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`<< /Length ${data.length} ${dictionary} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream', 'latin1'),
  ]);
}

const hex4 = (value: number) => value.toString(16).padStart(4, '0');

/** ToUnicode CMap, as pdfkit writes it: CID ranges of 256 with the UTF-16 text of each glyph. */
function cmap(unicode: number[][]): string {
  const entries = unicode.map((codePoints) => {
    let text = '';
    for (const codePoint of codePoints) {
      if (codePoint > 0xffff) {
        const value = codePoint - 0x10000;
        text += hex4(((value >>> 10) & 0x3ff) | 0xd800) + hex4((value & 0x3ff) | 0xdc00);
      } else text += hex4(codePoint);
    }
    return `<${text}>`;
  });
  const ranges: string[] = [];
  for (let start = 0; start < entries.length; start += 256) {
    const end = Math.min(start + 256, entries.length);
    ranges.push(`<${hex4(start)}> <${hex4(end - 1)}> [${entries.slice(start, end).join(' ')}]`);
  }
  return `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000><ffff>
endcodespacerange
${ranges.length} beginbfrange
${ranges.join('\n')}
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end`;
}

/** A PDF number: at most three decimals, which is far below a device pixel at these sizes. */
export function num(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

export interface NoticeFonts {
  regular: NoticeFont;
  bold: NoticeFont;
}

let fonts: NoticeFonts | undefined;

/**
 * Resolved through the package rather than a path relative to this file, which moves when bundled: the Lambda
 * construct copies the two TTF files to node_modules/dejavu-fonts-ttf/ beside the bundle.
 */
export function noticeFonts(): NoticeFonts {
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
  const load = (file: string) => new NoticeFont(fontkit.create(readFileSync(join(dir, file))));
  fonts = { regular: load('DejaVuSans.ttf'), bold: load('DejaVuSans-Bold.ttf') };
  return fonts;
}
