/**
 * Tab 1, Real-time Metrics: KPIs, latency percentiles, latency trend, success/failure donut,
 * token and response-length histograms and the last 10 requests.
 *
 * @module
 */

import { useMemo } from "preact/hooks";
import type { HistogramBin } from "../../../lib/metrics/histogram.ts";
import {
  latencyTrendSpec,
  responseLengthHistogramSpec,
  statusSpec,
  tokenHistogramSpec,
  TREND_POINTS,
} from "../../../lib/plots/metrics_charts.ts";
import { CHART_TITLES } from "../../../lib/plots/titles.ts";
import { feedbackTrendSpec, hostedCostSpec } from "../../../lib/plots/usage_charts.ts";
import { ChartCard } from "../components/chart_card.tsx";
import { DataTable, numeric } from "../components/data_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { KpiCard } from "../components/kpi_card.tsx";
import { PlotCard } from "../components/plot_card.tsx";
import { StatusBadge } from "../components/status_badge.tsx";
import { useStore, useTimeZone } from "../context.ts";
import {
  formatDateTime,
  formatInteger,
  formatNumber,
  formatPercent,
  formatSeconds,
  formatUsd,
  timeZoneAbbreviation,
} from "../format.ts";
import { CHART_HELP, KPI_HELP, TAB_PURPOSE } from "../help.ts";
import { useLive } from "../live.ts";
import type { CostSnapshot, FeedbackSnapshot, MetricsSnapshot } from "../types.ts";

// The charts are lib/plots' (the notebooks draw the same); empty data shows the empty text.
const trendChart = (trend: MetricsSnapshot["latency_trend"]) =>
  trend.length ? latencyTrendSpec(trend) : null;
const hasCounts = (bins: readonly HistogramBin[]) => bins.some((b) => b.count > 0);
const tokensChart = (bins: HistogramBin[]) => hasCounts(bins) ? tokenHistogramSpec(bins) : null;
const lengthChart = (bins: HistogramBin[]) =>
  hasCounts(bins) ? responseLengthHistogramSpec(bins) : null;
const statusChart = (m: { succeeded: number; failed: number }) => statusSpec(m.succeeded, m.failed);

const NO_DATA = "No responses yet — send a prompt in Test LLM or start an Auto Stream.";
const NO_FEEDBACK =
  "No feedback yet — use the thumbs on a Response Stream card or under a Test LLM answer.";

const feedbackChart = (d: { feedback: FeedbackSnapshot | undefined; tz: string }) =>
  d.feedback?.trend.length
    ? feedbackTrendSpec(d.feedback.trend, { bucketMs: d.feedback.bucket_ms, timeZone: d.tz })
    : null;
const hostedChart = (cost: CostSnapshot | undefined) =>
  cost && cost.hosted.length && cost.calls > 0 ? hostedCostSpec(cost.total_usd, cost.hosted) : null;

const HOSTED_COLUMNS = ["On", numeric("Total"), numeric("Per 1,000 calls")];
const PER_MODEL_COLUMNS = [
  "Model",
  ...["Calls", "Cost", "Per 1,000 calls", "Feedback", "Thumbs up"].map(numeric),
];
const SOURCE_COLUMNS = [
  "Source",
  ...["Requests", "Success", "Avg latency", "p95 latency", "TTFT p50", "Avg tokens"].map(numeric),
];

/**
 * One KPI per percentile of a distribution ("Latency p50" as `kpi-latency-p50`, …), all with the
 * same help.
 */
function PercentileKpis(
  { name, values, percentiles, help }: {
    name: string;
    values: MetricsSnapshot["latency_s"] | undefined;
    percentiles: readonly ("p50" | "p95" | "p99")[];
    help: string;
  },
) {
  return (
    <>
      {percentiles.map((p) => (
        <KpiCard
          key={p}
          label={`${name} ${p}`}
          value={formatSeconds(values?.[p])}
          help={help}
          testId={`kpi-${name.toLowerCase()}-${p}`}
        />
      ))}
    </>
  );
}

