/**
 * Tab 3, MLflow Tracking: run summary, latency over time, tokens vs latency, and the runs table
 * (paginated with page tokens, sorted on the server), with links to the MLflow UI. Runs are
 * refetched on the `runs` live hint, at most once every two seconds, and only while the tab is
 * visible.
 *
 * @module
 */

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  latencyOverTimeSpec,
  type RunPoint,
  tokensVsLatencySpec,
} from "../../../lib/plots/runs_charts.ts";
import { CHART_TITLES } from "../../../lib/plots/titles.ts";
import { api, messageOf, type RunsQuery } from "../api.ts";
import { ChartCard } from "../components/chart_card.tsx";
import { DataTable, numeric } from "../components/data_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorMessage } from "../components/error_message.tsx";
import { KpiCard } from "../components/kpi_card.tsx";
import { PlotCard } from "../components/plot_card.tsx";
import { StatusBadge } from "../components/status_badge.tsx";
import { useStore, useTimeZone } from "../context.ts";
import {
  formatDateTime,
  formatInteger,
  formatNumber,
  formatSeconds,
  safeHref,
  timeZoneAbbreviation,
} from "../format.ts";
import { CHART_HELP, TAB_PURPOSE } from "../help.ts";
import { useLive } from "../live.ts";
import type { RunOrderColumn, RunRow, RunsPage } from "../types.ts";

const PAGE_SIZE = 25;
const CHART_RUNS = 200;
const MIN_REFRESH_MS = 2_000;
const NO_RUNS = "No runs to chart yet.";

function runStatus(r: RunRow): "success" | "error" {
  if (r.success !== null) return r.success >= 1 ? "success" : "error";
  return r.status === "FAILED" ? "error" : "success";
}

/** The runs as the run charts of lib/plots read them (runs without a start or latency left out). */
function chartRows(runs: RunRow[] | null): RunPoint[] {
  return (runs ?? []).flatMap((r) =>
    r.start_time === null || r.latency_s === null ? [] : [{
      start_time: r.start_time,
      latency_s: r.latency_s,
      tokens: r.tokens ?? 0,
      response_length: r.response_length ?? 0,
      status: runStatus(r),
      model: r.model,
      run: r.run_name ?? r.run_id,
    }]
  );
}

// The charts are lib/plots' (notebook 03 draws the same); no runs shows the empty text.
const latencyChart = (d: { rows: RunPoint[]; tz: string }) =>
  d.rows.length ? latencyOverTimeSpec(d.rows, { timeZone: d.tz }) : null;
const scatterChart = (rows: RunPoint[]) => rows.length ? tokensVsLatencySpec(rows) : null;

const SORTABLE: { col: RunOrderColumn; label: string }[] = [
  { col: "start_time", label: "Start time" },
  { col: "latency_s", label: "Latency" },
  { col: "tokens", label: "Tokens" },
  { col: "response_length", label: "Response length" },
  { col: "tokens_per_s", label: "Tokens/s" },
];

