/**
 * The documented size caps of events and requests, on their own (no zod), so the browser can use
 * them without the schema library.
 *
 * @module
 */

/** Documented size caps; larger input is rejected with a clear error. */
export const LIMITS = Object.freeze({
  /** Characters of a prompt. */
  promptChars: 32_000,
  /** Characters of a system prompt. */
  systemChars: 8_000,
  /** Characters of a model response kept in the response event. */
  responseChars: 200_000,
  /** Characters of short identifiers (user, session, model, dataset, tag values). */
  idChars: 200,
  /** Number of tags on a request. */
  tags: 32,
  /** Tokens a request may ask for. */
  maxTokens: 8_192,
  /** Bytes of one Kafka message accepted by consumers. */
  messageBytes: 1_000_000,
});
