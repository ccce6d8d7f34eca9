import assert from "node:assert/strict";

const CLI = new URL("./cli.ts", import.meta.url).pathname;

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function withFiles(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "drift_cli_" });
  try {
    const ref = ["latency_s,status,model"];
    const cur = [];
    for (let i = 0; i < 80; i++) {
      ref.push(`${(0.5 + (i % 17) * 0.1).toFixed(2)},${i % 10 ? "success" : "error"},smollm2`);
      cur.push(
        JSON.stringify({
          latency_s: 2.5 + (i % 13) * 0.1,
          status: i % 4 ? "success" : "error",
          model: "smollm2",
        }),
      );
    }
    await Deno.writeTextFile(`${dir}/ref.csv`, ref.join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/cur.jsonl`, cur.join("\n") + "\n");
    await Deno.writeTextFile(
      `${dir}/empty_col.csv`,
      "latency_s,status,model\n,success,a\n,error,b\n",
    );
    await Deno.writeTextFile(
      `${dir}/text.csv`,
      "latency_s,status,model\nfast,success,a\n1,error,b\n",
    );
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("CLI --json prints the report with per-column stattests, quality and correlations", async () => {
  await withFiles(async (dir) => {
    const r = await runCli([
      "--reference",
      `${dir}/ref.csv`,
      "--current",
      `${dir}/cur.jsonl`,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.reference_rows, 80);
    assert.equal(report.current_rows, 80);
    assert.equal(report.columns_total, 3);
    const byName = Object.fromEntries(report.columns.map((c: { column: string }) => [c.column, c]));
    assert.equal(byName.latency_s.kind, "numerical");
    assert.equal(byName.latency_s.stattest, "ks");
    assert.equal(byName.latency_s.drifted, true);
    assert.equal(byName.latency_s.score, byName.latency_s.p_value);
    assert.equal(byName.status.stattest, "z");
    assert.equal(byName.model.p_value, 1);
    for (const c of report.columns) {
      for (
        const k of [
          "column",
          "kind",
          "stattest",
          "statistic",
          "p_value",
          "score",
          "threshold",
          "drifted",
        ]
      ) {
        assert.ok(k in c, `${c.column} lacks ${k}`);
      }
    }
    assert.equal(
      report.drifted_columns,
      report.columns.filter((c: { drifted: boolean }) => c.drifted).length,
    );
    assert.equal(report.dataset_drift, report.drifted_columns / 3 >= 0.5);
    assert.equal(report.quality.length, 3);
    assert.deepEqual(report.correlations.reference.pearson.columns, ["latency_s"]);
  });
});

Deno.test("CLI honours --columns, --stattest, --threshold and --drift-share", async () => {
  await withFiles(async (dir) => {
    const r = await runCli([
      "--reference",
      `${dir}/ref.csv`,
      "--current",
      `${dir}/cur.jsonl`,
      "--json",
      "--columns",
      "latency_s,status",
      "--stattest",
      "psi",
      "--threshold",
      "0.3",
      "--drift-share",
      "0.9",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.columns.map((c: { column: string }) => c.column), [
      "latency_s",
      "status",
    ]);
    assert.ok(
      report.columns.every((c: { stattest: string; threshold: number }) =>
        c.stattest === "psi" && c.threshold === 0.3
      ),
    );
    assert.equal(report.drift_share, 0.9);
  });
});

Deno.test("CLI without --json prints an aligned table", async () => {
  await withFiles(async (dir) => {
    const r = await runCli(["--reference", `${dir}/ref.csv`, "--current", `${dir}/cur.jsonl`]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    const header = lines.find((l) => l.startsWith("column"))!;
    assert.ok(header.includes("stattest") && header.includes("p_value"));
    const row = lines.find((l) => l.startsWith("latency_s"))!;
    assert.equal(row.indexOf("ks"), header.indexOf("stattest"));
  });
});

Deno.test("CLI bad input exits with code 2 and one error line naming the problem", async () => {
  await withFiles(async (dir) => {
    const cases: [string[], RegExp][] = [
      [
        ["--reference", `${dir}/missing.csv`, "--current", `${dir}/cur.jsonl`],
        /missing\.csv.*not found/,
      ],
      [
        ["--reference", `${dir}/ref.csv`, "--current", `${dir}/cur.jsonl`, "--columns", "nope"],
        /Unknown column "nope"/,
      ],
      [
        ["--reference", `${dir}/empty_col.csv`, "--current", `${dir}/cur.jsonl`],
        /"latency_s".*reference/,
      ],
      [[
        "--reference",
        `${dir}/text.csv`,
        "--current",
        `${dir}/ref.csv`,
        "--columns",
        "latency_s",
        "--stattest",
        "ks",
      ], /"latency_s".*needs numbers only.*"fast"/],
      [
        ["--reference", `${dir}/ref.csv`, "--current", `${dir}/cur.jsonl`, "--stattest", "foo"],
        /unknown stattest "foo".*ks, chisquare, z, wasserstein, jensenshannon, psi/,
      ],
      [["--reference", `${dir}/ref.csv`], /missing --current/],
      [
        ["--reference", `${dir}/ref.csv`, "--current", `${dir}/cur.jsonl`, "--threshold", "abc"],
        /--threshold/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], pattern);
      assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
    }
  });
});
