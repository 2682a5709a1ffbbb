/**
 * A flowing A4 document of headings and ruled tables over the notice's PDF writer, paging as it fills: what
 * the agency review's report and the D08a-TS list are made of.
 */
import { noticeFonts } from '../c12/notice/pdf-font.ts';
import { PdfWriter } from '../c12/notice/pdf-writer.ts';

export const PAGE = { width: 595.28, height: 841.89, margin: 48 };
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const SIZE = 10;

export class PdfDocument {
  private readonly doc: PdfWriter;
  private y = PAGE.margin;

  constructor(meta: { title: string; author: string; subject: string }) {
    this.doc = new PdfWriter(noticeFonts(), PAGE.width, PAGE.height, { ...meta, lang: 'vi-VN' });
  }

  private room(height: number): void {
    if (this.y + height <= PAGE.height - PAGE.margin) return;
    this.doc.addPage();
    this.y = PAGE.margin;
  }

  text(
    text: string,
    options: { bold?: boolean; size?: number; align?: 'left' | 'center'; gap?: number } = {},
  ): this {
    this.doc.font(options.bold ?? false, options.size ?? SIZE);
    this.room(this.doc.heightOfString(text, CONTENT_WIDTH));
    this.y = this.doc.textBlock(
      text,
      PAGE.margin,
      this.y + (options.gap ?? 0),
      CONTENT_WIDTH,
      options.align ?? 'left',
    );
    return this;
  }

  heading(text: string): this {
    this.room(40);
    return this.text(text, { bold: true, size: SIZE + 1, gap: 10 }).space(4);
  }

  space(points: number): this {
    this.y += points;
    return this;
  }

  /** A table: the header row shaded, each row as tall as its longest cell; `widths` are fractions of the page. */
  table(head: string[], rows: string[][], widths: number[]): this {
    const absolute = widths.map((w) => w * CONTENT_WIDTH);
    const row = (cells: string[], bold: boolean) => {
      this.doc.font(bold, SIZE - 1);
      const height = Math.max(...cells.map((cell, i) => this.doc.heightOfString(cell, absolute[i]! - 6))) + 4;
      this.room(height);
      let x = PAGE.margin;
      cells.forEach((cell, i) => {
        if (bold) this.doc.fillStrokeRect(x, this.y, absolute[i]!, height, 0.92);
        else this.doc.strokeRect(x, this.y, absolute[i]!, height);
        this.doc.textBlock(cell, x + 3, this.y + 2, absolute[i]! - 6);
        x += absolute[i]!;
      });
      this.y += height;
    };
    row(head, true);
    for (const cells of rows) row(cells, false);
    return this;
  }

  end(): Buffer {
    return this.doc.end();
  }
}
