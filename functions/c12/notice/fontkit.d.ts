/**
 * The part of fontkit 2 (no published typings) that the notice renderer uses: parse a TrueType font, shape a
 * word, look glyphs up and build a subset.
 */
declare module 'fontkit' {
  export interface Glyph {
    id: number;
    advanceWidth: number;
    codePoints: number[];
    /** The outline (tests compare outlines as SVG path data). */
    path: { toSVG(): string };
    bbox: { minX: number; minY: number; maxX: number; maxY: number };
  }

  export interface GlyphPosition {
    xAdvance: number;
    yAdvance: number;
    xOffset: number;
    yOffset: number;
  }

  export interface GlyphRun {
    script: string | undefined;
    glyphs: Glyph[];
    positions: GlyphPosition[];
    advanceWidth: number;
  }

  export interface Subset {
    /** The glyph's id in the subset: ids are given in the order glyphs are first included, .notdef is 0. */
    includeGlyph(glyph: number | Glyph): number;
    encode(): Uint8Array;
  }

  export interface Font {
    postscriptName: string;
    unitsPerEm: number;
    numGlyphs: number;
    ascent: number;
    descent: number;
    lineGap: number;
    capHeight: number;
    xHeight: number;
    italicAngle: number;
    bbox: { minX: number; minY: number; maxX: number; maxY: number };
    post: { isFixedPitch: boolean | number };
    'OS/2'?: { sFamilyClass?: number };
    head: { macStyle: { italic?: boolean } };
    /** Without a script, fontkit takes the first character's that is not Common, Inherited or Unknown. */
    layout(text: string, features?: string[], script?: string): GlyphRun;
    glyphForCodePoint(codePoint: number): Glyph;
    getGlyph(id: number, codePoints?: number[]): Glyph;
    createSubset(): Subset;
  }

  export function create(data: Uint8Array, postscriptName?: string): Font;
}
