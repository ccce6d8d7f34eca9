/**
 * The dashboard's consumer of `llm.feedback`: every valid feedback is handed to `onFeedback`
 * (the server keeps the last per request and user, and pushes it to browsers). Invalid messages
 * go to the DLQ. Like the dashboard's response ingest, its group is reset to the beginning on
 * every server start, so the feedback KPIs survive a restart.
 *
 * @module
 */

import {
  decodeEvent,
  FEEDBACK_SCHEMA,
  type FeedbackEvent,
  parseFeedbackEvent,
} from "../events/mod.ts";
import { type IngestSource, TopicIngest } from "./topic_ingest.ts";

/** Options of {@linkcode FeedbackIngest}. */
export interface FeedbackIngestOptions extends IngestSource {
  /** Called with each valid feedback, in topic order per partition. */
  onFeedback: (event: FeedbackEvent) => void;
}

/**
 * Reads feedback for the dashboard.
 *
 * @example
 * ```ts ignore
 * const ingest = new FeedbackIngest({
 *   kafka, dlq: producer, topic: "llm.feedback", groupId: "dashboard-feedback-8000",
 *   onFeedback: (event) => totals.add(event),
 * });
 * await ingest.start();
 * ```
 */
export class FeedbackIngest extends TopicIngest<FeedbackEvent> {
  constructor(options: FeedbackIngestOptions) {
    super({
      ...options,
      decode: (message) => decodeEvent(message.value, FEEDBACK_SCHEMA, parseFeedbackEvent),
      onEvent: options.onFeedback,
    });
  }
}
