/**
 * Tab 2, Response Stream: every request-response pair, newest first, as expandable cards; new
 * responses prepend live (at most 200 kept).
 *
 * @module
 */

import { useState } from "preact/hooks";
import { EmptyState } from "../components/empty_state.tsx";
import { ResponseCard } from "../components/response_card.tsx";
import { useStore, useTimeZone } from "../context.ts";
import { TAB_PURPOSE } from "../help.ts";
import { MAX_RESPONSES, useLive } from "../live.ts";
import type { ResponseEvent } from "../types.ts";

/** The status filter of the Response Stream. */
export type Filter = "all" | "success" | "error";

/** The sources a response can come from, as the filter lists them. */
export const SOURCES = ["test", "stream", "api", "notebook", "gateway", "otlp"] as const;
const SOURCE_LABELS: Record<string, string> = {
  test: "Test LLM tab",
  stream: "Auto Stream / deno task stream",
  api: "POST /api/requests",
  notebook: "notebooks",
  gateway: "gateway (your applications)",
  otlp: "OpenTelemetry (OTLP)",
};

/** True when a response passes the status, source and text filters of the Response Stream. */
export function matches(
  e: ResponseEvent,
  filter: Filter,
  source: string,
  query: string,
): boolean {
  if (filter !== "all" && e.status !== filter) return false;
  if (source !== "all" && e.source !== source) return false;
  if (!query) return true;
  const q = query.toLowerCase();
  return e.prompt.toLowerCase().includes(q) || e.response.toLowerCase().includes(q) ||
    e.request_id.includes(q) || e.user_id.toLowerCase().includes(q) ||
    e.model.toLowerCase().includes(q);
}

/** The Response Stream tab. */
export function StreamTab() {
  const store = useStore();
  const tz = useTimeZone();
  const responses = useLive(store, (s) => s.responses);
  const loaded = useLive(store, (s) => s.responsesLoaded);
  const [filter, setFilter] = useState<Filter>("all");
  const [query, setQuery] = useState("");
  const [source, setSource] = useState("all");
  const shown = responses.filter((e) => matches(e, filter, source, query));
  return (
    <div class="tab-content">
      <p class="purpose">
        {TAB_PURPOSE.stream}{" "}
        Open a card to see the original prompt, the generated answer and its metadata (latency,
        tokens, response length, time, model, user ID, request ID for cross-referencing with MLflow
        and drift).
      </p>
      <div class="toolbar">
        <label>
          Show{" "}
          <select
            value={filter}
            onChange={(e) => setFilter((e.currentTarget as HTMLSelectElement).value as Filter)}
          >
            <option value="all">all responses</option>
            <option value="success">successful only</option>
            <option value="error">failed only</option>
          </select>
        </label>
        <label>
          Source{" "}
          <select
            value={source}
            data-testid="stream-source"
            onChange={(e) => setSource((e.currentTarget as HTMLSelectElement).value)}
          >
            <option value="all">all sources</option>
            {SOURCES.map((s) => <option key={s} value={s}>{SOURCE_LABELS[s]}</option>)}
          </select>
        </label>
        <label>
          Search{" "}
          <input
            type="search"
            value={query}
            placeholder="prompt, answer, id, user…"
            onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <span class="muted small" data-testid="stream-count" aria-live="polite">
          {shown.length === responses.length
            ? `${responses.length} most recent (up to ${MAX_RESPONSES} kept)`
            : `${shown.length} of ${responses.length} shown`}
        </span>
      </div>
      {responses.length === 0
        ? (
          <EmptyState
            title={loaded ? "No responses yet" : "Loading responses…"}
            testId="stream-empty"
          >
            Send a prompt in Test LLM or start an Auto Stream: each answer appears here as soon as
            the worker finishes it.
          </EmptyState>
        )
        : null}
      {responses.length > 0 && shown.length === 0
        ? <EmptyState title="No response matches the filter." />
        : null}
      <div class="response-list" data-testid="response-list">
        {shown.map((e) => <ResponseCard key={e.request_id} event={e} tz={tz} />)}
      </div>
    </div>
  );
}
