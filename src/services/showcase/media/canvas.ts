import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';
import type { Rgba } from './png.js';

/** [red, green, blue, alpha], each 0–255. */
export type Colour = readonly [number, number, number, number];

/** Just enough drawing for a badge and two title cards: rectangles, a basketball, block text. */
export class Canvas implements Rgba {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Colour = [0, 0, 0, 0],
  ) {
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) this.data.set(background, i * 4);
  }

  /** Source-over compositing, so translucent ink on a translucent badge stays translucent. */
  blend(x: number, y: number, [r, g, b, a]: Colour): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || a === 0) return;
    const i = (y * this.width + x) * 4;
    const d = this.data;
    const sa = a / 255;
    const da = d[i + 3]! / 255;
    const oa = sa + da * (1 - sa);
    const mix = (s: number, t: number) => Math.round((s * sa + t * da * (1 - sa)) / oa);
    d[i] = mix(r, d[i]!);
    d[i + 1] = mix(g, d[i + 1]!);
    d[i + 2] = mix(b, d[i + 2]!);
    d[i + 3] = Math.round(oa * 255);
  }

  rect(x: number, y: number, w: number, h: number, colour: Colour, radius = 0): void {
    for (let py = y; py < y + h; py++) {
      for (let px = x; px < x + w; px++) {
        if (radius > 0 && outsideCorner(px - x, py - y, w, h, radius)) continue;
        this.blend(px, py, colour);
      }
    }
  }

  /** A ball of radius `r` centred on (cx, cy): orange with the four dark seams of a basketball. */
  basketball(cx: number, cy: number, r: number, ball: Colour, seam: Colour): void {
    const t = Math.max(1, r / 14);
    for (let y = -r; y <= r; y++) {
      for (let x = -r; x <= r; x++) {
        const d = Math.hypot(x, y);
        if (d > r) continue;
        const side = Math.abs(Math.hypot(Math.abs(x) - r * 1.25, y) - r * 0.85);
        const onSeam = Math.abs(x) < t || Math.abs(y) < t || side < t || d > r - t;
        this.blend(cx + x, cy + y, onSeam ? seam : ball);
      }
    }
  }

  /** Width in pixels of `text` drawn at `scale` (one blank column between glyphs). */
  static textWidth(text: string, scale: number): number {
    const n = [...text].length;
    return n === 0 ? 0 : (n * (GLYPH_WIDTH + 1) - 1) * scale;
  }

  text(text: string, x: number, y: number, scale: number, colour: Colour): void {
    let left = x;
    for (const ch of text) {
      glyph(ch).forEach((row, gy) => {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (row[gx] === '#') this.rect(left + gx * scale, y + gy * scale, scale, scale, colour);
        }
      });
      left += (GLYPH_WIDTH + 1) * scale;
    }
  }

  /** `text` centred horizontally with its top at `y`; returns the y below it. */
  centredText(text: string, y: number, scale: number, colour: Colour): number {
    this.text(text, Math.round((this.width - Canvas.textWidth(text, scale)) / 2), y, scale, colour);
    return y + GLYPH_HEIGHT * scale;
  }
}

function outsideCorner(x: number, y: number, w: number, h: number, r: number): boolean {
  const cx = x < r ? r : x >= w - r ? w - r - 1 : x;
  const cy = y < r ? r : y >= h - r ? h - r - 1 : y;
  return Math.hypot(x - cx, y - cy) > r;
}
