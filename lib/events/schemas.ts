/**
 * The versioned event contracts of the product, as zod schemas: `llm.request.v1`,
 * `llm.response.v1` and `llm.dlq.v1`. Every boundary (HTTP, Kafka, CLI, notebooks) validates
 * with these. Free of `Deno.*`, so the browser can import it.
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

/** Where a request came from. */
export const SourceSchema = z.enum(["test", "stream", "api", "notebook"]);

/** `llm.request.v1`: one prompt to one model. */
export const RequestEventSchema = z.object({
  schema: z.literal("llm.request.v1"),
  request_id: z.uuid(),
  ts: z.number().int().nonnegative(),
  prompt: text(LIMITS.promptChars).min(1, "must not be empty"),
  system: text(LIMITS.systemChars).optional(),
  model: shortText,
  params: ParamsSchema,
  user_id: shortText,
  session_id: shortText.optional(),
  source: SourceSchema,
  dataset: shortText.optional(),
  tags: z.record(identifier(64), identifier(LIMITS.idChars)).optional()
    .refine((tags) => !tags || Object.keys(tags).length <= LIMITS.tags, {
      message: `at most ${LIMITS.tags} tags`,
    }),
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

/** `llm.response.v1`: the request, its outcome and every measurement of the call. */
export const ResponseEventSchema = RequestEventSchema.extend({
  schema: z.literal("llm.response.v1"),
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
}).refine((e) => e.ts_end >= e.ts_start, { message: "ts_end must not be before ts_start" })
  .refine((e) => e.status === "success" || e.error !== undefined, {
    message: "an error response needs an error {type, message}",
    path: ["error"],
  });

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

/** A validated request event. */
export type RequestEvent = z.infer<typeof RequestEventSchema>;
/** A validated response event. */
export type ResponseEvent = z.infer<typeof ResponseEventSchema>;
/** A dead-letter event. */
export type DlqEvent = z.infer<typeof DlqEventSchema>;
/** Sampling parameters. */
export type RequestParams = z.infer<typeof ParamsSchema>;
/** A kind of failure of an LLM call. */
export type LlmErrorType = z.infer<typeof ErrorTypeSchema>;
/** The origin of a request. */
export type RequestSource = z.infer<typeof SourceSchema>;
