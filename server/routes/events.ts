/** GET /api/events: server-sent events pushing every live change to the browser. */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppDeps, LiveEvent } from "../deps.ts";

/** The SSE route. The first events carry the current state, so a new page needs no fetch. */
export function eventRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/events", (c) =>
    streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = deps.subscribe((event) => {
        if (queue.length > 1_000) queue.splice(0, queue.length - 500); // a stalled client drops old events
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      queue.push({ type: "metrics", data: deps.metrics() });
      queue.push({ type: "stream", data: deps.streamStatus() });
      queue.push({ type: "drift", data: deps.drift() });
      deps.health().then((data) => {
        queue.push({ type: "health", data });
        wake?.();
      }).catch(() => {/* the periodic health event follows */});
      let id = 0;
      try {
        while (!stream.aborted) {
          while (queue.length > 0) {
            const event = queue.shift()!;
            await stream.writeSSE({
              event: event.type,
              data: JSON.stringify(event.data),
              id: String(++id),
            });
          }
          await Promise.race([
            new Promise<void>((resolve) => (wake = resolve)),
            stream.sleep(15_000).then(() => stream.writeSSE({ event: "ping", data: "{}" })),
          ]);
          wake = null;
        }
      } finally {
        unsubscribe();
      }
    }));
  return app;
}
