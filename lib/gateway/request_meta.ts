/**
 * The workbench's metadata of a gateway call, read from its headers (and OpenAI's `user` field):
 * the request id the answer carries in `x-request-id`, the user, the session and the tags.
 * Everything is checked against lib/events' limits; a bad header is a 400 naming it.
 * Free of `Deno.*`.
 *
 * @module
 */

import { LIMITS } from "../events/mod.ts";
import { GatewayError } from "./errors.ts";

/** Header names the gateway reads and answers with. */
export const GATEWAY_HEADERS = Object.freeze({
  /** Answered on every call; an incoming UUID is reused so an application can correlate. */
  requestId: "x-request-id",
  user: "x-llmops-user",
  session: "x-llmops-session",
  /** `k=v,k=v`; keys and values may be percent-encoded (for `,`, `=` and non-ASCII text). */
  tags: "x-llmops-tags",
});

/** The most characters of a tag key (the event contract's bound). */
export const TAG_KEY_CHARS = 64;

/** User given to calls that name none. */
export const ANONYMOUS_USER = "anonymous";

/** The metadata of one call. */
export interface RequestMeta {
  request_id: string;
  user_id: string;
  session_id?: string;
  tags?: Record<string, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

/**
 * The call's request id: the caller's `x-request-id` when it is a UUID, otherwise a new one.
 *
 * @example
 * ```ts
 * resolveRequestId(new Headers({ "x-request-id": "not-a-uuid" })); // a fresh UUID
 * ```
 */
export function resolveRequestId(
  headers: Headers,
  newId: () => string = () => crypto.randomUUID(),
): string {
  const given = headers.get(GATEWAY_HEADERS.requestId)?.trim();
  return given && UUID.test(given) ? given.toLowerCase() : newId();
}

function checkId(value: string, what: string): string {
  if (value.length === 0) throw new GatewayError("invalid_request", `${what} must not be empty`);
  if (value.length > LIMITS.idChars) {
    throw new GatewayError(
      "invalid_request",
      `${what} must be at most ${LIMITS.idChars} characters, found ${value.length}`,
      { param: what },
    );
  }
  if (CONTROL.test(value)) {
    throw new GatewayError("invalid_request", `${what} must not contain control characters`, {
      param: what,
    });
  }
  return value;
}

function decodePart(part: string, what: string): string {
  if (!part.includes("%")) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new GatewayError(
      "invalid_request",
      `${GATEWAY_HEADERS.tags}: ${what} "${part.slice(0, 40)}" is not valid percent-encoding`,
      { param: GATEWAY_HEADERS.tags },
    );
  }
}

/**
 * Parses `x-llmops-tags` (`k=v,k=v`): keys non-empty and at most 64 characters, values at most
 * 200, at most 32 tags, no control characters, no repeated key; whitespace around parts is
 * trimmed; percent-encoded parts are decoded.
 *
 * @example
 * ```ts
 * parseTagsHeader("team=search, variant=b"); // { team: "search", variant: "b" }
 * ```
 */
export function parseTagsHeader(value: string | null | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  if (value === null || value === undefined || value.trim() === "") return tags;
  const fail = (message: string) =>
    new GatewayError("invalid_request", `${GATEWAY_HEADERS.tags}: ${message}`, {
      param: GATEWAY_HEADERS.tags,
    });
  let count = 0;
  for (const rawPart of value.split(",")) {
    const part = rawPart.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) throw fail(`expected key=value, found "${part.slice(0, 40)}"`);
    const key = decodePart(part.slice(0, eq).trim(), "key");
    const tagValue = decodePart(part.slice(eq + 1).trim(), "value");
    if (key === "") throw fail("a tag key must not be empty");
    if (key.length > TAG_KEY_CHARS) {
      throw fail(`tag key must be at most ${TAG_KEY_CHARS} characters, found ${key.length}`);
    }
    if (tagValue.length > LIMITS.idChars) {
      throw fail(
        `value of "${
          key.slice(0, 40)
        }" must be at most ${LIMITS.idChars} characters, found ${tagValue.length}`,
      );
    }
    if (CONTROL.test(key) || CONTROL.test(tagValue)) {
      throw fail("tags must not contain control characters");
    }
    if (Object.hasOwn(tags, key)) throw fail(`tag "${key.slice(0, 40)}" is given twice`);
    if (++count > LIMITS.tags) throw fail(`at most ${LIMITS.tags} tags`);
    Object.defineProperty(tags, key, {
      value: tagValue,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return tags;
}

/** Options of {@linkcode requestMeta}. */
export interface RequestMetaOptions {
  /** OpenAI's `user` field of the body, used when `x-llmops-user` is absent. */
  bodyUser?: string;
  /** Tags from the body (OpenAI's `metadata`), merged under the header's tags. */
  bodyTags?: Record<string, string>;
  newId?: () => string;
}

/**
 * Reads the metadata of a call: request id, user (`x-llmops-user`, else OpenAI's `user`, else
 * "anonymous"), session (`x-llmops-session`) and tags (`x-llmops-tags` over the body's).
 *
 * @example
 * ```ts
 * const meta = requestMeta(new Headers({ "x-llmops-user": "ada", "x-llmops-tags": "app=faq" }));
 * meta.user_id; // "ada"
 * meta.tags; // { app: "faq" }
 * ```
 */
export function requestMeta(headers: Headers, options: RequestMetaOptions = {}): RequestMeta {
  const headerUser = headers.get(GATEWAY_HEADERS.user);
  const user = headerUser !== null
    ? checkId(headerUser.trim(), GATEWAY_HEADERS.user)
    : options.bodyUser !== undefined && options.bodyUser.trim() !== ""
    ? checkId(options.bodyUser.trim(), "user")
    : ANONYMOUS_USER;
  const headerSession = headers.get(GATEWAY_HEADERS.session);
  const session = headerSession === null || headerSession.trim() === ""
    ? undefined
    : checkId(headerSession.trim(), GATEWAY_HEADERS.session);
  const tags = { ...options.bodyTags, ...parseTagsHeader(headers.get(GATEWAY_HEADERS.tags)) };
  if (Object.keys(tags).length > LIMITS.tags) {
    throw new GatewayError("invalid_request", `at most ${LIMITS.tags} tags in all`, {
      param: GATEWAY_HEADERS.tags,
    });
  }
  return {
    request_id: resolveRequestId(headers, options.newId),
    user_id: user,
    ...(session === undefined ? {} : { session_id: session }),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };
}
