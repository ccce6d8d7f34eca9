/**
 * Drift: the full auto report (`driftFromRows`: per-column tests chosen as Evidently does,
 * dataset drift, quality summary, correlations) on reference and current rows of the LLM
 * response columns, plus KS and Wasserstein on one numeric column of a larger size, against
 * scipy computing the same tests on the same data in the same run, and against Evidently's
 * DataDriftPreset report on the same data (the frame, and the column as a one-column frame)
 * where Evidently is installed.
 *
 * Sizes: full 100,000 vs 100,000 rows and 1,000,000 vs 1,000,000 values; quick 10,000 rows and
 * 100,000 values. Data are generated from a seeded PRNG, written to files for Python, and the
 * reading of files is not timed on either side. Each side runs the work several times and the
 * median counts. `drift.ratio` is scipy's time over ours (≥ 1: no slower than scipy).
 *
 * @module
 */

import {
  driftFromRows,
  ks,
  LLM_COLUMNS,
  llmColumns,
  toCsv,
  wasserstein,
} from "../lib/drift/mod.ts";
import type { LlmResponseLike } from "../lib/drift/mod.ts";
import { pythonPaths } from "../lib/stack/python_env.ts";
import { type BenchContext } from "./_context.ts";
import { seededRandom } from "./_data.ts";
import { runPythonJson } from "./_python.ts";
import { type Figures } from "./_results.ts";
import { median } from "./_stats.ts";

const WORDS = (
  "kafka stream event broker partition offset consumer producer topic latency model token " +
  "answer question data system message queue the a of to and in is for on with as it by"
).split(" ");
const PROMPTS = [
  "What is Apache Kafka?",
  "Explain consumer groups in two sentences.",
  "Write a haiku about latency.",
  "Summarise the CAP theorem.",
  "¿Qué es un modelo de lenguaje?",
  "List three uses of event streaming.",
  "How do partitions give ordering?",
  "Translate 'hello world' to French.",
];

function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Deterministic response-like events; `shift` moves latency, length and error rate. */
export function driftEvents(n: number, seed: number, shift: number): LlmResponseLike[] {
  const random = seededRandom(seed);
  const events: LlmResponseLike[] = [];
  for (let i = 0; i < n; i++) {
    const ok = random() >= 0.05 + shift * 0.05;
    const words = 3 + Math.floor(random() * (30 + shift * 10));
    const parts: string[] = [];
    for (let w = 0; w < words; w++) parts.push(WORDS[Math.floor(random() * WORDS.length)]);
    const response = ok ? parts.join(" ") + "." : "";
    const latency = Math.exp(6.5 + shift * 0.2 + 0.5 * normal(random));
    const completion = ok ? words + Math.floor(random() * 5) : 0;
    events.push({
      latency_ms: Math.round(latency * 1000) / 1000,
      ttft_ms: Math.round(Math.exp(4 + 0.4 * normal(random)) * 1000) / 1000,
      prompt_tokens: 5 + Math.floor(random() * 20),
      completion_tokens: completion,
      tokens_per_s: ok ? Math.round(completion / (latency / 1000) * 1000) / 1000 : 0,
      response_chars: response.length,
      response,
      prompt: PROMPTS[Math.floor(random() * PROMPTS.length)],
      status: ok ? "success" : "error",
      model: random() < 0.8 - shift * 0.1 ? "smollm2:135m" : "smollm2:360m",
    });
  }
  return events;
}

function normalColumn(n: number, seed: number, mean: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + normal(random);
  return out;
}

