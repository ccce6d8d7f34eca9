/** Reading and validating a JSON body, with 400s that say what is wrong. */
import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "../http_errors.ts";

/**
 * Parses the request's JSON body with a schema.
 *
 * @example
 * ```ts
 * const body = await readJson(c, SubmitBodySchema);
 * ```
 */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new ApiError(
      400,
      "bad_request",
      `expected a JSON body (content-type application/json), found "${type || "none"}"`,
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
