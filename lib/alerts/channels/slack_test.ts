import assert from "node:assert/strict";
import { z } from "zod";
import { sampleNotification, startReceiver } from "../_testing.ts";
import { parseChannel } from "./config.ts";
import { escapeMrkdwn, sendSlack, slackPayload } from "./slack.ts";

// Slack's documented shapes and limits (Block Kit reference: text objects, header, section,
// context and actions blocks, button element; incoming webhooks take `text` and `blocks`).
const plainText = (max: number) =>
  z.strictObject({
    type: z.literal("plain_text"),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
  });
const mrkdwn = (max: number) =>
  z.strictObject({ type: z.literal("mrkdwn"), text: z.string().min(1).max(max) });
const textObject = (max: number) => z.union([plainText(max), mrkdwn(max)]);
const SlackWebhookPayload = z.strictObject({
  text: z.string().min(1).max(40_000),
  blocks: z.array(z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("header"), text: plainText(150) }),
    z.strictObject({
      type: z.literal("section"),
      text: textObject(3000),
      fields: z.array(textObject(2000)).max(10).optional(),
    }),
    z.strictObject({
      type: z.literal("context"),
      elements: z.array(textObject(3000)).min(1).max(10),
    }),
    z.strictObject({
      type: z.literal("actions"),
      elements: z.array(z.strictObject({
        type: z.literal("button"),
        text: plainText(75),
        url: z.url().max(3000),
      })).min(1).max(25),
    }),
  ])).min(1).max(50),
});

Deno.test("the Slack payload has text and blocks in Slack's documented shape and limits", () => {
  const payload = slackPayload(sampleNotification(), { dashboardUrl: "http://127.0.0.1:8000" });
  SlackWebhookPayload.parse(payload);
  assert.deepEqual(payload.blocks.map((b) => b.type), ["header", "section", "context", "actions"]);
  assert.match(payload.text, /\[FIRING\] slow p95: 2\.345 \(threshold 2\), warning/);
  const resolved = slackPayload(
    sampleNotification({ state: "resolved", seq: 2, ended_at: 1_760_000_120_000 }),
    {},
  );
  SlackWebhookPayload.parse(resolved);
  assert.equal(resolved.blocks.some((b) => b.type === "actions"), false, "no link, no button");
});

Deno.test("untrusted text cannot mention, link or overflow in Slack", () => {
  const hostile = sampleNotification({
    rule_name: `<!channel> <https://evil.test|click> ${"x".repeat(500)}`,
    detail: "<@U123> & <!here>",
  });
  const payload = slackPayload(hostile, {});
  SlackWebhookPayload.parse(payload);
  // Slack parses mentions and links (`<…>`) in the top-level text and in mrkdwn objects only;
  // plain_text (the header) is shown as it is.
  const parsed: string[] = [payload.text];
  for (const block of payload.blocks) {
    if (block.type === "section") {
      parsed.push(
        block.text.text,
        ...(block.fields ?? []).map((f) => f.text),
      );
    }
    if (block.type === "context") parsed.push(...block.elements.map((e) => e.text));
  }
  for (const text of parsed) assert.equal(/[<>]/.test(text), false, text);
  assert.ok(parsed.some((t) => t.includes("&lt;@U123&gt; &amp; &lt;!here&gt;")));
  const header = payload.blocks[0];
  assert.ok(header.type === "header" && header.text.type === "plain_text");
  assert.ok(header.text.text.length <= 150);
  assert.equal(escapeMrkdwn("a<b>&c"), "a&lt;b&gt;&amp;c");
});

Deno.test("the Slack channel POSTs the payload as JSON with the idempotency key", async () => {
  const receiver = startReceiver();
  try {
    const channel = parseChannel({
      name: "team",
      type: "slack",
      url: `${receiver.url}/services/T000/B000/XXXX`,
    });
    assert.ok(channel.type === "slack");
    const n = sampleNotification();
    await sendSlack(channel, n, {});
    const [request] = receiver.requests;
    assert.equal(request.path, "/services/T000/B000/XXXX");
    assert.equal(request.headers.get("content-type"), "application/json");
    assert.equal(request.headers.get("idempotency-key"), n.key);
    SlackWebhookPayload.parse(JSON.parse(new TextDecoder().decode(request.body)));
  } finally {
    await receiver.stop();
  }
});
