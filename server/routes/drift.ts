/** The drift monitor's latest report, changing its windows and pinning a baseline. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../http_errors.ts";
import { readJson } from "./read_json.ts";

/** The body of POST /api/drift/config (the Drift tab sends it as this schema reads it). */
export const DriftConfigSchema = z.object({
  reference_size: z.number().int().min(10).max(100_000).optional(),
  current_size: z.number().int().min(10).max(100_000).optional(),
  // "bundled": datasets/baseline_smollm2.csv; "current": the newest M responses; null: first N
  baseline: z.enum(["bundled", "current"]).nullable().optional(),
}).strict();

/** Routes of the Drift tab. */
export function driftRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/drift", (c) => c.json(deps.drift()));
  app.post("/drift/config", async (c) => {
    const body = await readJson(c, DriftConfigSchema);
    try {
      return c.json(
        await deps.configureDrift({
          referenceSize: body.reference_size,
          currentSize: body.current_size,
          ...(body.baseline !== undefined ? { baseline: body.baseline } : {}),
        }),
      );
    } catch (error) {
      // the settings are valid but do not fit the state: no rows to pin, no baseline file
      if (error instanceof RangeError) throw new ApiError(409, "conflict", error.message);
      throw error;
    }
  });
  return app;
}
