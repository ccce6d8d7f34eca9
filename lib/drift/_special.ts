/**
 * Special functions used by the drift statistics: log-gamma, the regularized incomplete gamma
 * functions, erf/erfc, the standard normal CDF and the chi-square survival function.
 *
 * Pure TypeScript, no `Deno.*`: this module is shared with the browser.
 *
 * @module
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 2.220446049250313e-16;
const BIG = 4503599627370496.0; // 2^52
const BIGINV = 2.22044604925031308085e-16;

/**
 * Natural logarithm of the gamma function for `x > 0`.
 *
 * Uses the Stirling series for `x >= 15` and the recurrence `Γ(x) = Γ(x + k) / (x … (x + k - 1))`
 * below, which keeps the relative error around 1e-15. O(1).
 *
 * @example
 * ```ts
 * import { lgamma } from "./_special.ts";
 * lgamma(5); // ≈ Math.log(24)
 * ```
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return Number.POSITIVE_INFINITY;
  if (x === 1 || x === 2) return 0;
  let shift = 0;
  let prod = 1;
  let y = x;
  while (y < 15) {
    prod *= y;
    y += 1;
    // keep the product representable
    if (prod > 1e280) {
      shift += Math.log(prod);
      prod = 1;
    }
  }
  shift += Math.log(prod);
  const inv = 1 / y;
  const inv2 = inv * inv;
  const series = inv *
    (1 / 12 +
      inv2 *
        (-1 / 360 +
          inv2 *
            (1 / 1260 +
              inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 * (1 / 156)))))));
  return (y - 0.5) * Math.log(y) - y + LOG_SQRT_2PI + series - shift;
}

/** log(x^a e^-x / Γ(a)), the common prefactor of the incomplete gamma functions. */
function igamFac(a: number, x: number): number {
  return a * Math.log(x) - x - lgamma(a);
}

/** Series for the lower regularized incomplete gamma P(a, x). */
function igamSeries(a: number, x: number): number {
  const ax = igamFac(a, x);
  if (ax < -745.2) return 0;
  let r = a;
  let c = 1;
  let ans = 1;
  for (let i = 0; i < 100000; i++) {
    r += 1;
    c *= x / r;
    ans += c;
    if (c <= ans * EPS) break;
  }
  return (ans * Math.exp(ax)) / a;
}

/** Continued fraction for the upper regularized incomplete gamma Q(a, x) (cephes igamc). */
function igamcContinuedFraction(a: number, x: number): number {
  const ax = igamFac(a, x);
  if (ax < -745.2) return 0;
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  for (let i = 0; i < 100000; i++) {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    let t = 1;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIGINV;
      pkm1 *= BIGINV;
      qkm2 *= BIGINV;
      qkm1 *= BIGINV;
    }
    if (t <= EPS) break;
  }
  return ans * Math.exp(ax);
}

/** Series for Q(a, x) when x is small (DLMF 8.7.3), as cephes' igamc_series. */
function igamcSeries(a: number, x: number): number {
  let fac = 1;
  let sum = 0;
  let term: number;
  for (let n = 1; n < 2000; n++) {
    fac *= -x / n;
    term = fac / (a + n);
    sum += term;
    if (Math.abs(term) <= EPS * Math.abs(sum)) break;
  }
  const logx = Math.log(x);
  const term2 = -Math.expm1(a * logx - lgamma(a + 1));
  return term2 - Math.exp(a * logx - lgamma(a)) * sum;
}

/**
 * Regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a).
 *
 * Series or continued fraction depending on the region, O(√a) iterations.
 *
 * @example
 * ```ts
 * import { gammaincP } from "./_special.ts";
 * gammaincP(1, 1); // ≈ 1 - Math.exp(-1)
 * ```
 */
export function gammaincP(a: number, x: number): number {
  if (!(a > 0) || x < 0 || Number.isNaN(x)) return NaN;
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x > 1 && x > a) return 1 - gammaincQ(a, x);
  return igamSeries(a, x);
}

/**
 * Regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) = 1 - P(a, x).
 *
 * Region selection follows cephes' `igamc`; accurate in the far tail. O(√a) iterations.
 *
 * @example
 * ```ts
 * import { gammaincQ } from "./_special.ts";
 * gammaincQ(1, 2); // ≈ Math.exp(-2)
 * ```
 */
export function gammaincQ(a: number, x: number): number {
  if (!(a > 0) || x < 0 || Number.isNaN(x)) return NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x > 1.1) {
    if (x < a) return 1 - igamSeries(a, x);
    return igamcContinuedFraction(a, x);
  }
  if (x <= 0.5) {
    if (-0.4 / Math.log(x) < a) return 1 - igamSeries(a, x);
    return igamcSeries(a, x);
  }
  if (x * 1.1 < a) return 1 - igamSeries(a, x);
  return igamcSeries(a, x);
}

/**
 * Complementary error function, via erfc(x) = Q(1/2, x²) for x ≥ 0. O(1) amortized.
 *
 * @example
 * ```ts
 * import { erfc } from "./_special.ts";
 * erfc(0); // 1
 * ```
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === 0) return 1;
  if (x > 27.3) return 0;
  return gammaincQ(0.5, x * x);
}

/**
 * Error function. O(1) amortized.
 *
 * @example
 * ```ts
 * import { erf } from "./_special.ts";
 * erf(0); // 0
 * ```
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  if (x === 0) return 0;
  if (x < 1) return gammaincP(0.5, x * x);
  return 1 - erfc(x);
}

/**
 * Standard normal cumulative distribution function, evaluated as cephes' `ndtr`
 * (erf near zero, erfc in the tails). O(1) amortized.
 *
 * @example
 * ```ts
 * import { normalCdf } from "./_special.ts";
 * normalCdf(0); // 0.5
 * ```
 */
export function normalCdf(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

/**
 * Survival function of the chi-square distribution with `df` degrees of freedom:
 * Q(df/2, x/2). Returns NaN for `df <= 0` as scipy does. O(√df) iterations.
 *
 * @example
 * ```ts
 * import { chi2Sf } from "./_special.ts";
 * chi2Sf(3.841458820694124, 1); // ≈ 0.05
 * ```
 */
export function chi2Sf(x: number, df: number): number {
  if (!(df > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return gammaincQ(df / 2, x / 2);
}

/**
 * Compensated (Neumaier) sum of an array-like of numbers. O(n).
 *
 * @example
 * ```ts
 * import { accurateSum } from "./_special.ts";
 * accurateSum([1e100, 1, -1e100]); // 1
 * ```
 */
export function accurateSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return sum + c;
}

/**
 * `accurateSum` of the squared deviations `(values[i] - center) ** 2`, without building the
 * array of squares: the same operations in the same order, so the same result. O(n).
 *
 * @example
 * ```ts
 * import { accurateSumOfSquares } from "./_special.ts";
 * accurateSumOfSquares([1, 3], 2); // 2
 * ```
 */
export function accurateSumOfSquares(values: ArrayLike<number>, center: number): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] - center) ** 2;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return sum + c;
}

/**
 * Round half to even, as `numpy.round` does for a scalar. O(1).
 *
 * @example
 * ```ts
 * import { roundHalfEven } from "./_special.ts";
 * roundHalfEven(2.5); // 2
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
