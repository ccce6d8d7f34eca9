/**
 * The demo's story, played on a live dashboard through its HTTP API, with narration:
 *
 * 1. **Baseline:** `general_knowledge.json` through the Auto Streaming job until M answers
 *    are in (M: the drift monitor's current window during the demo); then the newest M responses
 *    are pinned as the drift reference.
 * 2. **Topic shift:** `topic_shift.json` (cooking, gardening, travel) until the Drift tab turns
 *    red: dataset drift, or at the latest the first report whose current window holds only
 *    topic-shift answers (its drifted columns are red); with the alerting API, a drift rule
 *    added for the demo fires.
 * 3. **Outage:** the worker's calls go to an Ollama address where nothing answers, so requests
 *    fail with `connection_refused` on Real-time Metrics; then the healthy worker is back and
 *    answers again.
 * 4. **Summary:** links to the dashboard's tabs, the MLflow experiment and a run, the notebooks.
 *
 * @module
 */

import type { StreamStatus } from "../stream/engine.ts";
import { type DashboardClient, DashboardError, type DriftBody } from "./dashboard_client.ts";
import type { Narrator } from "./narrator.ts";
import { poll } from "./poll.ts";

/** How long and how big the story is. */
export interface DemoSettings {
  fast: boolean;
  /** M: the drift monitor's current window during the demo (the baseline pins M responses). */
  currentSize: number;
  /** `max_tokens` of the demo's requests, or null for each prompt's own (256 by default). */
  maxTokens: number | null;
  /** Seconds between sends of the demo's streams. */
  delayS: number;
  /** Requests awaiting answers at once: the stream keeps pace with the worker. */
  concurrency: number;
  /** Seconds each request may wait for its answer (a slow machine queues calls in Ollama). */
  responseTimeoutS: number;
  /** Topic-shift responses after which the demo stops waiting for red. */
  shiftLimit: number;
  /** Failed calls to see during the outage. */
  outageErrors: number;
  /** Successful calls to see after it. */
  recoverySuccesses: number;
  /** Longest wait of one phase (ms): only so that a stalled model does not keep it forever. */
  phaseTimeoutMs: number;
  /** Period of the progress lines within a phase (ms). */
  progressEveryMs: number;
  /** Longest wait for the demo's alert rule to fire (ms). */
  alertTimeoutMs: number;
}

/**
 * The demo's settings: the full story, or `--fast` (short answers, a small window) for the tests.
 *
 * @example
 * ```ts
 * import { demoSettings } from "./story.ts";
 * demoSettings(true).currentSize; // 30
 * ```
 */
export function demoSettings(fast: boolean): DemoSettings {
  return fast
    ? {
      fast,
      currentSize: 30,
      maxTokens: 32,
      delayS: 0,
      concurrency: 2,
      responseTimeoutS: 900,
      shiftLimit: 120,
      outageErrors: 5,
      recoverySuccesses: 3,
      phaseTimeoutMs: 15 * 60_000,
      progressEveryMs: 10_000,
      alertTimeoutMs: 30_000,
    }
    : {
      fast,
      currentSize: 60,
      maxTokens: null,
      delayS: 0.5,
      concurrency: 2,
      responseTimeoutS: 900,
      shiftLimit: 240,
      outageErrors: 10,
      recoverySuccesses: 5,
      phaseTimeoutMs: 30 * 60_000,
      progressEveryMs: 20_000,
      alertTimeoutMs: 90_000,
    };
}

/** What the story needs from the demo's workers. */
export interface StoryWorkers {
  /** Where the broken worker's calls go (nothing answers there). */
  brokenHost: string;
  /** True when the demo runs the healthy worker itself (so it can stop it for the outage). */
  ownsHealthy: boolean;
  stopHealthy(): Promise<void>;
  startHealthy(): Promise<string>;
  startBroken(): Promise<string>;
  stopBroken(): Promise<void>;
}

