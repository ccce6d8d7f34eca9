/**
 * Kafka for the product: topics and groups, a batching idempotent producer, an at-least-once
 * batch consumer with a dead-letter queue, and consumer lag.
 *
 * @example
 * ```ts
 * import { createKafka, EventProducer, TOPICS } from "./mod.ts";
 * const producer = new EventProducer(createKafka(["127.0.0.1:9092"], "api"));
 * ```
 *
 * @module
 */

export * from "./topics.ts";
export * from "./client.ts";
export * from "./producer.ts";
export * from "./consumer.ts";
export * from "./dlq.ts";
export * from "./lag.ts";
export * from "./reader.ts";
export * from "./bounded_publisher.ts";
export * from "./request_queue_fix.ts";
export * from "./transient_retry.ts";
export * from "./topics_served.ts";
