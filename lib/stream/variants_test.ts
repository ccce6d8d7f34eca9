import assert from "node:assert/strict";
import { join } from "node:path";
import { StreamJob } from "./engine.ts";
import { FakeClock, InMemoryLlmClientDouble } from "./testing.ts";
import {
  loadVariant,
  parseVariant,
  splitWeights,
  VariantAssigner,
  VariantError,
  variantsOfModels,
} from "./variants.ts";
import { parseStreamArgs, runStreamCli, StreamCliError } from "./cli.ts";
import { formatSummary } from "./progress.ts";

Deno.test("a variant file gives a model, params and a system prompt, named after the file by default", () => {
  const v = parseVariant(
    {
      model: "smollm2:135m-concise",
      params: { temperature: 0.2, num_predict: 64 },
      system: "Be brief.",
    },
    "variants/concise.json",
  );
  assert.deepEqual(v, {
    name: "concise",
    model: "smollm2:135m-concise",
    params: { temperature: 0.2, num_predict: 64 },
    system: "Be brief.",
  });
  const cases: [unknown, RegExp][] = [
    [[], /x\.json: a variant must be a JSON object, found an array/],
    [{ modle: "m" }, /x\.json: unknown field "modle"/],
    [
      { params: { temperature: 3 } },
      /params\.temperature must be a number in \[0, 2\], found number 3/,
    ],
    [{ params: { max_tokens: 3 } }, /unknown param "max_tokens"/],
    [{ model: "" }, /model must be a non-empty string/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => parseVariant(value, "x.json"),
      (e: Error) => e instanceof VariantError && message.test(e.message),
    );
  }
});

Deno.test("split weights are normalised and checked against the variants", () => {
  const two = variantsOfModels(["a", "b"]);
  assert.deepEqual(splitWeights(two), [0.5, 0.5]);
  assert.deepEqual(splitWeights(two, [3, 1]), [0.75, 0.25]);
  assert.throws(() => splitWeights(two, [1]), /one weight per variant: 2 variants, 1 weights/);
  assert.throws(() => splitWeights(two, [1, 0]), /weights must be numbers > 0, found 0/);
  assert.throws(() => splitWeights([two[0]]), /at least 2 variants, found 1/);
  assert.throws(() => splitWeights([two[0], two[0]]), /"a" repeats/);
});

Deno.test("the seeded assignment repeats for a seed and follows the split", () => {
  const draw = (seed: number, n: number, weights = [0.5, 0.5]) => {
    const a = new VariantAssigner(weights, seed);
    return Array.from({ length: n }, () => a.next());
  };
  assert.deepEqual(draw(7, 50), draw(7, 50));
  assert.notDeepEqual(draw(7, 50), draw(8, 50));
  const many = draw(1, 10_000, [0.8, 0.2]);
  const share = many.filter((i) => i === 0).length / many.length;
  // binomial sd = 0.004: 5 sd either side
  assert.ok(Math.abs(share - 0.8) < 0.02, String(share));
});

