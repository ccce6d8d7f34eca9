/**
 * The dashboard's consumer of `llm.requests`: hands each valid request to `onRequest`, so the
 * server knows every request id submitted anywhere (this server, `deno task stream`, notebooks,
 * other servers) before its response exists, with its model and A/B variant. Invalid messages go
 * to the DLQ. Its group is reset to the beginning on every server start.
 *
 * @module
 */

import { decodeRequest, type RequestEvent } from "../events/mod.ts";
import { type IngestSource, TopicIngest } from "./topic_ingest.ts";

/** Options of {@linkcode RequestIngest}. */
export interface RequestIngestOptions extends IngestSource {
  /** Called with each valid request. */
  onRequest: (event: RequestEvent) => void;
}

/**
 * Reads requests for the dashboard's index of known request ids.
 *
 * @example
 * ```ts ignore
 * const ingest = new RequestIngest({
 *   kafka, dlq: producer, topic: "llm.requests", groupId: "dashboard-requests-8000",
 *   onRequest: (r) => index.add(r.request_id, { model: r.model, variant: r.tags?.variant }),
 * });
 * await ingest.start();
 * ```
 */
export class RequestIngest extends TopicIngest<RequestEvent> {
  constructor(options: RequestIngestOptions) {
    super({
      ...options,
      decode: (message) => decodeRequest(message.value),
      onEvent: options.onRequest,
    });
  }
}
