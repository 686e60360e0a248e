/**
 * `Change_at` as the original's clients send it: any ISO 8601 date-time, extended
 * (`2017-07-21T17:32:28Z`) or basic (`20170721T173228Z`), with or without seconds, fraction and
 * offset. No offset means UTC (the original's producer sent local time with a literal `Z`).
 */
const EXTENDED =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?:\d{2})?)?$/i;

/** PostgreSQL keeps microseconds: digits beyond six are dropped. */
const MAX_FRACTION_DIGITS = 6;

export type ParsedChangeAt = { ok: true; utc: string } | { ok: false; error: string };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The instant in UTC as `YYYY-MM-DDTHH:MM:SS[.f]Z`, keeping the fraction's digits as sent. */
export function parseChangeAt(text: string): ParsedChangeAt {
  const m = EXTENDED.exec(text) ?? BASIC.exec(text);
  if (!m)
    return {
      ok: false,
      error: 'must be an ISO 8601 date-time such as 2017-07-21T17:32:28Z or 2017-07-21T14:32:28-03:00',
    };
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = (m[7] ?? '').slice(0, MAX_FRACTION_DIGITS);
  if (month < 1 || month > 12) return { ok: false, error: `has month ${pad(month)}, not 01 to 12` };
  const lastDay = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !leap(year) ? 1 : 0);
  if (day < 1 || day > lastDay)
    return { ok: false, error: `has day ${pad(day)}, but ${year}-${pad(month)} has ${lastDay} days` };
  if (hour > 23 || minute > 59 || second > 59)
    return { ok: false, error: `has time ${pad(hour)}:${pad(minute)}:${pad(second)}, beyond 23:59:59` };
  const offsetMinutes = offset(m[8]);
  if (offsetMinutes === undefined) return { ok: false, error: 'has an offset beyond ±23:59' };
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, 0);
  const utc = new Date(local.getTime() - offsetMinutes * 60_000);
  const utcYear = utc.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999)
    return { ok: false, error: 'falls outside the years 0001 to 9999 in UTC' };
  const iso = utc.toISOString().slice(0, 19);
  return { ok: true, utc: `${iso}${fraction ? `.${fraction}` : ''}Z` };
}

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Minutes east of UTC, or undefined when out of range. */
function offset(raw: string | undefined): number | undefined {
  if (!raw || raw.toUpperCase() === 'Z') return 0;
  const sign = raw[0] === '-' ? -1 : 1;
  const digits = raw.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
