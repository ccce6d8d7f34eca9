import assert from "node:assert/strict";
import {
  DEFAULT_TIME_ZONE,
  formatDateTime,
  formatDuration,
  formatInteger,
  formatNumber,
  formatPercent,
  formatSeconds,
  formatStat,
  formatTime,
  isValidTimeZone,
  MISSING,
  resolveTimeZone,
  safeHref,
  timeZoneAbbreviation,
  truncate,
} from "./format.ts";

// 2024-03-10 12:34:56.789 UTC
const T = Date.UTC(2024, 2, 10, 12, 34, 56, 789);

Deno.test("times are shown in IST by default, 5 h 30 min ahead of UTC", () => {
  assert.equal(DEFAULT_TIME_ZONE, "Asia/Kolkata");
  assert.equal(formatDateTime(T, DEFAULT_TIME_ZONE), "2024-03-10 18:04:56 IST");
  assert.equal(formatTime(T, DEFAULT_TIME_ZONE), "18:04:56");
});

Deno.test("times follow the given time zone, across a date line", () => {
  assert.equal(formatDateTime(T, "UTC"), "2024-03-10 12:34:56 UTC");
  assert.equal(formatTime(Date.UTC(2024, 0, 1, 20, 0, 0), "Asia/Kolkata"), "01:30:00");
  assert.equal(
    formatDateTime(Date.UTC(2024, 0, 1, 20, 0, 0), "Asia/Kolkata").slice(0, 10),
    "2024-01-02",
  );
  assert.equal(formatTime(T, "America/New_York"), "08:34:56"); // EDT started that morning
});

Deno.test("an unknown time zone falls back to IST instead of throwing", () => {
  assert.equal(isValidTimeZone("Mars/Olympus_Mons"), false);
  assert.equal(isValidTimeZone(42), false);
  assert.equal(resolveTimeZone("Mars/Olympus_Mons"), "Asia/Kolkata");
  assert.equal(resolveTimeZone("Europe/Berlin"), "Europe/Berlin");
  assert.equal(formatTime(T, "Mars/Olympus_Mons"), "18:04:56");
});

Deno.test("the zone abbreviation is IST for Kolkata and UTC for UTC", () => {
  assert.equal(timeZoneAbbreviation("Asia/Kolkata", T), "IST");
  assert.equal(timeZoneAbbreviation("UTC", T), "UTC");
});

Deno.test("missing times and numbers show a dash", () => {
  assert.equal(formatDateTime(null, "UTC"), MISSING);
  assert.equal(formatTime(Number.NaN, "UTC"), MISSING);
  assert.equal(formatNumber(undefined), MISSING);
  assert.equal(formatSeconds(null), MISSING);
  assert.equal(formatPercent(Number.POSITIVE_INFINITY), MISSING);
  assert.equal(formatStat(null), MISSING);
  assert.equal(formatDuration(-1), MISSING);
});

Deno.test("numbers get thousands separators and bounded decimals", () => {
  assert.equal(formatNumber(12345.678, 1), "12,345.7");
  assert.equal(formatNumber(2.5, 0), "3");
  assert.equal(formatNumber(0.1234), "0.12");
  assert.equal(formatInteger(1234567.4), "1,234,567");
});

Deno.test("seconds switch to milliseconds below one second", () => {
  assert.equal(formatSeconds(1.2345), "1.23 s");
  assert.equal(formatSeconds(12), "12 s");
  assert.equal(formatSeconds(0.0421), "42 ms");
  assert.equal(formatSeconds(0), "0 s");
});

Deno.test("shares become percentages", () => {
  assert.equal(formatPercent(0.975), "97.5%");
  assert.equal(formatPercent(1), "100%");
  assert.equal(formatPercent(0), "0%");
  assert.equal(formatPercent(2 / 3, 2), "66.67%");
});

Deno.test("statistics use 4 decimals, tiny and huge values scientific notation", () => {
  assert.equal(formatStat(0.123456), "0.1235");
  assert.equal(formatStat(0.0000123), "1.23e-5");
  assert.equal(formatStat(0), "0");
  assert.equal(formatStat(2.5e7), "2.50e7");
});

Deno.test("durations read as seconds, minutes and hours", () => {
  assert.equal(formatDuration(7.46), "7.5s");
  assert.equal(formatDuration(125), "2m 05s");
  assert.equal(formatDuration(3723), "1h 02m 03s");
});

Deno.test("truncation keeps whole code points and adds an ellipsis", () => {
  assert.equal(truncate("hello world", 5), "hell…");
  assert.equal(truncate("short", 10), "short");
  assert.equal(truncate("😀😀😀", 2), "😀…");
});

Deno.test("only absolute http(s) links are kept", () => {
  assert.equal(
    safeHref("http://127.0.0.1:5000/#/experiments/1"),
    "http://127.0.0.1:5000/#/experiments/1",
  );
  assert.equal(safeHref("https://mlflow.example/x"), "https://mlflow.example/x");
  assert.equal(safeHref("javascript:alert(1)"), undefined);
  assert.equal(safeHref("/relative"), undefined);
  assert.equal(safeHref(null), undefined);
});
