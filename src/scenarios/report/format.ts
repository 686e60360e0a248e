/** Number and time formatting for the page; one place so every table reads the same way. */

const DASH = '—';

function fmt(n: number, min: number, max: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
}

/** 12,345 */
export function int(n: number): string {
  return Number.isFinite(n) ? fmt(Math.round(n), 0, 0) : DASH;
}

/** Up to three decimals, grouped: 1,234.5 */
export function num(n: number): string {
  return Number.isFinite(n) ? fmt(n, 0, 3) : DASH;
}

/** Fixed decimals, grouped: 1,234.50 */
export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? fmt(n, digits, digits) : DASH;
}

/** A latency figure with the precision a reader can use: 0.84, 12.3, 812. */
export function msValue(n: number): string {
  const digits = Math.abs(n) < 10 ? 2 : Math.abs(n) < 100 ? 1 : 0;
  return fixed(n, digits);
}

/** Latency with its unit: 0.84 ms, 12.3 ms, 812 ms. */
export function ms(n: number): string {
  return Number.isFinite(n) ? `${msValue(n)} ms` : DASH;
}

/** A fraction (0..1) as a percentage: 0.99731 → 99.7310 % */
export function percent(fraction: number, digits: number): string {
  return Number.isFinite(fraction) ? `${fixed(fraction * 100, digits)} %` : DASH;
}

/** 45 s, 2 min 30 s, 1 h 5 min */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return DASH;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round((s % 3600) / 60);
  return m ? `${Math.floor(s / 3600)} h ${m} min` : `${s / 3600} h`;
}

/** An ISO timestamp as `2025-05-01 14:03:07 UTC`; anything unparsable is shown as given. */
export function timestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}