/** Everything the story uses. */
export interface StoryContext {
  dashboard: DashboardClient;
  narrator: Narrator;
  workers: StoryWorkers;
  settings: DemoSettings;
}

/** What happened. */
export interface StoryResult {
  /** Columns turned red on the Drift tab during the topic shift. */
  driftRed: boolean;
  /** The whole verdict turned red: dataset drift (at least half of the columns). */
  datasetDrift: boolean;
  /** Columns drifted in the last report of the topic shift. */
  driftedColumns: string[];
  /** The demo's alert rule fired; null without the alerting API. */
  alertFired: boolean | null;
  /** Failed calls during the outage, by error type. */
  outageErrors: Record<string, number>;
  /** Successful calls after the outage. */
  recovered: number;
  links: {
    dashboard: string;
    metrics: string;
    drift: string;
    mlflowExperiment: string | null;
    mlflowRun: string | null;
  };
}

const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;

/** "4 of 15 columns drifted (a, b, c, d); dataset drift: no", or why there is no report. */
export function driftLine(drift: DriftBody): string {
  if (!drift.report) return `no drift report yet: ${drift.reason}`;
  const r = drift.report;
  const drifted = r.columns.filter((c) => c.drifted).map((c) => c.column);
  const share = r.share_of_drifted_columns ?? 0;
  return `${drifted.length} of ${r.columns_total} columns drifted${
    drifted.length ? ` (${drifted.join(", ")})` : ""
  }, ${percent(share)}; dataset drift: ${r.dataset_drift ? "YES — the Drift tab is red" : "no"}${
    drift.provisional ? " (provisional)" : ""
  }`;
}

/**
 * Runs an Auto Stream of `file` on the dashboard until `done` says so (checked every second),
 * then stops it and waits until it has finished. Narrates progress every `progressEveryMs`.
 */
async function streamUntil(
  ctx: StoryContext,
  file: string,
  label: string,
  done: (status: StreamStatus) => boolean | Promise<boolean>,
): Promise<{ status: StreamStatus; done: boolean }> {
  const { dashboard, narrator, settings } = ctx;
  const body = {
    file,
    delay_s: settings.delayS,
    loop: true,
    concurrency: settings.concurrency,
    timeout_s: settings.responseTimeoutS,
    ...(settings.maxTokens ? { max_tokens: settings.maxTokens } : {}),
  };
  try {
    await dashboard.streamStart(body);
  } catch (error) {
    if (error instanceof DashboardError && error.status === 409) {
      throw new Error(
        "an Auto Stream is already running on the dashboard: stop it (Auto Streaming tab) and " +
          "start the demo again",
      );
    }
    throw error;
  }
  let lastProgress = Date.now();
  let status = await dashboard.streamStatus();
  let finished = false;
  try {
    finished = await poll(async () => {
      status = await dashboard.streamStatus();
      if (await done(status)) return true;
      if (Date.now() - lastProgress >= settings.progressEveryMs) {
        lastProgress = Date.now();
        narrator.say(
          `${label}: sent ${status.sent}, answered ${status.succeeded}, failed ${status.failed}, ` +
            `waiting ${status.in_flight}`,
        );
      }
      return false;
    }, { timeoutMs: settings.phaseTimeoutMs, intervalMs: 1_000 });
    if (!finished) {
      narrator.say(
        `${label}: stopped waiting after ${Math.round(settings.phaseTimeoutMs / 60_000)} min ` +
          `with ${status.succeeded} answers: the model answers slowly on this machine`,
      );
    }
  } finally {
    await dashboard.streamStop().catch(() => {});
    await poll(async () => {
      status = await dashboard.streamStatus();
      return status.state !== "running" && status.state !== "stopping";
    }, { timeoutMs: settings.responseTimeoutS * 1000 + 30_000, intervalMs: 500 });
  }
  return { status, done: finished };
}

