// A/A calibration: when A and B come from the same population the tests must reject at their
// nominal rate and their p-values must be uniform; the bootstrap interval must cover the true
// difference at its level. Everything is seeded, so the printed figures are the same on every
// run (quote them from the test output).
import assert from "node:assert/strict";
import { kstwoSf, lgamma } from "../drift/mod.ts";
import { mulberry32, type Random, randomIndex, randomNormal } from "./_prng.ts";
import { bootstrapMeanDiff } from "./bootstrap.ts";
import { mannWhitneyU } from "./mann_whitney.ts";
import { welchT } from "./welch_t.ts";

const SPLITS = 1000;
const ALPHA = 0.05;

/** One-sample Kolmogorov–Smirnov test against U(0, 1): D and its exact p-value (scipy's
 * `kstest(ps, "uniform")`, which uses `kstwo.sf(D, n)` at this size). */
function ksUniform(ps: readonly number[]): { d: number; p: number } {
  const s = [...ps].sort((x, y) => x - y);
  const n = s.length;
  let d = 0;
  s.forEach((p, i) => {
    d = Math.max(d, (i + 1) / n - p, p - i / n);
  });
  return { d, p: kstwoSf(d, n) };
}

/** Central interval [lo, hi] holding a Binomial(n, p) count with probability ≥ 1 − 2·tail. */
function binomialBounds(n: number, p: number, tail: number): [number, number] {
  const logPmf = (k: number) =>
    lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(p) +
    (n - k) * Math.log1p(-p);
  let cdf = 0;
  let lo = -1;
  let hi = n;
  for (let k = 0; k <= n; k++) {
    cdf += Math.exp(logPmf(k));
    if (lo < 0 && cdf > tail) lo = k;
    if (cdf >= 1 - tail) {
      hi = k;
      break;
    }
  }
  return [lo, hi];
}

/** A latency-like lognormal draw. */
function lognormal(random: Random, mu: number, sigma: number): number {
  return Math.exp(mu + sigma * randomNormal(random));
}

function shuffle(values: number[], random: Random): number[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** p-values of a test over SPLITS random halvings of one sample. */
function aaPValues(
  sample: number[],
  seed: number,
  test: (a: number[], b: number[]) => number,
): number[] {
  const random = mulberry32(seed);
  const half = sample.length / 2;
  return Array.from({ length: SPLITS }, () => {
    const s = shuffle(sample, random);
    return test(s.slice(0, half), s.slice(half));
  });
}

function checkUniform(name: string, ps: number[]): void {
  const falsePositives = ps.filter((p) => p < ALPHA).length;
  const [lo, hi] = binomialBounds(SPLITS, ALPHA, 0.0005);
  const ks = ksUniform(ps);
  console.log(
    `A/A ${name}: ${SPLITS} splits, false-positive share at ${ALPHA} = ${
      (falsePositives / SPLITS).toFixed(3)
    } (99.9% binomial bound ${lo / SPLITS}–${hi / SPLITS}), KS vs uniform D = ${
      ks.d.toFixed(4)
    }, p = ${ks.p.toFixed(3)}`,
  );
  assert.ok(
    falsePositives >= lo && falsePositives <= hi,
    `${name}: ${falsePositives} false positives outside [${lo}, ${hi}]`,
  );
  assert.ok(ks.p >= 0.01, `${name}: KS rejects uniformity, p = ${ks.p}`);
}

// one seeded latency-like sample of 200 values, no ties
const LATENCIES = (() => {
  const random = mulberry32(20260514);
  return Array.from({ length: 200 }, () => lognormal(random, 0, 0.6));
})();

// one seeded sample of token counts (integers, many ties)
const TOKENS = (() => {
  const random = mulberry32(7);
  return Array.from({ length: 200 }, () => Math.round(lognormal(random, 3.5, 0.4)));
})();

Deno.test("the one-sample KS helper and the binomial bound behave as their definitions", () => {
  assert.deepEqual(ksUniform([0.5]), { d: 0.5, p: 1 });
  assert.ok(ksUniform(Array.from({ length: 100 }, (_, i) => i / 200)).p < 1e-6, "all below 0.5");
  const [lo, hi] = binomialBounds(1000, 0.05, 0.0005);
  assert.ok(lo < 50 && hi > 50 && hi - lo < 50, `[${lo}, ${hi}]`);
});

Deno.test("A/A: Mann–Whitney p-values over 1,000 splits of one sample are uniform", () => {
  checkUniform(
    "Mann–Whitney (latencies)",
    aaPValues(LATENCIES, 1, (a, b) => mannWhitneyU(a, b).p_value),
  );
});

Deno.test("A/A: Mann–Whitney with tied values keeps its false-positive rate", () => {
  const ties = new Set(TOKENS).size;
  assert.ok(ties < 120, `the token sample has ties (${ties} distinct values)`);
  checkUniform(
    "Mann–Whitney (tied tokens)",
    aaPValues(TOKENS, 2, (a, b) => mannWhitneyU(a, b).p_value),
  );
});

Deno.test("A/A: Welch's t p-values over 1,000 splits of one sample are uniform", () => {
  checkUniform("Welch t (latencies)", aaPValues(LATENCIES, 3, (a, b) => welchT(a, b).p_value));
});

Deno.test("the 95% bootstrap interval covers the true difference of means at about 95%", () => {
  const simulations = 400;
  const level = 0.95;
  const sigma = 0.5;
  const trueDiff = Math.exp(0.2 + sigma ** 2 / 2) - Math.exp(sigma ** 2 / 2);
  const random = mulberry32(404);
  let covered = 0;
  for (let s = 0; s < simulations; s++) {
    const a = Array.from({ length: 60 }, () => lognormal(random, 0, sigma));
    const b = Array.from({ length: 60 }, () => lognormal(random, 0.2, sigma));
    const ci = bootstrapMeanDiff(a, b, { level, seed: s });
    if (ci.ci_low <= trueDiff && trueDiff <= ci.ci_high) covered++;
  }
  const [lo, hi] = binomialBounds(simulations, level, 0.0005);
  console.log(
    `bootstrap: ${simulations} simulations (lognormal, n = 60 per side, 2000 resamples), ` +
      `coverage of the ${level} interval = ${(covered / simulations).toFixed(3)} ` +
      `(99.9% binomial bound ${lo / simulations}–${hi / simulations})`,
  );
  assert.ok(
    covered >= lo && covered <= hi,
    `coverage ${covered}/${simulations} outside [${lo}, ${hi}]`,
  );
});
