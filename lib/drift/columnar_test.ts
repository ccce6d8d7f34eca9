// The columnar engine against the row path it replaced (frozen in testdata/row_path): the same
// results bit for bit on random tables with ties, missing values, infinities, signed zeros,
// integer and text categories, mixed columns, absent keys, and every test and override.
import assert from "node:assert/strict";
import { seededRandom } from "./_test_utils.ts";
import { binnedShares } from "./_binning.ts";
import { chisquare } from "./chisquare.ts";
import { columnDrift, type ColumnDriftOptions } from "./column_drift.ts";
import { ColumnarTable, columnOf } from "./columnar.ts";
import { correlationMatrices } from "./correlation.ts";
import { datasetDrift, datasetDriftOfTables, type DatasetDriftOptions } from "./dataset_drift.ts";
import { jensenshannon } from "./jensenshannon.ts";
import { ks } from "./ks.ts";
import { driftFromRows } from "./llm_report.ts";
import { psi } from "./psi.ts";
import { qualitySummary } from "./quality.ts";
import { driftReport } from "./report.ts";
import { zTest } from "./two_proportion_z.ts";
import { wasserstein } from "./wasserstein.ts";
import type { CellValue, ColumnKind, Row, StatTestName } from "./types.ts";
import * as old from "./testdata/row_path/mod_testing.ts";

const TESTS: StatTestName[] = ["ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi"];

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** A missing cell of one of the kinds the library treats as missing. */
function missingCell(random: Random): unknown {
  return pick(random, [null, undefined, Number.NaN, "", "  ", null]);
}

/** Generators of one column's cell; `shift` makes current differ from reference. */
const CELLS: Record<string, (random: Random, shift: number) => unknown> = {
  // continuous with ties (two decimals), a few infinities and signed zeros
  float: (r, s) => {
    const u = r();
    if (u < 0.01) return pick(r, [Infinity, -Infinity]);
    if (u < 0.02) return pick(r, [0, -0]);
    return Math.round((r() * 4 - 2 + s) * 100) / 100;
  },
  // latency-like, all distinct in practice
  latency: (r, s) => Math.exp(6 + s * 0.3 + r()) / 1000,
  // magnitudes from 1e-6 to 1e6: compensated and naive sums differ
  heavy: (r, s) => (r() < 0.5 ? -1 : 1) * Math.exp((r() - 0.5) * 28 + s),
  // small integers: an integer column (categorical when ≤ 10 values)
  fewInts: (r, s) => Math.floor(r() * (4 + 2 * s)),
  // more integers: numerical, integer bins
  manyInts: (r, s) => Math.floor(r() * (30 + 10 * s)),
  // floats with at most five values: binned tests on categories
  fewFloats: (r, s) => pick(r, [0, 0.25, 0.5, 0.75, 1]) + (s > 0 && r() < 0.1 ? 0.25 : 0),
  twoValues: (r, s) => (r() < 0.5 + 0.2 * s ? 0 : 1),
  constant: () => 3.5,
  text: (r, s) => pick(r, s > 0 ? ["a", "b", "c", "d", "e"] : ["a", "b", "c", "d"]),
  status: (r, s) => (r() < 0.9 - 0.1 * s ? "success" : "error"),
  bool: (r) => r() < 0.3,
  // numbers and texts in one column (categorical)
  mixed: (r) => (r() < 0.5 ? Math.floor(r() * 3) : pick(r, ["1", "x", "y"])),
  // objects: only the row path handles them (and rejects them where it did)
  object: (r) => (r() < 0.02 ? { nested: true } : Math.floor(r() * 3)),
  // numbers in one dataset, texts in the other
  numberOrText: (r, s) => (s > 0 ? pick(r, ["p", "q"]) : Math.floor(r() * 3)),
  // -0 among texts
  zeroText: (r) => (r() < 0.1 ? -0 : pick(r, ["u", "v"])),
};

