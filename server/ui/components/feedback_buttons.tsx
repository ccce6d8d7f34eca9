/**
 * Thumbs up / down for one answer: posts to /api/feedback as this browser's user and shows the
 * thumb the feedback topic reports for it (so another tab of the same browser sees it too).
 * The last click counts; clicking the pressed thumb again sends it again.
 *
 * @module
 */

import { useState } from "preact/hooks";
import { api, messageOf } from "../api.ts";
import { useStore } from "../context.ts";
import { useLive } from "../live.ts";

/** Props of {@linkcode FeedbackButtons}. */
export interface FeedbackButtonsProps {
  requestId: string;
  /** Shorter text (cards); default the full question. */
  compact?: boolean;
}

/** Was this answer helpful? 👍 / 👎 */
export function FeedbackButtons({ requestId, compact }: FeedbackButtonsProps) {
  const store = useStore();
  const userId = useLive(store, (s) => s.userId);
  const recorded = useLive(store, (s) => s.myFeedback[requestId]);
  const [sent, setSent] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // what the topic says wins once it arrives; until then, what this page sent
  const score = recorded?.score ?? sent;
  const give = async (value: 1 | -1) => {
    setBusy(true);
    setError(null);
    try {
      await api.feedback({ request_id: requestId, score: value, user_id: userId });
      setSent(value);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const state = score === 1
    ? "up"
    : score === -1
    ? "down"
    : score === null || score === undefined
    ? "none"
    : "rating";
  return (
    <div class="feedback" data-testid="feedback" data-request-id={requestId} data-state={state}>
      <span class="muted small">{compact ? "Helpful?" : "Was this answer helpful?"}</span>
      <button
        type="button"
        class={`thumb ${score === 1 ? "pressed" : ""}`}
        aria-pressed={score === 1 ? "true" : "false"}
        aria-label="Thumbs up: a good answer"
        title="Thumbs up: a good answer"
        disabled={busy}
        data-testid="thumb-up"
        onClick={() =>
          give(1)}
      >
        👍
      </button>
      <button
        type="button"
        class={`thumb ${score === -1 ? "pressed" : ""}`}
        aria-pressed={score === -1 ? "true" : "false"}
        aria-label="Thumbs down: a poor answer"
        title="Thumbs down: a poor answer"
        disabled={busy}
        data-testid="thumb-down"
        onClick={() =>
          give(-1)}
      >
        👎
      </button>
      <span class="muted small" role="status" data-testid="feedback-status">
        {error ? "" : recorded ? "Recorded" : sent !== null ? "Sent" : ""}
      </span>
      {error
        ? <span class="error-text small" role="alert" data-testid="feedback-error">{error}</span>
        : null}
    </div>
  );
}
