/** GET /api/events: server-sent events pushing every live change to the browser. */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppDeps, LiveEvent } from "../deps.ts";
import { ALERTS_EVENT_HISTORY } from "../live_hub.ts";
import { jsonError } from "../http_errors.ts";

/** Event streams open at once by default. */
export const DEFAULT_MAX_STREAMS = 100;

/** Events kept for a client that does not read; older ones are dropped. */
const MAX_QUEUED_EVENTS = 1_000;

/**
 * The SSE route. The first events carry the current state, so a new page needs no fetch. At most
 * `maxStreams` streams are open at once; beyond, 503 with `Retry-After`.
 */
export function eventRoutes(deps: AppDeps, options: { maxStreams?: number } = {}): Hono {
  const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  let open = 0;
  const app = new Hono();
  app.get("/events", (c) => {
    if (open >= maxStreams) {
      return jsonError(
        c,
        503,
        "unavailable",
        `${maxStreams} event streams are open, the most this server serves; retry shortly`,
        { "retry-after": "5" },
      );
    }
    open++;
    return streamSSE(c, async (stream) => {
      let unsubscribe = () => {};
      try {
        const queue: LiveEvent[] = [];
        let wake: (() => void) | null = null;
        unsubscribe = deps.subscribe((event) => {
          // a stalled client drops old events
          if (queue.length > MAX_QUEUED_EVENTS) queue.splice(0, queue.length - 500);
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
        if (deps.alerts) {
          queue.push({ type: "alerts", data: deps.alerts.view(ALERTS_EVENT_HISTORY) });
        }
        deps.health().then((data) => {
          queue.push({ type: "health", data });
          wake?.();
        }).catch(() => {/* the periodic health event follows */});
        let id = 0;
        while (!stream.aborted) {
          while (queue.length > 0) {
            const event = queue.shift()!;
            await stream.writeSSE({
              event: event.type,
              data: JSON.stringify(event.data),
              id: String(++id),
            });
          }
          if (stream.aborted) break; // aborted while writing: no wake-up will come
          await Promise.race([
            new Promise<void>((resolve) => (wake = resolve)),
            stream.sleep(15_000).then(() => stream.writeSSE({ event: "ping", data: "{}" })),
          ]);
          wake = null;
        }
      } finally {
        unsubscribe();
        open--;
      }
    });
  });
  return app;
}
