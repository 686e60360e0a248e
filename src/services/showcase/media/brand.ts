import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Canvas, type Colour } from './canvas.js';
import { encodePng } from './png.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from './transform.js';

/** The league's images, made by the product itself so no asset is fetched at run time. */
export interface BrandAssets {
  intro: string;
  outro: string;
  watermark: string;
}

const NAVY: Colour = [11, 37, 69, 255];
const ORANGE: Colour = [242, 140, 40, 255];
const SEAM: Colour = [40, 20, 10, 255];
const WHITE: Colour = [255, 255, 255, 255];

export function introCard(): Canvas {
  const card = new Canvas(FRAME_WIDTH, FRAME_HEIGHT, NAVY);
  card.rect(0, FRAME_HEIGHT - 48, FRAME_WIDTH, 48, ORANGE);
  card.basketball(FRAME_WIDTH / 2, 190, 90, ORANGE, SEAM);
  const below = card.centredText('ANB', 320, 14, WHITE);
  card.centredText('RISING STARS SHOWCASE', below + 40, 6, ORANGE);
  return card;
}

export function outroCard(): Canvas {
  const card = new Canvas(FRAME_WIDTH, FRAME_HEIGHT, NAVY);
  card.rect(0, 0, FRAME_WIDTH, 48, ORANGE);
  card.basketball(FRAME_WIDTH / 2, 230, 70, ORANGE, SEAM);
  const below = card.centredText('VOTA POR TU FAVORITO', 350, 7, WHITE);
  card.centredText('ANB RISING STARS SHOWCASE', below + 36, 4, ORANGE);
  return card;
}

/** A translucent badge for the bottom-right corner of every frame. */
export function watermark(): Canvas {
  const badge = new Canvas(224, 68);
  badge.rect(0, 0, 224, 68, [0, 0, 0, 110], 12);
  badge.basketball(34, 34, 22, [242, 140, 40, 230], [40, 20, 10, 230]);
  badge.text('ANB', 68, 8, 4, [255, 255, 255, 230]);
  badge.text('RISING STARS', 68, 46, 2, [255, 255, 255, 200]);
  return badge;
}

/** Writes the three PNGs into `dir`, each whole or not at all, and returns their paths. */
export async function writeBrandAssets(dir: string): Promise<BrandAssets> {
  await mkdir(dir, { recursive: true });
  const images = { intro: introCard(), outro: outroCard(), watermark: watermark() };
  const entries = await Promise.all(
    Object.entries(images).map(async ([name, image]) => {
      const file = path.join(dir, `showcase-${name}.png`);
      const temp = `${file}.${randomBytes(6).toString('hex')}.partial`;
      await writeFile(temp, encodePng(image));
      await rename(temp, file);
      return [name, file] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as BrandAssets;
}