Deno.test("an A/B job tags each request with its variant, applies the variant, and compares the variants", async () => {
  const clock = new FakeClock();
  const client = new InMemoryLlmClientDouble(clock, (input, seq) => ({
    kind: "success",
    // variant b is twice as fast and half as verbose
    afterMs: (input.model === "fast" ? 500 : 1_000) + (seq % 5) * 20,
    overrides: {
      model: input.model!,
      tags: input.tags,
      completion_tokens: input.model === "fast" ? 8 + (seq % 3) : 16 + (seq % 3),
      cost_usd: input.model === "fast" ? 0.001 : 0.002,
    },
  }));
  const job = new StreamJob({
    client,
    clock,
    entries: [{ prompt: "hello", system: "entry system", params: { temperature: 0.9 } }],
    loop: true,
    count: 40,
    delayS: 0,
    maxTokens: 16,
    variants: [
      { name: "slow", model: "slow" },
      {
        name: "b",
        model: "fast",
        system: "Be brief.",
        params: { temperature: 0.1, num_predict: 99 },
      },
    ],
    split: [1, 1],
    seed: 42,
  });
  const summary = await clock.run(job.start());
  const inputs = client.submitted.map((s) => s.input);
  for (const input of inputs) {
    const fast = input.model === "fast";
    assert.equal(input.tags!.variant, fast ? "b" : "slow");
    assert.equal(input.system, fast ? "Be brief." : "entry system");
    assert.equal(input.params!.temperature, fast ? 0.1 : 0.9);
    assert.equal(input.params!.num_predict, 16, "the job's max tokens win over the variant's");
  }
  const ab = summary.ab!;
  assert.equal(ab.seed, 42);
  assert.deepEqual(ab.variants.map((v) => v.sent).reduce((x, y) => x + y), 40);
  assert.deepEqual(
    ab.variants.map((v) => v.sent),
    [
      inputs.filter((i) => i.model === "slow").length,
      inputs.filter((i) => i.model === "fast").length,
    ],
  );
  assert.ok(ab.variants[0].latency_s.p50! > ab.variants[1].latency_s.p50!);
  assert.ok(Math.abs(ab.variants[1].cost_usd!.per_1k_calls - 1) < 1e-9);
  const [c] = ab.comparisons;
  assert.deepEqual([c.a, c.b], ["slow", "b"]);
  assert.ok(c.columns.includes("cost_usd"));
  const latency = c.result!.columns.find((x) => x.column === "latency_s")!;
  assert.equal(latency.significant, true);
  assert.match(c.verdicts[c.columns.indexOf("latency_s")], /^latency_s: B is faster: /);
  const text = formatSummary(summary);
  assert.match(text, /A\/B variants \(seed 42\)/);
  assert.match(text, /B = b against A = slow:/);
  assert.match(text, /latency_s: B is faster/);
  // the same seed assigns the same variants again
  const again = new InMemoryLlmClientDouble(clock, () => ({ kind: "success", afterMs: 1 }));
  const job2 = new StreamJob({
    client: again,
    clock,
    entries: ["x"],
    loop: true,
    count: 40,
    delayS: 0,
    variants: [{ name: "slow", model: "slow" }, { name: "b", model: "fast" }],
    seed: 42,
  });
  await clock.run(job2.start());
  assert.deepEqual(
    again.submitted.map((s) => s.input.tags!.variant),
    inputs.map((i) => i.tags!.variant),
  );
});

Deno.test("the stream command line reads --models, --variants, --split and --seed and refuses bad ones", async () => {
  const parsed = parseStreamArgs([
    "--file",
    "f.json",
    "--models",
    "m1,m2",
    "--split",
    "70,30",
    "--seed",
    "5",
  ]);
  assert.deepEqual(parsed.options.variants!.map((v) => v.model), ["m1", "m2"]);
  assert.deepEqual(parsed.options.split, [70, 30]);
  assert.equal(parsed.options.seed, 5);
  assert.deepEqual(parseStreamArgs(["--file", "f", "--variants", "a.json,b.json"]).variantFiles, [
    "a.json",
    "b.json",
  ]);
  const bad: [string[], RegExp][] = [
    [["--models", "m1"], /at least 2 variants, got 1/],
    [["--models", "m1,m2", "--variants", "a.json,b.json"], /--variants or --models, not both/],
    [["--models", "m1,m2", "--model", "m3"], /--model cannot be combined/],
    [["--split", "50,50"], /--split needs --variants or --models/],
    [["--models", "m1,m2", "--split", "50"], /one weight per variant: 2 variants, 1 weights/],
    [["--models", "m1,m2", "--split", "50,x"], /--split expects weights > 0/],
    [["--models", "m1,m2", "--seed", "1.5"], /--seed expects an integer/],
    [["--models", "m1,,m2"], /without empty items/],
  ];
  for (const [args, message] of bad) {
    assert.throws(
      () => parseStreamArgs(["--file", "f.json", ...args]),
      (e: Error) => e instanceof StreamCliError && message.test(e.message),
    );
  }
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "a.json"), JSON.stringify({ model: "m1" }));
    await Deno.writeTextFile(
      join(dir, "bad.json"),
      JSON.stringify({ model: "m2", temperature: 1 }),
    );
    await Deno.writeTextFile(join(dir, "data.json"), JSON.stringify(["hi"]));
    assert.equal((await loadVariant(join(dir, "a.json"))).name, "a");
    const err: string[] = [];
    const code = await runStreamCli(
      [
        "--file",
        join(dir, "data.json"),
        "--variants",
        `${join(dir, "a.json")},${join(dir, "bad.json")}`,
      ],
      {
        stderr: (t) => err.push(t),
        stdout: () => {},
        connect: () => Promise.reject(new Error("not reached")),
      },
    );
    assert.equal(code, 2);
    assert.match(err.join(""), /bad\.json: unknown field "temperature"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
