import assert from "node:assert/strict";
import { ConcurrencyPool, mapWithConcurrency } from "./concurrency.ts";

Deno.test("mapWithConcurrency keeps order and never exceeds its limit", async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, ms));
    inFlight--;
    return i * 10;
  });
  assert.deepEqual(out, [0, 10, 20, 30, 40, 50]);
  assert.equal(peak, 2);
});

Deno.test("mapWithConcurrency rejects a limit that is not a positive integer", async () => {
  await assert.rejects(mapWithConcurrency([1], 0, (x) => Promise.resolve(x)), /found 0/);
});

Deno.test("ConcurrencyPool runs at most its size at once over all callers, in arrival order", async () => {
  const pool = new ConcurrencyPool(3);
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const releases: (() => void)[] = [];
  const task = (id: number) =>
    pool.run(async () => {
      started.push(id);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight--;
      return id;
    });
  // two callers, like two partitions, each with its own batch
  const a = Promise.all([0, 1, 2, 3].map(task));
  const b = Promise.all([4, 5, 6].map(task));
  while (releases.length < 3) await Promise.resolve();
  assert.deepEqual(started, [0, 1, 2]);
  assert.equal(pool.active, 3);
  while (releases.length > 0 || started.length < 7) {
    releases.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  }
  assert.deepEqual(await a, [0, 1, 2, 3]);
  assert.deepEqual(await b, [4, 5, 6]);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(peak, 3);
  assert.equal(pool.active, 0);
});

Deno.test("ConcurrencyPool frees the slot of a task that fails", async () => {
  const pool = new ConcurrencyPool(1);
  await assert.rejects(pool.run(() => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await pool.run(() => Promise.resolve(7)), 7);
  assert.equal(pool.active, 0);
  assert.throws(() => new ConcurrencyPool(0), RangeError);
});
