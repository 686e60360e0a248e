import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assertInlineSafe } from './escape.js';

export interface Assets {
  uplotJs: string;
  uplotCss: string;
}

let cached: Assets | undefined;

/** uPlot's script and stylesheet, read from node_modules once, to inline into every report. */
export function uplotAssets(): Assets {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    cached = {
      uplotJs: assertInlineSafe(read('uPlot.iife.min.js'), 'uPlot.iife.min.js'),
      uplotCss: assertInlineSafe(read('uPlot.min.css'), 'uPlot.min.css'),
    };
  }
  return cached;
}
