/**
 * Tab 5, Test LLM: send a prompt through the whole pipeline and watch the answer arrive, token
 * by token, then as the final response; quick test prompts; the last 5 interactions.
 *
 * @module
 */

import { useEffect, useState } from "preact/hooks";
import { LIMITS } from "../../../lib/events/limits.ts";
import { api, messageOf } from "../api.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorMessage } from "../components/error_message.tsx";
import { FeedbackButtons } from "../components/feedback_buttons.tsx";
import { SelectField, TextField } from "../components/form_field.tsx";
import { MissingNote } from "../components/missing_note.tsx";
import { StatusBadge } from "../components/status_badge.tsx";
import { useStore, useTimeZone } from "../context.ts";
import { formatInteger, formatSeconds, formatTime, truncate } from "../format.ts";
import { TAB_PURPOSE } from "../help.ts";
import { useLive } from "../live.ts";
import type { ResponseEvent } from "../types.ts";

/** Pre-configured test questions (consistency testing, demos). */
export const QUICK_PROMPTS: readonly string[] = [
  "Explain machine learning in simple terms",
  "What is Apache Kafka used for?",
  "Write a haiku about monitoring",
  "What is data drift and why does it matter?",
  "Give three tips for writing clear prompts",
];

const MAX_HISTORY = 5;

interface Interaction {
  request_id: string;
  prompt: string;
  model: string;
  sent_at: number;
}

/**
 * Checks the form (max tokens from 1 to the events' `LIMITS.maxTokens`, as the server checks);
 * returns the problem to show, or null.
 */
export function validateTestInput(
  prompt: string,
  temperature: number,
  maxTokens: number,
): string | null {
  if (!prompt.trim()) return "Type a prompt first.";
  if (!(temperature >= 0 && temperature <= 2)) {
    return `Temperature must be between 0 and 2, found ${temperature}.`;
  }
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > LIMITS.maxTokens) {
    return `Max tokens must be a whole number from 1 to ${LIMITS.maxTokens}, found ${maxTokens}.`;
  }
  return null;
}

function Answer(
  { interaction, final, partial, noWorker }: {
    interaction: Interaction;
    final: ResponseEvent | undefined;
    partial: string | undefined;
    /** Why no worker will answer (from the health report), or null. */
    noWorker: string | null;
  },
) {
  const state = final ? "final" : partial ? "generating" : "queued";
  // queued with nobody to answer: say so instead of waiting in silence
  const stuck = state === "queued" && noWorker !== null;
  return (
    <section class="card answer-card">
      <div class="answer-head">
        <span>
          Request ID{" "}
          <code class="mono" data-testid="test-request-id">{interaction.request_id}</code>
        </span>
        <span
          class={stuck ? "warn-text small" : "muted small"}
          role="status"
          data-testid="test-status"
          data-stuck={String(stuck)}
        >
          {stuck
            ? `Queued in Kafka, but ${noWorker}.`
            : state === "queued"
            ? "Queued in Kafka — waiting for the worker…"
            : state === "generating"
            ? "Generating…"
            : final!.status === "success"
            ? `Done in ${formatSeconds(final!.latency_ms / 1000)} · ${
              formatInteger(final!.completion_tokens)
            } tokens · ${final!.model}`
            : "Failed"}
        </span>
      </div>
      {final?.status === "error"
        ? (
          <p class="error-text">
            {final.error?.type ?? "error"}: {final.error?.message ?? "the call failed"}
          </p>
        )
        : null}
      <pre
        class={`text-block answer ${state}`}
        data-testid="test-answer"
        data-state={state}
        aria-live="polite"
        aria-busy={state !== "final" && !stuck ? "true" : "false"}
      >{final ? final.response : partial ?? ""}{state === "generating" ? <span class="cursor" aria-hidden="true">▍</span> : null}</pre>
      <FeedbackButtons requestId={interaction.request_id} />
      <p class="muted small">
        The same request appears in Real-time Metrics, Response Stream and MLflow Tracking under
        this request ID.
      </p>
    </section>
  );
}

