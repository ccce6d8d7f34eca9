/**
 * The gateway's transport-free parts: the OpenAI and Ollama dialects (request validation,
 * mapping to Ollama, answer formatting, errors), metering Ollama's streamed chunks, request
 * metadata, OTLP/HTTP trace intake (JSON and protobuf) with the GenAI mapping, Prometheus text
 * exposition, and the export of calls to MLflow as OTLP traces. The Hono server, Kafka
 * publishing and routes live in server/ and use these.
 *
 * @example
 * ```ts
 * import { parseChatCompletionRequest, toOllamaChat } from "./mod.ts";
 * const request = parseChatCompletionRequest({
 *   model: "smollm2:135m",
 *   messages: [{ role: "user", content: "Hi" }],
 * });
 * toOllamaChat(request).stream; // true
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./model_call.ts";
export * from "./request_meta.ts";
export * from "./event_fields.ts";
export * from "./openai_request.ts";
export * from "./openai_response.ts";
export * from "./openai_errors.ts";
export * from "./ollama_request.ts";
export * from "./ollama_stream.ts";
export * from "./ndjson.ts";
export * from "./proxy_streams.ts";
export * from "./otlp_types.ts";
export * from "./otlp_json.ts";
export * from "./otlp_protobuf.ts";
export * from "./otlp_genai.ts";
export * from "./otlp_intake.ts";
export * from "./prometheus.ts";
export * from "./mlflow_trace.ts";
export { ProtobufError, ProtoReader, ProtoWriter, WIRE } from "./protobuf_wire.ts";
