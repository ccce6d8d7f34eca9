import assert from "node:assert/strict";
import { randomClusterId } from "./kafka.ts";

Deno.test("a KRaft cluster id is 22 base64url characters and never starts with a dash", () => {
  // About one random id in 64 would start with "-"; 5,000 draws meet that case ~78 times.
  for (let i = 0; i < 5_000; i++) {
    const id = randomClusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, `unexpected cluster id ${id}`);
  }
});
