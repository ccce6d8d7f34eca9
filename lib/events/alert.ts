/**
 * The `llm.alert.v1` contract: the durable history of alerts on the topic `llm.alerts`. One
 * schema field, one `kind` field that says which record it is:
 *
 * - `state`: an alert changed state (`pending`, `firing`, `resolved`, or `inactive` when a pending
 *   alert's condition went false before `for_s` elapsed), with its value, threshold, severity,
 *   labels and the fingerprint of its episode;
 * - `notification`: the evaluator decided to notify an episode (once on firing, on each repeat,
 *   once on resolve), with the idempotency key and the channels to deliver to;
 * - `delivery`: one channel's attempt at one notification (`sent`, `failed` with the next
 *   attempt's time, `abandoned`);
 * - `silence`: a rule muted until a time (an `until` at or before `ts` lifts the silence).
 *
 * Folding these records in order rebuilds the alert states and the delivery outbox, so a restart
 * neither forgets a firing alert nor notifies an episode twice. Free of `Deno.*`.
 *
 * @example
 * ```ts
 * import { parseAlertEvent } from "./alert.ts";
 * const event = parseAlertEvent({
 *   schema: "llm.alert.v1", kind: "silence", ts: 1, silence_id: "s1", rule_id: "r1", until: 2,
 * });
 * event.kind; // "silence"
 * ```
 *
 * @module
 */

import { z } from "zod";
import { EventValidationError } from "./validate.ts";

/** The schema name of every alert record. */
export const ALERT_EVENT_SCHEMA = "llm.alert.v1";

/** Severities of a rule, mildest first. */
export const SeveritySchema = z.enum(["info", "warning", "critical"]);

/** Label names as Prometheus and Alertmanager accept them. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels of an alert: at most 32, names as Prometheus spells them, values up to 200 chars. */
export const AlertLabelsSchema = z.record(
  z.string().max(64).regex(LABEL_NAME, "must be a label name like team_name"),
  z.string().max(200),
).refine((labels) => Object.keys(labels).length <= 32, { message: "at most 32 labels" });

const id = z.string().min(1).max(200);
const ms = z.number().int().nonnegative();
const maybeNumber = z.number().nullable();

/** Every state an alert can be recorded in. */
export const AlertStateSchema = z.enum(["pending", "firing", "resolved", "inactive"]);

/** `kind: "state"`: an alert changed state. */
export const AlertStateEventSchema = z.object({
  schema: z.literal(ALERT_EVENT_SCHEMA),
  kind: z.literal("state"),
  ts: ms,
  rule_id: id,
  rule_name: z.string().min(1).max(200),
  /** `metric`, `drift` or `health`. */
  rule_kind: z.string().max(32),
  state: AlertStateSchema,
  /** The rule's value when the state changed (null when there was no data). */
  value: maybeNumber,
  threshold: maybeNumber,
  severity: SeveritySchema,
  labels: AlertLabelsSchema,
  /** One per episode: rule id + labels + episode start. */
  fingerprint: z.string().min(1).max(64),
  /** When the episode began (its condition first held), epoch ms. */
  started_at: ms,
  /** When it began to fire, epoch ms, or null. */
  fired_at: ms.nullable(),
  /** A human sentence about the value (for example which columns drifted). */
  detail: z.string().max(2_000).optional(),
});

/** `kind: "notification"`: an episode is to be notified on these channels. */
export const AlertNotificationEventSchema = z.object({
  schema: z.literal(ALERT_EVENT_SCHEMA),
  kind: z.literal("notification"),
  ts: ms,
  rule_id: id,
  rule_name: z.string().min(1).max(200),
  rule_kind: z.string().max(32),
  /** The state announced: `firing` (first or repeat) or `resolved`. */
  state: z.enum(["firing", "resolved"]),
  /** 1 for the first notification of an episode, then 2, 3 … (repeats, then the resolve). */
  seq: z.number().int().min(1),
  /** Idempotency key: `<fingerprint>:<state>:<seq>`. */
  key: z.string().min(1).max(200),
  fingerprint: z.string().min(1).max(64),
  channels: z.array(z.string().min(1).max(64)).max(32),
  value: maybeNumber,
  threshold: maybeNumber,
  severity: SeveritySchema,
  labels: AlertLabelsSchema,
  started_at: ms,
  /** When the episode resolved (only on `resolved`). */
  ended_at: ms.nullable(),
  /** The rule's repeat interval, so receivers like Alertmanager know how long it stays valid. */
  repeat_s: z.number().positive(),
  detail: z.string().max(2_000).optional(),
  /** True for a test notification sent from the API. */
  test: z.boolean().optional(),
});

