/** The Auto Streaming tab: list datasets, start and stop a stream, read its progress. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../http_errors.ts";
import { LIMITS } from "../../lib/events/mod.ts";
import { rateLimit, type RateLimitOptions } from "../rate_limit.ts";
import { readJson } from "./read_json.ts";
import { StreamBusyError } from "../stream_supervisor.ts";

const StartSchema = z.object({
  file: z.string().regex(
    /^[A-Za-z0-9_.-]+\.json$/,
    "must be the name of a dataset file, like quick_test.json",
  ),
  delay_s: z.number().min(0).max(3600).default(3),
  loop: z.boolean().default(false),
  max_tokens: z.number().int().min(1).max(LIMITS.maxTokens).optional(),
  // requests awaiting responses at once (default 32): a small number paces the stream to the
  // workers' speed instead of queueing requests in Kafka
  concurrency: z.number().int().min(1).max(256).optional(),
  // seconds to wait for each response (default 120), as the stream CLI's --timeout
  timeout_s: z.number().min(1).max(3600).optional(),
}).strict();

/** Routes of the Auto Streaming tab. */
export function streamRoutes(deps: AppDeps, limits?: RateLimitOptions): Hono {
  const app = new Hono();
  app.get("/datasets", async (c) => c.json({ datasets: await deps.datasets() }));
  app.get("/stream/status", (c) => c.json(deps.streamStatus()));
  app.post("/stream/start", rateLimit(limits), async (c) => {
    const body = await readJson(c, StartSchema);
    const names = (await deps.datasets()).map((d) => d.name);
    if (!names.includes(body.file)) {
      throw new ApiError(
        400,
        "bad_request",
        `file must be one of ${names.join(", ")}, found "${body.file}"`,
      );
    }
    const options = {
      file: body.file,
      delayS: body.delay_s,
      loop: body.loop,
      ...(body.max_tokens ? { maxTokens: body.max_tokens } : {}),
      ...(body.concurrency ? { concurrency: body.concurrency } : {}),
      ...(body.timeout_s ? { timeoutS: body.timeout_s } : {}),
    };
    try {
      return c.json(await deps.startStream(options));
    } catch (error) {
      if (error instanceof StreamBusyError) throw new ApiError(409, "conflict", error.message);
      throw error;
    }
  });
  app.post("/stream/stop", async (c) => c.json(await deps.stopStream()));
  return app;
}