/** Waits until the drift monitor has consumed `count` responses more than `since`. */
async function driftSeen(ctx: StoryContext, since: number, count: number): Promise<DriftBody> {
  let drift = await ctx.dashboard.drift();
  await poll(async () => {
    drift = await ctx.dashboard.drift();
    return (drift.windows.responses_seen ?? 0) - since >= count;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  return drift;
}

/** Waits until the dashboard's drift monitor has read the whole response topic (lag 0). */
async function caughtUp(ctx: StoryContext): Promise<void> {
  let lag: number | null = null;
  const done = await poll(async () => {
    const health = await ctx.dashboard.health();
    lag = health.consumers.find((c) => c.group.startsWith("drift-monitor"))?.lag ?? null;
    return lag === 0;
  }, { timeoutMs: 180_000, intervalMs: 1_000 });
  if (!done) {
    ctx.narrator.say(`the drift monitor is still reading earlier responses (lag ${lag})`);
  }
}

async function baseline(ctx: StoryContext): Promise<void> {
  const { dashboard, narrator, settings } = ctx;
  const m = settings.currentSize;
  narrator.chapter(`Baseline: ${m} answers to general_knowledge.json`);
  await caughtUp(ctx);
  narrator.say(
    `Real-time Metrics and Response Stream fill up as they arrive: ${dashboard.origin}/#metrics`,
  );
  const before = await dashboard.driftConfig({ current_size: m });
  narrator.say(`the drift monitor's current window is the newest ${m} responses`);
  const { status } = await streamUntil(
    ctx,
    "general_knowledge.json",
    "baseline",
    (s) => s.succeeded >= m,
  );
  await driftSeen(ctx, before.windows.responses_seen ?? 0, status.succeeded + status.failed);
  const pinned = await dashboard.driftConfig({ baseline: "current" });
  narrator.say(
    `${status.succeeded} answers in; pinned the newest ${m} responses as the drift reference ` +
      `(Drift tab: ${dashboard.origin}/#drift)`,
  );
  narrator.say(`drift: ${driftLine(pinned)}`);
}

async function addAlertRule(ctx: StoryContext): Promise<string | null> {
  const { dashboard, narrator } = ctx;
  let available: boolean;
  try {
    available = await dashboard.hasAlerts();
  } catch (error) {
    narrator.say(`alerts: skipped (${(error as Error).message})`);
    return null;
  }
  if (!available) {
    narrator.say("alerts: this dashboard has no alerting API; the Drift tab shows the drift");
    return null;
  }
  const id = `demo-topic-drift-${crypto.randomUUID().slice(0, 6)}`;
  try {
    await dashboard.createAlertRule({
      id,
      name: "Demo: the topic of the prompts shifted",
      kind: "drift",
      condition: "any_column",
      for_s: 0,
      severity: "warning",
    });
    narrator.say(`alerts: added the drift rule ${id} (any column drifts)`);
    return id;
  } catch (error) {
    narrator.say(`alerts: could not add a drift rule (${(error as Error).message}); skipped`);
    return null;
  }
}

async function topicShift(
  ctx: StoryContext,
): Promise<Pick<StoryResult, "driftRed" | "datasetDrift" | "driftedColumns" | "alertFired">> {
  const { dashboard, narrator, settings } = ctx;
  const m = settings.currentSize;
  narrator.chapter("Topic shift: topic_shift.json (cooking, gardening, travel)");
  const ruleId = await addAlertRule(ctx);
  const start = await dashboard.drift();
  const seen0 = start.windows.responses_seen ?? 0;
  let lastReport = start.report ? start.computed_at : null;
  let latest: DriftBody = start;
  let datasetDrift = false;
  let windowFull = false;
  let reportsSinceFull = 0;
  await streamUntil(ctx, "topic_shift.json", "topic shift", async (s) => {
    latest = await dashboard.drift();
    const shiftSeen = (latest.windows.responses_seen ?? 0) - seen0;
    if (latest.report && latest.computed_at !== lastReport) {
      lastReport = latest.computed_at;
      narrator.say(`drift: ${driftLine(latest)}`);
      if (windowFull) reportsSinceFull++;
      if (latest.report.dataset_drift && shiftSeen > 0) datasetDrift = true;
    }
    if (!windowFull && shiftSeen >= m) {
      windowFull = true;
      narrator.say(`the current window now holds only topic-shift answers (${m})`);
    }
    // red (dataset drift), or the first report on a window of topic-shift answers only
    return datasetDrift || reportsSinceFull > 0 || s.succeeded + s.failed >= settings.shiftLimit;
  });
  const drifted = latest.report?.columns.filter((c) => c.drifted).map((c) => c.column) ?? [];
  const red = drifted.length > 0 && (latest.windows.responses_seen ?? 0) > seen0;
  if (datasetDrift) {
    narrator.say(`the Drift tab is red: dataset drift (${dashboard.origin}/#drift)`);
  } else if (red) {
    narrator.say(
      `${drifted.length} columns are red on the Drift tab (${drifted.join(", ")}); dataset ` +
        `drift needs half of the ${latest.report?.columns_total ?? "?"} columns` +
        (settings.maxTokens ? ` (short ${settings.maxTokens}-token answers change less)` : ""),
    );
  } else {
    narrator.say(`no column drifted within ${settings.shiftLimit} topic-shift answers`);
  }
  let alertFired: boolean | null = null;
  if (ruleId) {
    alertFired = await poll(async () => {
      const active = await dashboard.activeAlerts().catch(() => []);
      return active.some((a) => a.rule_id === ruleId && a.state === "firing");
    }, { timeoutMs: settings.alertTimeoutMs, intervalMs: 1_000 });
    narrator.say(
      alertFired
        ? `alerts: ${ruleId} is firing (Alerts on the dashboard)`
        : `alerts: ${ruleId} did not fire within ${settings.alertTimeoutMs / 1000} s`,
    );
    await dashboard.deleteAlertRule(ruleId).catch(() => {});
  }
  return { driftRed: red, datasetDrift, driftedColumns: drifted, alertFired };
}

async function outage(
  ctx: StoryContext,
): Promise<Pick<StoryResult, "outageErrors" | "recovered">> {
  const { dashboard, narrator, workers, settings } = ctx;
  narrator.chapter(
    `Ollama outage: the worker's calls go to ${workers.brokenHost}, where nothing answers`,
  );
  if (workers.ownsHealthy) {
    await workers.stopHealthy();
    narrator.say("the healthy worker stopped");
  } else {
    narrator.say(
      "the running dashboard's workers keep going: a broken worker joins them and takes its share",
    );
  }
  const brokenId = await workers.startBroken();
  narrator.say(`${brokenId} joined the llm-worker group`);
  const before = await dashboard.metrics();
  let errors: Record<string, number> = {};
  let failed = 0;
  try {
    await streamUntil(ctx, "general_knowledge.json", "outage", async () => {
      const now = await dashboard.metrics();
      failed = now.failed - before.failed;
      errors = Object.fromEntries(
        Object.entries(now.errors_by_type)
          .map(([type, n]) => [type, n - (before.errors_by_type[type] ?? 0)])
          .filter(([, n]) => (n as number) > 0),
      );
      return failed >= settings.outageErrors;
    });
  } finally {
    await workers.stopBroken();
  }
  const during = await dashboard.metrics();
  narrator.say(
    `${failed} calls failed (${
      Object.entries(errors).map(([t, n]) => `${t} ${n}`).join(", ") || "none"
    }); success rate ${
      percent(during.success_rate)
    } on Real-time Metrics: ${dashboard.origin}/#metrics`,
  );
  narrator.say(`${brokenId} left the group`);

  narrator.chapter("Recovery: Ollama answers again");
  if (workers.ownsHealthy) {
    const id = await workers.startHealthy();
    narrator.say(`${id} joined the llm-worker group`);
  }
  const start = await dashboard.metrics();
  let recovered = 0;
  await streamUntil(ctx, "general_knowledge.json", "recovery", async () => {
    recovered = (await dashboard.metrics()).succeeded - start.succeeded;
    return recovered >= settings.recoverySuccesses;
  });
  const after = await dashboard.metrics();
  narrator.say(
    `${recovered} calls answered since; success rate ${percent(after.success_rate)} and climbing`,
  );
  return { outageErrors: errors, recovered };
}

async function summary(
  ctx: StoryContext,
  partial: Omit<StoryResult, "links">,
): Promise<StoryResult> {
  const { dashboard, narrator } = ctx;
  narrator.chapter("Summary");
  const origin = dashboard.origin;
  let run: { experiment_url: string | null; run_url: string | null } = {
    experiment_url: null,
    run_url: null,
  };
  try {
    run = await dashboard.newestRun();
  } catch (error) {
    narrator.say(`MLflow: ${(error as Error).message}`);
  }
  const links = {
    dashboard: `${origin}/`,
    metrics: `${origin}/#metrics`,
    drift: `${origin}/#drift`,
    mlflowExperiment: run.experiment_url,
    mlflowRun: run.run_url,
  };
  narrator.say(
    `drift: ${
      partial.datasetDrift
        ? "dataset drift (red verdict)"
        : partial.driftRed
        ? "red columns"
        : "no drift"
    }${partial.driftedColumns.length ? ` (${partial.driftedColumns.join(", ")})` : ""}; alert: ${
      partial.alertFired === null
        ? "no alerting API"
        : partial.alertFired
        ? "fired"
        : "did not fire"
    }; outage: ${
      Object.entries(partial.outageErrors).map(([t, n]) => `${n} ${t}`).join(", ") || "no errors"
    }; recovered: ${partial.recovered} answers`,
  );
  narrator.say(`dashboard:         ${links.dashboard}`);
  narrator.say(`  Real-time Metrics ${links.metrics}`);
  narrator.say(`  Drift Analysis    ${links.drift}`);
  narrator.say(`  Response Stream   ${origin}/#stream · Auto Streaming ${origin}/#auto`);
  narrator.say(`MLflow experiment: ${links.mlflowExperiment ?? "(not known yet)"}`);
  narrator.say(`MLflow run:        ${links.mlflowRun ?? "(not known yet)"}`);
  narrator.say(
    "notebooks:         deno task lab, then notebooks/01_live_metrics.ipynb, " +
      "02_drift_analysis.ipynb, 03_mlflow_experiments.ipynb, 04_load_test.ipynb",
  );
  return { ...partial, links };
}

/**
 * Waits (at most `timeoutMs`) until the worker group has answered every request queued in
 * `llm.requests`, so the demo leaves nothing waiting; says how many are left otherwise.
 */
export async function drainRequests(ctx: StoryContext, timeoutMs: number): Promise<number | null> {
  let lag: number | null = null;
  let said = false;
  await poll(async () => {
    const health = await ctx.dashboard.health();
    lag = health.consumers.find((c) => c.group.startsWith("llm-worker"))?.lag ?? null;
    if (lag !== null && lag > 0 && !said) {
      said = true;
      ctx.narrator.say(`waiting for the worker to answer ${lag} requests still queued`);
    }
    return lag === 0;
  }, { timeoutMs, intervalMs: 1_000 });
  if (lag !== null && lag > 0) {
    ctx.narrator.say(`${lag} requests are still queued in llm.requests; a worker answers them`);
  }
  return lag;
}

/**
 * Plays the story; resolves with what happened. Throws when the dashboard refuses a step (the
 * message says which and why).
 */
export async function runStory(ctx: StoryContext): Promise<StoryResult> {
  await baseline(ctx);
  const shift = await topicShift(ctx);
  const down = await outage(ctx);
  await drainRequests(ctx, ctx.settings.phaseTimeoutMs);
  return await summary(ctx, { ...shift, ...down });
}
