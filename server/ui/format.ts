/**
 * Number and time formatting for the dashboard. Pure functions (no DOM, no `Deno.*`); every time
 * function takes the IANA time zone to show times in (the server's `timezone`, IST by default).
 *
 * @module
 */

/** The time zone used when the server has not said otherwise. */
export const DEFAULT_TIME_ZONE = "Asia/Kolkata";

/** Shown for a value that does not exist yet (no data, null, NaN). */
export const MISSING = "—";

const zoneCache = new Map<string, boolean>();

/**
 * Whether `tz` is an IANA time zone this browser knows.
 *
 * @example
 * ```ts
 * isValidTimeZone("Asia/Kolkata"); // true
 * isValidTimeZone("Mars/Olympus"); // false
 * ```
 */
export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== "string" || tz === "") return false;
  const known = zoneCache.get(tz);
  if (known !== undefined) return known;
  let ok = true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    ok = false;
  }
  zoneCache.set(tz, ok);
  return ok;
}

/**
 * The time zone to use: `tz` when valid, otherwise {@linkcode DEFAULT_TIME_ZONE}.
 *
 * @example
 * ```ts
 * resolveTimeZone(undefined); // "Asia/Kolkata"
 * resolveTimeZone("UTC"); // "UTC"
 * ```
 */
export function resolveTimeZone(tz: unknown): string {
  return isValidTimeZone(tz) ? tz : DEFAULT_TIME_ZONE;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();
const abbrCache = new Map<string, string>();

function partsFormat(tz: string): Intl.DateTimeFormat {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    partsCache.set(tz, f);
  }
  return f;
}

/**
 * A short name of the time zone at instant `ms`: "IST" for Asia/Kolkata, "UTC", "CET", or an
 * offset like "GMT-5" when the zone has no common abbreviation.
 *
 * @example
 * ```ts
 * timeZoneAbbreviation("Asia/Kolkata", 0); // "IST"
 * ```
 */
export function timeZoneAbbreviation(tz: string, ms: number = Date.now()): string {
  const zone = resolveTimeZone(tz);
  // the abbreviation only changes with daylight saving time: cache it per zone and hour
  const key = `${zone}@${Math.floor(ms / 3_600_000)}`;
  const cached = abbrCache.get(key);
  if (cached) return cached;
  let fallback = "";
  let found = "";
  for (const locale of ["en-US", "en-IN", "en-GB"]) {
    const name = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" })
      .formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "";
    if (!fallback) fallback = name;
    if (name && !/^(GMT|UTC)[+\-\u2212]/.test(name)) {
      found = name;
      break;
    }
  }
  const result = found || fallback || zone;
  if (abbrCache.size > 1_000) abbrCache.clear();
  abbrCache.set(key, result);
  return result;
}

function parts(ms: number, tz: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of partsFormat(resolveTimeZone(tz)).formatToParts(ms)) out[p.type] = p.value;
  return out;
}

function isTime(ms: unknown): ms is number {
  return typeof ms === "number" && Number.isFinite(ms);
}

/**
 * Date and time of epoch milliseconds in `tz`: "2025-01-31 17:45:09 IST".
 *
 * @example
 * ```ts
 * formatDateTime(0, "Asia/Kolkata"); // "1970-01-01 05:30:00 IST"
 * ```
 */
export function formatDateTime(ms: number | null | undefined, tz: string): string {
  if (!isTime(ms)) return MISSING;
  const p = parts(ms, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${
    timeZoneAbbreviation(tz, ms)
  }`;
}

/**
 * Time of day of epoch milliseconds in `tz`: "17:45:09".
 *
 * @example
 * ```ts
 * formatTime(0, "UTC"); // "00:00:00"
 * ```
 */
export function formatTime(ms: number | null | undefined, tz: string): string {
  if (!isTime(ms)) return MISSING;
  const p = parts(ms, tz);
  return `${p.hour}:${p.minute}:${p.second}`;
}

function isNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * A number with at most `digits` decimals and thousands separators; "—" for null or NaN.
 *
 * @example
 * ```ts
 * formatNumber(12345.678, 1); // "12,345.7"
 * formatNumber(null); // "—"
 * ```
 */
export function formatNumber(v: number | null | undefined, digits = 2): string {
  if (!isNumber(v)) return MISSING;
  return v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/**
 * A whole number with thousands separators.
 *
 * @example
 * ```ts
 * formatInteger(1234567); // "1,234,567"
 * ```
 */
export function formatInteger(v: number | null | undefined): string {
  if (!isNumber(v)) return MISSING;
  return Math.round(v).toLocaleString("en-US");
}

/**
 * Seconds with a unit: "1.23 s", "850 ms" below one second when `ms` is allowed.
 *
 * @example
 * ```ts
 * formatSeconds(1.2345); // "1.23 s"
 * formatSeconds(0.0421); // "42 ms"
 * ```
 */
export function formatSeconds(v: number | null | undefined): string {
  if (!isNumber(v)) return MISSING;
  if (Math.abs(v) < 1 && v !== 0) return `${formatNumber(v * 1000, 0)} ms`;
  return `${formatNumber(v, 2)} s`;
}

/**
 * A share in [0, 1] as a percentage: "97.5%".
 *
 * @example
 * ```ts
 * formatPercent(0.975); // "97.5%"
 * formatPercent(1); // "100%"
 * ```
 */
export function formatPercent(share: number | null | undefined, digits = 1): string {
  if (!isNumber(share)) return MISSING;
  return `${formatNumber(share * 100, digits)}%`;
}

/**
 * US dollars: two decimals from one cent, three significant digits below (costs of single
 * calls are fractions of a cent).
 *
 * @example
 * ```ts
 * formatUsd(12.5); // "$12.50"
 * formatUsd(0.0001234); // "$0.000123"
 * ```
 */
export function formatUsd(v: number | null | undefined): string {
  if (!isNumber(v)) return MISSING;
  if (v === 0) return "$0";
  if (Math.abs(v) >= 0.01) {
    return `$${v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  return `$${Number(v.toPrecision(3))}`;
}

/**
 * A statistic or p-value: 4 decimals in [0.001, 1e6), scientific notation otherwise.
 *
 * @example
 * ```ts
 * formatStat(0.123456); // "0.1235"
 * formatStat(0.0000123); // "1.23e-5"
 * ```
 */
export function formatStat(v: number | null | undefined): string {
  if (!isNumber(v)) return MISSING;
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toFixed(4)));
  return v.toExponential(2).replace("e+", "e");
}

/**
 * A duration in seconds as "1h 02m 03s", "2m 05s" or "7.5s".
 *
 * @example
 * ```ts
 * formatDuration(125); // "2m 05s"
 * ```
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isNumber(seconds) || seconds < 0) return MISSING;
  if (seconds < 60) return `${formatNumber(seconds, 1)}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

/**
 * The text cut to `max` characters with an ellipsis (by code points, so emoji stay whole).
 *
 * @example
 * ```ts
 * truncate("hello world", 5); // "hell…"
 * ```
 */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join("") + "…";
}

/**
 * `url` when it is an absolute http(s) URL, otherwise undefined: links built from server data
 * never become `javascript:` URLs.
 *
 * @example
 * ```ts
 * safeHref("http://127.0.0.1:5000/#/experiments/1"); // "http://127.0.0.1:5000/#/experiments/1"
 * safeHref("javascript:alert(1)"); // undefined
 * ```
 */
export function safeHref(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
