/**
 * Tab 6, Auto Streaming: pick a dataset of prompts, a delay and loop mode, start and stop the
 * stream, and follow its progress live from `stream` events.
 *
 * @module
 */

import { useEffect, useState } from "preact/hooks";
import { LIMITS } from "../../../lib/events/limits.ts";
import { api, messageOf } from "../api.ts";
import { ErrorMessage } from "../components/error_message.tsx";
import { SelectField, TextField } from "../components/form_field.tsx";
import { KpiCard } from "../components/kpi_card.tsx";
import { MissingNote } from "../components/missing_note.tsx";
import { useStore } from "../context.ts";
import { formatDuration, formatInteger, formatNumber, formatPercent } from "../format.ts";
import { TAB_PURPOSE } from "../help.ts";
import { useLive } from "../live.ts";
import type { Dataset, StreamStatus } from "../types.ts";

const STATE_TEXT: Record<StreamStatus["state"], string> = {
  idle: "Idle — choose a dataset and press Start.",
  running: "Streaming…",
  stopping: "Stopping: waiting for requests in flight…",
  finished: "Finished.",
};

/**
 * The progress in [0, 1] of a stream: the engine's own `progress` (completed share of the plan),
 * or null when the stream has no end (loop mode) or no status arrived yet.
 */
export function streamProgress(s: StreamStatus | null): number | null {
  if (!s || s.progress === null || !Number.isFinite(s.progress)) return null;
  return Math.min(1, Math.max(0, s.progress));
}

/** The Auto Streaming tab. */
export function AutoTab() {
  const store = useStore();
  const status = useLive(store, (s) => s.stream);
  // the health report says when no LLM worker consumes the requests: before and while streaming
  const noWorker = useLive(store, (s) => s.health?.workers_reason ?? null);
  const [datasets, setDatasets] = useState<Dataset[]>([]);
  const [file, setFile] = useState("");
  const [delay, setDelay] = useState("3");
  const [loop, setLoop] = useState(false);
  // Empty: each prompt's own setting (or the server's default of 256 tokens).
  const [maxTokens, setMaxTokens] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.datasets().then((d) => {
      setDatasets(d.datasets);
      setFile((cur) =>
        cur || (d.datasets.find((x) => x.name === "quick_test.json") ?? d.datasets[0])?.name || ""
      );
    }).catch((e) => setError(`Could not list the datasets: ${messageOf(e)}`));
  }, []);

  const running = status?.state === "running" || status?.state === "stopping";
  const act = async (what: "start" | "stop") => {
    setBusy(true);
    setError(null);
    try {
      const next = what === "start"
        ? await api.streamStart({
          file,
          delay_s: Number(delay),
          loop,
          ...(maxTokens.trim() ? { max_tokens: Number(maxTokens) } : {}),
        })
        : await api.streamStop();
      store.update((s) => ({ ...s, stream: next }));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const delayNumber = Number(delay);
  const delayOk = delay.trim() !== "" && delayNumber >= 0 && delayNumber <= 3600;
  const progress = streamProgress(status);
  const byType = Object.entries(status?.failed_by_type ?? {});

  return (
    <div class="tab-content">
      <p class="purpose">
        {TAB_PURPOSE.auto}{" "}
        Use it for load testing, continuous monitoring and demos: watch the other tabs update while
        it runs.
      </p>
      <MissingNote text={noWorker} testId="stream-no-worker" />
      <form
        class="card stream-form"
        onSubmit={(e) => {
          e.preventDefault();
          act("start");
        }}
      >
        <div class="form-row">
          <SelectField
            label="Dataset"
            value={file}
            options={datasets.map((d) => ({
              value: d.name,
              label: d.count === null ? d.name : `${d.name} (${d.count} prompts)`,
            }))}
            emptyOption="(no datasets)"
            onValue={setFile}
            testId="stream-file"
            disabled={running}
          />
          <TextField
            label="Delay between requests (s)"
            type="number"
            min={0}
            max={3600}
            step={0.5}
            value={delay}
            onValue={setDelay}
            testId="stream-delay"
            disabled={running}
          />
          <TextField
            label="Max tokens per answer"
            type="number"
            min={1}
            max={LIMITS.maxTokens}
            step={1}
            placeholder="per prompt"
            value={maxTokens}
            onValue={setMaxTokens}
            testId="stream-max-tokens"
            disabled={running}
          />
          <label class="checkbox">
            <input
              type="checkbox"
              checked={loop}
              data-testid="stream-loop"
              disabled={running}
              onChange={(e) => setLoop((e.currentTarget as HTMLInputElement).checked)}
            />
            Loop (continuous testing)
          </label>
          <button
            type="submit"
            class="primary"
            disabled={busy || running || !file || !delayOk}
            data-testid="stream-start"
          >
            Start
          </button>
          <button
            type="button"
            disabled={busy || status?.state !== "running"}
            data-testid="stream-stop"
            onClick={() => act("stop")}
          >
            Stop
          </button>
        </div>
        {!delayOk ? <p class="error-text small">The delay must be between 0 and 3600 s.</p> : null}
        <ErrorMessage message={error} testId="stream-error" />
      </form>

      <section class="card" aria-label="Stream progress">
        <p class="stream-state" data-testid="stream-state" data-state={status?.state ?? "unknown"}>
          {status ? STATE_TEXT[status.state] ?? status.state : "Waiting for the stream status…"}
          {status?.file ? <span class="muted">{` (${status.file})`}</span> : null}
        </p>
        <div class="kpis">
          <KpiCard
            label="Total sent"
            count={status?.sent ?? 0}
            testId="stream-sent"
            sub={status?.total_planned
              ? `of ${formatInteger(status.total_planned)} planned`
              : undefined}
          />
          <KpiCard
            label="Succeeded"
            count={status?.succeeded ?? 0}
            testId="stream-succeeded"
            tone="ok"
          />
          <KpiCard
            label="Failed"
            count={status?.failed ?? 0}
            testId="stream-failed"
            tone={(status?.failed ?? 0) > 0 ? "drift" : "neutral"}
          />
          <KpiCard
            label="In flight"
            value={formatInteger(status?.in_flight ?? 0)}
            testId="stream-in-flight"
          />
        </div>
        <label class="block progress-label">
          Progress{" "}
          {progress === null ? (running ? "(loop mode: no end)" : "") : formatPercent(progress, 0)}
          <progress
            key={progress === null && running ? "indeterminate" : "determinate"}
            data-testid="stream-progress"
            max={1}
            value={progress === null ? (running ? undefined : 0) : progress}
          />
        </label>
        <p class="muted small">
          Elapsed {formatDuration(status?.elapsed_s)} · rate{" "}
          {status ? `${formatNumber(status.rate_per_s, 2)} requests/s` : "—"}
        </p>
        {byType.length
          ? (
            <p class="error-summary">
              Failures by type: {byType.map(([t, n]) => `${t} ${n}`).join(" · ")}
            </p>
          )
          : null}
      </section>
    </div>
  );
}
