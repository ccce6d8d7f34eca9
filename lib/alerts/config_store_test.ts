import assert from "node:assert/strict";
import {
  AlertConfigStore,
  AlertConflictError,
  AlertNotFoundError,
  parseAlertConfig,
} from "./config_store.ts";
import { SECRET_MASK } from "./channels/config.ts";
import { AlertValidationError } from "./validation.ts";

const SECRET = "webhook-secret-0123456789";
const HOOK = {
  name: "oncall",
  type: "webhook",
  url: "https://hooks.example.test/a",
  secret: SECRET,
};
const RULE = {
  name: "slow p95",
  kind: "metric",
  metric: "latency_p95_s",
  op: ">",
  threshold: 2,
  window_s: 300,
  for_s: 60,
  channels: ["oncall"],
};

async function withStore(fn: (store: AlertConfigStore, path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "alerts-store-" });
  try {
    const path = `${dir}/state/alerts.json`;
    await fn(await AlertConfigStore.open(path), path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a store keeps rules and channels in a 0600 file that a second store reads back the same", async () => {
  await withStore(async (store, path) => {
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound, "no file before a change");
    const { created } = await store.upsertChannel(HOOK);
    assert.equal(created, true);
    const rule = await store.createRule(RULE);
    assert.match(rule.id, /^[0-9a-f-]{36}$/);
    assert.equal(rule.repeat_s, 14_400, "defaults are applied before storing");
    const info = await Deno.stat(path);
    assert.equal(info.mode! & 0o777, 0o600);
    const other = await AlertConfigStore.open(path);
    assert.deepEqual(other.rules, store.rules);
    assert.deepEqual(other.channels, store.channels);
    assert.equal(other.channels[0].type === "webhook" && other.channels[0].secret, SECRET);
    const leftovers = [...Deno.readDirSync(path.slice(0, path.lastIndexOf("/")))]
      .map((e) => e.name).filter((n) => n !== "alerts.json");
    assert.deepEqual(leftovers, [], "no temporary file is left behind");
  });
});

Deno.test("masked channels never carry the secret, and an update that sends the mask back keeps it", async () => {
  await withStore(async (store) => {
    await store.upsertChannel(HOOK);
    const masked = store.masked()[0];
    assert.ok(masked.type === "webhook");
    assert.equal(masked.secret, SECRET_MASK);
    assert.ok(!JSON.stringify(store.masked()).includes(SECRET));
    const { created } = await store.upsertChannel({
      ...masked,
      url: "https://hooks.example.test/b",
    });
    assert.equal(created, false);
    const stored = store.channels[0];
    assert.ok(stored.type === "webhook");
    assert.equal(stored.secret, SECRET, "the mask did not replace the stored secret");
    assert.equal(stored.url, "https://hooks.example.test/b");
  });
});

Deno.test("invalid rules and channels are refused with the field, what was expected and what was found", async () => {
  await withStore(async (store) => {
    await assert.rejects(
      () => store.createRule({ ...RULE, metric: "latency_p42" }),
      (e: unknown) =>
        e instanceof AlertValidationError && /metric: expected one of .*found "latency_p42"/
          .test(e.message),
    );
    await assert.rejects(
      () => store.createRule(RULE),
      (e: unknown) =>
        e instanceof AlertValidationError &&
        /channels\.0: expected the name of a defined channel \(none is defined yet\), found "oncall"/
          .test(e.message),
    );
    await assert.rejects(
      () => store.upsertChannel({ ...HOOK, url: "ftp://x" }),
      (e: unknown) =>
        e instanceof AlertValidationError && /^invalid channel: url: /.test(e.message),
    );
    assert.equal(store.rules.length, 0);
    assert.equal(store.channels.length, 0);
  });
});

Deno.test("rules are replaced and deleted by id; unknown ids are 404 and taken ids 409", async () => {
  await withStore(async (store) => {
    await store.upsertChannel(HOOK);
    const rule = await store.createRule({ ...RULE, id: "p95" });
    await assert.rejects(() => store.createRule({ ...RULE, id: "p95" }), AlertConflictError);
    const replaced = await store.replaceRule("p95", { ...RULE, threshold: 3 });
    assert.equal(replaced.id, rule.id);
    assert.equal(replaced.kind === "metric" && replaced.threshold, 3);
    await assert.rejects(
      () => store.replaceRule("p95", { ...RULE, id: "other" }),
      (e: unknown) => e instanceof AlertValidationError && /^invalid rule: id: /.test(e.message),
    );
    await assert.rejects(() => store.replaceRule("nope", RULE), AlertNotFoundError);
    await assert.rejects(
      () => store.deleteChannel("oncall"),
      (e: unknown) =>
        e instanceof AlertConflictError && /used by rule "slow p95" \(p95\)/.test(e.message),
    );
    await store.deleteRule("p95");
    await assert.rejects(() => store.deleteRule("p95"), AlertNotFoundError);
    await store.deleteChannel("oncall");
    assert.equal(store.channels.length, 0);
  });
});

Deno.test("a store sees changes another process wrote to the file, and only then", async () => {
  await withStore(async (store, path) => {
    const other = await AlertConfigStore.open(path);
    assert.equal(await store.reloadIfChanged(), false);
    await other.upsertChannel(HOOK);
    await other.createRule(RULE);
    const before = store.version;
    assert.equal(await store.reloadIfChanged(), true);
    assert.equal(store.rules.length, 1);
    assert.ok(store.version > before);
    assert.equal(await store.reloadIfChanged(), false);
    // a change made here starts from the file, not from a stale copy
    const fresh = await AlertConfigStore.open(path);
    await store.createRule({ ...RULE, name: "second" });
    await fresh.reloadIfChanged();
    assert.deepEqual(fresh.rules.map((r) => r.name), ["slow p95", "second"]);
  });
});

Deno.test("opening narrows a file readable by others to 0600", async () => {
  await withStore(async (_store, path) => {
    await Deno.writeTextFile(path, JSON.stringify({ version: 1, rules: [], channels: [] }));
    await Deno.chmod(path, 0o644);
    await AlertConfigStore.open(path);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  });
});

Deno.test("an invalid alerts file is refused naming the file, the entry and the field", () => {
  assert.throws(
    () =>
      parseAlertConfig(
        JSON.stringify({ version: 1, channels: [HOOK], rules: [{ ...RULE, id: "a", op: "!=" }] }),
        "alerts.json",
      ),
    /^Error: alerts\.json: rules\.0: op: expected one of ">", ">=", "<", "<=", found "!="$/,
  );
  assert.throws(
    () => parseAlertConfig(JSON.stringify({ version: 1, channels: [], rules: [RULE] }), "f"),
    /f: rules\.0: id: expected a stored rule id/,
  );
  assert.throws(() => parseAlertConfig("{", "f"), /f: expected JSON/);
  assert.throws(
    () => parseAlertConfig(JSON.stringify({ version: 2, rules: [], channels: [] }), "f"),
    /f: version: expected 1, found 2/,
  );
  assert.throws(
    () => parseAlertConfig(JSON.stringify({ version: 1, rules: [], channels: [HOOK, HOOK] }), "f"),
    /f: channels: "oncall" appears twice/,
  );
});
