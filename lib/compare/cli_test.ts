import assert from "node:assert/strict";
import { CliError, runCli } from "./cli.ts";

const CLI = new URL("./cli.ts", import.meta.url).pathname;

async function withFiles(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "compare_cli_" });
  try {
    const a = ["latency_s,success,model,tokens"];
    const b = [];
    for (let i = 0; i < 80; i++) {
      a.push(`${(0.5 + (i % 17) * 0.1).toFixed(2)},${i % 10 ? "true" : "false"},m1,${30 + i % 7}`);
      b.push(
        JSON.stringify({
          latency_s: 1.1 + (i % 13) * 0.1,
          success: i % 4 ? 1 : 0,
          model: "m2",
          tokens: 30 + i % 7,
        }),
      );
    }
    await Deno.writeTextFile(`${dir}/a.csv`, a.join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/b.jsonl`, b.join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/b.json`, `[${b.join(",")}]`);
    await Deno.writeTextFile(`${dir}/one.csv`, "latency_s,success,model,tokens\n1.5,true,m1,3\n");
    await Deno.writeTextFile(`${dir}/text.csv`, "latency_s,success\nfast,true\n1,false\n2,true\n");
    await Deno.writeTextFile(`${dir}/broken.jsonl`, '{"latency_s": 1}\n{"latency_s": \n');
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("compare --json prints one object with the issue's fields per column kind", async () => {
  await withFiles((dir) => {
    const out = JSON.parse(runCli(["--a", `${dir}/a.csv`, "--b", `${dir}/b.jsonl`, "--json"]));
    assert.equal(out.a_rows, 80);
    assert.equal(out.b_rows, 80);
    assert.equal(out.alpha, 0.05);
    const by = Object.fromEntries(out.columns.map((c: { column: string }) => [c.column, c]));
    assert.deepEqual(Object.keys(by).sort(), ["latency_s", "success", "tokens"]);
    const lat = by.latency_s;
    assert.equal(lat.kind, "numeric");
    for (
      const k of ["column", "kind", "n_a", "n_b", "mean_a", "mean_b", "p_adjusted", "significant"]
    ) {
      assert.ok(k in lat, `latency_s lacks ${k}`);
    }
    assert.deepEqual(Object.keys(lat.tests).sort(), [
      "bootstrap",
      "cliffs_delta",
      "mann_whitney",
      "welch_t",
    ]);
    assert.deepEqual(Object.keys(lat.tests.mann_whitney).sort(), ["p_value", "statistic"]);
    assert.deepEqual(Object.keys(lat.tests.welch_t).sort(), ["df", "p_value", "statistic"]);
    assert.deepEqual(Object.keys(lat.tests.bootstrap).sort(), ["ci_high", "ci_low", "level"]);
    assert.equal(lat.significant, true);
    assert.ok(lat.tests.bootstrap.ci_low > 0, "B is slower");
    const ok = by.success;
    assert.equal(ok.kind, "binary");
    assert.equal(ok.rate_a, 72 / 80);
    assert.equal(ok.rate_b, 60 / 80);
    assert.ok(!("mean_a" in ok));
    assert.deepEqual(Object.keys(ok.tests).sort(), ["fisher_exact", "two_proportion_z"]);
    assert.deepEqual(Object.keys(ok.tests.fisher_exact).sort(), ["odds_ratio", "p_value"]);
    assert.equal(by.tokens.significant, false);
    assert.equal(by.tokens.tests.mann_whitney.p_value, 1);
    assert.deepEqual(out.skipped.map((s: { column: string }) => s.column), ["model"]);
  });
});

Deno.test("compare reads JSON arrays as JSONL and honours --columns, --alpha, --adjust and --seed", async () => {
  await withFiles((dir) => {
    const args = ["--a", `${dir}/a.csv`, "--columns", "latency_s, success", "--json"];
    const jsonl = JSON.parse(runCli([...args, "--b", `${dir}/b.jsonl`]));
    const json = JSON.parse(runCli([...args, "--b", `${dir}/b.json`]));
    assert.deepEqual(json, jsonl);
    assert.deepEqual(json.columns.map((c: { column: string }) => c.column), [
      "latency_s",
      "success",
    ]);
    const strict = JSON.parse(
      runCli([
        ...args,
        "--b",
        `${dir}/b.json`,
        "--alpha",
        "1e-30",
        "--adjust",
        "bh",
        "--seed",
        "5",
      ]),
    );
    assert.equal(strict.alpha, 1e-30);
    assert.equal(strict.adjust, "bh");
    assert.equal(strict.columns[0].significant, false);
    assert.notEqual(
      strict.columns[0].tests.bootstrap.ci_low,
      json.columns[0].tests.bootstrap.ci_low,
    );
  });
});

Deno.test("compare without --json prints the table and a verdict per column", async () => {
  await withFiles((dir) => {
    const text = runCli(["--a", `${dir}/a.csv`, "--b", `${dir}/b.jsonl`]);
    assert.match(text, /^A rows: 80 {3}B rows: 80/);
    assert.match(text, /^latency_s: B is slower: (adjusted )?p < 0\.001, \+0\.\d+ \[/m);
    assert.match(text, /^success: B's rate is lower: /m);
    assert.match(text, /^tokens: no significant difference: /m);
  });
});

Deno.test("bad input throws a CliError with one line that names the problem", async () => {
  await withFiles((dir) => {
    const a = `${dir}/a.csv`;
    const b = `${dir}/b.jsonl`;
    const cases: [string[], RegExp][] = [
      [
        ["--a", `${dir}/missing.csv`, "--b", b],
        /cannot read A file .*missing\.csv: file not found/,
      ],
      [["--a", a, "--b", b, "--columns", "nope"], /unknown column "nope"/],
      [["--a", `${dir}/text.csv`, "--b", b, "--columns", "latency_s"], /holds text \("fast"/],
      [["--a", `${dir}/one.csv`, "--b", b, "--columns", "latency_s"], /1 value in A; at least 2/],
      [["--a", a, "--b", b, "--alpha", "1.5"], /--alpha expects a number in \(0, 1\)/],
      [["--a", a, "--b", b, "--alpha", "abc"], /--alpha expects/],
      [["--a", a, "--b", b, "--adjust", "bonferroni"], /--adjust expects holm or bh/],
      [["--a", a, "--b", b, "--resamples", "0"], /--resamples expects a positive integer/],
      [["--a", a, "--b", `${dir}/broken.jsonl`], /B file .*broken\.jsonl: Invalid JSON on line 2/],
      [["--a", a], /missing --b/],
      [["--a", a, "--b", b, "--bogus"], /Unknown option '--bogus'/],
      [["--a", a, "--b", b, "--columns", ","], /--columns expects/],
    ];
    for (const [args, message] of cases) {
      assert.throws(() => runCli(args), (err: unknown) => {
        assert.ok(err instanceof CliError, `${args.join(" ")}: ${err}`);
        assert.match(err.message, message);
        assert.ok(!err.message.includes("\n"), "one line");
        return true;
      });
    }
  });
});

Deno.test("the compare command exits 2 with one error line on stderr and 0 on success", async () => {
  await withFiles(async (dir) => {
    const run = (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", CLI, ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const bad = await run(["--a", `${dir}/a.csv`, "--b", `${dir}/b.jsonl`, "--columns", "nope"]);
    const stderr = new TextDecoder().decode(bad.stderr).trim();
    assert.equal(bad.code, 2);
    assert.equal(stderr.split("\n").length, 1);
    assert.match(stderr, /^error: unknown column "nope"/);
    const good = await run(["--a", `${dir}/a.csv`, "--b", `${dir}/b.jsonl`, "--json"]);
    assert.equal(good.code, 0, new TextDecoder().decode(good.stderr));
    assert.equal(JSON.parse(new TextDecoder().decode(good.stdout)).columns.length, 3);
  });
});
