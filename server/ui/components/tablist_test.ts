import assert from "node:assert/strict";
import { nextTabIndex } from "./tablist.tsx";

Deno.test("arrow keys move between tabs and wrap around", () => {
  assert.equal(nextTabIndex("ArrowRight", 0, 6), 1);
  assert.equal(nextTabIndex("ArrowRight", 5, 6), 0);
  assert.equal(nextTabIndex("ArrowLeft", 0, 6), 5);
  assert.equal(nextTabIndex("ArrowDown", 2, 6), 3);
  assert.equal(nextTabIndex("ArrowUp", 2, 6), 1);
});

Deno.test("Home and End jump to the first and last tab; other keys do nothing", () => {
  assert.equal(nextTabIndex("Home", 4, 6), 0);
  assert.equal(nextTabIndex("End", 1, 6), 5);
  assert.equal(nextTabIndex("Enter", 1, 6), null);
  assert.equal(nextTabIndex("a", 1, 6), null);
});
