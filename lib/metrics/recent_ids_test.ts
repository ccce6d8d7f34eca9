import assert from "node:assert/strict";
import { RecentIds } from "./recent_ids.ts";

Deno.test("a repeated id is a duplicate while remembered, and new again once forgotten", () => {
  const ids = new RecentIds(2);
  assert.equal(ids.addIfNew("a"), true);
  assert.equal(ids.addIfNew("a"), false);
  assert.equal(ids.addIfNew("b"), true);
  assert.equal(ids.addIfNew("c"), true); // "a" is forgotten
  assert.equal(ids.size, 2);
  assert.equal(ids.addIfNew("b"), false);
  assert.equal(ids.addIfNew("a"), true);
});
