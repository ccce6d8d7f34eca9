/**
 * Registry of the drift tests: lookup by name and Evidently's choice of the default test.
 *
 * @module
 */

import { chisquare, CHISQUARE_DEFAULT_THRESHOLD } from "./chisquare.ts";
import { jensenshannon, JENSENSHANNON_DEFAULT_THRESHOLD } from "./jensenshannon.ts";
import { ks, KS_DEFAULT_THRESHOLD } from "./ks.ts";
import { psi, PSI_DEFAULT_THRESHOLD } from "./psi.ts";
import { wasserstein, WASSERSTEIN_DEFAULT_THRESHOLD } from "./wasserstein.ts";
import { Z_DEFAULT_THRESHOLD, zTest } from "./two_proportion_z.ts";
import { isDropped } from "../../_validate.ts";
import type { CellValue, ColumnKind, StatTestName, StatTestResult } from "../../types.ts";

/** A registered drift test. */
export interface StatTestDefinition {
  /** Registry name. */
  name: StatTestName;
  /** Human-readable name, as Evidently displays it. */
  displayName: string;
  /** Column kinds the test accepts when chosen explicitly (Evidently's allowed_feature_types). */
  kinds: readonly ColumnKind[];
  /** Evidently's default threshold. */
  defaultThreshold: number;
  /** True when the score is a p-value (drift below the threshold), false for distances. */
  isPValue: boolean;
  /** Runs the test on two samples. */
  run(
    reference: ArrayLike<CellValue>,
    current: ArrayLike<CellValue>,
    options: { threshold?: number; kind: ColumnKind },
  ): StatTestResult;
}

function numeric(values: ArrayLike<CellValue>, name: string): ArrayLike<number | null | undefined> {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isDropped(v) && typeof v !== "number") {
      throw new TypeError(
        `Expected ${name} to contain numbers only, found ${JSON.stringify(v)} at index ${i}`,
      );
    }
  }
  return values as ArrayLike<number | null | undefined>;
}

/** All registered tests, by name.  *
 * @example
 * ```ts
 * import { STATTESTS } from "./registry.ts";
 * STATTESTS.wasserstein.defaultThreshold; // 0.1
 * ```
 */
export const STATTESTS: Readonly<Record<StatTestName, StatTestDefinition>> = Object.freeze({
  ks: {
    name: "ks",
    displayName: "K-S p_value",
    kinds: ["numerical"],
    defaultThreshold: KS_DEFAULT_THRESHOLD,
    isPValue: true,
    run: (r, c, o) => {
      const { method: _method, ...result } = ks(numeric(r, "reference"), numeric(c, "current"), o);
      return result;
    },
  },
  chisquare: {
    name: "chisquare",
    displayName: "chi-square p_value",
    kinds: ["categorical"],
    defaultThreshold: CHISQUARE_DEFAULT_THRESHOLD,
    isPValue: true,
    run: (r, c, o) => chisquare(r, c, o),
  },
  z: {
    name: "z",
    displayName: "Z-test p_value",
    kinds: ["categorical"],
    defaultThreshold: Z_DEFAULT_THRESHOLD,
    isPValue: true,
    run: (r, c, o) => zTest(r, c, o),
  },
  wasserstein: {
    name: "wasserstein",
    displayName: "Wasserstein distance (normed)",
    kinds: ["numerical"],
    defaultThreshold: WASSERSTEIN_DEFAULT_THRESHOLD,
    isPValue: false,
    run: (r, c, o) => wasserstein(numeric(r, "reference"), numeric(c, "current"), o),
  },
  jensenshannon: {
    name: "jensenshannon",
    displayName: "Jensen-Shannon distance",
    kinds: ["categorical", "numerical"],
    defaultThreshold: JENSENSHANNON_DEFAULT_THRESHOLD,
    isPValue: false,
    run: (r, c, o) => jensenshannon(r, c, o),
  },
  psi: {
    name: "psi",
    displayName: "PSI",
    kinds: ["categorical", "numerical"],
    defaultThreshold: PSI_DEFAULT_THRESHOLD,
    isPValue: false,
    run: (r, c, o) => psi(r, c, o),
  },
});