/** Feedback and cost: KPIs, the feedback trend, per-model figures and the hosted comparison. */
function UsageSection({ m, tz }: { m: MetricsSnapshot | null; tz: string }) {
  const feedback = m?.feedback;
  const cost = m?.cost;
  const trendData = useMemo(() => ({ feedback, tz }), [feedback, tz]);
  const models = [
    ...new Set([...Object.keys(cost?.per_model ?? {}), ...Object.keys(feedback?.per_model ?? {})]),
  ].sort();
  return (
    <>
      <h3 class="section-title">Feedback and cost</h3>
      <div class="kpis">
        <KpiCard
          label="Feedback"
          count={feedback?.count ?? 0}
          help={KPI_HELP.feedbackCount}
          testId="kpi-feedback-count"
          sub={feedback && feedback.count > 0
            ? `${formatInteger(feedback.thumbs_up)} up · ${
              formatInteger(feedback.thumbs_down)
            } down${feedback.ratings ? ` · ${formatInteger(feedback.ratings)} ratings` : ""}`
            : undefined}
        />
        <KpiCard
          label="Thumbs up"
          value={formatPercent(feedback?.share_up ?? null)}
          help={KPI_HELP.shareUp}
          testId="kpi-feedback-share-up"
          raw={feedback?.share_up ?? null}
          tone={feedback?.share_up == null
            ? "neutral"
            : feedback.share_up >= 0.8
            ? "ok"
            : feedback.share_up >= 0.5
            ? "close"
            : "drift"}
        />
        <KpiCard
          label="Total cost"
          value={formatUsd(cost?.total_usd ?? 0)}
          help={KPI_HELP.totalCost}
          testId="kpi-cost-total"
          raw={cost?.total_usd ?? 0}
          sub={cost && cost.calls > cost.priced_calls
            ? `${formatInteger(cost.calls - cost.priced_calls)} calls without a price`
            : cost?.price_versions.length
            ? `prices ${cost.price_versions.join(", ")}`
            : undefined}
        />
        <KpiCard
          label="Cost per 1,000 calls"
          value={formatUsd(cost?.per_1k_calls_usd ?? null)}
          help={KPI_HELP.costPer1k}
          testId="kpi-cost-per-1k"
          raw={cost?.per_1k_calls_usd ?? null}
        />
      </div>
      <div class="grid-2">
        <PlotCard
          title={CHART_TITLES.feedbackTrend}
          help={CHART_HELP.feedbackTrend}
          data={trendData}
          spec={feedbackChart}
          label="Share of thumbs up per time bucket"
          testId="chart-feedback-trend"
          empty={NO_FEEDBACK}
        />
        <PlotCard
          title={CHART_TITLES.hostedCost}
          help={CHART_HELP.hostedCost}
          data={cost}
          spec={hostedChart}
          label="Cost of this traffic against its cost on hosted models"
          testId="chart-hosted-cost"
          empty="No priced traffic or no hosted models in the price table."
        >
          {cost && cost.hosted.length > 0
            ? (
              <DataTable
                columns={HOSTED_COLUMNS}
                testId="hosted-cost-table"
                class="compact"
                wrap={false}
              >
                <tr>
                  <td>this traffic</td>
                  <td class="num">{formatUsd(cost.total_usd)}</td>
                  <td class="num">{formatUsd(cost.per_1k_calls_usd)}</td>
                </tr>
                {cost.hosted.map((h) => (
                  <tr key={h.name} data-hosted={h.name}>
                    <td>{h.name}</td>
                    <td class="num">{formatUsd(h.total_usd)}</td>
                    <td class="num">{formatUsd(h.per_1k_calls_usd)}</td>
                  </tr>
                ))}
              </DataTable>
            )
            : null}
        </PlotCard>
        <ChartCard title="Per model" help={CHART_HELP.perModelUsage} class="span-2">
          <DataTable
            columns={PER_MODEL_COLUMNS}
            testId="per-model-usage"
            emptyText={models.length === 0 ? NO_DATA : null}
          >
            {models.map((model) => {
              const c = cost?.per_model[model];
              const f = feedback?.per_model[model];
              return (
                <tr key={model} data-model={model}>
                  <td>{model}</td>
                  <td class="num">{formatInteger(c?.calls ?? 0)}</td>
                  <td class="num">{c?.priced_calls ? formatUsd(c.total_usd) : "—"}</td>
                  <td class="num">{formatUsd(c?.per_1k_calls_usd ?? null)}</td>
                  <td class="num">{formatInteger(f?.count ?? 0)}</td>
                  <td class="num" data-value={f?.share_up ?? undefined}>
                    {formatPercent(f?.share_up ?? null)}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        </ChartCard>
      </div>
    </>
  );
}

/** The Real-time Metrics tab. */
export function MetricsTab() {
  const store = useStore();
  const tz = useTimeZone();
  const m = useLive(store, (s) => s.metrics);
  const empty = !m || m.total === 0;
  const rate = m?.success_rate ?? null;
  const succeeded = m?.succeeded ?? 0;
  const failed = m?.failed ?? 0;
  const statusCounts = useMemo(() => ({ succeeded, failed }), [succeeded, failed]);
  const statusLabel = succeeded + failed
    ? `Status distribution: ${succeeded} successful, ${failed} failed`
    : "Status distribution: no requests yet";
  return (
    <div class="tab-content">
      <p class="purpose">{TAB_PURPOSE.metrics}</p>
      <div class="kpis">
        <KpiCard
          label="Average latency"
          value={formatSeconds(m?.avg_latency_s)}
          help={KPI_HELP.avgLatency}
          testId="kpi-avg-latency"
          raw={m?.avg_latency_s}
        />
        <KpiCard
          label="Average tokens"
          value={formatNumber(m?.avg_tokens, 1)}
          help={KPI_HELP.avgTokens}
          testId="kpi-avg-tokens"
          raw={m?.avg_tokens}
          sub={m?.avg_tokens_per_s != null
            ? `${formatNumber(m.avg_tokens_per_s, 1)} tokens/s`
            : undefined}
        />
        <KpiCard
          label="Success rate"
          value={formatPercent(rate)}
          help={KPI_HELP.successRate}
          testId="kpi-success-rate"
          raw={rate}
          tone={rate === null ? "neutral" : rate >= 0.99 ? "ok" : rate >= 0.9 ? "close" : "drift"}
          sub={m && m.failed > 0 ? `${formatInteger(m.failed)} failed` : undefined}
        />
        <KpiCard
          label="Total requests"
          count={m?.total ?? 0}
          help={KPI_HELP.total}
          testId="kpi-total"
        />
      </div>
      <div class="kpis secondary">
        <PercentileKpis
          name="Latency"
          values={m?.latency_s}
          percentiles={["p50", "p95", "p99"]}
          help={KPI_HELP.percentiles}
        />
        <PercentileKpis
          name="TTFT"
          values={m?.ttft_s}
          percentiles={["p50", "p95"]}
          help={KPI_HELP.ttft}
        />
      </div>
      {empty ? <EmptyState title={NO_DATA} testId="metrics-empty" /> : null}
      {m && Object.keys(m.errors_by_type).length > 0
        ? (
          <p class="error-summary">
            Failures by type:{" "}
            {Object.entries(m.errors_by_type).map(([t, n]) => `${t} ${n}`).join(" · ")}
          </p>
        )
        : null}
      {m && m.window_size < m.total
        ? (
          <p class="muted small">
            Charts and percentiles cover the newest {formatInteger(m.window_size)} responses.
          </p>
        )
        : null}
      <div class="grid-2">
        <PlotCard
          title={CHART_TITLES.latencyTrend}
          help={CHART_HELP.latencyTrend}
          class="span-2"
          data={m?.latency_trend ?? []}
          spec={trendChart}
          label="Latency in seconds by request number"
          testId="chart-latency-trend"
          empty={NO_DATA}
        >
          {m && m.latency_trend.length > TREND_POINTS
            ? (
              <p class="muted small">
                Showing the newest {formatInteger(TREND_POINTS)} requests.
              </p>
            )
            : null}
        </PlotCard>
        <PlotCard
          title={CHART_TITLES.status}
          help={CHART_HELP.status}
          data={statusCounts}
          spec={statusChart}
          label={statusLabel}
          testId="chart-status"
        />
        <PlotCard
          title={CHART_TITLES.tokens}
          help={CHART_HELP.tokens}
          data={m?.token_histogram ?? []}
          spec={tokensChart}
          label="Histogram of completion tokens per response"
          testId="chart-tokens"
          empty={NO_DATA}
        />
        <PlotCard
          title={CHART_TITLES.responseLength}
          help={CHART_HELP.responseLength}
          data={m?.response_length_histogram ?? []}
          spec={lengthChart}
          label="Histogram of response length in characters"
          testId="chart-response-length"
          empty={NO_DATA}
        />
        <ChartCard
          title="By source"
          help="Where the calls come from: the Test LLM tab, Auto Stream, the API, notebooks, applications through the gateway, and OpenTelemetry spans. Counts are over every response; percentiles over the newest ones."
        >
          <DataTable
            columns={SOURCE_COLUMNS}
            testId="source-table"
            emptyText={empty ? NO_DATA : null}
          >
            {Object.entries(m?.per_source ?? {}).map(([source, st]) => (
              <tr key={source} data-source={source}>
                <td>{source}</td>
                <td class="num">{formatInteger(st.total)}</td>
                <td class="num">{formatPercent(st.success_rate)}</td>
                <td class="num">{formatSeconds(st.avg_latency_s)}</td>
                <td class="num">{formatSeconds(st.latency_p95_s)}</td>
                <td class="num">{formatSeconds(st.ttft_p50_s)}</td>
                <td class="num">{formatNumber(st.avg_tokens, 1)}</td>
              </tr>
            ))}
          </DataTable>
        </ChartCard>
        <ChartCard title="Recent requests" help={CHART_HELP.recent}>
          <DataTable
            columns={[
              `Time (${timeZoneAbbreviation(tz)})`,
              "Request ID",
              numeric("Latency"),
              numeric("Tokens"),
              "Status",
            ]}
            testId="recent-table"
            emptyText={empty ? NO_DATA : null}
          >
            {(m?.recent ?? []).slice(0, 10).map((r) => (
              <tr key={r.request_id} data-request-id={r.request_id}>
                <td class="nowrap">{formatDateTime(r.ts_end, tz)}</td>
                <td class="mono" title={r.request_id}>{r.request_id.slice(0, 8)}…</td>
                <td class="num">{formatSeconds(r.latency_s)}</td>
                <td class="num">{formatInteger(r.completion_tokens)}</td>
                <td>
                  <StatusBadge status={r.status} />
                  {r.error_type ? <span class="muted small">{r.error_type}</span> : null}
                </td>
              </tr>
            ))}
          </DataTable>
        </ChartCard>
      </div>
      <UsageSection m={m} tz={tz} />
    </div>
  );
}
