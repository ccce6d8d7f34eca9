/**
 * One request-response pair as an expandable card. Prompt and response are untrusted text:
 * they are rendered as text nodes only.
 *
 * @module
 */

import { formatDateTime, formatInteger, formatSeconds, formatUsd, truncate } from "../format.ts";
import type { ResponseEvent } from "../types.ts";
import { FeedbackButtons } from "./feedback_buttons.tsx";
import { StatusBadge } from "./status_badge.tsx";

/** Props of {@linkcode ResponseCard}. */
export interface ResponseCardProps {
  event: ResponseEvent;
  tz: string;
  open?: boolean;
}

/** An expandable card of one response. */
export function ResponseCard({ event: e, tz, open }: ResponseCardProps) {
  return (
    <details
      class={`response-card status-${e.status}`}
      data-testid="response-card"
      data-request-id={e.request_id}
      open={open}
    >
      <summary>
        <span class="rc-time">{formatDateTime(e.ts_end, tz)}</span>
        <StatusBadge status={e.status} />
        <span class="rc-prompt">{truncate(e.prompt, 120)}</span>
        <span class="rc-meta">
          {formatSeconds(e.latency_ms / 1000)} · {formatInteger(e.completion_tokens)} tokens
        </span>
      </summary>
      <div class="rc-body">
        <FeedbackButtons requestId={e.request_id} />
        <h4>Prompt</h4>
        <pre class="text-block" data-testid="response-prompt">{e.prompt}</pre>
        {e.system ? <p class="muted small">System: {e.system}</p> : null}
        <h4>Response</h4>
        {e.status === "error"
          ? (
            <p class="error-text" data-testid="response-error">
              {e.error?.type ?? "error"}: {e.error?.message ?? "the call failed"}
            </p>
          )
          : null}
        <pre class="text-block" data-testid="response-text">{e.response || "(empty response)"}</pre>
        <dl class="meta-grid">
          <div>
            <dt>Latency</dt>
            <dd>{formatSeconds(e.latency_ms / 1000)}</dd>
          </div>
          <div>
            <dt>Time to first token</dt>
            <dd>{e.ttft_ms === null ? "—" : formatSeconds(e.ttft_ms / 1000)}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>
              {formatInteger(e.completion_tokens)}{" "}
              <span class="muted">(prompt {formatInteger(e.prompt_tokens)})</span>
            </dd>
          </div>
          <div>
            <dt>Response length</dt>
            <dd>{formatInteger(e.response_chars)} chars</dd>
          </div>
          <div>
            <dt>Time</dt>
            <dd>{formatDateTime(e.ts_end, tz)}</dd>
          </div>
          <div>
            <dt>Model</dt>
            <dd>{e.model}</dd>
          </div>
          <div>
            <dt>User ID</dt>
            <dd>{e.user_id}</dd>
          </div>
          <div>
            <dt>Source</dt>
            <dd>{e.source}</dd>
          </div>
          {e.tags?.variant
            ? (
              <div>
                <dt>Variant</dt>
                <dd>{e.tags.variant}</dd>
              </div>
            )
            : null}
          {typeof e.cost_usd === "number"
            ? (
              <div>
                <dt>Cost</dt>
                <dd title={e.price_version ? `prices ${e.price_version}` : undefined}>
                  {formatUsd(e.cost_usd)}
                </dd>
              </div>
            )
            : null}
          <div class="wide">
            <dt>Request ID</dt>
            <dd class="mono">{e.request_id}</dd>
          </div>
        </dl>
      </div>
    </details>
  );
}
