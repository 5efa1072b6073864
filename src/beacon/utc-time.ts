/**
 * `new Date(ms).toISOString()`, computed here for years 0000–9999. The first Date#toISOString call
 * of a process maps in about 1 MB of the node binary's pages, which the idle collector would
 * otherwise carry from its first log line on (BENCHMARKS.md, memory). Times outside those years,
 * and invalid ones, are left to Date: extended ±YYYYYY years, or its RangeError.
 */

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const FIRST_MS = -62167219200000;
const LAST_MS = 253402300799999;
const DAY_MS = 86400000;

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

export function isoUtc(ms: number): string {
  // `!(a && b)` is also true for NaN.
  if (!(ms >= FIRST_MS && ms <= LAST_MS)) return new Date(ms).toISOString();
  // A Date truncates its time value toward zero (TimeClip).
  const time = Math.trunc(ms);
  const days = Math.floor(time / DAY_MS);
  let rest = time - days * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;

  // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
  const shifted = days + 719468; // days since 0000-03-01
  const era = Math.floor(shifted / 146097);
  const dayOfEra = shifted - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

  const yyyy = year >= 1000 ? `${year}` : `${year}`.padStart(4, '0');
  const sss = millis >= 100 ? `${millis}` : millis >= 10 ? `0${millis}` : `00${millis}`;
  return `${yyyy}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${sss}Z`;
}