/** `kind: "delivery"`: one attempt to deliver one notification to one channel. */
export const AlertDeliveryEventSchema = z.object({
  schema: z.literal(ALERT_EVENT_SCHEMA),
  kind: z.literal("delivery"),
  ts: ms,
  rule_id: id,
  /** The notification's idempotency key. */
  key: z.string().min(1).max(200),
  channel: z.string().min(1).max(64),
  outcome: z.enum(["sent", "failed", "abandoned"]),
  /** Attempts made so far, this one included. */
  attempt: z.number().int().min(1),
  /** Why it failed (failed and abandoned only). */
  error: z.string().max(2_000).optional(),
  /** When the next attempt is due (failed only), epoch ms. */
  next_attempt_at: ms.optional(),
});

/** `kind: "silence"`: a rule muted until `until`; an `until` at or before `ts` lifts it. */
export const AlertSilenceEventSchema = z.object({
  schema: z.literal(ALERT_EVENT_SCHEMA),
  kind: z.literal("silence"),
  ts: ms,
  silence_id: id,
  rule_id: id,
  until: ms,
  comment: z.string().max(1_000).optional(),
  created_by: z.string().max(200).optional(),
});

/** Any `llm.alert.v1` record. */
export const AlertEventSchema = z.discriminatedUnion("kind", [
  AlertStateEventSchema,
  AlertNotificationEventSchema,
  AlertDeliveryEventSchema,
  AlertSilenceEventSchema,
]);

/** An alert state change. */
export type AlertStateEvent = z.infer<typeof AlertStateEventSchema>;
/** A decided notification. */
export type AlertNotificationEvent = z.infer<typeof AlertNotificationEventSchema>;
/** One delivery attempt's outcome. */
export type AlertDeliveryEvent = z.infer<typeof AlertDeliveryEventSchema>;
/** A silence set or lifted. */
export type AlertSilenceEvent = z.infer<typeof AlertSilenceEventSchema>;
/** Any `llm.alert.v1` record. */
export type AlertEvent = z.infer<typeof AlertEventSchema>;
/** A recorded alert state. */
export type AlertStateName = z.infer<typeof AlertStateSchema>;
/** A rule's severity. */
export type Severity = z.infer<typeof SeveritySchema>;

/**
 * Validates a value as `llm.alert.v1`; throws {@linkcode EventValidationError} naming the fields.
 * Use it with `decodeEvent(bytes, ALERT_EVENT_SCHEMA, parseAlertEvent)` on Kafka messages.
 *
 * @example
 * ```ts
 * import { parseAlertEvent } from "./alert.ts";
 * parseAlertEvent({ schema: "llm.alert.v1", kind: "silence", ts: 1, silence_id: "s",
 *   rule_id: "r", until: 5 }).kind; // "silence"
 * ```
 */
export function parseAlertEvent(value: unknown): AlertEvent {
  const result = AlertEventSchema.safeParse(value);
  if (result.success) return result.data;
  throw new EventValidationError(
    ALERT_EVENT_SCHEMA,
    result.error.issues.slice(0, 10).map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    })),
  );
}

/**
 * The Kafka message key of an alert record: its rule id, so one rule's whole history (states,
 * notifications, deliveries, silences) stays in order on one partition.
 *
 * @example
 * ```ts
 * import { alertEventKey } from "./alert.ts";
 * alertEventKey({ schema: "llm.alert.v1", kind: "silence", ts: 1, silence_id: "s",
 *   rule_id: "r1", until: 5 }); // "r1"
 * ```
 */
export function alertEventKey(event: AlertEvent): string {
  return event.rule_id;
}