function SortHeader(
  { col, label, sort, onSort }: {
    col: RunOrderColumn;
    label: string;
    sort: { col: RunOrderColumn; dir: "ASC" | "DESC" };
    onSort: (col: RunOrderColumn) => void;
  },
) {
  const active = sort.col === col;
  const aria = active ? (sort.dir === "ASC" ? "ascending" : "descending") : "none";
  return (
    <th scope="col" aria-sort={aria} class={col === "start_time" ? "" : "num"}>
      <button
        type="button"
        class="sort-button"
        data-testid={`sort-${col}`}
        onClick={() => onSort(col)}
        title={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        <span aria-hidden="true" class="sort-mark">
          {active ? (sort.dir === "ASC" ? " ▲" : " ▼") : " ↕"}
        </span>
      </button>
    </th>
  );
}

/** The MLflow Tracking tab. */
export function MlflowTab({ active }: { active: boolean }) {
  const store = useStore();
  const tz = useTimeZone();
  const runsVersion = useLive(store, (s) => s.runsVersion);
  const health = useLive(store, (s) => s.health);
  const [sort, setSort] = useState<{ col: RunOrderColumn; dir: "ASC" | "DESC" }>({
    col: "start_time",
    dir: "DESC",
  });
  const [page, setPage] = useState<{ token: string | null; prev: (string | null)[] }>({
    token: null,
    prev: [],
  });
  const [data, setData] = useState<RunsPage | null>(null);
  const [chartRuns, setChartRuns] = useState<RunRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  /** The view (sort and page) and runs version last loaded. */
  const loaded = useRef<{ view: string; version: number } | null>(null);
  /** The view the user wants now: late answers for another view are dropped. */
  const wanted = useRef("");
  const chartsVersion = useRef<number | null>(null);
  const lastFetch = useRef(0);

  useEffect(() => {
    const view = JSON.stringify([sort, page.token]);
    wanted.current = view;
    if (!active) return;
    const done = loaded.current;
    if (done && done.view === view && done.version === runsVersion) return;
    // a new view loads at once; a `runs` hint on the same view is throttled
    const wait = done && done.view === view
      ? Math.max(0, lastFetch.current + MIN_REFRESH_MS - Date.now())
      : 0;
    const timer = setTimeout(async () => {
      lastFetch.current = Date.now();
      setLoading(true);
      const query: RunsQuery = {
        maxResults: PAGE_SIZE,
        pageToken: page.token,
        orderBy: sort.col,
        direction: sort.dir,
      };
      const needCharts = chartsVersion.current !== runsVersion;
      try {
        const [pageData, charts] = await Promise.all([
          api.runs(query),
          needCharts
            ? api.runs({ maxResults: CHART_RUNS, orderBy: "start_time", direction: "DESC" })
              .catch(() => null)
            : Promise.resolve(null),
        ]);
        if (charts) {
          setChartRuns(charts.runs);
          chartsVersion.current = runsVersion;
        }
        if (wanted.current !== view) return;
        const latest = loaded.current;
        if (latest && latest.view === view && latest.version > runsVersion) return;
        setData(pageData);
        setError(null);
        loaded.current = { view, version: runsVersion };
      } catch (e) {
        if (wanted.current === view) setError(messageOf(e));
      } finally {
        setLoading(false);
      }
    }, wait);
    return () => clearTimeout(timer);
  }, [active, sort, page.token, runsVersion]);

  const onSort = (col: RunOrderColumn) => {
    setSort((s) => ({ col, dir: s.col === col && s.dir === "DESC" ? "ASC" : "DESC" }));
    setPage({ token: null, prev: [] });
  };
  const next = () => {
    if (!data?.next_page_token) return;
    setPage((p) => ({ token: data.next_page_token, prev: [...p.prev, p.token] }));
  };
  const previous = () => {
    setPage((p) =>
      p.prev.length ? { token: p.prev[p.prev.length - 1], prev: p.prev.slice(0, -1) } : p
    );
  };

  const experimentHref = safeHref(data?.experiment_url ?? health?.mlflow.experiment_url);
  const rows = useMemo(() => chartRows(chartRuns ?? data?.runs ?? null), [chartRuns, data]);
  const timeData = useMemo(() => ({ rows, tz }), [rows, tz]);
  const s = data?.summary;
  const pageNumber = page.prev.length + 1;
  const runs = data?.runs ?? [];

  return (
    <div class="tab-content">
      <p class="purpose">
        {TAB_PURPOSE.mlflow} {experimentHref
          ? (
            <a
              href={experimentHref}
              target="_blank"
              rel="noopener noreferrer"
              data-testid="mlflow-experiment-link"
            >
              Open the experiment in the MLflow UI ↗
            </a>
          )
          : <span class="muted">The MLflow UI link appears once MLflow answers.</span>}
      </p>
      <ErrorMessage message={error} testId="mlflow-error" />
      <div class="kpis">
        <KpiCard
          label="Total runs"
          value={formatInteger(s?.total_runs)}
          testId="mlflow-total-runs"
          help="Every LLM request = one run: historical tracking and usage."
        />
        <KpiCard
          label="Average latency"
          value={formatSeconds(s?.avg_latency_s)}
          testId="mlflow-avg-latency"
          help="Overall system performance: a baseline for comparison and SLA compliance."
        />
        <KpiCard
          label="Average tokens"
          value={formatNumber(s?.avg_tokens, 1)}
          testId="mlflow-avg-tokens"
          help="Typical response length: resource planning."
        />
        <KpiCard
          label="Successful runs"
          value={formatInteger(s?.successful_runs)}
          testId="mlflow-successful-runs"
          help="Reliability metric and quality indicator."
        />
      </div>
      {data && data.summary === null
        ? (
          <p class="muted" data-testid="mlflow-counting">
            Counting the experiment's runs in MLflow; the totals appear when the count is done.
          </p>
        )
        : null}
      {data && data.summary?.total_runs === 0 && runs.length === 0
        ? (
          <EmptyState title="No runs yet" testId="mlflow-empty">
            Every LLM request is logged as one MLflow run by the mlflow-sink consumer. Send a prompt
            in Test LLM or start an Auto Stream, and runs appear here.
          </EmptyState>
        )
        : null}
      {!data && !error ? <p class="muted">Loading runs from MLflow…</p> : null}
      <div class="grid-2">
        <PlotCard
          title={CHART_TITLES.latencyOverTime}
          help={CHART_HELP.mlflowLatency}
          data={timeData}
          spec={latencyChart}
          label="Latency of each run over its start time"
          testId="chart-mlflow-latency"
          empty={NO_RUNS}
        />
        <PlotCard
          title={CHART_TITLES.tokensVsLatency}
          help={CHART_HELP.mlflowScatter}
          data={rows}
          spec={scatterChart}
          label="Latency against tokens per run; colour is status, size is response length"
          testId="chart-mlflow-scatter"
          empty={NO_RUNS}
        />
        <ChartCard title="Experiment runs" help={CHART_HELP.mlflowRuns} class="span-2">
          <div class="toolbar">
            <button
              type="button"
              onClick={previous}
              disabled={page.prev.length === 0 || loading}
              data-testid="runs-prev"
            >
              ← Previous
            </button>
            <span class="muted small" data-testid="runs-page">Page {pageNumber}</span>
            <button
              type="button"
              onClick={next}
              disabled={!data?.next_page_token || loading}
              data-testid="runs-next"
            >
              Next →
            </button>
            {loading ? <span class="muted small" role="status">Loading…</span> : null}
          </div>
          <DataTable
            columns={[
              <SortHeader
                key="start_time"
                col="start_time"
                label={`Start time (${timeZoneAbbreviation(tz)})`}
                sort={sort}
                onSort={onSort}
              />,
              "Run",
              "Model",
              "User",
              "Status",
              ...SORTABLE.slice(1).map((c) => (
                <SortHeader key={c.col} col={c.col} label={c.label} sort={sort} onSort={onSort} />
              )),
              numeric("TTFT"),
            ]}
            testId="runs-table"
            emptyText={data && runs.length === 0 ? "No runs on this page." : null}
          >
            {runs.map((r) => {
              const href = safeHref(r.url);
              const name = r.run_name ?? r.request_id ?? r.run_id;
              return (
                <tr key={r.run_id} data-run-id={r.run_id}>
                  <td class="nowrap">{formatDateTime(r.start_time, tz)}</td>
                  <td class="mono" title={r.request_id ?? r.run_id}>
                    {href
                      ? (
                        <a
                          href={href}
                          target="_blank"
                          rel="noopener noreferrer"
                          data-testid="run-link"
                        >
                          {name.slice(0, 8)}…
                        </a>
                      )
                      : `${name.slice(0, 8)}…`}
                  </td>
                  <td>{r.model ?? "—"}</td>
                  <td>{r.user_id ?? "—"}</td>
                  <td>
                    <StatusBadge status={runStatus(r)} />
                  </td>
                  <td class="num">{formatSeconds(r.latency_s)}</td>
                  <td class="num">{formatInteger(r.tokens)}</td>
                  <td class="num">{formatInteger(r.response_length)}</td>
                  <td class="num">{formatNumber(r.tokens_per_s, 1)}</td>
                  <td class="num">{formatSeconds(r.ttft_s)}</td>
                </tr>
              );
            })}
          </DataTable>
        </ChartCard>
      </div>
    </div>
  );
}