interface ColumnSpec {
  name: string;
  cell: string;
  missing: number;
  absent: number;
  inReference: boolean;
  inCurrent: boolean;
}

function specs(random: Random, allowObjects: boolean): ColumnSpec[] {
  const kinds = Object.keys(CELLS).filter((k) => allowObjects || k !== "object");
  const count = 2 + Math.floor(random() * 7);
  return Array.from({ length: count }, (_, i) => ({
    name: `c${i}_${pick(random, kinds)}`,
    cell: "",
    missing: random() < 0.4 ? random() * 0.2 : 0,
    absent: random() < 0.15 ? random() * 0.1 : 0,
    inReference: random() > 0.05,
    inCurrent: random() > 0.05,
  })).map((s) => ({ ...s, cell: s.name.slice(s.name.indexOf("_") + 1) }));
}

function table(random: Random, columns: ColumnSpec[], n: number, current: boolean): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const row: Row = {};
    for (const c of columns) {
      if (!(current ? c.inCurrent : c.inReference)) continue;
      if (random() < c.absent) continue;
      row[c.name] = random() < c.missing
        ? missingCell(random)
        : CELLS[c.cell](random, current ? 1 : 0);
    }
    rows.push(row);
  }
  return rows;
}

function randomOptions(random: Random, columns: ColumnSpec[]): DatasetDriftOptions {
  const options: DatasetDriftOptions = {};
  if (random() < 0.2) options.stattest = pick(random, TESTS);
  if (random() < 0.2) options.threshold = pick(random, [0.01, 0.1, 0.3]);
  if (random() < 0.2) options.driftShare = pick(random, [0, 0.3, 0.9]);
  if (random() < 0.2) {
    // a subset of the columns, sometimes one that a dataset lacks (an error on both paths)
    options.columns = columns.filter(() => random() < 0.5).map((c) => c.name);
    if (options.columns.length === 0) options.columns = [columns[0].name];
  }
  if (random() < 0.3) {
    const perColumn: Record<
      string,
      { stattest?: StatTestName; kind?: ColumnKind; threshold?: number }
    > = {};
    for (const c of columns) {
      if (random() < 0.5) continue;
      perColumn[c.name] = {
        stattest: random() < 0.6 ? pick(random, TESTS) : undefined,
        kind: random() < 0.3
          ? pick(random, ["numerical", "categorical"] as ColumnKind[])
          : undefined,
        threshold: random() < 0.3 ? pick(random, [0.05, 0.2]) : undefined,
      };
    }
    options.perColumn = perColumn;
  }
  return options;
}

/** Both results are equal (numbers compared with Object.is), or both throw the same error. */
function same<T>(what: string, fresh: () => T, frozen: () => T): T | undefined {
  let a: T | undefined;
  let b: T | undefined;
  let errA: unknown;
  let errB: unknown;
  try {
    a = fresh();
  } catch (err) {
    errA = err;
  }
  try {
    b = frozen();
  } catch (err) {
    errB = err;
  }
  if (errA || errB) {
    assert.ok(
      errA && errB,
      `${what}: ${errA ? "only the columnar path" : "only the row path"} threw ${errA ?? errB}`,
    );
    assert.equal((errA as Error).constructor, (errB as Error).constructor, `${what}: error class`);
    assert.equal((errA as Error).message, (errB as Error).message, `${what}: error message`);
    return undefined;
  }
  assert.deepStrictEqual(a, b, what);
  assert.equal(JSON.stringify(a), JSON.stringify(b), `${what}: JSON (key order)`);
  return a;
}

function sizes(random: Random): [number, number] {
  const size = () => pick(random, [1, 3, 8, 40, 300, 999, 1000, 1001, 1600, 2500]);
  return [size(), size()];
}

