import assert from "node:assert/strict";
import { join } from "node:path";
import { DatasetError, listDatasets, loadDataset, parseDataset } from "./dataset.ts";

const DATASETS = new URL("../../datasets/", import.meta.url).pathname;

function rejects(text: string, index: number | null, message: RegExp): void {
  assert.throws(
    () => parseDataset(text, "bad.json"),
    (e: unknown) =>
      e instanceof DatasetError && e.file === "bad.json" && e.index === index &&
      message.test(e.message),
  );
}

Deno.test("a dataset of strings and objects loads into entry objects", () => {
  const entries = parseDataset(
    JSON.stringify([
      "What is Kafka?",
      {
        prompt: "Hi",
        model: "m",
        params: { temperature: 0.2, num_predict: 16, seed: 7 },
        user_id: "u",
        system: "be brief",
        tags: { topic: "x" },
      },
    ]),
    "ok.json",
  );
  assert.deepEqual(entries, [
    { prompt: "What is Kafka?" },
    {
      prompt: "Hi",
      model: "m",
      params: { temperature: 0.2, num_predict: 16, seed: 7 },
      user_id: "u",
      system: "be brief",
      tags: { topic: "x" },
    },
  ]);
});

Deno.test("invalid JSON is an error naming the file", () => {
  rejects('["a",', null, /^bad\.json: invalid JSON/);
});

Deno.test("a JSON object instead of an array is an error", () => {
  rejects('{"prompt": "a"}', null, /^bad\.json: expected a JSON array of prompts, found an object/);
});

Deno.test("an empty array is an error", () => {
  rejects("[]", null, /has no prompts/);
});

Deno.test("a non-string prompt is an error naming the entry index", () => {
  rejects(
    '["a", {"prompt": 42}]',
    1,
    /^bad\.json: entry 1: prompt must be a string, found number 42/,
  );
});

Deno.test("a number as an entry is an error naming the entry index", () => {
  rejects('["a", "b", 3]', 2, /entry 2: expected a prompt string or an object/);
});

Deno.test("an empty or blank prompt is an error", () => {
  rejects('["a", "   "]', 1, /entry 1: prompt must not be empty/);
  rejects('[{"prompt": ""}]', 0, /entry 0: prompt must not be empty/);
});

Deno.test("an object without a prompt is an error", () => {
  rejects('[{"model": "m"}]', 0, /entry 0: missing "prompt"/);
});

Deno.test("an unknown field is an error (a typo must not be ignored)", () => {
  rejects('[{"prompt": "a", "temprature": 1}]', 0, /entry 0: unknown field "temprature"/);
});

Deno.test("out-of-range or unknown params are errors naming the param", () => {
  rejects(
    '[{"prompt": "a", "params": {"temperature": 5}}]',
    0,
    /params\.temperature must be a number in \[0, 2\], found number 5/,
  );
  rejects(
    '[{"prompt": "a", "params": {"top_p": 0}}]',
    0,
    /params\.top_p must be a number in \(0, 1\]/,
  );
  rejects(
    '[{"prompt": "a", "params": {"num_predict": 1.5}}]',
    0,
    /params\.num_predict must be an integer/,
  );
  rejects(
    '[{"prompt": "a", "params": {"num_predict": "10"}}]',
    0,
    /params\.num_predict must be an integer/,
  );
  rejects('[{"prompt": "a", "params": {"max_tokens": 10}}]', 0, /unknown param "max_tokens"/);
  rejects('[{"prompt": "a", "params": [1]}]', 0, /params must be an object, found an array/);
});

Deno.test("non-string tags and control characters are errors", () => {
  rejects('[{"prompt": "a", "tags": {"n": 1}}]', 0, /tags\.n must be a string/);
  rejects('["bell\\u0007"]', 0, /prompt must not contain control characters/);
});

Deno.test("a missing file is a DatasetError saying so", async () => {
  await assert.rejects(
    loadDataset("/nonexistent/prompts.json"),
    (e: unknown) =>
      e instanceof DatasetError && e.index === null &&
      e.message === "/nonexistent/prompts.json: file not found",
  );
});

Deno.test("the shipped datasets are valid: quick_test has 10 prompts, the others 25 or more", async () => {
  const quick = await loadDataset(join(DATASETS, "quick_test.json"));
  assert.equal(quick.name, "quick_test");
  assert.equal(quick.entries.length, 10);
  for (const name of ["general_knowledge", "coding", "long_form", "topic_shift"]) {
    const dataset = await loadDataset(join(DATASETS, `${name}.json`));
    assert.ok(dataset.entries.length >= 25, `${name} has ${dataset.entries.length} prompts`);
    const distinct = new Set(dataset.entries.map((e) => e.prompt));
    assert.equal(distinct.size, dataset.entries.length, `${name} repeats a prompt`);
  }
});

Deno.test("listDatasets lists json files by name with counts, and invalid files with their error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "datasets_" });
  try {
    await Deno.writeTextFile(join(dir, "b.json"), '["x", "y"]');
    await Deno.writeTextFile(join(dir, "a.json"), '["x"]');
    await Deno.writeTextFile(join(dir, "broken.json"), "[1]");
    await Deno.writeTextFile(join(dir, "notes.txt"), "ignored");
    const list = await listDatasets(dir);
    assert.deepEqual(list.map((d) => [d.name, d.file, d.count]), [
      ["a", "a.json", 1],
      ["b", "b.json", 2],
      ["broken", "broken.json", null],
    ]);
    assert.equal(list[0].path, join(dir, "a.json"));
    assert.equal(list[0].error, null);
    assert.match(list[2].error!, /entry 0: expected a prompt string/);
    assert.deepEqual(await listDatasets(join(dir, "missing")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
