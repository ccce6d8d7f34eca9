/**
 * The dashboard's own consumer of `llm.responses`: every valid response, counted once by
 * request id, feeds the live aggregates ({@linkcode MetricsAggregator}) and the newest responses,
 * then `onIngest` (the server turns that into live events for browsers). The server's pipeline
 * and the benchmarks use this one code path.
 *
 * @module
 */

import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import { MetricsAggregator, NewestBuffer } from "../metrics/mod.ts";
import { type IngestSource, TopicIngest } from "./topic_ingest.ts";

/** Options of {@linkcode DashboardIngest}. */
export interface DashboardIngestOptions extends IngestSource {
  /** Called when the first message is decoded (the clock of a throughput run starts there). */
  onFirstMessage?: () => void;
  /** Called after each new (not duplicate) response is counted. */
  onIngest?: (event: ResponseEvent) => void;
}

/**
 * The dashboard's consumer feeding the live aggregates. {@linkcode TopicIngest.processed} counts
 * duplicates too.
 *
 * @example
 * ```ts ignore
 * const ingest = new DashboardIngest({
 *   kafka, dlq: producer, topic: "llm.responses", groupId: "dashboard-8000",
 *   onIngest: (event) => console.log(event.request_id),
 * });
 * await ingest.start();
 * ingest.metrics.snapshot().total;
 * ```
 */
export class DashboardIngest extends TopicIngest<ResponseEvent> {
  readonly metrics: MetricsAggregator;
  /** The newest 500 responses by end time, so a replay after a restart shows the same ones. */
  readonly recent: NewestBuffer<ResponseEvent>;

  constructor(options: DashboardIngestOptions) {
    const metrics = new MetricsAggregator();
    const recent = new NewestBuffer<ResponseEvent>(500, (e) => e.ts_end);
    let first = true;
    super({
      ...options,
      // One chunk per fetched batch (kafkajs hands over at most 1 MB per partition, a few
      // thousand events): one offset commit per batch instead of one per 1,000 events. The
      // dashboard re-reads the topic on every start, so its commits only feed the lag figure.
      chunkSize: 10_000,
      decode: (message) => {
        if (first) {
          first = false;
          options.onFirstMessage?.();
        }
        return decodeResponse(message.value);
      },
      onEvent: (event) => {
        if (!metrics.add(event)) return;
        recent.push(event);
        options.onIngest?.(event);
      },
    });
    this.metrics = metrics;
    this.recent = recent;
  }
}
