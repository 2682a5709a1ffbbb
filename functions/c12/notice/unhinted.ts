/**
 * A TrueType font without its hinting: the glyph programs, `fpgm`, `prep` and `cvt ` taken out.
 *
 * Hinting snaps outlines to the pixel grid of low-resolution screens. PDF viewers render embedded fonts
 * anti-aliased and mostly unhinted, and printers do not need it; DejaVu's hints are half of its `glyf`
 * table, so every notice, letter and report carried ~20 KB of them (a third of a C12-TS PDF), base64-encoded
 * through SES to every employer each month. Outlines, metrics and glyph order are kept byte for byte, so
 * the CIDs of the subset stay valid.
 */

const SIMPLE_HEADER = 10; // numberOfContours, xMin, yMin, xMax, yMax
// Composite glyph flags (OpenType `glyf`).
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
const WE_HAVE_INSTRUCTIONS = 0x0100;

const HINTING_TABLES = new Set(['fpgm', 'prep', 'cvt ']);

export class FontFormatError extends Error {
  override name = 'FontFormatError';
}

interface Table {
  tag: string;
  data: Buffer;
}

function readTables(font: Buffer): Table[] {
  const version = font.readUInt32BE(0);
  if (version !== 0x00010000 && version !== 0x74727565)
    throw new FontFormatError(`not a TrueType font (sfnt version 0x${version.toString(16)})`);
  const count = font.readUInt16BE(4);
  return Array.from({ length: count }, (_, i) => {
    const record = 12 + 16 * i;
    const offset = font.readUInt32BE(record + 8);
    const length = font.readUInt32BE(record + 12);
    if (offset + length > font.length) throw new FontFormatError('table past the end of the font');
    return { tag: font.toString('latin1', record, record + 4), data: font.subarray(offset, offset + length) };
  });
}

/** One glyph's `glyf` record without its instructions. */
export function withoutInstructions(glyph: Buffer): Buffer {
  if (glyph.length === 0) return glyph;
  const contours = glyph.readInt16BE(0);
  if (contours >= 0) {
    const lengthAt = SIMPLE_HEADER + 2 * contours;
    const instructions = glyph.readUInt16BE(lengthAt);
    if (instructions === 0) return glyph;
    const stripped = Buffer.concat([
      glyph.subarray(0, lengthAt + 2),
      glyph.subarray(lengthAt + 2 + instructions),
    ]);
    stripped.writeUInt16BE(0, lengthAt);
    return stripped;
  }
  // Composite: components to the one without MORE_COMPONENTS; a program follows them when any component
  // says WE_HAVE_INSTRUCTIONS (the last one should; readers accept any, so every one is cleared).
  let at = SIMPLE_HEADER;
  let flags: number;
  const flagOffsets: number[] = [];
  let instructed = false;
  do {
    flagOffsets.push(at);
    flags = glyph.readUInt16BE(at);
    if (flags & WE_HAVE_INSTRUCTIONS) instructed = true;
    at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) at += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) at += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) at += 8;
    if (at > glyph.length) throw new FontFormatError('composite glyph past its record');
  } while (flags & MORE_COMPONENTS);
  if (!instructed) return glyph;
  const stripped = Buffer.from(glyph.subarray(0, at));
  for (const offset of flagOffsets)
    stripped.writeUInt16BE(stripped.readUInt16BE(offset) & ~WE_HAVE_INSTRUCTIONS, offset);
  return stripped;
}

function checksum(data: Buffer): number {
  let sum = 0;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + data.readUInt32BE(i)) >>> 0;
  if (whole < data.length) {
    const tail = Buffer.alloc(4);
    data.copy(tail, 0, whole);
    sum = (sum + tail.readUInt32BE(0)) >>> 0;
  }
  return sum;
}

const padded = (length: number) => (length + 3) & ~3;

/** The font with its hinting taken out (see the module comment); glyph ids and outlines unchanged. */
export function unhinted(font: Buffer): Buffer {
  const tables = readTables(font);
  const find = (tag: string) => {
    const table = tables.find((t) => t.tag === tag);
    if (!table) throw new FontFormatError(`no ${tag} table`);
    return table.data;
  };
  const head = Buffer.from(find('head'));
  const maxp = Buffer.from(find('maxp'));
  const loca = find('loca');
  const glyf = find('glyf');
  const longOffsets = head.readInt16BE(50) === 1;
  const glyphCount = maxp.readUInt16BE(4);
  const offsetOf = (i: number) => (longOffsets ? loca.readUInt32BE(4 * i) : 2 * loca.readUInt16BE(2 * i));

  const glyphs: Buffer[] = [];
  const newLoca = Buffer.alloc(4 * (glyphCount + 1));
  let length = 0;
  for (let i = 0; i < glyphCount; i++) {
    const start = offsetOf(i);
    const end = offsetOf(i + 1);
    if (end < start || end > glyf.length) throw new FontFormatError(`glyph ${i} outside glyf`);
    const glyph = withoutInstructions(glyf.subarray(start, end));
    newLoca.writeUInt32BE(length, 4 * i);
    glyphs.push(glyph, Buffer.alloc(padded(glyph.length) - glyph.length));
    length += padded(glyph.length);
  }
  newLoca.writeUInt32BE(length, 4 * glyphCount);
  head.writeInt16BE(1, 50); // indexToLocFormat: long offsets
  head.writeUInt32BE(0, 8); // checkSumAdjustment, set below
  // maxp 1.0 counts what the programs need; with none, no instruction is any size.
  if (maxp.readUInt32BE(0) === 0x00010000 && maxp.length >= 32) maxp.writeUInt16BE(0, 26);

  const replaced = new Map<string, Buffer>([
    ['head', head],
    ['maxp', maxp],
    ['loca', newLoca],
    ['glyf', Buffer.concat(glyphs)],
  ]);
  const kept = tables
    .filter((table) => !HINTING_TABLES.has(table.tag))
    .map((table) => ({ tag: table.tag, data: replaced.get(table.tag) ?? table.data }))
    .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));

  const count = kept.length;
  const power = 2 ** Math.floor(Math.log2(count));
  const directory = Buffer.alloc(12 + 16 * count);
  directory.writeUInt32BE(0x00010000, 0);
  directory.writeUInt16BE(count, 4);
  directory.writeUInt16BE(power * 16, 6);
  directory.writeUInt16BE(Math.log2(power), 8);
  directory.writeUInt16BE(count * 16 - power * 16, 10);
  const body: Buffer[] = [];
  let offset = directory.length;
  kept.forEach((table, i) => {
    const record = 12 + 16 * i;
    directory.write(table.tag, record, 4, 'latin1');
    directory.writeUInt32BE(checksum(table.data), record + 4);
    directory.writeUInt32BE(offset, record + 8);
    directory.writeUInt32BE(table.data.length, record + 12);
    body.push(table.data, Buffer.alloc(padded(table.data.length) - table.data.length));
    offset += padded(table.data.length);
  });
  const out = Buffer.concat([directory, ...body]);
  const headAt = directory.readUInt32BE(12 + 16 * kept.findIndex((t) => t.tag === 'head') + 8);
  out.writeUInt32BE((0xb1b0afba - checksum(out)) >>> 0, headAt + 8);
  return out;
}