const SCRIPT = String.raw`
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

ref_csv, cur_csv, col_ref_bin, col_cur_bin, reps, with_evidently = sys.argv[1:7]
reps = int(reps)
ref = pd.read_csv(ref_csv, keep_default_na=True)
cur = pd.read_csv(cur_csv, keep_default_na=True)
col_ref = np.fromfile(col_ref_bin, dtype="<f8")
col_cur = np.fromfile(col_cur_bin, dtype="<f8")

def column_test(r, c):
    # Evidently's defaults: numeric with more than 5 values: KS (reference <= 1000 rows) or
    # Wasserstein / std; otherwise chi-square, or Jensen-Shannon above 1000 rows.
    r = r.replace([np.inf, -np.inf], np.nan).dropna()
    c = c.replace([np.inf, -np.inf], np.nan).dropna()
    if pd.api.types.is_numeric_dtype(r) and r.nunique() > 5:
        if len(r) <= 1000:
            return stats.ks_2samp(r, c).pvalue
        return stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
    keys = sorted(set(r.unique()) | set(c.unique()), key=str)
    p = r.value_counts(normalize=True).reindex(keys, fill_value=0).to_numpy()
    q = c.value_counts(normalize=True).reindex(keys, fill_value=0).to_numpy()
    if len(r) > 1000:
        return distance.jensenshannon(p, q)
    counts = c.value_counts().reindex(keys, fill_value=0).to_numpy()
    return stats.chisquare(counts, p * counts.sum()).pvalue

def report():
    return [column_test(ref[name], cur[name]) for name in ref.columns]

def column():
    ks = stats.ks_2samp(col_ref, col_cur)
    w = stats.wasserstein_distance(col_ref, col_cur) / np.std(col_ref)
    return ks.pvalue, w

def median_ms(fn):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))

report()  # warm-up
out = {"report_ms": median_ms(report), "column_ms": median_ms(column)}
ks = stats.ks_2samp(col_ref, col_cur)
out["ks_p"] = float(ks.pvalue)
out["ks_d"] = float(ks.statistic)
out["evidently_ms"] = None
out["evidently_reason"] = None
if with_evidently == "1":
    try:
        import evidently
        from evidently import DataDefinition, Dataset, Report
        from evidently.presets import DataDriftPreset
        def evidently_report(ref_frame, cur_frame):
            t0 = time.perf_counter()
            ref_ds = Dataset.from_pandas(ref_frame, data_definition=DataDefinition())
            cur_ds = Dataset.from_pandas(cur_frame, data_definition=DataDefinition())
            snap = Report([DataDriftPreset()]).run(current_data=cur_ds, reference_data=ref_ds)
            snap.dict()
            return (time.perf_counter() - t0) * 1000
        evidently_report(ref.head(1000), cur.head(1000))  # warm-up
        out["evidently_report_ms"] = evidently_report(ref, cur)
        out["evidently_column_ms"] = evidently_report(
            pd.DataFrame({"x": col_ref}), pd.DataFrame({"x": col_cur})
        )
        out["evidently_ms"] = out["evidently_report_ms"] + out["evidently_column_ms"]
        out["evidently_version"] = evidently.__version__
    except Exception as error:  # recorded, never fatal
        out["evidently_reason"] = f"{type(error).__name__}: {error}"
print(json.dumps(out))
`;