Deno.test("drift report: columnar and row path agree bit for bit on random tables", () => {
  let reports = 0;
  for (let seed = 1; seed <= 90; seed++) {
    const random = seededRandom(seed);
    const columns = specs(random, seed % 4 === 0);
    const [nr, nc] = sizes(random);
    const ref = table(random, columns, nr, false);
    const cur = table(random, columns, nc, true);
    const options = randomOptions(random, columns);
    const what = `seed ${seed} (${nr} × ${nc}, ${columns.map((c) => c.name).join(" ")})`;
    if (
      same(
        `${what} driftReport`,
        () => driftReport(ref, cur, options),
        () => old.driftReport(ref, cur, options),
      )
    ) reports++;
    // the other entry points on a share of the cases (exact KS p-values are not cheap)
    if (seed % 3 === 0) {
      same(
        `${what} datasetDrift`,
        () => datasetDrift(ref, cur, options),
        () => old.datasetDrift(ref, cur, options),
      );
    }
    if (seed % 3 === 1) {
      same(
        `${what} driftFromRows`,
        () => driftFromRows(ref, cur),
        () => old.driftFromRows(ref, cur),
      );
      same(
        `${what} driftFromRows with options`,
        () => driftFromRows(ref, cur, options),
        () => old.driftFromRows(ref, cur, options),
      );
    }
  }
  // most cases must produce a report, or the test would only compare errors
  assert.ok(reports >= 45, `only ${reports} reports`);
});

Deno.test("quality and correlations: columnar and row path agree bit for bit", () => {
  for (let seed = 200; seed < 260; seed++) {
    const random = seededRandom(seed);
    const columns = specs(random, seed % 3 === 0);
    const [nr, nc] = sizes(random);
    const ref = table(random, columns, nr, false);
    const cur = table(random, columns, nc, true);
    const names = columns.map((c) => c.name);
    const what = `seed ${seed}`;
    same(`${what} quality`, () => qualitySummary(ref, cur), () => old.qualitySummary(ref, cur));
    const kinds: Record<string, ColumnKind> = {};
    for (const n of names) {
      if (random() < 0.5) kinds[n] = pick(random, ["numerical", "categorical"]);
    }
    same(
      `${what} quality with kinds`,
      () => qualitySummary(ref, cur, names, kinds),
      () => old.qualitySummary(ref, cur, names, kinds),
    );
    same(
      `${what} correlations`,
      () => correlationMatrices(ref, [...names, "absent"]),
      () => old.correlationMatrices(ref, [...names, "absent"]),
    );
  }
});

Deno.test("column drift and every test on arrays agree with the row path, Float64Arrays too", () => {
  for (let seed = 300; seed < 420; seed++) {
    const random = seededRandom(seed);
    const cell = pick(random, Object.keys(CELLS));
    const [nr, nc] = sizes(random);
    const missing = random() < 0.3 ? 0 : 0.1;
    const gen = (n: number, shift: number) =>
      Array.from(
        { length: n },
        () => (random() < missing ? missingCell(random) : CELLS[cell](random, shift)),
      ) as CellValue[];
    let ref: ArrayLike<CellValue> = gen(nr, 0);
    let cur: ArrayLike<CellValue> = gen(nc, 1);
    if (
      random() < 0.3 && ref.length &&
      typeof (ref as CellValue[]).find((v) => v !== null && v !== undefined) === "number"
    ) {
      ref = Float64Array.from(ref as CellValue[], (v) => (typeof v === "number" ? v : NaN));
      if (random() < 0.5) {
        cur = Float64Array.from(cur as CellValue[], (v) => (typeof v === "number" ? v : NaN));
      }
    }
    const what = `seed ${seed} ${cell} ${nr} × ${nc}`;
    const options: ColumnDriftOptions = random() < 0.5 ? {} : {
      stattest: pick(random, TESTS),
      kind: random() < 0.5 ? undefined : pick(random, ["numerical", "categorical"] as ColumnKind[]),
    };
    same(
      `${what} columnDrift`,
      () => columnDrift("x", ref, cur, options),
      () => old.columnDrift("x", ref, cur, options),
    );
    const nums = (v: ArrayLike<CellValue>) => v as ArrayLike<number | null>;
    same(`${what} ks`, () => ks(nums(ref), nums(cur)), () => old.ks(nums(ref), nums(cur)));
    same(
      `${what} wasserstein`,
      () => wasserstein(nums(ref), nums(cur)),
      () => old.wasserstein(nums(ref), nums(cur)),
    );
    same(`${what} chisquare`, () => chisquare(ref, cur), () => old.chisquare(ref, cur));
    same(`${what} z`, () => zTest(ref, cur), () => old.zTest(ref, cur));
    for (const kind of ["numerical", "categorical"] as ColumnKind[]) {
      same(
        `${what} jensenshannon ${kind}`,
        () => jensenshannon(ref, cur, { kind }),
        () => old.jensenshannon(ref, cur, { kind }),
      );
      same(`${what} psi ${kind}`, () => psi(ref, cur, { kind }), () => old.psi(ref, cur, { kind }));
      same(
        `${what} binnedShares ${kind}`,
        () => binnedShares(ref, cur, kind, true),
        () => old.binnedShares(ref, cur, kind, true),
      );
    }
  }
});

