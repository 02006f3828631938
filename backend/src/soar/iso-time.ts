/**
 * Strict ISO 8601 date-times (the RFC 3339 profile: `2026-03-01T12:00:00.250Z`, `…+02:00`), read straight from
 * bytes: no string, no Date object per event. A time zone is required, since a zoneless time is ambiguous.
 * Fractions keep milliseconds (further digits are truncated); leap seconds (`:60`) are rejected.
 */

const DIGIT_0 = 0x30;

function digits(b: Uint8Array, i: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const d = (b[i + k] as number) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant, "chrono-compatible date algorithms"). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Milliseconds since the epoch, or NaN when `b[start, end)` is not a valid ISO 8601 date-time with a zone. */
export function parseIsoTime(b: Uint8Array, start: number, end: number): number {
  if (end - start < 20) return NaN; // shortest: YYYY-MM-DDTHH:MM:SSZ
  const year = digits(b, start, 4);
  const month = digits(b, start + 5, 2);
  const day = digits(b, start + 8, 2);
  const hour = digits(b, start + 11, 2);
  const minute = digits(b, start + 14, 2);
  const second = digits(b, start + 17, 2);
  const t = b[start + 10];
  if (
    b[start + 4] !== 0x2d || // -
    b[start + 7] !== 0x2d ||
    (t !== 0x54 && t !== 0x74) || // T or t
    b[start + 13] !== 0x3a || // :
    b[start + 16] !== 0x3a ||
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return NaN;
  }
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] as number);
  if (day > monthDays) return NaN;

  let i = start + 19;
  let millis = 0;
  if (b[i] === 0x2e || b[i] === 0x2c) {
    // . or , then 1 to 9 digits
    i++;
    let count = 0;
    for (; i < end; i++, count++) {
      const d = (b[i] as number) - DIGIT_0;
      if (d < 0 || d > 9) break;
      if (count < 3) millis = millis * 10 + d;
    }
    if (count === 0 || count > 9) return NaN;
    for (let pad = count; pad < 3; pad++) millis *= 10;
  }

  let offsetMinutes = 0;
  const zone = b[i];
  if ((zone === 0x5a || zone === 0x7a) && i + 1 === end) {
    // Z or z
  } else if ((zone === 0x2b || zone === 0x2d) && i + 6 === end && b[i + 3] === 0x3a) {
    const oh = digits(b, i + 1, 2);
    const om = digits(b, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMinutes = (oh * 60 + om) * (zone === 0x2d ? -1 : 1);
  } else {
    return NaN;
  }
  const days = daysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1000 + millis;
}

/** The same for a string (which must be ASCII to be valid). */
export function parseIsoTimeString(value: string): number {
  if (/[^\x20-\x7e]/.test(value)) return NaN;
  return parseIsoTime(Buffer.from(value, 'latin1'), 0, value.length);
}
