import assert from "node:assert/strict";
import { findTestFiles, laneOf, planLanes, TEST_LANES, TEST_TRACKS } from "./test_lanes.ts";

// The markers are written with a "·" taken out when used, so this file itself reads as a unit test.
const src = (text: string) => text.replaceAll("·", "");

Deno.test("laneOf: no service is a unit test; the product's topics, groups or server make it a product test", () => {
  assert.equal(laneOf('Deno.test("adds", () => assert.equal(1 + 1, 2));'), "unit");
  assert.equal(laneOf("const x = TOPICS.requests; // a name, no service"), "unit");
  const integration = src(
    'import { INTEG·RATION, integration·Config } from "../stack/testing.ts";\n',
  );
  assert.equal(laneOf(`${integration}createTestTopics(kafka, ["requests"])`), "isolated");
  assert.equal(laneOf(`${integration}readTopic(kafka, TOPICS.requests)`), "product");
  assert.equal(laneOf(`${integration}new LlmWorker({ groupId: GROUPS.worker })`), "product");
  assert.equal(laneOf(`${integration}(await readResponses(kafka)).events`), "product");
  assert.equal(
    laneOf(`${integration}(await readResponses(kafka, { topic: topics.responses })).events`),
    "isolated",
  );
  assert.equal(laneOf(src('import { startServer } from "./_browser·_server.ts";')), "product");
  assert.equal(
    laneOf(`${integration}args: ["run", "-A", "lib/consumers/worker_cli.ts"]`),
    "product",
  );
  // a task that starts the dashboard or a worker runs on the product's topics and groups
  assert.equal(laneOf(`${integration}args: ["task", "demo", "--fast"]`), "product");
  assert.equal(laneOf(`${integration}args: ["task", "stack", "status"]`), "isolated");
});

Deno.test("laneOf: a test on a private or scratch stack has its own product topics", () => {
  const own = src('import { startPrivate·Stack } from "./_private·_stack.ts";\n');
  assert.equal(
    laneOf(`${own}${src("await startPrivate·Stack(); TOPICS.requests; GROUPS.worker")}`),
    "own-stack",
  );
  assert.equal(
    laneOf(src('import { planScratchStack } from "./_scratch·_stack.ts";\nTOPICS.responses')),
    "own-stack",
  );
  // a test that starts a whole second stack another way says so
  assert.equal(
    laneOf(src("/** @lane own-·stack */\nintegration·Config(); TOPICS.requests")),
    "own-stack",
  );
});

Deno.test("planLanes puts every test file of the project in exactly one lane", async () => {
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  const files = await findTestFiles(root);
  assert.ok(files.includes("lib/stack/test_lanes_test.ts"));
  assert.ok(files.every((f) => /_test\.tsx?$/.test(f) && !f.startsWith(".")));
  const lanes = await planLanes(root, files);
  assert.deepEqual(Object.keys(lanes).sort(), [...TEST_LANES].sort());
  assert.deepEqual(Object.values(lanes).flat().sort(), files);
  assert.ok(lanes.unit.includes("lib/stack/test_lanes_test.ts"));
  assert.ok(lanes.product.includes("notebooks/notebooks_test.ts"));
  assert.ok(lanes["own-stack"].includes("lib/e2e/faults_test.ts"));
  assert.ok(lanes.isolated.includes("lib/consumers/mlflow_sink_test.ts"));
});

Deno.test("the tracks hold every lane once, and the lanes on the stack's one Ollama share a track", () => {
  assert.deepEqual(TEST_TRACKS.flat().sort(), [...TEST_LANES].sort());
  const trackOf = (lane: string) => TEST_TRACKS.findIndex((t) => t.includes(lane as never));
  assert.equal(trackOf("isolated"), trackOf("product"));
  assert.notEqual(trackOf("own-stack"), trackOf("product"));
});
