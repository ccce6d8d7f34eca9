/**
 * Tab 4, Drift Analysis: the windows compared (and a form to change them), the dataset drift
 * verdict, per-column tests coloured green / yellow / red, reference-vs-current distributions,
 * drift scores, correlation heat maps and the data-quality table.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, messageOf } from "../api.ts";
import { ChartCard } from "../components/chart_card.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorMessage } from "../components/error_message.tsx";
import { PlotFigure } from "../components/plot_figure.tsx";
import { useStore, useTimeZone } from "../context.ts";
import {
  alertText,
  categoryShares,
  correlationCells,
  correlationMatrix,
  qualityRows,
  sharedHistogram,
  windowSize,
  windowSummaries,
} from "../drift_data.ts";
import { formatDateTime, formatInteger, formatPercent, formatStat, MISSING } from "../format.ts";
import { CHART_HELP, TAB_PURPOSE } from "../help.ts";
import { useLive } from "../live.ts";
import type { DistributionBody, DriftColumn, DriftReportBody } from "../types.ts";
import {
  columnVerdict,
  DRIFT_RATIO_RANGE,
  driftRatio,
  VERDICT_COLORS,
  VERDICT_LABELS,
} from "../../../lib/plots/verdict.ts";

const TEST_NAMES: Record<string, string> = {
  ks: "Kolmogorov–Smirnov (p-value)",
  chisquare: "Chi-square (p-value)",
  z: "Z-test for proportions (p-value)",
  wasserstein: "Wasserstein distance (normed)",
  jensenshannon: "Jensen–Shannon distance",
  psi: "PSI",
};

const SIDE_COLOR = {
  domain: ["reference", "current"],
  range: ["#0969da", "#fb8500"],
  legend: true,
};

function distributionSpec(d: { column: string; body: DistributionBody }): Plot.PlotOptions | null {
  const { body } = d;
  const ref = body.reference ?? [];
  const cur = body.current ?? [];
  const numeric = body.kind === "numerical" &&
    [...ref, ...cur].every((v) => v === null || typeof v === "number");
  if (numeric) {
    const bins = sharedHistogram(ref, cur, 20);
    if (bins.length === 0) return null;
    return {
      height: 200,
      marginLeft: 45,
      x: { label: d.column },
      y: { label: "Share", grid: true, tickFormat: "%" },
      color: SIDE_COLOR,
      marks: [
        // overlaid, not stacked: explicit y1/y2
        Plot.rect(bins, {
          x1: "x0",
          x2: "x1",
          y1: 0,
          y2: "share",
          fill: "side",
          fillOpacity: 0.45,
          inset: 0.5,
          tip: true,
        }),
        Plot.ruleY([0]),
      ],
    };
  }
  const shares = categoryShares(ref, cur, 10);
  if (shares.length === 0) return null;
  return {
    height: 220,
    marginLeft: 45,
    marginBottom: 50,
    fx: { label: null, tickRotate: shares.length > 12 ? -30 : 0 },
    x: { axis: null, domain: ["reference", "current"] },
    y: { label: "Share", grid: true, tickFormat: "%" },
    color: SIDE_COLOR,
    marks: [
      Plot.barY(shares, { fx: "category", x: "side", y: "share", fill: "side", tip: true }),
      Plot.ruleY([0]),
    ],
  };
}

function scoreSpec(columns: DriftColumn[]): Plot.PlotOptions | null {
  const rows = columns.map((c) => ({
    column: c.column,
    stattest: c.stattest,
    score: c.score,
    ratio: driftRatio(c),
    verdict: columnVerdict(c),
  })).filter((r) => r.ratio !== null);
  if (rows.length === 0) return null;
  return {
    height: 50 + 22 * rows.length,
    marginLeft: 190,
    x: {
      type: "log",
      domain: DRIFT_RATIO_RANGE,
      ticks: [1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3],
      tickFormat: (d: number) => String(d),
      label: "Distance from the threshold (log scale; right of 1 = drift)",
      grid: true,
    },
    y: { label: null, domain: rows.map((r) => r.column) },
    color: {
      domain: ["ok", "close", "drift"],
      range: [VERDICT_COLORS.ok, VERDICT_COLORS.close, VERDICT_COLORS.drift],
      tickFormat: (v: "ok" | "close" | "drift") => VERDICT_LABELS[v],
      legend: true,
    },
    marks: [
      Plot.barX(rows, {
        y: "column",
        x1: DRIFT_RATIO_RANGE[0],
        x2: "ratio",
        fill: "verdict",
        tip: true,
        channels: { test: "stattest", score: "score" },
      }),
      Plot.ruleX([1], { stroke: "#1f2328", strokeWidth: 1.5, strokeDasharray: "4 3" }),
    ],
  };
}

function heatmapSpec(
  d: { matrix: ReturnType<typeof correlationMatrix> },
): Plot.PlotOptions | null {
  if (!d.matrix || d.matrix.columns.length === 0) return null;
  const cells = correlationCells(d.matrix);
  const k = d.matrix.columns.length;
  return {
    height: 140 + 26 * k,
    marginLeft: 170,
    marginBottom: 130,
    x: { label: null, tickRotate: -45, domain: d.matrix.columns },
    y: { label: null, domain: d.matrix.columns },
    color: { type: "linear", scheme: "RdBu", domain: [-1, 1], legend: true, label: "correlation" },
    marks: [
      Plot.cell(cells.filter((c) => c.value !== null), {
        x: "x",
        y: "y",
        fill: "value",
        inset: 0.5,
        tip: true,
      }),
      ...(k <= 12
        ? [
          Plot.text(cells, {
            x: "x",
            y: "y",
            text: (c: { value: number | null }) => (c.value === null ? "n/a" : c.value.toFixed(2)),
            fill: (c: { value: number | null }) =>
              c.value !== null && Math.abs(c.value) > 0.6 ? "white" : "#1f2328",
            fontSize: 9,
          }),
        ]
        : []),
    ],
  };
}

function VerdictCell({ column }: { column: DriftColumn }) {
  const v = columnVerdict(column);
  return <span class={`badge verdict-${v}`}>{VERDICT_LABELS[v]}</span>;
}

function WindowsForm(
  { reference, current, onApplied }: {
    reference: number | null;
    current: number | null;
    onApplied: () => void;
  },
) {
  const store = useStore();
  const [ref, setRef] = useState(reference === null ? "" : String(reference));
  const [cur, setCur] = useState(current === null ? "" : String(current));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (reference !== null) setRef(String(reference));
  }, [reference]);
  useEffect(() => {
    if (current !== null) setCur(String(current));
  }, [current]);
  const submit = async (event: Event) => {
    event.preventDefault();
    const body: { reference_size?: number; current_size?: number } = {};
    if (ref.trim()) body.reference_size = Number(ref);
    if (cur.trim()) body.current_size = Number(cur);
    setBusy(true);
    try {
      const drift = await api.driftConfig(body);
      store.update((s) => ({ ...s, drift }));
      setError(null);
      onApplied();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} data-testid="drift-config-form">
      <label>
        Reference window (responses)
        <input
          type="number"
          min={10}
          max={100000}
          step={1}
          value={ref}
          data-testid="drift-reference-size"
          onInput={(e) => setRef((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <label>
        Current window (responses)
        <input
          type="number"
          min={10}
          max={100000}
          step={1}
          value={cur}
          data-testid="drift-current-size"
          onInput={(e) => setCur((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <button type="submit" disabled={busy} data-testid="drift-apply">
        {busy ? "Applying…" : "Apply"}
      </button>
      <ErrorMessage message={error} testId="drift-config-error" />
    </form>
  );
}

function QualityTable({ report }: { report: DriftReportBody }) {
  const rows = qualityRows(report);
  if (rows.length === 0) return <p class="muted">No data-quality summary in this report.</p>;
  const pair = (a: number | null | undefined, b: number | null | undefined, f = formatStat) =>
    `${f(a)} → ${f(b)}`;
  return (
    <div class="table-wrap">
      <table class="data-table" data-testid="quality-table">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Kind</th>
            <th scope="col" class="num">Rows (ref → cur)</th>
            <th scope="col" class="num">Missing</th>
            <th scope="col" class="num">Distinct</th>
            <th scope="col" class="num">Mean / most common</th>
            <th scope="col" class="num">Std</th>
            <th scope="col" class="num">Min … max (current)</th>
            <th scope="col" class="num">Outliers</th>
            <th scope="col">New categories</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((q) => {
            const r = q.reference;
            const c = q.current;
            const missingUp = c.missing_share > r.missing_share;
            return (
              <tr key={q.column}>
                <th scope="row">{q.column}</th>
                <td>{q.kind}</td>
                <td class="num">{pair(r.count, c.count, formatInteger)}</td>
                <td class={`num ${missingUp ? "warn-text" : ""}`}>
                  {formatPercent(r.missing_share)} → {formatPercent(c.missing_share)}
                </td>
                <td class="num">{pair(r.distinct, c.distinct, formatInteger)}</td>
                <td class="num">
                  {q.kind === "numerical"
                    ? pair(r.mean, c.mean)
                    : `${r.most_common ?? MISSING} → ${c.most_common ?? MISSING}`}
                </td>
                <td class="num">{pair(r.std, c.std)}</td>
                <td class="num">
                  {c.min === null ? MISSING : `${formatStat(c.min)} … ${formatStat(c.max)}`}
                </td>
                <td class="num">{pair(r.outliers, c.outliers, formatInteger)}</td>
                <td>{q.new_categories.length ? q.new_categories.map(String).join(", ") : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The Drift Analysis tab. */