Deno.test("tables of column arrays give the row path's column drift, Float64Arrays included", () => {
  for (let seed = 500; seed < 560; seed++) {
    const random = seededRandom(seed);
    const columns = specs(random, true).filter((c) => c.inReference && c.inCurrent);
    const [nr, nc] = sizes(random);
    const ref = table(random, columns, nr, false);
    const cur = table(random, columns, nc, true);
    const asArrays = (rows: Row[]) => {
      const out: Record<string, ArrayLike<unknown>> = {};
      for (const c of columns) {
        const cells = rows.map((r) => r[c.name]);
        const numbers = cells.every((v) => typeof v === "number" || v === null || v === undefined);
        out[c.name] = numbers && random() < 0.5
          ? Float64Array.from(cells, (v) => (typeof v === "number" ? v : NaN))
          : cells;
      }
      return out;
    };
    const refArrays = asArrays(ref);
    const curArrays = asArrays(cur);
    const options = randomOptions(random, columns);
    delete options.columns;
    const fresh = () => {
      const r = datasetDriftOfTables(
        ColumnarTable.fromColumns(refArrays),
        ColumnarTable.fromColumns(curArrays),
        options,
      );
      return r.columns;
    };
    const frozen = () =>
      columns.map((c) => {
        const o = options.perColumn?.[c.name] ?? {};
        return old.columnDrift(
          c.name,
          refArrays[c.name] as ArrayLike<CellValue>,
          curArrays[c.name] as ArrayLike<CellValue>,
          {
            kind: o.kind,
            stattest: o.stattest ?? options.stattest,
            threshold: o.threshold ?? options.threshold,
          },
        );
      });
    same(`seed ${seed} columns`, fresh, frozen);
  }
});

Deno.test("a table reads each column once into numbers, codes or raw cells", () => {
  const rows = [
    { x: 1.5, m: "a", o: { deep: 1 } },
    { x: null, m: "b", o: 2 },
    { m: "", extra: true },
  ];
  const t = ColumnarTable.fromRows(rows);
  assert.deepEqual(t.names, ["x", "m", "o", "extra"]);
  const x = t.column("x")!;
  assert.equal(x.repr, "numbers");
  assert.ok(x.repr === "numbers" && Number.isNaN(x.values[2]) && x.missing() === 2);
  const m = t.column("m")!;
  assert.ok(m.repr === "codes");
  assert.deepEqual([...m.codes], [0, 1, -1]);
  assert.deepEqual(m.dict, ["a", "b"]);
  assert.equal(t.column("o")!.repr, "cells");
  assert.deepEqual(t.cells("x"), [1.5, null, undefined]);
  assert.equal(columnOf(new Float64Array([1, 2])).repr, "numbers");
});