/** Names of the registered tests.  *
 * @example
 * ```ts
 * import { STATTEST_NAMES } from "./registry.ts";
 * STATTEST_NAMES.includes("psi"); // true
 * ```
 */
export const STATTEST_NAMES: readonly StatTestName[] = Object.freeze(
  Object.keys(STATTESTS) as StatTestName[],
);

/**
 * Finds a test by name. Throws a RangeError listing the available tests for an unknown name,
 * and, when `kind` is given, for a test that does not accept that column kind (as Evidently).
 * O(1).
 *
 * @example
 * ```ts
 * import { getStatTest } from "./registry.ts";
 * getStatTest("psi").defaultThreshold; // 0.1
 * ```
 */
export function getStatTest(name: string, kind?: ColumnKind): StatTestDefinition {
  if (typeof name !== "string" || !Object.hasOwn(STATTESTS, name)) {
    throw new RangeError(
      `Expected a stattest name (one of ${STATTEST_NAMES.join(", ")}), found ${
        JSON.stringify(name)
      }`,
    );
  }
  const def = STATTESTS[name as StatTestName];
  if (kind !== undefined && !def.kinds.includes(kind)) {
    throw new RangeError(
      `Stattest ${name} isn't applicable to a ${kind} column; it accepts ${
        def.kinds.join(" or ")
      } columns`,
    );
  }
  return def;
}

/**
 * Evidently's default test (`_get_default_stattest`) from the column kind, the number of
 * non-missing reference values and the number of distinct non-missing values in reference and
 * current together:
 * - reference ≤ 1000: numerical with > 5 values → `ks`; otherwise `chisquare` when more than two
 *   values, `z` for two (or one);
 * - reference > 1000: numerical with > 5 values → `wasserstein`; otherwise `jensenshannon`.
 * O(1).
 *
 * @example
 * ```ts
 * import { defaultStatTestName } from "./registry.ts";
 * defaultStatTestName("numerical", 500, 300); // "ks"
 * defaultStatTestName("categorical", 5000, 3); // "jensenshannon"
 * ```
 */
export function defaultStatTestName(
  kind: ColumnKind,
  referenceSize: number,
  distinctValues: number,
): StatTestName {
  if (kind !== "numerical" && kind !== "categorical") {
    throw new RangeError(
      `Expected kind "numerical" or "categorical", found ${JSON.stringify(kind)}`,
    );
  }
  if (!Number.isInteger(referenceSize) || referenceSize < 0) {
    throw new RangeError(
      `Expected referenceSize to be a non-negative integer, found ${referenceSize}`,
    );
  }
  if (referenceSize <= 1000) {
    if (kind === "numerical" && distinctValues > 5) return "ks";
    return distinctValues > 2 ? "chisquare" : "z";
  }
  if (kind === "numerical" && distinctValues > 5) return "wasserstein";
  return "jensenshannon";
}

/**
 * Picks Evidently's default test for two samples of one column (missing values and ±Infinity
 * dropped, as Evidently does before choosing). O(n).
 *
 * @example
 * ```ts
 * import { chooseStatTest } from "./registry.ts";
 * chooseStatTest(["a", "b", "a"], ["b", "b"], "categorical").name; // "z"
 * ```
 */
export function chooseStatTest(
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue>,
  kind: ColumnKind,
): StatTestDefinition {
  const distinct = new Set<unknown>();
  let refSize = 0;
  for (let i = 0; i < reference.length; i++) {
    if (isDropped(reference[i])) continue;
    refSize++;
    distinct.add(reference[i]);
  }
  for (let i = 0; i < current.length; i++) if (!isDropped(current[i])) distinct.add(current[i]);
  return STATTESTS[defaultStatTestName(kind, refSize, distinct.size)];
}
