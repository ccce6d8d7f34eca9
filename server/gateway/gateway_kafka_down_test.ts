/**
 * Kafka stopped during gateway traffic, on a private Kafka (the shared stack's Ollama answers):
 * callers keep getting the model's answers, the events wait in the gateway's buffer and all
 * arrive once Kafka is back; a gateway with a small buffer drops the overflow and counts it in
 * `/health` and `/metrics` instead of losing it silently.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { Ollama } from "ollama";
import { decodeResponse } from "../../lib/events/mod.ts";
import { createKafka, readTopic, TOPICS } from "../../lib/kafka/mod.ts";
import { INTEGRATION, integrationConfig, waitFor } from "../../lib/stack/testing.ts";
import { startPrivateStack } from "../../lib/e2e/_private_stack.ts";
import { gatewaySettings, startGateway } from "./runtime.ts";

Deno.test({
  name:
    "with Kafka stopped the gateway keeps answering, buffers its events and delivers them when Kafka is back",
  ...INTEGRATION,
  fn: async () => {
    const shared = integrationConfig();
    const t0 = Date.now();
    const phase = (what: string) =>
      console.error(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
    const stack = await startPrivateStack({ services: ["kafka"] });
    phase("private Kafka up");
    const config = { ...stack.config, ollama: shared.ollama };
    const model = config.ollama.model;
    const gateway = await startGateway({ config, settings: { ...gatewaySettings({}), port: 0 } });
    let small: Awaited<ReturnType<typeof startGateway>> | null = null;
    const ids: string[] = [];
    const ask = async (url: string, text: string) => {
      const id = crypto.randomUUID();
      const openai = new OpenAI({ apiKey: "k", baseURL: `${url}/v1`, maxRetries: 0 });
      const answer = await openai.chat.completions.create({
        model,
        messages: [{ role: "user", content: text }],
        max_tokens: 6,
        temperature: 0,
      }, { headers: { "x-request-id": id } });
      const content = answer.choices[0].message.content ?? "";
      assert.ok(content.length > 0, "the model's answer");
      return { id, content };
    };
    try {
      const before = await ask(gateway.url, "Say one.");
      ids.push(before.id);
      await waitFor(() => gateway.stats().published === 2, "the first call's two events");

      phase("first call published");
      await stack.stop("kafka");
      phase("Kafka stopped");
      const during = [await ask(gateway.url, "Say two."), await ask(gateway.url, "Say three.")];
      let streamed = "";
      const streamId = crypto.randomUUID();
      for await (
        const part of await new Ollama({ host: gateway.url, headers: { "x-request-id": streamId } })
          .chat({
            model,
            messages: [{ role: "user", content: "Say four." }],
            stream: true,
            options: { num_predict: 6 },
          })
      ) streamed += part.message.content;
      assert.ok(streamed.length > 0);
      ids.push(...during.map((d) => d.id), streamId);
      await waitFor(
        () => gateway.stats().buffered === 6,
        `three calls' events waiting for Kafka (${JSON.stringify(gateway.stats())})`,
        10_000,
      );
      assert.equal(gateway.stats().dropped, 0);

      // a gateway started while Kafka is down serves at once; it holds 4 events: the third
      // call's pair is dropped, and counted
      const startedDown = await startGateway({
        config,
        settings: { ...gatewaySettings({}), port: 0, bufferEvents: 4 },
      });
      small = startedDown;
      const kept = [await ask(startedDown.url, "Say a."), await ask(startedDown.url, "Say b.")];
      const lost = await ask(startedDown.url, "Say c.");
      assert.equal(startedDown.stats().dropped, 2);
      const health = await (await fetch(`${startedDown.url}/health`)).json();
      assert.equal(health.publisher.dropped, 2);
      assert.match(
        await (await fetch(`${startedDown.url}/metrics`)).text(),
        /^llmops_gateway_events_dropped_total 2$/m,
      );

      phase("calls answered while Kafka was down");
      await stack.start("kafka");
      phase("Kafka started again");
      await waitFor(() => gateway.stats().published === 8, "the buffered events", 180_000);
      await waitFor(
        () => startedDown.stats().published === 4,
        "the small gateway's events",
        60_000,
      );
      phase("buffered events acknowledged");
      const kafka = createKafka(config.kafka.brokers, "gateway-kafka-down-reader");
      const responses = (await readTopic(kafka, TOPICS.responses, { timeoutMs: 60_000 }))
        .map((m) => decodeResponse(m.value));
      const seen = new Set(responses.map((r) => r.request_id));
      for (const id of [...ids, ...kept.map((k) => k.id)]) assert.ok(seen.has(id), id);
      assert.ok(!seen.has(lost.id), "the dropped call is not on the topic: it was counted");
      const byId = new Map(responses.map((r) => [r.request_id, r]));
      assert.equal(byId.get(during[0].id)!.response, during[0].content);
      assert.equal(byId.get(streamId)!.response, streamed);
      // delivery is at least once (a batch in flight when Kafka stopped may be written twice;
      // consumers drop duplicates by request id): every kept call's request is there
      const requests = await readTopic(kafka, TOPICS.requests, { timeoutMs: 60_000 });
      const requestIds = new Set(requests.map((m) => JSON.parse(m.value!.toString()).request_id));
      assert.deepEqual(requestIds, new Set([...ids, ...kept.map((k) => k.id)]));
    } finally {
      await gateway.stop(5_000);
      await small?.stop(5_000);
      await stack.down();
    }
  },
});
