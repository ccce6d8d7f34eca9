/**
 * Cross-site request forgery in a real browser: Chromium signs in to the dashboard (a real
 * `server/main.ts` with LLMOPS_TOKEN), then opens a page served from another local port, which
 * browsers treat as the same site, so the session cookie goes along. The page fires every
 * forgery a page can without the user's help (no-cors fetches with text/plain bodies, a bodiless
 * POST, an auto-submitted form) at the dashboard. Nothing reaches the pipeline: no prompt is
 * queued, the drift windows and the stream are untouched, and the form's answer is our 403.
 */
import assert from "node:assert/strict";
import { createKafka, readTopic, TOPICS } from "../lib/kafka/mod.ts";
import { INTEGRATION, integrationConfig, uniqueName } from "../lib/stack/testing.ts";
import { launchBrowser } from "./_browser_page.ts";
import { startServer } from "./_browser_server.ts";

const TOKEN = "browser-csrf-token-0123456789";

/** The attacker's page: forges requests to `target` as soon as it loads. */
function attackerPage(target: string, marker: string): string {
  const prompt = JSON.stringify({ prompt: marker });
  return `<!doctype html><html><body><h1>Cute cats</h1>
<form id="f" method="post" action="${target}/api/requests" enctype="text/plain">
<input name='{"prompt":"${marker}-form","x":"' value='"}'>
</form>
<script>
window.results = [];
const hits = [
  fetch("${target}/api/requests", { method: "POST", mode: "no-cors", credentials: "include",
    headers: { "content-type": "text/plain" }, body: ${JSON.stringify(prompt)} }),
  fetch("${target}/api/drift/config", { method: "POST", mode: "no-cors", credentials: "include",
    headers: { "content-type": "text/plain" }, body: '{"reference_size": 10}' }),
  fetch("${target}/api/stream/start", { method: "POST", mode: "no-cors", credentials: "include",
    headers: { "content-type": "text/plain" },
    body: '{"file": "quick_test.json", "delay_s": 1, "loop": true}' }),
  fetch("${target}/api/stream/stop", { method: "POST", mode: "no-cors", credentials: "include" }),
];
Promise.allSettled(hits).then((r) => {
  window.results = r.map((x) => x.status);
  document.getElementById("f").submit();
});
</script></body></html>`;
}

Deno.test({
  name: "a page on another local port cannot make the signed-in dashboard do anything",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const marker = uniqueName("forged-prompt");
    const server = await startServer({ env: { LLMOPS_TOKEN: TOKEN, LLMOPS_WORKERS: "0" } });
    const evil = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () =>
        new Response(attackerPage(server.origin, marker), {
          headers: { "content-type": "text/html; charset=utf-8" },
        }),
    );
    const browser = await launchBrowser();
    try {
      const bearer = { authorization: `Bearer ${TOKEN}` };
      const before = await (await fetch(`${server.origin}/api/drift`, { headers: bearer })).json();
      const page = await browser.newPage();
      await page.goto(`${server.origin}/login`);
      await page.fill("#token", TOKEN);
      await Promise.all([page.waitForURL(`${server.origin}/`), page.click("button[type=submit]")]);
      const cookies = await page.context().cookies(server.origin);
      assert.ok(cookies.some((c) => c.name === `llmops_session_${server.port}`), "signed in");

      // the forged form navigates the tab to the dashboard's answer
      await page.goto(`http://127.0.0.1:${evil.addr.port}/`);
      await page.waitForURL(`${server.origin}/api/requests`, { timeout: 30_000 });
      const answer = JSON.parse(await page.locator("body").innerText());
      assert.equal(answer.error.code, "forbidden", JSON.stringify(answer));
      assert.match(answer.error.message, /cross-(origin|site) request refused/);

      // nothing reached the pipeline
      const kafka = createKafka(config.kafka.brokers, marker);
      const forged = (await readTopic(kafka, TOPICS.requests, { lastNPerPartition: 500 }))
        .filter((m) => m.value!.toString().includes(marker));
      assert.deepEqual(forged, [], "no forged prompt on llm.requests");
      const after = await (await fetch(`${server.origin}/api/drift`, { headers: bearer })).json();
      assert.equal(after.windows.reference.size, before.windows.reference.size);
      const stream = await (await fetch(`${server.origin}/api/stream/status`, { headers: bearer }))
        .json();
      assert.equal(stream.state, "idle", "no stream was started");
      const out = server.output();
      assert.doesNotMatch(out, new RegExp(marker), "the server never handled the forged prompt");
    } finally {
      await browser.close();
      await evil.shutdown();
      await server.stop();
    }
  },
});
