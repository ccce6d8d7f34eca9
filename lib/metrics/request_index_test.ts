import assert from "node:assert/strict";
import { RequestIndex } from "./request_index.ts";

Deno.test("the request index remembers ids with their model and variant, filling in what arrives later", () => {
  const index = new RequestIndex(10);
  index.add("r1", { model: "m1" });
  index.add("r1", { variant: "B" });
  assert.deepEqual(index.get("r1"), { model: "m1", variant: "B" });
  index.add("r2");
  assert.deepEqual(index.get("r2"), { model: null, variant: null });
  assert.equal(index.has("r3"), false);
  assert.equal(index.get("r3"), undefined);
});

Deno.test("the request index forgets the least recently seen id beyond its capacity", () => {
  const index = new RequestIndex(3);
  for (const id of ["a", "b", "c"]) index.add(id);
  index.add("a"); // seen again: now the most recent
  index.add("d");
  assert.deepEqual(["a", "b", "c", "d"].map((id) => index.has(id)), [true, false, true, true]);
  assert.equal(index.size, 3);
  const version = index.version;
  index.add("e");
  assert.ok(index.version > version);
  assert.throws(() => new RequestIndex(0), /capacity that is an integer ≥ 1, found 0/);
  assert.throws(() => index.add(""), /Expected a request id/);
});
