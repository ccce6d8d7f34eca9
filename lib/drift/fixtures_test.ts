import assert from "node:assert/strict";
import { assertClose, decode } from "./_test_utils.ts";
import { chisquare } from "./chisquare.ts";
import { type ColumnOverride, datasetDrift } from "./dataset_drift.ts";
import { jensenshannon } from "./jensenshannon.ts";
import { ks } from "./ks.ts";
import { psi } from "./psi.ts";
import { wasserstein } from "./wasserstein.ts";
import { zTest } from "./two_proportion_z.ts";
import type { CellValue, ColumnKind, Row, StatTestName, StatTestResult } from "./types.ts";

interface StatCase {
  name: string;
  test: StatTestName;
  kind: ColumnKind;
  threshold: number | null;
  alternative: "two-sided" | "less" | "greater" | null;
  /** JSON text of the sample (see make_fixtures.py). */
  reference: string;
  current: string;
  scipy: { statistic: unknown; p_value: unknown; method: "exact" | "asymp" | null };
  evidently: { score: unknown; drifted: boolean; threshold: number } | null;
}

interface FrameCase {
  name: string;
  options: {
    drift_share?: number;
    method?: StatTestName;
    threshold?: number;
    per_column_method?: Record<string, StatTestName>;
    per_column_threshold?: Record<string, number>;
  };
  /** JSON text of the columns (see make_fixtures.py). */
  reference: string;
  current: string;
  evidently: {
    columns: {
      column: string;
      kind: ColumnKind;
      stattest: StatTestName;
      threshold: number;
      score: unknown;
      drifted: boolean;
    }[];
    drifted_columns: number;
    share: number;
    dataset_drift: boolean;
  };
}

const fixture = JSON.parse(
  Deno.readTextFileSync(new URL("./testdata/fixtures.json", import.meta.url)),
) as {
  versions: Record<string, string>;
  stattests: StatCase[];
  datasets: FrameCase[];
};

/** Data arrays are stored as JSON text inside JSON strings. */
function unpack<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Datasets are stored column-wise; rebuilds the rows. */
function toRows(text: string): Row[] {
  const columns = unpack<Record<string, CellValue[]>>(text);
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  return Array.from(
    { length: n },
    (_, i) => Object.fromEntries(names.map((c) => [c, columns[c][i]])),
  );
}

const STAT_REL = 1e-9;
const P_REL = 1e-6;
const P_ABS = 1e-12;

function run(c: StatCase): StatTestResult {
  const ref = Object.freeze(unpack<CellValue[]>(c.reference).map(decode)) as readonly CellValue[];
  const cur = Object.freeze(unpack<CellValue[]>(c.current).map(decode)) as readonly CellValue[];
  const threshold = c.threshold ?? undefined;
  switch (c.test) {
    case "ks":
      return ks(ref as (number | null)[], cur as (number | null)[], {
        threshold,
        alternative: c.alternative ?? undefined,
      });
    case "chisquare":
      return chisquare(ref, cur, { threshold });
    case "z":
      return zTest(ref, cur, { threshold });
    case "wasserstein":
      return wasserstein(ref as (number | null)[], cur as (number | null)[], { threshold });
    case "jensenshannon":
      return jensenshannon(ref, cur, { threshold, kind: c.kind });
    case "psi":
      return psi(ref, cur, { threshold, kind: c.kind });
  }
}

Deno.test("the fixture records the scipy and evidently versions it was generated with", () => {
  assert.match(fixture.versions.scipy, /^\d+\.\d+/);
  assert.match(fixture.versions.evidently, /^\d+\.\d+/);
  assert.ok(fixture.stattests.length >= 50);
});

for (const c of fixture.stattests) {
  Deno.test(`${c.test} matches scipy/evidently: ${c.name}`, () => {
    const r = run(c);
    assert.equal(r.stattest, c.test);
    assertClose(r.statistic, decode(c.scipy.statistic) as number, STAT_REL, 0, "statistic");
    if (c.scipy.p_value !== null) {
      assertClose(r.p_value, decode(c.scipy.p_value) as number, P_REL, P_ABS, "p-value");
    } else {
      assert.equal(r.p_value, null);
    }
    if (c.scipy.method) assert.equal((r as { method?: string }).method, c.scipy.method);
    if (c.evidently) {
      const score = decode(c.evidently.score) as number;
      const tol = r.p_value === null ? STAT_REL : P_REL;
      assertClose(r.score, score, tol, r.p_value === null ? 0 : P_ABS, "score");
      assert.equal(r.threshold, c.evidently.threshold);
      assert.equal(r.drifted, c.evidently.drifted, "verdict");
    }
  });
}

for (const f of fixture.datasets) {
  Deno.test(`dataset drift matches Evidently's DataDriftPreset: ${f.name}`, () => {
    const perColumn: Record<string, ColumnOverride> = {};
    for (const [k, v] of Object.entries(f.options.per_column_method ?? {})) {
      perColumn[k] = { ...perColumn[k], stattest: v };
    }
    for (const [k, v] of Object.entries(f.options.per_column_threshold ?? {})) {
      perColumn[k] = { ...perColumn[k], threshold: v };
    }
    const result = datasetDrift(toRows(f.reference), toRows(f.current), {
      driftShare: f.options.drift_share,
      stattest: f.options.method,
      threshold: f.options.threshold,
      perColumn,
    });
    assert.equal(result.columns_total, f.evidently.columns.length);
    for (const expected of f.evidently.columns) {
      const got = result.columns.find((c) => c.column === expected.column);
      assert.ok(got, `column ${expected.column}`);
      assert.equal(got.kind, expected.kind, `${expected.column} kind`);
      assert.equal(got.stattest, expected.stattest, `${expected.column} stattest`);
      assert.equal(got.threshold, expected.threshold, `${expected.column} threshold`);
      assertClose(
        got.score,
        decode(expected.score) as number,
        P_REL,
        P_ABS,
        `${expected.column} score`,
      );
      assert.equal(got.drifted, expected.drifted, `${expected.column} verdict`);
    }
    assert.equal(result.drifted_columns, f.evidently.drifted_columns);
    assertClose(result.share_of_drifted_columns, f.evidently.share, 1e-12, 0, "share");
    assert.equal(result.dataset_drift, f.evidently.dataset_drift);
  });
}
