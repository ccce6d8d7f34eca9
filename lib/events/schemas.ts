/**
 * The versioned event contracts of the product, as zod schemas: `llm.request.v2` and
 * `llm.response.v2` (what every producer writes now), `llm.request.v1` and `llm.response.v1`
 * (still read: every consumer accepts both), and `llm.dlq.v1`. Every boundary (HTTP, Kafka, CLI,
 * notebooks) validates with these. Free of `Deno.*`, so the browser can import it.
 *
 * Version 2 adds, all optional except the wider sources: the conversation of a multi-turn chat
 * (`messages`, roles and contents; `prompt` stays the last user turn), the sources `gateway` and
 * `otlp`, and on responses the call's `cost_usd` with the `price_version` it was priced by.
 *
 * @module
 */

import { z } from "zod";

import { LIMITS } from "./limits.ts";

export { LIMITS };

/** No control characters other than tab, newline and carriage return (prompts, answers). */
// deno-lint-ignore no-control-regex
const NO_CONTROL = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;
/** No control characters at all, C0, DEL or C1 (identifiers and tags: one line, no escapes). */
// deno-lint-ignore no-control-regex
const NO_CONTROL_AT_ALL = /^[^\u0000-\u001F\u007F-\u009F]*$/;
const identifier = (max: number) =>
  z.string().max(max).regex(NO_CONTROL_AT_ALL, "must not contain control characters");
const shortText = identifier(LIMITS.idChars).min(1);
const text = (max: number) =>
  z.string().max(max).regex(NO_CONTROL, "must not contain control characters");

/** Sampling parameters of a request. */
export const ParamsSchema = z.object({
  temperature: z.number().min(0).max(2),
  top_p: z.number().gt(0).max(1),
  num_predict: z.number().int().min(1).max(LIMITS.maxTokens),
  seed: z.number().int().optional(),
});

/** Where a request came from (`llm.request.v1` knows the first four). */
export const SourceSchema = z.enum(["test", "stream", "api", "notebook", "gateway", "otlp"]);
const SourceV1Schema = z.enum(["test", "stream", "api", "notebook"]);

/** Most turns of a conversation kept in an event. */
export const MAX_MESSAGES = 200;

/** One turn of a conversation. */
export const MessageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: text(LIMITS.promptChars),
});

/** The turns of a conversation, oldest first, at most {@linkcode MAX_MESSAGES}. */
export const MessagesSchema = z.array(MessageSchema).max(
  MAX_MESSAGES,
  `at most ${MAX_MESSAGES} messages`,
);

/** `llm.request.v1`: one prompt to one model. */
export const RequestEventV1Schema = z.object({
  schema: z.literal("llm.request.v1"),
  request_id: z.uuid(),
  ts: z.number().int().nonnegative(),
  prompt: text(LIMITS.promptChars).min(1, "must not be empty"),
  system: text(LIMITS.systemChars).optional(),
  model: shortText,
  params: ParamsSchema,
  user_id: shortText,
  session_id: shortText.optional(),
  source: SourceV1Schema,
  dataset: shortText.optional(),
  tags: z.record(identifier(64), identifier(LIMITS.idChars)).optional()
    .refine((tags) => !tags || Object.keys(tags).length <= LIMITS.tags, {
      message: `at most ${LIMITS.tags} tags`,
    }),
});

/** `llm.request.v2`: v1, the conversation of a multi-turn chat, the gateway's sources. */
export const RequestEventSchema = RequestEventV1Schema.extend({
  schema: z.literal("llm.request.v2"),
  source: SourceSchema,
  messages: MessagesSchema.optional(),
});

/** Kinds of failure of an LLM call. */
export const ErrorTypeSchema = z.enum([
  "connection_refused",
  "timeout",
  "model_not_found",
  "http_error",
  "broken_stream",
  "aborted",
  "unknown",
]);

const nonNegative = z.number().nonnegative();
const nullableNs = z.number().nonnegative().nullable();

/** What a response adds to its request: the outcome and every measurement of the call. */
const responseFields = {
  ts_start: z.number().int().nonnegative(),
  ts_end: z.number().int().nonnegative(),
  status: z.enum(["success", "error"]),
  error: z.object({ type: ErrorTypeSchema, message: z.string().max(4_000) }).optional(),
  response: z.string().max(LIMITS.responseChars),
  latency_ms: nonNegative,
  ttft_ms: nonNegative.nullable(),
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  tokens_per_s: nonNegative,
  response_chars: z.number().int().nonnegative(),
  total_duration_ns: nullableNs,
  load_duration_ns: nullableNs,
  prompt_eval_duration_ns: nullableNs,
  eval_duration_ns: nullableNs,
  worker_id: shortText,
};

const timesInOrder = (e: { ts_end: number; ts_start: number }) => e.ts_end >= e.ts_start;
const TIMES_MESSAGE = { message: "ts_end must not be before ts_start" };
const errorExplained = (e: { status: string; error?: unknown }) =>
  e.status === "success" || e.error !== undefined;
const ERROR_MESSAGE = {
  message: "an error response needs an error {type, message}",
  path: ["error"],
};

/** `llm.response.v1`: the request, its outcome and every measurement of the call. */
export const ResponseEventV1Schema = RequestEventV1Schema.extend({
  schema: z.literal("llm.response.v1"),
  ...responseFields,
}).refine(timesInOrder, TIMES_MESSAGE).refine(errorExplained, ERROR_MESSAGE);

/** `llm.response.v2`: v1 with the conversation, the gateway's sources and the call's cost. */
export const ResponseEventSchema = RequestEventSchema.extend({
  schema: z.literal("llm.response.v2"),
  ...responseFields,
  /** USD of this call, priced where the response was made (see lib/llm/prices). */
  cost_usd: z.number().nonnegative().finite().optional(),
  /** Version of the price table the cost comes from. */
  price_version: shortText.optional(),
}).refine(timesInOrder, TIMES_MESSAGE).refine(errorExplained, ERROR_MESSAGE);

/** `llm.dlq.v1`: a message that could not be processed, with why and its original bytes. */
export const DlqEventSchema = z.object({
  schema: z.literal("llm.dlq.v1"),
  ts: z.number().int().nonnegative(),
  source_topic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
  consumer_group: z.string(),
  reason: z.string(),
  key: z.string().nullable(),
  original_base64: z.string(),
  /** Bytes of the original message (absent in dead letters written before it existed). */
  original_size: z.number().int().nonnegative().optional(),
  /** True when only the first bytes of a large original are kept in `original_base64`. */
  original_truncated: z.boolean().optional(),
});

/**
 * A validated request event of either version: v1 is v2 without the optional fields and with
 * fewer sources, so one type serves both.
 */
export type RequestEvent = Omit<z.infer<typeof RequestEventSchema>, "schema"> & {
  schema: "llm.request.v1" | "llm.request.v2";
};
/** A validated response event of either version. */
export type ResponseEvent = Omit<z.infer<typeof ResponseEventSchema>, "schema"> & {
  schema: "llm.response.v1" | "llm.response.v2";
};
/** One turn of a conversation. */
export type Message = z.infer<typeof MessageSchema>;
/** A dead-letter event. */
export type DlqEvent = z.infer<typeof DlqEventSchema>;
/** Sampling parameters. */
export type RequestParams = z.infer<typeof ParamsSchema>;
/** A kind of failure of an LLM call. */
export type LlmErrorType = z.infer<typeof ErrorTypeSchema>;
/** The origin of a request. */
export type RequestSource = z.infer<typeof SourceSchema>;
