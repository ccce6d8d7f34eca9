import assert from "node:assert/strict";
import {
  hostedCosts,
  modelPrice,
  parsePriceTable,
  priceOf,
  PriceTableError,
  tokenCost,
  withCost,
} from "./prices.ts";
import { DEFAULT_PRICES_PATH, loadPriceTable, readPriceFile } from "./price_file.ts";
import { sampleResponse } from "../events/testing.ts";
import { parseResponseEvent } from "../events/mod.ts";

const TABLE = parsePriceTable({
  version: "t-1",
  models: {
    tokens: { input_per_1m: 2, output_per_1m: 8, cached_input_per_1m: 0.5 },
    machine: { usd_per_hour: 3.6, parallel: 2 },
  },
  hosted: [{ name: "hosted-x", input_per_1m: 1, output_per_1m: 3 }],
}, "test.json");

Deno.test("token prices charge input and output tokens per million", () => {
  const cost = priceOf(
    sampleResponse({ model: "tokens", prompt_tokens: 1_000, completion_tokens: 250 }),
    TABLE,
  );
  assert.deepEqual(cost, { cost_usd: (1_000 * 2 + 250 * 8) / 1e6, price_version: "t-1" });
});

Deno.test("a compute price charges the call's Ollama duration at the hourly rate per parallel slot", () => {
  const cost = priceOf(
    sampleResponse({ model: "machine", total_duration_ns: 2_000_000_000, latency_ms: 9_999 }),
    TABLE,
  )!;
  // 3.6 USD/h over 2 slots = 0.0005 USD/s per call; 2 s → 0.001
  assert.ok(Math.abs(cost.cost_usd - 0.001) < 1e-15, String(cost.cost_usd));
  const failed = priceOf(
    sampleResponse({ model: "machine", total_duration_ns: null, latency_ms: 4_000 }),
    TABLE,
  )!;
  assert.ok(Math.abs(failed.cost_usd - 0.002) < 1e-15, "without a duration: the measured latency");
});

Deno.test("cached prompt tokens are a part of the prompt tokens, never charged on top", () => {
  const base = { model: "tokens", prompt_tokens: 1_000, completion_tokens: 0 };
  const none = priceOf(sampleResponse(base), TABLE)!.cost_usd;
  const half = priceOf({ ...sampleResponse(base), cached_prompt_tokens: 500 }, TABLE)!.cost_usd;
  assert.ok(Math.abs(none - 0.002) < 1e-15);
  assert.ok(Math.abs(half - (500 * 2 + 500 * 0.5) / 1e6) < 1e-15);
  assert.ok(half < none, "cached tokens cost less, not more");
  // without a cached price they cost exactly the input price: the total stays the same
  const plain = { input_per_1m: 2, output_per_1m: 8 };
  assert.equal(tokenCost(plain, 1_000, 0, 400), tokenCost(plain, 1_000, 0));
  assert.throws(() => tokenCost(plain, 100, 0, 101), /cached prompt tokens \(101\) to be a part/);
});

Deno.test("a model the table does not name is unpriced unless the table has a default", () => {
  assert.equal(priceOf(sampleResponse({ model: "other" }), TABLE), null);
  const withDefault = parsePriceTable({
    version: "v",
    models: {},
    default: { input_per_1m: 1, output_per_1m: 1 },
  });
  assert.deepEqual(modelPrice(withDefault, "other"), { input_per_1m: 1, output_per_1m: 1 });
  assert.equal(withDefault.hosted.length, 0);
});

Deno.test("withCost prices a v2 event once and the result validates as llm.response.v2", () => {
  const event = sampleResponse({ model: "tokens", prompt_tokens: 10, completion_tokens: 5 });
  const priced = withCost(event, TABLE);
  assert.equal(priced.price_version, "t-1");
  assert.equal(priced.cost_usd, (10 * 2 + 5 * 8) / 1e6);
  assert.equal(parseResponseEvent(priced).cost_usd, priced.cost_usd);
  // already priced: kept (no silent re-pricing); no table or no price: unchanged
  const later = parsePriceTable({
    version: "t-2",
    models: { tokens: { input_per_1m: 99, output_per_1m: 99 } },
  });
  assert.equal(withCost(priced, later).price_version, "t-1");
  assert.equal(withCost(event, null), event);
  assert.equal(withCost(sampleResponse({ model: "other" }), TABLE).cost_usd, undefined);
  const v1 = { ...event, schema: "llm.response.v1" as const };
  assert.equal(withCost(v1, TABLE).cost_usd, undefined);
});

