/**
 * Test doubles for the gateway's route tests: an Ollama double answering `fetch` with canned
 * NDJSON (or failing as an unreachable server does), and a publisher double keeping the events
 * it is given. Test-only.
 *
 * @module
 */

import type { OutgoingEvent, PublisherStats } from "../../lib/kafka/bounded_publisher.ts";
import type { GatewayPublisher } from "./recorder.ts";

/** Words the Ollama double streams for every chat or generate call. */
export const DOUBLE_WORDS = ["Kafka", " is", " a", " log."];

const line = (v: unknown) => JSON.stringify(v) + "\n";

/** The NDJSON of a streamed chat answer, as Ollama sends it. */
export function chatNdjson(model: string, chat: boolean): string {
  let out = "";
  for (const w of DOUBLE_WORDS) {
    out += line({
      model,
      created_at: "2026-01-01T00:00:00Z",
      ...(chat ? { message: { role: "assistant", content: w } } : { response: w }),
      done: false,
    });
  }
  return out + line({
    model,
    created_at: "2026-01-01T00:00:00Z",
    ...(chat ? { message: { role: "assistant", content: "" } } : { response: "" }),
    done: true,
    done_reason: "stop",
    total_duration: 5_000_000,
    load_duration: 1_000,
    prompt_eval_count: 7,
    prompt_eval_duration: 1_000_000,
    eval_count: 4,
    eval_duration: 2_000_000,
  });
}

/** An Ollama double as a `fetch`: knows one model; `down` makes every call fail to connect. */
export class OllamaDouble {
  down = false;
  calls: { path: string; body: string }[] = [];
  constructor(readonly model = "smollm2:135m") {}

  fetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : (input as Request).url);
    const body = init?.body === undefined || init.body === null
      ? ""
      : typeof init.body === "string"
      ? init.body
      : new TextDecoder().decode(init.body as Uint8Array);
    this.calls.push({ path: url.pathname, body });
    if (this.down) {
      throw new TypeError("error sending request: Connection refused (os error 111)");
    }
    const json = (v: unknown, status = 200) =>
      new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json" } });
    switch (url.pathname) {
      case "/api/tags":
        return json({ models: [{ name: this.model, modified_at: "2026-01-01T00:00:00Z" }] });
      case "/api/version":
        return json({ version: "0.6.5" });
      case "/api/chat":
      case "/api/generate":
      case "/api/embed": {
        const parsed = JSON.parse(body);
        if (parsed.model !== this.model) {
          return json({ error: `model "${parsed.model}" not found, try pulling it first` }, 404);
        }
        if (url.pathname === "/api/embed") {
          return json({ model: this.model, embeddings: [[0.5, -0.25]], prompt_eval_count: 2 });
        }
        await Promise.resolve();
        const text = chatNdjson(this.model, url.pathname === "/api/chat");
        if (parsed.stream === false) {
          const lines = text.trim().split("\n").map((l) => JSON.parse(l));
          const last = lines.at(-1);
          const content = DOUBLE_WORDS.join("");
          return json(
            url.pathname === "/api/chat"
              ? { ...last, message: { role: "assistant", content } }
              : { ...last, response: content },
          );
        }
        return new Response(text, { headers: { "content-type": "application/x-ndjson" } });
      }
      default:
        return json({ error: "not found" }, 404);
    }
  };
}

/** A publisher double keeping what it is given (or refusing it once `full`). */
export class PublisherDouble implements GatewayPublisher {
  events: OutgoingEvent[] = [];
  full = false;
  kafkaDown = false;
  dropped = 0;
  publish(events: readonly OutgoingEvent[]): boolean {
    if (this.full) {
      this.dropped += events.length;
      return false;
    }
    this.events.push(...events);
    return true;
  }
  hasRoom(): boolean {
    return !this.full;
  }
  stats(): PublisherStats {
    return {
      buffered: this.full ? 10 : 0,
      bufferedBytes: 0,
      published: this.events.length,
      dropped: this.dropped,
      rejected: 0,
      retries: 0,
      lastError: this.kafkaDown ? "connect ECONNREFUSED" : null,
      maxEvents: 10,
      maxBytes: 1_000,
    };
  }
  /** The values published to a topic. */
  on(topic: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.topic === topic).map((e) =>
      e.value as Record<string, unknown>
    );
  }
}
