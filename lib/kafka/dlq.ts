/**
 * Dead letters: a message that fails validation or processing for good is produced to
 * `llm.dlq` with the reason and its original bytes, never dropped.
 *
 * @module
 */

import type { KafkaMessage } from "kafkajs";
import type { DlqEvent } from "../events/mod.ts";
import type { EventProducer } from "./producer.ts";
import { TOPICS } from "./topics.ts";

/**
 * Bytes of the original message kept in a dead letter. Larger messages keep this prefix (with
 * `original_truncated` and their `original_size`), so the dead letter, base64 and all, stays
 * well under the broker's 1 MB message limit.
 */
export const DLQ_ORIGINAL_MAX_BYTES = 256 * 1024;

/** Where a failed message came from. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, "offset" | "key" | "value">;
}

/**
 * Builds the dead-letter event for a message.
 *
 * @example
 * ```ts
 * const dead = toDlqEvent(origin, "mlflow-sink", "invalid JSON");
 * ```
 */
export function toDlqEvent(origin: MessageOrigin, group: string, reason: string): DlqEvent {
  const bytes = origin.message.value ?? new Uint8Array();
  return {
    schema: "llm.dlq.v1",
    ts: Date.now(),
    source_topic: origin.topic,
    partition: origin.partition,
    offset: origin.message.offset,
    consumer_group: group,
    reason: reason.slice(0, 2_000),
    key: origin.message.key ? new TextDecoder().decode(origin.message.key).slice(0, 200) : null,
    original_base64: encodeBase64(
      bytes.length > DLQ_ORIGINAL_MAX_BYTES ? bytes.subarray(0, DLQ_ORIGINAL_MAX_BYTES) : bytes,
    ),
    original_size: bytes.length,
    original_truncated: bytes.length > DLQ_ORIGINAL_MAX_BYTES,
  };
}

/**
 * Produces a dead-letter event to `llm.dlq`; resolves when it is acknowledged.
 *
 * @example
 * ```ts
 * await sendToDlq(producer, origin, "llm-worker", error.message);
 * ```
 */
export function sendToDlq(
  producer: EventProducer,
  origin: MessageOrigin,
  group: string,
  reason: string,
): Promise<void> {
  const event = toDlqEvent(origin, group, reason);
  return producer.send(TOPICS.dlq, event.key, event, { "x-reason": event.reason.slice(0, 200) });
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
