import assert from "node:assert/strict";
import { mapWithConcurrency } from "./concurrency.ts";

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
