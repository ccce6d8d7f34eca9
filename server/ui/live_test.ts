import assert from "node:assert/strict";
import {
  appendToken,
  type EventSourceLike,
  initialLiveState,
  LiveStore,
  mergeResponses,
  prependResponse,
  reduceLive,
} from "./live.ts";
import type { MetricsSnapshot, ResponseEvent, StreamStatus } from "./types.ts";

function response(id: string, tsEnd: number, text = "answer"): ResponseEvent {
  return { request_id: id, ts_end: tsEnd, ts: tsEnd - 10, response: text } as ResponseEvent;
}

Deno.test("merged responses are newest first, one per request id, capped", () => {
  const merged = mergeResponses(
    [response("a", 1), response("b", 3)],
    [response("c", 2), response("a", 1, "newer copy")],
    2,
  );
  assert.deepEqual(merged.map((r) => r.request_id), ["b", "c"]);
  const all = mergeResponses([response("a", 1)], [response("a", 1, "newer copy")]);
  assert.equal(all.length, 1);
  assert.equal(all[0].response, "newer copy");
});

Deno.test("a live response is prepended and the list stays at its cap", () => {
  let list: ResponseEvent[] = [];
  for (let i = 0; i < 205; i++) list = prependResponse(list, response(`r${i}`, i), 200);
  assert.equal(list.length, 200);
  assert.equal(list[0].request_id, "r204");
  assert.equal(list[199].request_id, "r5");
});

Deno.test("a duplicate or late response does not appear twice and lands in time order", () => {
  const list = [response("b", 5), response("a", 1)];
  assert.deepEqual(prependResponse(list, response("b", 5)).map((r) => r.request_id), ["b", "a"]);
  assert.deepEqual(
    prependResponse(list, response("late", 3)).map((r) => r.request_id),
    ["b", "late", "a"],
  );
});

Deno.test("token pieces accumulate per request and old requests are forgotten", () => {
  let tokens: Record<string, string> = {};
  tokens = appendToken(tokens, { request_id: "x", text: "Hel" });
  tokens = appendToken(tokens, { request_id: "x", text: "lo" });
  assert.equal(tokens.x, "Hello");
  for (let i = 0; i < 5; i++) tokens = appendToken(tokens, { request_id: `y${i}`, text: "." }, 3);
  assert.deepEqual(Object.keys(tokens), ["y2", "y3", "y4"]);
  assert.equal(appendToken(tokens, { request_id: 1, text: "?" } as never), tokens);
});

Deno.test("the reducer applies each event kind and ignores malformed data", () => {
  const s0 = initialLiveState();
  // partial bodies are enough for the reducer, which only stores them
  const partial = <T>(value: Partial<T>) => value as T;
  assert.equal(reduceLive(s0, { name: "runs", data: { changed: true } }).runsVersion, 1);
  assert.equal(
    reduceLive(s0, { name: "metrics", data: partial<MetricsSnapshot>({ total: 3 }) }).metrics
      ?.total,
    3,
  );
  assert.equal(
    reduceLive(s0, { name: "stream", data: partial<StreamStatus>({ state: "running" }) }).stream
      ?.state,
    "running",
  );
  assert.equal(
    reduceLive(s0, { name: "response", data: response("q", 1) }).responses[0].request_id,
    "q",
  );
  assert.equal(
    reduceLive(s0, { name: "token", data: { request_id: "q", text: "a" } }).tokens.q,
    "a",
  );
  // what a misbehaving server could send
  assert.equal(reduceLive(s0, { name: "metrics", data: "not an object" } as never), s0);
  assert.equal(reduceLive(s0, { name: "response", data: { no: "id" } } as never), s0);
  assert.equal(reduceLive(s0, { name: "ping", data: {} } as never), s0);
});

class FakeSource implements EventSourceLike {
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  listeners = new Map<string, (event: MessageEvent | Event) => void>();
  closed = false;
  addEventListener(type: string, listener: (event: MessageEvent | Event) => void) {
    this.listeners.set(type, listener);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: string) {
    this.listeners.get(type)?.(new MessageEvent(type, { data }));
  }
}

Deno.test("the store follows the event stream, reports reconnects and skips bad JSON", () => {
  const store = new LiveStore();
  const source = new FakeSource();
  const opens: boolean[] = [];
  let notified = 0;
  store.subscribe(() => notified++);
  const close = store.connect((re) => opens.push(re), () => source);
  source.onopen?.(new Event("open"));
  assert.equal(store.state.connection, "open");
  source.emit("metrics", JSON.stringify({ total: 7 }));
  source.emit("metrics", "{not json");
  assert.equal(store.state.metrics?.total, 7);
  source.onerror?.(new Event("error"));
  assert.equal(store.state.connection, "reconnecting");
  source.onopen?.(new Event("open"));
  assert.deepEqual(opens, [false, true]);
  assert.equal(notified, 4);
  close();
  assert.equal(source.closed, true);
});
