/**
 * The CPU instruction level that native builds of the stack (Ollama's llama.cpp) may target.
 * Go's cgo builds compile llama.cpp with plain `-O3`, which leaves out AVX2 and FMA: on a
 * two-core x86-64 machine that makes SmolLM2-135M about five times slower. When the CPU has
 * every x86-64-v3 feature, the build targets `-march=x86-64-v3`, and the level names the build
 * folder so that a cache moved to an older CPU builds again instead of crashing.
 *
 * @module
 */

/** The `/proc/cpuinfo` flags that `-march=x86-64-v3` may use (lzcnt shows as `abm`). */
export const X86_64_V3_FLAGS: readonly string[] = Object.freeze([
  "avx",
  "avx2",
  "bmi1",
  "bmi2",
  "f16c",
  "fma",
  "abm",
  "movbe",
  "xsave",
]);

/** A level for `-march`, or null for the compiler's default. */
export type CpuBuildLevel = "x86-64-v3" | null;

/**
 * The level the first processor of `cpuinfo` (the text of `/proc/cpuinfo`) supports on `arch`.
 *
 * @example
 * ```ts
 * cpuBuildLevel("flags : fpu avx avx2 bmi1 bmi2 f16c fma abm movbe xsave\n", "x86_64"); // "x86-64-v3"
 * cpuBuildLevel("flags : fpu sse2\n", "x86_64"); // null
 * ```
 */
export function cpuBuildLevel(cpuinfo: string, arch: string): CpuBuildLevel {
  if (arch !== "x86_64") return null;
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  if (!line) return null;
  const flags = new Set(line[1].trim().split(/\s+/));
  return X86_64_V3_FLAGS.every((f) => flags.has(f)) ? "x86-64-v3" : null;
}

let hostLevel: CpuBuildLevel | undefined;

/** {@linkcode cpuBuildLevel} of this machine (null when `/proc/cpuinfo` cannot be read). */
export function hostCpuBuildLevel(): CpuBuildLevel {
  if (hostLevel === undefined) {
    try {
      hostLevel = cpuBuildLevel(Deno.readTextFileSync("/proc/cpuinfo"), Deno.build.arch);
    } catch {
      hostLevel = null;
    }
  }
  return hostLevel;
}
