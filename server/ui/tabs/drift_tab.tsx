/**
 * Tab 4, Drift Analysis: the windows compared (and a form to change them), the dataset drift
 * verdict, per-column tests coloured green / yellow / red, reference-vs-current distributions,
 * drift scores, correlation heat maps and the data-quality table.
 *
 * @module
 */

import { useEffect, useMemo, useState } from "preact/hooks";
import type { ColumnDistribution } from "../../../lib/drift/tracker.ts";
import { STATTESTS } from "../../../lib/drift/registry.ts";
import type { StatTestName } from "../../../lib/drift/types.ts";
import {
  correlationHeatmapSpec,
  type CorrelationMatrix,
  distributionSpec,
  driftScoresSpec,
  hasDistribution,
} from "../../../lib/plots/drift_charts.ts";
import {
  CHART_TITLES,
  type CorrelationMethod,
  correlationTitle,
} from "../../../lib/plots/titles.ts";
import { columnVerdict, driftRatio, VERDICT_LABELS } from "../../../lib/plots/verdict.ts";
import { api, messageOf } from "../api.ts";
import { Card } from "../components/card.tsx";
import { ChartCard } from "../components/chart_card.tsx";
import { DataTable, numeric } from "../components/data_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorMessage } from "../components/error_message.tsx";
import { TextField } from "../components/form_field.tsx";
import { PlotCard } from "../components/plot_card.tsx";
import { PlotFigure } from "../components/plot_figure.tsx";
import { useStore, useTimeZone } from "../context.ts";
import { alertText, provisionalNote, windowSummaries } from "../drift_data.ts";
import { formatDateTime, formatInteger, formatPercent, formatStat, MISSING } from "../format.ts";
import { CHART_HELP, TAB_PURPOSE } from "../help.ts";
import { useLive } from "../live.ts";
import type { DriftColumnBody, DriftReportBody, JsonSafe } from "../types.ts";

/** The registry's name of a test ("K-S p_value", …), or the name itself for an unknown one. */
function testName(name: string): string {
  return Object.hasOwn(STATTESTS, name) ? STATTESTS[name as StatTestName].displayName : name;
}

// The charts are lib/plots' (notebook 02 draws the same); nothing to draw shows the empty text.
const scoresChart = (columns: DriftColumnBody[]) =>
  columns.some((c) => driftRatio(c) !== null) ? driftScoresSpec(columns) : null;
const distributionChart = (d: { column: string; body: JsonSafe<ColumnDistribution> }) =>
  hasDistribution(d.body.kind, d.body.reference, d.body.current)
    ? distributionSpec(d.column, d.body.kind, d.body.reference, d.body.current)
    : null;
const heatmapChart = (
  d: { matrix: CorrelationMatrix; method: CorrelationMethod; window: "reference" | "current" },
) => d.matrix.columns.length ? correlationHeatmapSpec(d.matrix, d.method, d.window) : null;

const WINDOW_COLUMNS = ["Window", "Rule", "Rows", "From – to"];
const DRIFT_COLUMNS = [
  "Column",
  "Kind",
  "Test",
  numeric("Statistic"),
  numeric("Score"),
  numeric("Threshold"),
  "Verdict",
];
const QUALITY_COLUMNS = [
  "Column",
  "Kind",
  ...[
    "Rows (ref → cur)",
    "Missing",
    "Distinct",
    "Mean / most common",
    "Std",
    "Min … max (current)",
    "Outliers",
  ].map(numeric),
  "New categories",
];

/** The size of one window (`"Reference"` or `"Current"`), in responses. */
function WindowSizeField(
  { window, value, onValue }: {
    window: "Reference" | "Current";
    value: string;
    onValue: (value: string) => void;
  },
) {
  return (
    <TextField
      label={`${window} window (responses)`}
      type="number"
      min={10}
      max={100000}
      step={1}
      value={value}
      onValue={onValue}
      testId={`drift-${window.toLowerCase()}-size`}
    />
  );
}

function VerdictCell({ column }: { column: DriftColumnBody }) {
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
      <WindowSizeField window="Reference" value={ref} onValue={setRef} />
      <WindowSizeField window="Current" value={cur} onValue={setCur} />
      <button type="submit" disabled={busy} data-testid="drift-apply">
        {busy ? "Applying…" : "Apply"}
      </button>
      <ErrorMessage message={error} testId="drift-config-error" />
    </form>
  );
}

/** What the buttons of {@linkcode BaselineButtons} send as `baseline`. */
type BaselineChoice = "bundled" | "current" | null;

