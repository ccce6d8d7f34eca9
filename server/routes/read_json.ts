/** Reading and validating a JSON body, with 400s that say what is wrong. */
import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "../http_errors.ts";

/**
 * The media type of a `Content-Type` header, lower-cased, without parameters.
 *
 * @example
 * ```ts
 * mediaType("Application/JSON; charset=utf-8"); // "application/json"
 * mediaType("text/plain; charset=application/json"); // "text/plain"
 * ```
 */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Parses the request's JSON body with a schema. The media type must be exactly
 * `application/json` (415 otherwise): a "simple" cross-site form or `text/plain` post cannot
 * reach a route that reads JSON.
 *
 * @example
 * ```ts
 * const body = await readJson(c, SubmitBodySchema);
 * ```
 */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header("content-type") ?? "";
  if (mediaType(type) !== "application/json") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `expected a JSON body (content-type application/json), found "${
        type.slice(0, 100) || "none"
      }"`,
    );
  }
  let value: unknown;
  try {
    value = await c.req.json();
  } catch (error) {
    throw new ApiError(400, "bad_request", `invalid JSON body: ${(error as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const message = result.error.issues.slice(0, 5).map((i) =>
      `${i.path.join(".") || "body"}: ${i.message}`
    ).join("; ");
    throw new ApiError(400, "bad_request", message);
  }
  return result.data;
}
