/**
 * Help text of the dashboard, in the words of the presentation guide
 * (seed/llmops_presentation_guide.md): what each tab is for, what each metric means and what to
 * look for in each chart.
 *
 * @module
 */

/** Purpose of each tab. */
export const TAB_PURPOSE = {
  metrics: "Monitor live performance of the LLM as requests are processed.",
  stream: "View complete request-response pairs with full context and metadata.",
  mlflow: "Experiment tracking and historical performance analysis. Every LLM request = one run.",
  drift:
    "Detect changes in data patterns that might indicate issues: a statistical change in data distribution over time.",
  test:
    "Interactive testing interface for the LLM system: every prompt goes through the full monitoring pipeline.",
  auto:
    "Automated load testing and continuous monitoring: send a dataset of prompts at a steady rate.",
  alerts:
    "Tell someone when something goes wrong: rules on latency, errors, drift and pipeline health notify webhooks, Slack, email or Alertmanager once when they fire and once when they resolve.",
} as const;

/** What each KPI is. */
export const KPI_HELP = {
  avgLatency:
    "Time taken to generate a response (in seconds). High latency = poor user experience; helps identify bottlenecks.",
  avgTokens:
    "Number of tokens in responses. Longer responses = more processing time; too short or too long can mean poor quality.",
  successRate:
    "Percentage of successful vs. failed requests: a system reliability indicator (SLA compliance).",
  total: "Total number of requests processed: usage tracking, load monitoring, capacity planning.",
  percentiles:
    "Latency percentiles over the recent window: p95/p99 show the slow tail that averages hide.",
  ttft: "Time to first token: how long a user waits before the answer starts to appear.",
} as const;

/** What to look for in each chart. */
export const CHART_HELP = {
  latencyTrend:
    "Upward trend = performance degradation (needs investigation). Spikes = individual slow requests. Flat line = stable performance ✓. Gradual increase = resource exhaustion.",
  status: "All green = perfect ✓. Any red = investigate failures. Growing red = system issues.",
  tokens:
    "Bell curve = consistent responses ✓. Multiple peaks = different response types. Right skew = verbose responses. Left skew = short responses.",
  responseLength:
    "Character count distribution. Consistent peak = predictable responses. Wide spread = variable quality.",
  recent: "Last 10 requests: quick debugging and recent activity monitoring.",
  mlflowLatency:
    "Upward trend = performance degradation. Cyclic pattern = time-based load variations. Sudden spike = system issue at that time. Downward trend = optimization working ✓.",
  mlflowScatter:
    "Upward trend = more tokens = slower (expected). Horizontal line = token count doesn't affect latency (unusual). Outliers = investigate these requests. Clusters = request types (short/long responses).",
  mlflowRuns:
    "All historical runs with complete details: compare experiments, debug specific requests, audit trail.",
  driftVerdict:
    "Dataset drift: overall distribution changes, several columns changing together (at least half of the columns drift).",
  driftColumns:
    "Column drift: individual feature changes. Green = no drift detected ✓. Yellow = minor drift (monitor). Red = significant drift (investigate).",
  driftDistributions:
    "Distribution comparisons, reference vs. current: look for shifted peaks, wider spreads and new categories.",
  driftScores:
    "Drift score per column against its threshold, on one scale: threshold ÷ p-value for tests (KS, chi-square, z), distance ÷ threshold for distances (Wasserstein, Jensen–Shannon, PSI). Bars past the dashed line at 1 drift.",
  correlations:
    "Correlation changes between features: a pattern that differs between reference and current means the relationship between metrics changed.",
  quality:
    "Data quality issues: missing values increase, outliers appearing, invalid data patterns, new categories.",
} as const;