Deno.test("hosted costs price the traffic's token totals on each hosted model", () => {
  assert.deepEqual(
    hostedCosts({ calls: 4, prompt_tokens: 2_000, completion_tokens: 1_000 }, TABLE.hosted),
    [{
      name: "hosted-x",
      total_usd: (2_000 + 3_000) / 1e6,
      per_1k_calls_usd: (5_000 / 1e6 / 4) * 1000,
    }],
  );
  assert.equal(
    hostedCosts({ calls: 0, prompt_tokens: 0, completion_tokens: 0 }, TABLE.hosted)[0]
      .per_1k_calls_usd,
    null,
  );
});

Deno.test("an invalid table is refused with the file, the field, what was expected and what was found", () => {
  const cases: [unknown, RegExp][] = [
    [[], /p\.json: must be a JSON object, found an array/],
    [{ models: {} }, /p\.json: version must be a non-empty string .* found nothing/],
    [{ version: "v", models: [] }, /models must be an object of model prices, found an array/],
    [
      { version: "v", models: { m: { input_per_1m: -1, output_per_1m: 1 } } },
      /models\["m"\]\.input_per_1m must be a finite number ≥ 0 \(USD\), found number -1/,
    ],
    [
      { version: "v", models: { m: { input_per_1m: 1 } } },
      /models\["m"\]\.output_per_1m must be a finite number ≥ 0 \(USD\), found nothing/,
    ],
    [
      { version: "v", models: { m: { input_per_1m: 1, output_per_1m: 1, usd_per_hour: 1 } } },
      /mixes token prices and a compute price/,
    ],
    [
      { version: "v", models: { m: {} } },
      /must give either input_per_1m and output_per_1m .* or usd_per_hour/,
    ],
    [
      { version: "v", models: { m: { usd_per_hour: 1, parallel: 0 } } },
      /models\["m"\]\.parallel must be an integer ≥ 1, found number 0/,
    ],
    [{ version: "v", models: { m: { usd_per_hour: 1, gpus: 2 } } }, /unknown field "gpus"/],
    [
      { version: "v", models: {}, hosted: [{ name: "x", input_per_1m: 1 }] },
      /hosted\[0\]\.output_per_1m must be/,
    ],
    [{
      version: "v",
      models: {},
      hosted: [{ name: "x", input_per_1m: 1, output_per_1m: 1 }, {
        name: "x",
        input_per_1m: 1,
        output_per_1m: 1,
      }],
    }, /hosted\[1\]\.name repeats "x"/],
    [{ version: "v", models: {}, prices: {} }, /unknown field "prices"/],
    [{ version: "a\u0007b", models: {} }, /version must be .* without control characters/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parsePriceTable(value, "p.json"), (e: Error) => {
      assert.ok(e instanceof PriceTableError, e.name);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("the repository's default table validates and LLMOPS_PRICES chooses another or none", async () => {
  const table = await readPriceFile(DEFAULT_PRICES_PATH);
  assert.ok(table.hosted.length >= 1);
  assert.ok(modelPrice(table, "smollm2:135m") !== null);
  assert.equal((await loadPriceTable({}))?.version, table.version);
  assert.equal(await loadPriceTable({ LLMOPS_PRICES: "off" }), null);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/p.json`, JSON.stringify({ version: "mine", models: {} }));
    assert.equal((await loadPriceTable({ LLMOPS_PRICES: `${dir}/p.json` }))?.version, "mine");
    await Deno.writeTextFile(`${dir}/bad.json`, "{nope");
    await assert.rejects(
      () => loadPriceTable({ LLMOPS_PRICES: `${dir}/bad.json` }),
      /bad\.json: not valid JSON/,
    );
    await assert.rejects(
      () => loadPriceTable({ LLMOPS_PRICES: `${dir}/missing.json` }),
      /missing\.json: file not found/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
