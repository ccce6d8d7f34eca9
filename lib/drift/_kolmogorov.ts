/**
 * The one-sample Kolmogorov–Smirnov distributions as scipy evaluates them: the one-sided
 * Smirnov survival function (`scipy.special.smirnov`, after xsf/cephes `kolmogorov.h`) and the
 * exact two-sided distribution `scipy.stats.kstwo` (`scipy.stats._ksstats._kolmogn`, Simard &
 * L'Ecuyer 2011: Durbin matrix, Pomeranz, Pelz–Good and Ruben–Gambino branches).
 *
 * scipy keeps some intermediates in double-double precision; this port works in doubles
 * with error-free products where it matters, and logarithms for the large powers, which keeps
 * the relative error of the result far below 1e-9 in the ranges used by `ks_2samp`.
 *
 * @module
 */

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const CEPHES_MINLOG = -7.451332191019412076235e2;
const SMIRNOV_MAX_COMPUTE_N = 1000000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const DBL_EPS = 2.220446049250313e-16;
const STIRLING_COEFFS = [
  -2.955065359477124183e-2,
  6.4102564102564102564e-3,
  -1.9175269175269175269e-3,
  8.4175084175084175084e-4,
  -5.952380952380952381e-4,
  7.9365079365079365079e-4,
  -2.7777777777777777778e-3,
  8.3333333333333333333e-2,
];

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function select(cdfprob: number, sfprob: number, cdf: boolean): number {
  return clip01(cdf ? cdfprob : sfprob);
}

/** Dekker split for the error-free product. */
function split(a: number): [number, number] {
  const c = 134217729 * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

/** Error-free product: a*b = p + e exactly. */
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return [p, e];
}

/**
 * One-sided Smirnov survival function P(D+_n > x) (scipy.special.smirnov).
 * O(number of significant terms) ≤ O(n).
 *
 * @example
 * ```ts
 * import { smirnovSf } from "./_kolmogorov.ts";
 * smirnovSf(1, 0.3); // 0.7
 * ```
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  // floor(n*x) and the fractional part, computed exactly
  const [p, e] = twoProd(n, x);
  let nxfl = Math.floor(p);
  if (p === nxfl && e < 0) nxfl -= 1;
  let alpha = (p - nxfl) + e;
  if (alpha >= 1) {
    nxfl += 1;
    alpha = 0;
  }
  if (alpha < 0) alpha = 0;
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = Math.exp((n - 1) * Math.log1p(x));
    return 1 - x * t;
  }
  if (-2 * n * x * x < CEPHES_MINLOG) return 0;
  if (nxfl >= n - 1) return Math.exp(n * Math.log1p(-x));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    if (logp < -Math.LN2) return Math.exp(logp);
    return 1 + Math.expm1(logp); // 1 - cdf with cdf = -expm1(logp)
  }
  const nUpperTerms = n - n1mxceil + 1;
  let useUpper = nUpperTerms <= 1 && x < 0.5;
  useUpper = useUpper ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));
  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  let ajSum = 0;
  let comp = 0;
  let aj: number;
  if (useUpper) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    aj = Math.exp((n - 1) * Math.log1p(x));
  } else {
    aj = Math.exp(n * Math.log1p(-x)) / x;
  }
  ajSum = aj;
  let logC = Math.log(n); // log C(n, 1)
  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    // 1 - x - v/n and x + v/n from the exact product n*x
    const t2x = (((n - v) - p) - e) / n;
    const t1x = ((v + p) + e) / n;
    let sign = 1;
    let logAbsT2 = 0;
    if (n - v > 0) {
      if (t2x < 0) {
        logAbsT2 = (n - v) * Math.log(-t2x);
        if ((n - v) % 2 === 1) sign = -1;
      } else if (t2x === 0) {
        logAbsT2 = Number.NEGATIVE_INFINITY;
      } else {
        logAbsT2 = (n - v) * Math.log(t2x);
      }
    }
    const logT1 = v - 1 === 0 ? 0 : (v - 1) * Math.log(t1x);
    aj = sign * Math.exp(logC + logAbsT2 + logT1);
    if (Number.isFinite(aj) && aj !== 0) {
      const t = ajSum + aj;
      if (Math.abs(ajSum) >= Math.abs(aj)) comp += ajSum - t + aj;
      else comp += aj - t + ajSum;
      ajSum = t;
    }
    if (aj !== 0) {
      if (4 * (nTerms - j) * Math.abs(aj) < DBL_EPS * (ajSum + comp) && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    logC += Math.log((n - j) / (j + 1));
  }
  const prob = x * (ajSum + comp);
  return clip01(step < 0 ? 1 - prob : prob);
}

function logNFactorialDivNPowN(n: number): number {
  const rn = 1.0 / n;
  const z = rn / n;
  let poly = 0;
  for (const c of STIRLING_COEFFS) poly = poly * z + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const row = i * m;
    for (let k = 0; k < m; k++) {
      const aik = a[row + k];
      if (aik === 0) continue;
      const bk = k * m;
      for (let j = 0; j < m; j++) out[row + j] += aik * b[bk + j];
    }
  }
  return out;
}

/** Durbin matrix algorithm (Marsaglia–Tsang–Wang). O(k³ log n) with k = ⌈nd⌉. */
function kolmognDMTW(n: number, d: number, cdf: boolean): number {
  if (d >= 1.0) return select(1.0, 0.0, cdf);
  const nd = n * d;
  if (nd <= 0.5) return select(0.0, 1.0, cdf);
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  for (let j = 1; j <= m; j++) v[j - 1] = 1.0 - h ** j;
  let fac = 1.0;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] *= fac;
  }
  const tt = Math.max(2 * h - 1.0, 0) ** m - 2 * h ** m;
  v[m - 1] = (1.0 + tt) * fac;
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];
  let Hpwr: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] /= EP128;
      Hexpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = Hpwr[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = p * 2 ** expnt;
  return select(p, 1.0 - p, cdf);
}

