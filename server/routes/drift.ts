/** The drift monitor's latest report, and changing its windows. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { readJson } from "./read_json.ts";

const DriftConfigSchema = z.object({
  reference_size: z.number().int().min(10).max(100_000).optional(),
  current_size: z.number().int().min(10).max(100_000).optional(),
}).strict();

/** Routes of the Drift tab. */
export function driftRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/drift", (c) => c.json(deps.drift()));
  app.post("/drift/config", async (c) => {
    const body = await readJson(c, DriftConfigSchema);
    return c.json(
      await deps.configureDrift({
        referenceSize: body.reference_size,
        currentSize: body.current_size,
      }),
    );
  });
  return app;
}
