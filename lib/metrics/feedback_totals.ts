/**
 * Live aggregates of user feedback (`llm.feedback.v1`): the last feedback per (request id, user
 * id) counts, as the contract says; the KPIs are the number of feedbacks counted, the share that
 * is favourable (a thumb up, or a rating of at least 0.5) overall and per model, and a trend of
 * that share over time. Memory is bounded: the newest `capacity` (request, user) pairs are kept.
 * Free of `Deno.*`.
 *
 * @module
 */

import type { FeedbackEvent } from "../events/feedback.ts";
import { feedbackKind, isThumbUp } from "../events/feedback_score.ts";

/** The feedback kept for one (request id, user id): the last one given. */
export type FeedbackRecord = Pick<FeedbackEvent, "request_id" | "user_id" | "score" | "ts"> & {
  comment?: string;
};

/** Favourable share of the feedback of one group. */
export interface FeedbackGroup {
  /** Feedbacks counted (each user's last on each request). */
  count: number;
  /** Thumbs up and ratings ≥ 0.5. */
  up: number;
  /** up / count, or null without feedback. */
  share_up: number | null;
}

/** One time bucket of the feedback trend. */
export interface FeedbackTrendPoint {
  /** Start of the bucket, epoch ms. */
  t: number;
  count: number;
  up: number;
  share_up: number;
}

/** Everything the dashboard shows about feedback. */
export interface FeedbackSnapshot extends FeedbackGroup {
  /** Requests with at least one feedback. */
  requests: number;
  /** Thumbs up (score 1), thumbs down (-1) and ratings (scores in [0, 1) or 0) counted. */
  thumbs_up: number;
  thumbs_down: number;
  ratings: number;
  /** Mean of the ratings, or null without any. */
  mean_rating: number | null;
  /** By the model of the request ("unknown" when the request is not in the index). */
  per_model: Record<string, FeedbackGroup>;
  /** Favourable share per time bucket (by the time the feedback was given), oldest first. */
  trend: FeedbackTrendPoint[];
  /** Width of a trend bucket, ms. */
  bucket_ms: number;
}

/** Default (request, user) pairs kept. */
export const FEEDBACK_CAPACITY = 100_000;

/** Widths a trend bucket may take, ms: 1 min, 5 min, 15 min, 1 h, 6 h, 1 day, 1 week. */
export const TREND_BUCKETS_MS: readonly number[] = Object.freeze([
  60_000,
  300_000,
  900_000,
  3_600_000,
  21_600_000,
  86_400_000,
  604_800_000,
]);
/** Most buckets in a trend (the bucket width grows with the time span to stay under it). */
export const TREND_MAX_BUCKETS = 60;

/**
 * The narrowest bucket width of {@linkcode TREND_BUCKETS_MS} that covers `spanMs` in at most
 * {@linkcode TREND_MAX_BUCKETS} buckets (the widest for longer spans).
 *
 * @example
 * ```ts
 * trendBucketMs(30 * 60_000); // 60000
 * trendBucketMs(2 * 86_400_000); // 3600000
 * ```
 */
export function trendBucketMs(spanMs: number): number {
  for (const width of TREND_BUCKETS_MS) {
    if (spanMs / width < TREND_MAX_BUCKETS) return width;
  }
  return TREND_BUCKETS_MS[TREND_BUCKETS_MS.length - 1];
}

const keyOf = (requestId: string, userId: string) => `${requestId}\u0000${userId}`;

/**
 * The last feedback per (request id, user id), and the KPIs over them. `add` is O(1);
 * `snapshot` and `latestOfUser` are O(n) over the pairs kept.
 *
 * @example
 * ```ts
 * const totals = new FeedbackTotals();
 * totals.add({ schema: "llm.feedback.v1", request_id: id, user_id: "ada", score: -1, ts: 1 });
 * totals.add({ schema: "llm.feedback.v1", request_id: id, user_id: "ada", score: 1, ts: 2 });
 * totals.snapshot(() => "smollm2:135m").share_up; // 1: the last feedback counts
 * ```
 */
export class FeedbackTotals {
  readonly #capacity: number;
  readonly #records = new Map<string, FeedbackRecord>();
  #version = 0;