export function DriftTab() {
  const store = useStore();
  const tz = useTimeZone();
  const drift = useLive(store, (s) => s.drift);
  const [method, setMethod] = useState<"pearson" | "spearman">("pearson");
  const [applied, setApplied] = useState(false);
  const report = drift?.report ?? null;
  const windows = drift?.windows ?? null;
  const refSize = windowSize(windows, [
    "reference_size",
    "reference.size",
    "referenceSize",
    "reference",
  ]);
  const curSize = windowSize(windows, ["current_size", "current.size", "currentSize", "current"]);
  const summaries = windowSummaries(windows, (ms) => formatDateTime(ms, tz));
  const alerts = drift?.alerts ?? [];
  const distributions = Object.entries(drift?.distributions ?? {});
  const refMatrix = useMemo(
    () => correlationMatrix(report?.correlations?.reference, method),
    [report, method],
  );
  const curMatrix = useMemo(
    () => correlationMatrix(report?.correlations?.current, method),
    [report, method],
  );

  return (
    <div class="tab-content">
      <p class="purpose">
        {TAB_PURPOSE.drift}{" "}
        A model tuned on old patterns may not work on new ones: drift is a trigger to investigate or
        retrain. The newest responses (current window) are compared with the ones before them
        (reference window).
      </p>
      <section class="card">
        <h3 class="card-title">Windows</h3>
        {summaries.length
          ? (
            <table class="data-table" data-testid="drift-windows">
              <thead>
                <tr>
                  <th scope="col">Window</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Rows</th>
                  <th scope="col">From – to</th>
                </tr>
              </thead>
              <tbody>
                {summaries.map((w) => (
                  <tr key={w.name}>
                    <th scope="row">{w.name}</th>
                    <td>
                      {w.rule}
                      {w.note ? <div class="muted small">{w.note}</div> : null}
                    </td>
                    <td>{w.rows}</td>
                    <td>{w.range}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
          : <p class="muted">The drift monitor has not reported its windows yet.</p>}
        <WindowsForm reference={refSize} current={curSize} onApplied={() => setApplied(true)} />
        {applied ? <p class="muted small" role="status">New window sizes applied.</p> : null}
        {drift
          ? (
            <p class="muted small">
              {typeof drift.responses_seen === "number"
                ? `${formatInteger(drift.responses_seen)} responses seen. `
                : ""}
              {drift.computed_at ? `Computed ${formatDateTime(drift.computed_at, tz)}.` : ""}
            </p>
          )
          : null}
      </section>

      {alerts.length > 0
        ? (
          <section class="card alerts" data-testid="drift-alerts">
            <h3 class="card-title">Alerts</h3>
            <ul>
              {alerts.slice(-10).reverse().map((a, i) => (
                <li key={i}>{alertText(a, (ms) => formatDateTime(ms, tz))}</li>
              ))}
            </ul>
          </section>
        )
        : null}

      {!drift ? <EmptyState title="Loading the drift report…" /> : null}
      {drift && !report
        ? (
          <EmptyState title="No drift report yet" testId="drift-empty">
            {drift.reason ||
              "The drift monitor needs enough responses to fill both windows. Start an Auto Stream to collect them."}
          </EmptyState>
        )
        : null}

      {report
        ? (
          <>
            <section
              class={`verdict-banner ${report.dataset_drift ? "verdict-drift" : "verdict-ok"}`}
              data-testid="drift-verdict"
              data-drift={String(report.dataset_drift)}
              role="status"
            >
              <strong>
                {report.dataset_drift ? "Dataset drift detected" : "No dataset drift"}
              </strong>
              : {report.drifted_columns} of {report.columns_total} columns drifted (
              {formatPercent(report.share_of_drifted_columns)}; dataset drift at ≥{" "}
              {formatPercent(report.drift_share, 0)}). Reference{" "}
              {formatInteger(report.reference_rows)} rows, current{" "}
              {formatInteger(report.current_rows)} rows.
              <p class="help">{CHART_HELP.driftVerdict}</p>
            </section>

            <div class="grid-2">
              <ChartCard title="Column drift" help={CHART_HELP.driftColumns} class="span-2">
                <div class="table-wrap">
                  <table class="data-table" data-testid="drift-table">
                    <thead>
                      <tr>
                        <th scope="col">Column</th>
                        <th scope="col">Kind</th>
                        <th scope="col">Test</th>
                        <th scope="col" class="num">Statistic</th>
                        <th scope="col" class="num">Score</th>
                        <th scope="col" class="num">Threshold</th>
                        <th scope="col">Verdict</th>
                      </tr>
                    </thead>
                    <tbody>
                      {report.columns.map((c) => (
                        <tr
                          key={c.column}
                          data-column={c.column}
                          data-verdict={columnVerdict(c)}
                          class={`row-${columnVerdict(c)}`}
                        >
                          <th scope="row">{c.column}</th>
                          <td>{c.kind}</td>
                          <td title={TEST_NAMES[c.stattest] ?? c.stattest}>{c.stattest}</td>
                          <td class="num">{formatStat(c.statistic)}</td>
                          <td class="num">{formatStat(c.score)}</td>
                          <td class="num">{formatStat(c.threshold)}</td>
                          <td>
                            <VerdictCell column={c} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </ChartCard>
              <ChartCard
                title="Drift score per column"
                help={CHART_HELP.driftScores}
                class="span-2"
              >
                <PlotFigure
                  data={report.columns}
                  spec={scoreSpec}
                  label="Drift score of each column with its threshold"
                  testId="chart-drift-scores"
                />
              </ChartCard>
            </div>

            <ChartCard
              title="Distributions: reference vs current"
              help={CHART_HELP.driftDistributions}
            >
              {distributions.length === 0
                ? <p class="muted">The report carries no per-column values to plot.</p>
                : (
                  <div class="grid-3" data-testid="drift-distributions">
                    {distributions.map(([column, body]) => (
                      <DistributionChart key={column} column={column} body={body} />
                    ))}
                  </div>
                )}
            </ChartCard>

            <ChartCard title="Correlations" help={CHART_HELP.correlations}>
              <label class="toolbar">
                Method{" "}
                <select
                  value={method}
                  data-testid="correlation-method"
                  onChange={(e) =>
                    setMethod(
                      (e.currentTarget as HTMLSelectElement).value as "pearson" | "spearman",
                    )}
                >
                  <option value="pearson">Pearson</option>
                  <option value="spearman">Spearman</option>
                </select>
              </label>
              <div class="grid-2">
                <div>
                  <h4>Reference</h4>
                  <HeatMap matrix={refMatrix} label="reference" />
                </div>
                <div>
                  <h4>Current</h4>
                  <HeatMap matrix={curMatrix} label="current" />
                </div>
              </div>
            </ChartCard>

            <ChartCard title="Data quality" help={CHART_HELP.quality}>
              <QualityTable report={report} />
            </ChartCard>
          </>
        )
        : null}
    </div>
  );
}

function HeatMap(
  { matrix, label }: { matrix: ReturnType<typeof correlationMatrix>; label: string },
) {
  const data = useMemo(() => ({ matrix }), [matrix]);
  return (
    <PlotFigure
      data={data}
      spec={heatmapSpec}
      label={`Correlation matrix of the ${label} window`}
      testId={`chart-correlation-${label}`}
      empty="No numerical columns to correlate."
    />
  );
}

function DistributionChart({ column, body }: { column: string; body: DistributionBody }) {
  const data = useMemo(() => ({ column, body }), [column, body]);
  return (
    <figure class="mini-chart">
      <figcaption>{column}</figcaption>
      <PlotFigure
        data={data}
        spec={distributionSpec}
        label={`Distribution of ${column} in reference and current`}
        testId={`chart-distribution-${column}`}
        empty="No values."
      />
    </figure>
  );
}
