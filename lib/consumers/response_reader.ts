/**
 * Reading the response events of `llm.responses` (or a test's own topic) without joining a
 * product consumer group: everything retained, the newest N or the oldest N valid responses,
 * ordered by `ts_end`. Invalid messages are counted and skipped here (the consumers dead-letter
 * them). The dashboard's notebooks, the export command, the client and the tests all read
 * responses this one way.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import { readTopic, TOPICS } from "../kafka/mod.ts";

/** Options of {@linkcode readResponses}. */
export interface ReadResponsesOptions {
  /** Topic. Default `llm.responses`. */
  topic?: string;
  /** Only the newest N valid responses (by `ts_end`). */
  last?: number;
  /** Only the oldest N valid responses (by `ts_end`). */
  first?: number;
  /** Give up reading after this long. Default 60 s. */
  timeoutMs?: number;
}

/** Valid response events of a topic, oldest first, and how many messages were not valid. */
export interface ReadResponsesResult {
  events: ResponseEvent[];
  invalid: number;
}

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new RangeError(`Expected ${name} to be a positive integer, found ${value}`);
  }
}

/**
 * Reads the valid response events of a topic (up to its end at call time), ordered by `ts_end`;
 * `last`/`first` keep the newest/oldest N.
 *
 * @example
 * ```ts ignore
 * const { events, invalid } = await readResponses(kafka, { last: 200 });
 * ```
 */
export async function readResponses(
  kafka: Kafka,
  options: ReadResponsesOptions = {},
): Promise<ReadResponsesResult> {
  checkCount(options.last, "last");
  checkCount(options.first, "first");
  if (options.last !== undefined && options.first !== undefined) {
    throw new RangeError("Expected at most one of last and first, found both");
  }
  const messages = await readTopic(kafka, options.topic ?? TOPICS.responses, {
    // the newest N overall are among the newest N of each partition
    lastNPerPartition: options.last,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  const events: ResponseEvent[] = [];
  let invalid = 0;
  for (const message of messages) {
    try {
      events.push(decodeResponse(message.value));
    } catch {
      invalid++;
    }
  }
  events.sort((a, b) => a.ts_end - b.ts_end);
  if (options.last !== undefined) return { events: events.slice(-options.last), invalid };
  if (options.first !== undefined) return { events: events.slice(0, options.first), invalid };
  return { events, invalid };
}
