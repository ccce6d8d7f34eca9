/**
 * The OTLP benchmark's exporter, run in a Web Worker so that, like an instrumented application,
 * it does not share the gateway's thread: it builds its export requests, posts them (two at a
 * time) and reports when every one was answered 200.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { sampleOtlpJson } from "../lib/gateway/otlp_measure.ts";

/** What the worker is asked to do. */
export interface OtlpClientJob {
  url: string;
  spansPerRequest: number;
  requests: number;
  concurrency: number;
}

self.onmessage = async (message: MessageEvent<OtlpClientJob>) => {
  const job = message.data;
  try {
    const bodies = Array.from({ length: 8 }, () => sampleOtlpJson(job.spansPerRequest));
    const post = async (body: string) => {
      const response = await fetch(`${job.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await response.text();
      if (response.status !== 200 || text !== "{}") {
        throw new Error(`the gateway answered ${response.status}: ${text.slice(0, 200)}`);
      }
    };
    self.postMessage({ ready: true });
    await new Promise<void>((resolve) => (self.onmessage = () => resolve()));
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: job.concurrency }, async () => {
      while (next < job.requests) await post(bodies[next++ % bodies.length]);
    }));
    self.postMessage({ done: true, ms: performance.now() - t0 });
  } catch (error) {
    self.postMessage({ error: (error as Error).message });
  }
};