  constructor(capacity: number = FEEDBACK_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Expected a capacity that is an integer ≥ 1, found ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** (request, user) pairs kept. */
  get size(): number {
    return this.#records.size;
  }

  /** Increases with every change. */
  get version(): number {
    return this.#version;
  }

  /**
   * Records a feedback. It replaces the user's earlier feedback on the request unless that one
   * was given later (`ts`): a replayed or late-delivered older feedback does not win. Returns
   * true when the counted feedback changed.
   */
  add(event: FeedbackEvent | FeedbackRecord): boolean {
    const key = keyOf(event.request_id, event.user_id);
    const known = this.#records.get(key);
    if (known && known.ts > event.ts) return false;
    if (
      known && known.ts === event.ts && known.score === event.score &&
      known.comment === event.comment
    ) return false;
    if (known) this.#records.delete(key);
    this.#records.set(key, {
      request_id: event.request_id,
      user_id: event.user_id,
      score: event.score,
      ts: event.ts,
      ...(event.comment ? { comment: event.comment } : {}),
    });
    if (this.#records.size > this.#capacity) {
      this.#records.delete(this.#records.keys().next().value!);
    }
    this.#version++;
    return true;
  }

  /** The counted feedbacks (each user's last on each request), in no particular order. */
  records(): IterableIterator<FeedbackRecord> {
    return this.#records.values();
  }

  /** A user's counted feedbacks, newest first, at most `limit`. */
  latestOfUser(userId: string, limit: number): FeedbackRecord[] {
    const mine: FeedbackRecord[] = [];
    for (const r of this.#records.values()) if (r.user_id === userId) mine.push(r);
    return mine.sort((a, b) => b.ts - a.ts).slice(0, Math.max(0, limit));
  }

  /** The KPIs; `modelOf` names the model of a request (null when unknown). */
  snapshot(modelOf: (requestId: string) => string | null | undefined): FeedbackSnapshot {
    let up = 0;
    let thumbsUp = 0;
    let thumbsDown = 0;
    let ratings = 0;
    let ratingSum = 0;
    let first = Infinity;
    let last = -Infinity;
    const requests = new Set<string>();
    const perModel = new Map<string, { count: number; up: number }>();
    for (const r of this.#records.values()) {
      const favourable = isThumbUp(r.score);
      if (favourable) up++;
      const kind = feedbackKind(r.score);
      if (kind === "up") thumbsUp++;
      else if (kind === "down") thumbsDown++;
      else {
        ratings++;
        ratingSum += r.score;
      }
      requests.add(r.request_id);
      const model = modelOf(r.request_id) ?? "unknown";
      const group = perModel.get(model) ?? { count: 0, up: 0 };
      group.count++;
      if (favourable) group.up++;
      perModel.set(model, group);
      first = Math.min(first, r.ts);
      last = Math.max(last, r.ts);
    }
    const count = this.#records.size;
    const bucketMs = count ? trendBucketMs(last - first) : TREND_BUCKETS_MS[0];
    const buckets = new Map<number, { count: number; up: number }>();
    for (const r of this.#records.values()) {
      const t = Math.floor(r.ts / bucketMs) * bucketMs;
      const b = buckets.get(t) ?? { count: 0, up: 0 };
      b.count++;
      if (isThumbUp(r.score)) b.up++;
      buckets.set(t, b);
    }
    const per_model: Record<string, FeedbackGroup> = {};
    for (const [model, g] of [...perModel].sort(([a], [b]) => a.localeCompare(b))) {
      per_model[model] = { count: g.count, up: g.up, share_up: g.up / g.count };
    }
    return {
      count,
      up,
      share_up: count ? up / count : null,
      requests: requests.size,
      thumbs_up: thumbsUp,
      thumbs_down: thumbsDown,
      ratings,
      mean_rating: ratings ? ratingSum / ratings : null,
      per_model,
      trend: [...buckets].sort(([a], [b]) => a - b).map(([t, b]) => ({
        t,
        count: b.count,
        up: b.up,
        share_up: b.up / b.count,
      })),
      bucket_ms: bucketMs,
    };
  }
}
