// Test helpers of the alerts area (not exported from mod.ts).
import type { AlertNotificationEvent } from "../events/alert.ts";
import { notificationKey } from "./fingerprint.ts";

/** A valid firing notification of a latency rule, with fields overridden. */
export function sampleNotification(
  overrides: Partial<AlertNotificationEvent> = {},
): AlertNotificationEvent {
  const fingerprint = overrides.fingerprint ?? "0123456789abcdef";
  const state = overrides.state ?? "firing";
  const seq = overrides.seq ?? 1;
  return {
    schema: "llm.alert.v1",
    kind: "notification",
    ts: 1_760_000_060_000,
    rule_id: "p95",
    rule_name: "slow p95",
    rule_kind: "metric",
    state,
    seq,
    key: notificationKey(fingerprint, state, seq),
    fingerprint,
    channels: ["oncall"],
    value: 2.345,
    threshold: 2,
    severity: "warning",
    labels: {
      alertname: "slow p95",
      rule_id: "p95",
      severity: "warning",
      kind: "metric",
      metric: "latency_p95_s",
    },
    started_at: 1_760_000_000_000,
    ended_at: null,
    repeat_s: 14_400,
    detail: "latency_p95_s 2.345 (> 2 fires) over the last 300 s, 42 responses",
    ...overrides,
  };
}

/** A local HTTP receiver on 127.0.0.1 that records every request's headers and raw body. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: Uint8Array;
}

/**
 * Starts a receiver on a free loopback port (or `port`); `respond` decides each answer
 * (default 200 "ok").
 */
export function startReceiver(
  options: { port?: number; respond?: (request: RecordedRequest) => Response } = {},
) {
  const requests: RecordedRequest[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
    async (request) => {
      const recorded = {
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: new Uint8Array(await request.arrayBuffer()),
      };
      requests.push(recorded);
      return options.respond?.(recorded) ?? new Response("ok");
    },
  );
  return {
    requests,
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    stop: () => server.shutdown(),
  };
}