function pomeranzJ1J2(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pomeranz recursion. O(n · (nx)²). */
function kolmognPomeranz(n: number, x: number, cdf: boolean): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = 1.0 * (t - ll);
  const g = Math.min(f, 1.0 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1.0;
  twogpower[0] = 1.0;
  onem2gpower[0] = 1.0;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0.0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const aStart = k1 - V0s;
      const aEnd = Math.min(aStart + ln2, npwrs);
      const aLen = Math.max(aEnd - aStart, 0);
      const bLen = Math.min(ln2, npwrs);
      const convLen = aLen + bLen - 1;
      const convStart = j1 - k1;
      const useLen = j2 - j1 + 1;
      let maxV = Number.NEGATIVE_INFINITY;
      for (let q = 0; q < useLen; q++) {
        const idx = convStart + q;
        if (idx >= convLen || q >= npwrs) break;
        let s = 0;
        const lo = Math.max(0, idx - bLen + 1);
        const hi = Math.min(idx, aLen - 1);
        for (let a = lo; a <= hi; a++) s += V0[aStart + a] * pwrs[idx - a];
        V1[q] = s;
      }
      for (let q = 0; q < npwrs; q++) if (V1[q] > maxV) maxV = V1[q];
      if (maxV > 0 && maxV < EM128) {
        for (let q = 0; q < npwrs; q++) V1[q] *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ans * 2 ** expnt;
  return select(ans, 1.0 - ans, cdf);
}

/** Pelz–Good asymptotic series. O(√n · x). */
function kolmognPelzGood(n: number, x: number, cdf: boolean): number {
  if (x <= 0.0) return select(0.0, 1.0, cdf);
  if (x >= 1.0) return select(1.0, 0.0, cdf);
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;
  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return select(0.0, 1.0, cdf);
  let q = Math.exp(qlog);
  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16;
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64;
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    const coeffs = [
      1.0,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const div = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = ((K[i] * q) * SQRT2PI) / div[i];
  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const ksq = k * k;
    const qp = q ** ksq;
    k2extra += ksq * qp;
    const kspi = Math.PI * k;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  K[2] += k2extra * ((PI_SQUARED * SQRT2PI) / (-36 * zthree));
  K[3] += k3extra * ((PI_SQUARED * SQRT2PI) / (216 * zsix));
  for (let i = 0; i < 4; i++) K[i] /= Math.pow(n * 1.0, i / 2.0);
  if (!cdf) {
    for (let i = 0; i < 4; i++) K[i] *= -1;
    K[0] += 1;
  }
  return K[0] + K[1] + K[2] + K[3];
}

/**
 * CDF (or survival function with `cdf = false`) of the two-sided one-sample KS statistic D_n,
 * i.e. `scipy.stats.kstwo`. `n` must be a positive integer.
 *
 * @example
 * ```ts
 * import { kolmogn } from "./_kolmogorov.ts";
 * kolmogn(10, 0.95, false); // 2 * 0.05 ** 10
 * ```
 */
export function kolmogn(n: number, x: number, cdf = true): number {
  if (Number.isNaN(n) || Number.isNaN(x)) return NaN;
  if (!Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1.0) return select(1.0, 0.0, cdf);
  if (x <= 0.0) return select(0.0, 1.0, cdf);
  const t = n * x;
  if (t <= 1.0) {
    if (t <= 0.5) return select(0.0, 1.0, cdf);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1.0 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return select(prob, 1.0 - prob, cdf);
  }
  if (t >= n - 1) {
    const prob = 2 * (1.0 - x) ** n;
    return select(1 - prob, prob, cdf);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnovSf(n, x);
    return select(1.0 - prob, prob, cdf);
  }
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      const prob = kolmognDMTW(n, x, true);
      return select(prob, 1.0 - prob, cdf);
    }
    if (nxsquared <= 4) {
      const prob = kolmognPomeranz(n, x, true);
      return select(prob, 1.0 - prob, cdf);
    }
    const prob = 2 * smirnovSf(n, x);
    return select(1.0 - prob, prob, cdf);
  }
  if (!cdf) {
    if (nxsquared >= 370.0) return 0.0;
    if (nxsquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  }
  let cdfprob: number;
  if (nxsquared >= 18.0) cdfprob = 1.0;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfprob = kolmognDMTW(n, x, true);
  else cdfprob = kolmognPelzGood(n, x, true);
  return select(cdfprob, 1.0 - cdfprob, cdf);
}

/**
 * Survival function of `scipy.stats.kstwo` with shape `n`: 1 for x at or below the support's
 * lower end 0.5/n, 0 at or above 1.
 *
 * @example
 * ```ts
 * import { kstwoSf } from "./_kolmogorov.ts";
 * kstwoSf(0.01, 10); // 1 (below the support)
 * ```
 */
export function kstwoSf(x: number, n: number): number {
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;
  return kolmogn(n, x, false);
}
