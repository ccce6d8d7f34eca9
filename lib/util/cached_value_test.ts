import assert from "node:assert/strict";
import { CachedValue } from "./cached_value.ts";

Deno.test("a cached value is computed once for concurrent callers and again after its time", async () => {
  let now = 0;
  let calls = 0;
  let release: () => void = () => {};
  const value = new CachedValue(
    async () => {
      calls++;
      await new Promise<void>((r) => (release = r));
      return calls;
    },
    1_000,
    () => now,
  );
  const first = Promise.all([value.get(), value.get(), value.get()]);
  release();
  assert.deepEqual(await first, [1, 1, 1]);
  now = 999;
  assert.equal(await value.get(), 1);
  now = 1_000;
  const second = value.get();
  release();
  assert.equal(await second, 2);
  value.invalidate();
  const third = value.get();
  release();
  assert.equal(await third, 3);
});

Deno.test("a failed computation is not cached", async () => {
  let fail = true;
  const value = new CachedValue(
    () => fail ? Promise.reject(new Error("down")) : Promise.resolve(7),
    60_000,
  );
  await assert.rejects(value.get(), /down/);
  fail = false;
  assert.equal(await value.get(), 7);
});