/** The Test LLM tab. */
export function TestTab() {
  const store = useStore();
  const tz = useTimeZone();
  const tokens = useLive(store, (s) => s.tokens);
  const responses = useLive(store, (s) => s.responses);
  const noWorker = useLive(store, (s) => s.health?.workers_reason ?? null);
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState("");
  const [temperature, setTemperature] = useState("0.7");
  const [maxTokens, setMaxTokens] = useState("256");
  const [prompt, setPrompt] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState<Interaction[]>([]);
  const [finals, setFinals] = useState<Record<string, ResponseEvent>>({});

  useEffect(() => {
    api.models().then((m) => {
      const list = m.models.includes(m.default) || !m.default ? m.models : [m.default, ...m.models];
      setModels(list);
      setModel((cur) => cur || m.default || list[0] || "");
    }).catch((e) => setError(`Could not list the models: ${messageOf(e)}`));
  }, []);

  // keep the final responses of our requests, even after the shared list drops them
  useEffect(() => {
    const ids = new Set(history.map((h) => h.request_id).filter((id) => !finals[id]));
    if (ids.size === 0) return;
    const found: Record<string, ResponseEvent> = {};
    for (const r of responses) if (ids.has(r.request_id)) found[r.request_id] = r;
    if (Object.keys(found).length) setFinals((f) => ({ ...f, ...found }));
  }, [responses, history]);

  const send = async (text: string) => {
    const t = Number(temperature);
    const n = Number(maxTokens);
    const problem = validateTestInput(text, t, n);
    if (problem) {
      setError(problem);
      return;
    }
    setSending(true);
    setError(null);
    try {
      const res = await api.submit({
        prompt: text,
        model: model || undefined,
        temperature: t,
        max_tokens: n,
        source: "test",
      });
      setHistory((h) =>
        [{
          request_id: res.request_id,
          prompt: text,
          model: res.model ?? model,
          sent_at: Date.now(),
        }, ...h]
          .slice(0, MAX_HISTORY)
      );
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setSending(false);
    }
  };

  const current = history[0];
  return (
    <div class="tab-content">
      <p class="purpose">{TAB_PURPOSE.test}</p>
      <MissingNote text={noWorker} testId="test-no-worker" />
      <form
        class="card test-form"
        onSubmit={(e) => {
          e.preventDefault();
          send(prompt);
        }}
      >
        <label class="block">
          Prompt
          <textarea
            rows={4}
            value={prompt}
            data-testid="prompt-input"
            placeholder="Ask anything… (Ctrl+Enter to send)"
            onInput={(e) => setPrompt((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                send(prompt);
              }
            }}
          />
        </label>
        <div class="form-row">
          <SelectField
            label="Model"
            value={model}
            options={models}
            emptyOption="(server default)"
            onValue={setModel}
            testId="model-select"
          />
          <TextField
            label="Temperature"
            type="number"
            min={0}
            max={2}
            step={0.1}
            value={temperature}
            onValue={setTemperature}
            testId="temperature-input"
          />
          <TextField
            label="Max tokens"
            type="number"
            min={1}
            max={LIMITS.maxTokens}
            step={1}
            value={maxTokens}
            onValue={setMaxTokens}
            testId="max-tokens-input"
          />
          <button
            type="submit"
            class="primary"
            disabled={sending || !prompt.trim()}
            data-testid="send-button"
          >
            {sending ? "Sending…" : "Send"}
          </button>
        </div>
        <div class="quick-prompts">
          <span class="muted small">Quick test prompts:</span>
          {QUICK_PROMPTS.map((q) => (
            <button
              key={q}
              type="button"
              class="chip"
              disabled={sending}
              data-testid="quick-prompt"
              onClick={() => {
                setPrompt(q);
                send(q);
              }}
            >
              {q}
            </button>
          ))}
        </div>
        <ErrorMessage message={error} testId="test-error" />
      </form>

      {current
        ? (
          <Answer
            interaction={current}
            final={finals[current.request_id]}
            partial={tokens[current.request_id]}
            noWorker={noWorker}
          />
        )
        : (
          <EmptyState title="No prompt sent yet">
            Type a question or pick a quick test prompt: the answer streams in here as the model
            generates it.
          </EmptyState>
        )}

      <section class="card">
        <h3 class="card-title">Last {MAX_HISTORY} interactions</h3>
        {history.length === 0
          ? <p class="muted">Your interactions in this session are listed here.</p>
          : (
            <ol class="history" data-testid="test-history">
              {history.map((h) => {
                const f = finals[h.request_id];
                return (
                  <li key={h.request_id} data-request-id={h.request_id}>
                    <div class="history-head">
                      <span class="muted small">{formatTime(h.sent_at, tz)}</span>
                      {f ? <StatusBadge status={f.status} /> : <span class="badge">pending</span>}
                      <span class="mono small">{h.request_id.slice(0, 8)}…</span>
                      {f
                        ? <span class="muted small">{formatSeconds(f.latency_ms / 1000)}</span>
                        : null}
                    </div>
                    <p class="history-prompt">{truncate(h.prompt, 200)}</p>
                    <p class="history-answer muted">
                      {f
                        ? truncate(
                          f.status === "error" ? f.error?.message ?? "failed" : f.response,
                          300,
                        )
                        : truncate(tokens[h.request_id] ?? "…", 300)}
                    </p>
                  </li>
                );
              })}
            </ol>
          )}
      </section>
    </div>
  );
}