function BaselineButtons(
  { pinned, newest, onApplied }: {
    pinned: boolean;
    /** M, the current window's size: how many newest responses a pin takes. */
    newest: number | null;
    onApplied: (text: string) => void;
  },
) {
  const store = useStore();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choose = async (baseline: BaselineChoice) => {
    setBusy(true);
    try {
      const drift = await api.driftConfig({ baseline });
      store.update((s) => ({ ...s, drift }));
      setError(null);
      onApplied(
        baseline === "bundled"
          ? "The bundled baseline is the reference now."
          : baseline === "current"
          ? "The newest responses are the reference now."
          : "The reference is the first responses again.",
      );
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="baseline-choice" data-testid="drift-baseline">
      <div class="form-row">
        <button
          type="button"
          disabled={busy}
          data-testid="drift-baseline-bundled"
          onClick={() => choose("bundled")}
        >
          Use the bundled baseline
        </button>
        <button
          type="button"
          disabled={busy}
          data-testid="drift-baseline-current"
          onClick={() => choose("current")}
        >
          Pin the newest {newest ?? ""} responses as baseline
        </button>
        <button
          type="button"
          disabled={busy || !pinned}
          data-testid="drift-baseline-reset"
          onClick={() => choose(null)}
        >
          Back to the first responses
        </button>
      </div>
      <p class="muted small">
        The bundled baseline holds real answers of the bundled model (smollm2:135m) to
        general_knowledge.json, so new traffic is compared from its first 30 responses on. It has no
        timing columns (latency, time to first token, tokens/s depend on the machine): with it the
        text, token, status and model columns are compared.
      </p>
      <ErrorMessage message={error} testId="drift-baseline-error" />
    </div>
  );
}

function QualityTable({ report }: { report: DriftReportBody }) {
  const rows = report.quality;
  if (rows.length === 0) return <p class="muted">No data-quality summary in this report.</p>;
  const pair = (a: number | null | undefined, b: number | null | undefined, f = formatStat) =>
    `${f(a)} → ${f(b)}`;
  return (
    <DataTable columns={QUALITY_COLUMNS} testId="quality-table">
      {rows.map((q) => {
        const r = q.reference;
        const c = q.current;
        const missingUp = (c.missing_share ?? 0) > (r.missing_share ?? 0);
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
    </DataTable>
  );
}

/** The Drift Analysis tab. */
export function DriftTab() {
  const store = useStore();
  const tz = useTimeZone();
  const drift = useLive(store, (s) => s.drift);
  const [method, setMethod] = useState<CorrelationMethod>("pearson");
  const [applied, setApplied] = useState<string | null>(null);
  const report = drift?.report ?? null;
  const provisional = drift?.report ? provisionalNote(drift) : null;
  const windows = drift?.windows ?? null;
  const refSize = windows?.reference.size ?? null;
  const curSize = windows?.current.size ?? null;
  const summaries = windows ? windowSummaries(windows, (ms) => formatDateTime(ms, tz)) : [];
  const alerts = drift?.alerts ?? [];
  const distributions = Object.entries(drift?.report ? drift.distributions : {});
  const computedAt = drift?.report ? drift.computed_at : null;
  const refMatrix = report?.correlations.reference[method] ?? null;
  const curMatrix = report?.correlations.current[method] ?? null;

  return (
    <div class="tab-content">
      <p class="purpose">
        {TAB_PURPOSE.drift}{" "}
        A model tuned on old patterns may not work on new ones: drift is a trigger to investigate or
        retrain. The newest responses (current window) are compared with the ones before them
        (reference window).
      </p>
      <Card title="Windows">
        {summaries.length
          ? (
            <DataTable columns={WINDOW_COLUMNS} testId="drift-windows" wrap={false}>
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
            </DataTable>
          )
          : <p class="muted">The drift monitor has not reported its windows yet.</p>}
        <WindowsForm
          reference={refSize}
          current={curSize}
          onApplied={() => setApplied("New window sizes applied.")}
        />
        <BaselineButtons
          pinned={windows?.reference.kind === "baseline"}
          newest={curSize}
          onApplied={setApplied}
        />
        {applied ? <p class="muted small" role="status">{applied}</p> : null}
        {windows
          ? (
            <p class="muted small">
              {windows.responses_seen !== null
                ? `${formatInteger(windows.responses_seen)} responses seen. `
                : ""}
              {computedAt ? `Computed ${formatDateTime(computedAt, tz)}.` : ""}
            </p>
          )
          : null}
      </Card>

      {alerts.length > 0
        ? (
          <Card title="Alerts" class="alerts" testId="drift-alerts">
            <ul>
              {alerts.slice(-10).reverse().map((a, i) => (
                <li key={i}>{alertText(a, (ms) => formatDateTime(ms, tz))}</li>
              ))}
            </ul>
          </Card>
        )
        : null}

      {!drift ? <EmptyState title="Loading the drift report…" /> : null}
      {drift && drift.report === null
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
              data-provisional={String(provisional !== null)}
              role="status"
            >
              <strong>
                {report.dataset_drift ? "Dataset drift detected" : "No dataset drift"}
                {provisional ? " (provisional)" : ""}
              </strong>
              : {report.drifted_columns} of {report.columns_total} columns drifted (
              {formatPercent(report.share_of_drifted_columns)}; dataset drift at ≥{" "}
              {formatPercent(report.drift_share, 0)}). Reference{" "}
              {formatInteger(report.reference_rows)} rows, current{" "}
              {formatInteger(report.current_rows)} rows.
              {provisional
                ? <p class="provisional-note" data-testid="drift-provisional">{provisional}</p>
                : null}
              <p class="help">{CHART_HELP.driftVerdict}</p>
            </section>

            <div class="grid-2">
              <ChartCard title="Column drift" help={CHART_HELP.driftColumns} class="span-2">
                <DataTable columns={DRIFT_COLUMNS} testId="drift-table">
                  {report.columns.map((c) => (
                    <tr
                      key={c.column}
                      data-column={c.column}
                      data-verdict={columnVerdict(c)}
                      class={`row-${columnVerdict(c)}`}
                    >
                      <th scope="row">{c.column}</th>
                      <td>{c.kind}</td>
                      <td title={testName(c.stattest)}>{c.stattest}</td>
                      <td class="num">{formatStat(c.statistic)}</td>
                      <td class="num">{formatStat(c.score)}</td>
                      <td class="num">{formatStat(c.threshold)}</td>
                      <td>
                        <VerdictCell column={c} />
                      </td>
                    </tr>
                  ))}
                </DataTable>
              </ChartCard>
              <PlotCard
                title={CHART_TITLES.driftScores}
                help={CHART_HELP.driftScores}
                class="span-2"
                data={report.columns}
                spec={scoresChart}
                label="Drift score of each column with its threshold"
                testId="chart-drift-scores"
              />
            </div>

            <ChartCard title={CHART_TITLES.distributions} help={CHART_HELP.driftDistributions}>
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

            <ChartCard title={CHART_TITLES.correlations} help={CHART_HELP.correlations}>
              <label class="toolbar">
                Method{" "}
                <select
                  value={method}
                  data-testid="correlation-method"
                  onChange={(e) =>
                    setMethod(
                      (e.currentTarget as HTMLSelectElement).value as CorrelationMethod,
                    )}
                >
                  <option value="pearson">Pearson</option>
                  <option value="spearman">Spearman</option>
                </select>
              </label>
              <div class="grid-2">
                <div>
                  <h4>{correlationTitle(method, "reference")}</h4>
                  <HeatMap matrix={refMatrix} method={method} window="reference" />
                </div>
                <div>
                  <h4>{correlationTitle(method, "current")}</h4>
                  <HeatMap matrix={curMatrix} method={method} window="current" />
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

const NO_MATRIX: CorrelationMatrix = { columns: [], values: [] };

function HeatMap(
  { matrix, method, window }: {
    matrix: CorrelationMatrix | null;
    method: CorrelationMethod;
    window: "reference" | "current";
  },
) {
  const data = useMemo(() => ({ matrix: matrix ?? NO_MATRIX, method, window }), [
    matrix,
    method,
    window,
  ]);
  return (
    <PlotFigure
      data={data}
      spec={heatmapChart}
      label={`Correlation matrix of the ${window} window`}
      testId={`chart-correlation-${window}`}
      empty="No numerical columns to correlate."
    />
  );
}

function DistributionChart(
  { column, body }: { column: string; body: JsonSafe<ColumnDistribution> },
) {
  const data = useMemo(() => ({ column, body }), [column, body]);
  return (
    <figure class="mini-chart">
      <figcaption>{column}</figcaption>
      <PlotFigure
        data={data}
        spec={distributionChart}
        label={`Distribution of ${column} in reference and current`}
        testId={`chart-distribution-${column}`}
        empty="No values."
      />
    </figure>
  );
}
