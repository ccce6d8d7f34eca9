import assert from "node:assert/strict";
import { cpuBuildLevel, X86_64_V3_FLAGS } from "./cpu_level.ts";

const V3 = `processor : 0\nflags : fpu sse2 ${X86_64_V3_FLAGS.join(" ")} avx512f\n`;

Deno.test("an x86-64 CPU with every v3 flag builds for x86-64-v3", () => {
  assert.equal(cpuBuildLevel(V3, "x86_64"), "x86-64-v3");
});

Deno.test("one missing v3 flag, another architecture or no flags line keeps the default", () => {
  for (const missing of X86_64_V3_FLAGS) {
    const without = V3.replace(new RegExp(` ${missing}(?= )`), "");
    assert.equal(cpuBuildLevel(without, "x86_64"), null, `without ${missing}`);
  }
  assert.equal(cpuBuildLevel(V3, "aarch64"), null);
  assert.equal(cpuBuildLevel("processor : 0\n", "x86_64"), null);
});
