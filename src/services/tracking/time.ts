/**
 * Instants and days as the API takes them: ISO-8601, always with a time zone, within years 1 to
 * 9999 (what PostgreSQL and an unsigned ISO year both hold), so a value that passes here never
 * fails in the database.
 */

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && leap(year) ? 29 : DAYS_IN_MONTH[month - 1]!);
}

function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): Date {
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(h, m, s, ms);
  return date;
}

/** Inside what PostgreSQL and ISO-8601 both hold without a sign: years 1 to 9999. */
const inRange = (d: Date) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999;

/** What `Date.prototype.toISOString` writes: every instant the intake stores looks like this. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The number written by `count` digits of `text` from `from`. */
function digitsAt(text: string, from: number, count: number): number {
  let v = 0;
  for (let k = from; k < from + count; k++) v = v * 10 + text.charCodeAt(k) - 48;
  return v;
}

/**
 * Whether text in the toISOString shape names a real instant (no 02-30, no hour 24). The workers
 * check two instants per event: read by hand from the fixed positions, a fraction of the cost of
 * the general path below, and of the engine's parser and toISOString round trip (a fifth of a
 * worker's CPU in its profile).
 */
function validCanonical(text: string): boolean {
  return (
    validDay(digitsAt(text, 0, 4), digitsAt(text, 5, 2), digitsAt(text, 8, 2)) &&
    digitsAt(text, 11, 2) <= 23 &&
    digitsAt(text, 14, 2) <= 59 &&
    digitsAt(text, 17, 2) <= 59
  );
}

/**
 * Milliseconds since 1970 of an instant in the shape toISOString writes, years 1 to 9999 (what
 * `canonicalInstant` returns), read from its fixed positions: a tenth of Date.parse's time.
 * Days from the civil date as in Howard Hinnant's `days_from_civil`.
 */
export function canonicalMs(iso: string): number {
  const m = digitsAt(iso, 5, 2);
  const y = digitsAt(iso, 0, 4) - (m <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + digitsAt(iso, 8, 2) - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return (
    days * 86_400_000 +
    digitsAt(iso, 11, 2) * 3_600_000 +
    digitsAt(iso, 14, 2) * 60_000 +
    digitsAt(iso, 17, 2) * 1000 +
    digitsAt(iso, 20, 3)
  );
}

const isCanonical = (text: string) => text.length === 24 && CANONICAL.test(text);

/** An ISO-8601 date-time with a time zone (Z or ±hh:mm); undefined when it is not one. */
export function parseInstant(text: string): Date | undefined {
  // Valid and in the shape the engine's own parser reads exactly (years below 100 included).
  if (isCanonical(text)) return validCanonical(text) ? new Date(text) : undefined;
  const m = ISO_INSTANT.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? 0);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetH = Number(m[10] ?? 0);
  const offsetM = Number(m[11] ?? 0);
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetH > 23 || offsetM > 59) return undefined;
  const sign = m[9] === '-' ? -1 : 1;
  const local = utc(year, month, day, hour, minute, second, ms);
  const date = new Date(local.getTime() - sign * (offsetH * 60 + offsetM) * 60_000);
  return inRange(date) ? date : undefined;
}

/**
 * An instant as toISOString writes it (UTC, milliseconds, Z), from any form parseInstant takes;
 * undefined when it is not one. Text already in that form is returned as it is.
 */
export function canonicalInstant(text: string): string | undefined {
  if (isCanonical(text)) return validCanonical(text) ? text : undefined;
  return parseInstant(text)?.toISOString();
}

/** A calendar day, YYYY-MM-DD; undefined when it is not one. */
export function parseDay(text: string): string | undefined {
  const m = ISO_DAY.exec(text);
  if (!m) return undefined;
  const [year, month, day] = m.slice(1).map(Number) as [number, number, number];
  return validDay(year, month, day) ? text : undefined;
}
