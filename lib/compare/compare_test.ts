import assert from "node:assert/strict";
import { holm } from "./adjust.ts";
import { bootstrapMeanDiff } from "./bootstrap.ts";
import {
  type BinaryComparison,
  compareColumns,
  type NumericComparison,
  type Row,
} from "./compare.ts";
import { fisherExact } from "./fisher_exact.ts";
import { mannWhitneyU } from "./mann_whitney.ts";
import { formatComparison, verdictText } from "./verdict.ts";
import { welchT } from "./welch_t.ts";

function rows(n: number, make: (i: number) => Row): Row[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

const A = Object.freeze(rows(60, (i) =>
  Object.freeze({
    latency_s: 1 + (i % 11) * 0.05,
    success: i % 10 !== 0,
    thumbs_up: i % 3 === 0 ? 1 : 0,
    tokens: 40 + (i % 9),
    model: "smollm2:135m",
    note: i === 5 ? null : "",
  }))) as readonly Row[];
const B = Object.freeze(rows(50, (i) =>
  Object.freeze({
    latency_s: 1.25 + (i % 7) * 0.05,
    success: i % 10 !== 0 ? "true" : "false",
    thumbs_up: i % 3 === 0 ? 1 : 0,
    tokens: 40 + (i % 9),
    model: "smollm2:135m-concise",
    note: i === 7 ? "" : null,
    only_b: 1,
  }))) as readonly Row[];

Deno.test("columns of numbers are numeric, columns of 0/1 or true/false are binary, text is skipped", () => {
  const r = compareColumns(A, B);
  const kinds = Object.fromEntries(r.columns.map((c) => [c.column, c.kind]));
  assert.deepEqual(kinds, {
    latency_s: "numeric",
    success: "binary",
    thumbs_up: "binary",
    tokens: "numeric",
  });
  const skipped = Object.fromEntries(r.skipped.map((s) => [s.column, s.reason]));
  assert.match(skipped.model, /holds text/);
  assert.match(skipped.note, /0 values in A/);
  assert.equal(skipped.only_b, "only in B");
  assert.equal(r.a_rows, 60);
  assert.equal(r.b_rows, 50);
  assert.equal(r.alpha, 0.05);
  assert.equal(r.adjust, "holm");
});

Deno.test("a numeric column carries Mann–Whitney, Welch, the bootstrap and Cliff's delta of its values", () => {
  const r = compareColumns(A, B, { columns: ["latency_s"], seed: 4, resamples: 500 });
  const c = r.columns[0] as NumericComparison;
  const a = A.map((x) => x.latency_s as number);
  const b = B.map((x) => x.latency_s as number);
  const mw = mannWhitneyU(a, b);
  assert.deepEqual(c.tests.mann_whitney, { statistic: mw.statistic, p_value: mw.p_value });
  const t = welchT(a, b);
  assert.deepEqual(c.tests.welch_t, { statistic: t.statistic, df: t.df, p_value: t.p_value });
  const boot = bootstrapMeanDiff(a, b, { seed: 4, resamples: 500 });
  assert.deepEqual(c.tests.bootstrap, { ci_low: boot.ci_low, ci_high: boot.ci_high, level: 0.95 });
  assert.ok(c.tests.cliffs_delta > 0, "B is slower");
  assert.equal(c.p_value, mw.p_value);
  assert.equal(c.decided_by, "mann_whitney");
  assert.equal(c.p_adjusted, mw.p_value, "one column: nothing to adjust");
  assert.ok(Math.abs(c.difference - (c.mean_b - c.mean_a)) < 1e-15);
  assert.equal(c.significant, true);
});

Deno.test("a binary column carries the z-test and Fisher's test of its 2×2 table", () => {
  const r = compareColumns(A, B, { columns: ["success"] });
  const c = r.columns[0] as BinaryComparison;
  assert.equal(c.rate_a, 54 / 60);
  assert.equal(c.rate_b, 45 / 50);
  const f = fisherExact([[54, 6], [45, 5]]);
  assert.deepEqual(c.tests.fisher_exact, { odds_ratio: f.odds_ratio, p_value: f.p_value });
  assert.equal(c.p_value, f.p_value);
  assert.equal(c.decided_by, "fisher_exact");
  assert.equal(c.significant, false);
});

Deno.test("p-values are adjusted across the compared columns and significance uses the adjusted ones", () => {
  for (const adjust of ["holm", "bh"] as const) {
    const r = compareColumns(A, B, { adjust, alpha: 0.01 });
    const raw = r.columns.map((c) => c.p_value);
    const expected = adjust === "holm" ? holm(raw) : null;
    r.columns.forEach((c, i) => {
      assert.ok(c.p_adjusted! >= c.p_value);
      if (expected) assert.equal(c.p_adjusted, expected[i]);
      assert.equal(c.significant, c.p_adjusted! < 0.01);
    });
  }
});

Deno.test("a column whose values are all the same gets no adjusted p-value and is not significant", () => {
  const a = rows(5, (i) => ({ x: 2, y: 1 + i * 0.1 }));
  const b = rows(6, (i) => ({ x: 2, y: 5 + i * 0.1 }));
  const r = compareColumns(a, b, { columns: ["x", "y"] });
  const x = r.columns[0] as NumericComparison;
  assert.ok(Number.isNaN(x.p_value));
  assert.equal(x.p_adjusted, null);
  assert.equal(x.significant, false);
  assert.equal(r.columns[1].p_adjusted, r.columns[1].p_value, "y alone forms the family");
  assert.match(verdictText(x), /no test possible/);
});

Deno.test("explicit columns that are unknown, text, non-finite or too short are errors naming the column", () => {
  assert.throws(() => compareColumns(A, B, { columns: ["nope"] }), /unknown column "nope"/);
  assert.throws(() => compareColumns(A, B, { columns: ["only_b"] }), /not in A/);
  assert.throws(() => compareColumns(A, B, { columns: ["model"] }), /column "model" holds text/);
  assert.throws(() => compareColumns(A, B, { columns: ["note"] }), /at least 2 are needed/);
  assert.throws(
    () => compareColumns([{ x: 1 }, { x: Infinity }], [{ x: 1 }, { x: 2 }], { columns: ["x"] }),
    /expected finite numbers/,
  );
  assert.throws(
    () => compareColumns([{ x: true }, { x: 3 }], [{ x: 1 }, { x: 2 }], { columns: ["x"] }),
    /mixes true\/false/,
  );
  assert.throws(() => compareColumns([{ m: "a" }], [{ m: "b" }]), /no comparable columns/);
});

Deno.test("bad options and tables are rejected with RangeError or TypeError", () => {
  assert.throws(() => compareColumns(A, B, { alpha: 0 }), RangeError);
  assert.throws(() => compareColumns(A, B, { alpha: 1.5 }), RangeError);
  assert.throws(() => compareColumns(A, B, { adjust: "bonferroni" as "holm" }), RangeError);
  assert.throws(() => compareColumns(A, B, { seed: 0.5 }), RangeError);
  assert.throws(() => compareColumns(A, B, { columns: [] }), RangeError);
  assert.throws(() => compareColumns([], B), RangeError);
  assert.throws(() => compareColumns([1] as unknown as Row[], B), TypeError);
});

Deno.test("missing cells are dropped and the inputs are left unchanged", () => {
  const a = [{ x: 1 }, { x: null }, { x: "" }, { x: NaN }, { x: 3 }, {}];
  const b = [{ x: 2 }, { x: 4 }, { x: " " }];
  const before = JSON.stringify([a, b]);
  const c = compareColumns(a, b).columns[0];
  assert.equal(c.n_a, 2);
  assert.equal(c.n_b, 2);
  assert.equal(JSON.stringify([a, b]), before);
});

Deno.test("verdicts name the direction, the adjusted p-value and the effect with its interval", () => {
  const a = [1.0, 1.1, 1.2, 0.9, 1.05, 0.95].map((v) => ({ latency_s: v, tokens_per_s: 30 + v }));
  const b = [1.4, 1.5, 1.6, 1.3, 1.45, 1.35].map((v) => ({ latency_s: v, tokens_per_s: 20 + v }));
  const single = compareColumns(a, b, { columns: ["latency_s"] }).columns[0];
  assert.match(
    verdictText(single),
    /^latency_s: B is slower: p = 0\.0022, \+0\.40 \[0\.\d\d, 0\.\d\d\]$/,
  );
  const both = compareColumns(a, b).columns;
  assert.match(verdictText(both[0]), /^latency_s: B is slower: adjusted p = 0\.0043, /);
  assert.match(verdictText(both[1]), /^tokens_per_s: B is lower: /);
  const same = compareColumns([{ x: 1 }, { x: 2 }], [{ x: 2 }, { x: 1 }]).columns[0];
  assert.match(verdictText(same), /^x: no significant difference: p = 1, \+0\.0+ \[/);
  const rate = compareColumns(
    rows(200, (i) => ({ ok: i % 20 !== 0 })),
    rows(200, (i) => ({ ok: i % 5 !== 0 })),
  ).columns[0];
  assert.equal(verdictText(rate), "ok: B's rate is lower: p < 0.001, 0.95 → 0.80 (-0.15)");
});

Deno.test("the text report holds a table line and a verdict per column and the skipped columns", () => {
  const text = formatComparison(compareColumns(A, B));
  assert.match(text, /^A rows: 60 {3}B rows: 50 {3}alpha: 0\.05 {3}adjustment: holm/);
  for (const c of ["latency_s", "success", "thumbs_up", "tokens"]) {
    assert.match(text, new RegExp(`^${c} +(numeric|binary) `, "m"));
    assert.match(text, new RegExp(`^${c}: `, "m"));
  }
  assert.match(text, /^skipped:$/m);
  assert.match(text, /^ {2}model: column "model" holds text/m);
});