async function pythonHas(python: string, modules: string[]): Promise<boolean> {
  const out = await new Deno.Command(python, {
    args: ["-c", `import ${modules.join(", ")}`],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  return out?.success ?? false;
}

/**
 * Makes sure the virtualenv has scipy (and Evidently 0.7 with pandas < 3); installs them with its
 * pip when missing. Returns why Evidently is unavailable, or null.
 */
async function ensurePythonPackages(ctx: BenchContext): Promise<string | null> {
  const paths = pythonPaths(ctx.config);
  if (await pythonHas(paths.python, ["scipy", "pandas", "evidently"])) return null;
  ctx.log("drift: installing scipy, evidently 0.7 and pandas < 3 into the virtualenv");
  const install = await new Deno.Command(paths.pip, {
    args: ["install", "--quiet", "scipy", "evidently==0.7.*", "pandas<3"],
    stdout: "piped",
    stderr: "piped",
  }).output().catch((error) => ({
    success: false,
    stderr: new TextEncoder().encode(String(error)),
  }));
  if (install.success) return null;
  const reason = new TextDecoder().decode(install.stderr).trim().split("\n").slice(-2).join(" ");
  if (!(await pythonHas(paths.python, ["scipy", "pandas"]))) {
    ctx.log("drift: installing scipy and pandas alone");
    await new Deno.Command(paths.pip, {
      args: ["install", "--quiet", "scipy", "pandas"],
      stdout: "null",
      stderr: "null",
    }).output().catch(() => {});
  }
  return `pip could not install evidently: ${reason}`;
}

/** Runs the drift benchmark. */
export async function benchDrift(ctx: BenchContext): Promise<Partial<Figures["drift"]>> {
  const rows = ctx.quick ? 10_000 : 100_000;
  const values = ctx.quick ? 100_000 : 1_000_000;
  const reps = 3;
  ctx.log(
    `drift: generating ${rows.toLocaleString()} + ${rows.toLocaleString()} rows and ${values.toLocaleString()} + ${values.toLocaleString()} values`,
  );
  const refRows = llmColumns(driftEvents(rows, 1, 0));
  const curRows = llmColumns(driftEvents(rows, 2, 1));
  const colRef = normalColumn(values, 3, 0);
  const colCur = normalColumn(values, 4, 0.005);

  // Warm-up on a small slice, so the timed runs measure compiled code as a server would run it.
  driftFromRows(refRows.slice(0, 2_000), curRows.slice(0, 2_000));
  ks(colRef.subarray(0, 20_000), colCur.subarray(0, 20_000));
  wasserstein(colRef.subarray(0, 20_000), colCur.subarray(0, 20_000));

  const reportTimes: number[] = [];
  const columnTimes: number[] = [];
  let report: ReturnType<typeof driftFromRows> | null = null;
  let ksResult: ReturnType<typeof ks> | null = null;
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    report = driftFromRows(refRows, curRows);
    reportTimes.push(performance.now() - t0);
    t0 = performance.now();
    ksResult = ks(colRef, colCur);
    wasserstein(colRef, colCur);
    columnTimes.push(performance.now() - t0);
  }
  const reportMs = median(reportTimes);
  const columnMs = median(columnTimes);
  const ms = reportMs + columnMs;
  ctx.log(
    `drift: ours: report ${reportMs.toFixed(0)} ms (${report!.columns.length} columns, ${
      report!.drifted_columns
    } drifted), KS + Wasserstein ${columnMs.toFixed(0)} ms (KS p ${
      ksResult!.p_value?.toExponential(3)
    })`,
  );

  const figures: Partial<Figures["drift"]> = { ms };
  const python = pythonPaths(ctx.config).python;
  const evidentlyProblem = await ensurePythonPackages(ctx);
  const dir = ctx.tempDir;
  const columns = LLM_COLUMNS as string[];
  await Deno.writeTextFile(`${dir}/drift_ref.csv`, toCsv(refRows, columns));
  await Deno.writeTextFile(`${dir}/drift_cur.csv`, toCsv(curRows, columns));
  await Deno.writeFile(`${dir}/drift_col_ref.f64`, new Uint8Array(colRef.buffer));
  await Deno.writeFile(`${dir}/drift_col_cur.f64`, new Uint8Array(colCur.buffer));
  ctx.log(`drift: scipy${evidentlyProblem ? "" : " and Evidently"} on the same data`);
  const py = await runPythonJson<{
    report_ms: number;
    column_ms: number;
    ks_p: number;
    ks_d: number;
    evidently_ms: number | null;
    evidently_reason: string | null;
    evidently_version?: string;
    evidently_report_ms?: number;
    evidently_column_ms?: number;
  }>(python, dir, "drift_bench.py", SCRIPT, [
    `${dir}/drift_ref.csv`,
    `${dir}/drift_cur.csv`,
    `${dir}/drift_col_ref.f64`,
    `${dir}/drift_col_cur.f64`,
    String(reps),
    evidentlyProblem ? "0" : "1",
  ]);
  const scipyMs = py.report_ms + py.column_ms;
  ctx.log(
    `drift: scipy: column tests ${py.report_ms.toFixed(0)} ms, KS + Wasserstein ${
      py.column_ms.toFixed(0)
    } ms (KS p ${py.ks_p.toExponential(3)}, D ${py.ks_d.toFixed(6)} vs ours ${
      ksResult!.statistic.toFixed(6)
    })`,
  );
  figures.scipy_ms = scipyMs;
  figures.ratio = scipyMs / ms;
  figures.evidently_ms = py.evidently_ms;
  if (py.evidently_ms !== null) {
    ctx.log(
      `drift: Evidently ${py.evidently_version} DataDriftPreset: frame ${
        py.evidently_report_ms!.toFixed(0)
      } ms, column ${py.evidently_column_ms!.toFixed(0)} ms`,
    );
    ctx.note(
      "drift.evidently_ms",
      `Evidently ${py.evidently_version} DataDriftPreset on the same frame (${
        py.evidently_report_ms!.toFixed(0)
      } ms, ${
        (py.evidently_report_ms! / reportMs).toFixed(1)
      }× our report) and on the same column (${py.evidently_column_ms!.toFixed(0)} ms, ${
        (py.evidently_column_ms! / columnMs).toFixed(1)
      }× our KS + Wasserstein), once each`,
    );
  } else {
    ctx.note("drift.evidently_ms", evidentlyProblem ?? py.evidently_reason ?? "unavailable");
  }
  ctx.note(
    "drift",
    `ours: report ${reportMs.toFixed(0)} ms + column ${
      columnMs.toFixed(0)
    } ms; scipy: column tests ${py.report_ms.toFixed(0)} ms + column ${
      py.column_ms.toFixed(0)
    } ms; ratio = scipy_ms / ms; our report also computes quality and correlations, scipy's side only the tests`,
  );
  return figures;
}
