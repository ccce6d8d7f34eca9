/**
 * Which responses get a run of their own in MLflow (`LLMOPS_MLFLOW_RUNS`):
 *
 * - `all` (default): every response.
 * - `sample:<fraction>`: the responses whose request id falls in the first `fraction` of the
 *   hash space, plus every error. The choice is a hash of the request id, so a replay, a second
 *   delivery or another sink instance chooses the same responses.
 * - `errors`: only responses with `status: "error"`.
 *
 * Errors are always logged: they are few, and they are the runs people open. Whatever the policy,
 * the sink also writes one aggregate run per minute and model (see `minute_aggregate.ts`), so
 * MLflow stays complete in counts, percentiles, tokens and cost.
 *
 * @module
 */

/** The environment variable that sets the policy. */
export const RUN_POLICY_ENV = "LLMOPS_MLFLOW_RUNS";

/** A per-call run policy. */
export type RunPolicy =
  | { kind: "all" }
  | { kind: "sample"; fraction: number }
  | { kind: "errors" };

/**
 * Parses `all`, `errors` or `sample:<fraction>` (0 < fraction ≤ 1; surrounding spaces and case
 * ignored). Empty or undefined means `all`. Throws a RangeError naming the forms otherwise.
 *
 * @example
 * ```ts
 * parseRunPolicy("sample:0.1"); // { kind: "sample", fraction: 0.1 }
 * parseRunPolicy(undefined); // { kind: "all" }
 * ```
 */
export function parseRunPolicy(text: string | undefined): RunPolicy {
  const value = (text ?? "").trim().toLowerCase();
  if (value === "" || value === "all") return { kind: "all" };
  if (value === "errors") return { kind: "errors" };
  const sample = /^sample:\s*([0-9]*\.?[0-9]+(?:e-?[0-9]+)?)$/.exec(value);
  if (sample) {
    const fraction = Number(sample[1]);
    if (fraction > 0 && fraction <= 1) return { kind: "sample", fraction };
  }
  throw new RangeError(
    `${RUN_POLICY_ENV} must be "all", "errors" or "sample:<fraction>" with 0 < fraction ≤ 1, ` +
      `found "${text}"`,
  );
}

/**
 * The policy as `LLMOPS_MLFLOW_RUNS` spells it.
 *
 * @example
 * ```ts
 * formatRunPolicy({ kind: "sample", fraction: 0.25 }); // "sample:0.25"
 * ```
 */
export function formatRunPolicy(policy: RunPolicy): string {
  return policy.kind === "sample" ? `sample:${policy.fraction}` : policy.kind;
}

/**
 * A request id's place in [0, 1): FNV-1a (32 bits) of its UTF-16 code units, mixed by
 * MurmurHash3's finalizer (so ids that differ only in their last characters spread evenly too),
 * divided by 2³². The same id always gives the same number, on every machine.
 *
 * @example
 * ```ts
 * const u = requestIdUnit("9b2f0c1e-1111-4222-8333-444455556666"); // 0 ≤ u < 1, fixed
 * ```
 */
export function requestIdUnit(requestId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) {
    hash ^= requestId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/**
 * True when the policy gives this response a run of its own.
 *
 * @example
 * ```ts
 * wantsRun({ kind: "errors" }, { request_id: "…", status: "success" }); // false
 * ```
 */
export function wantsRun(
  policy: RunPolicy,
  response: { request_id: string; status: "success" | "error" },
): boolean {
  if (policy.kind === "all" || response.status === "error") return true;
  if (policy.kind === "errors") return false;
  return requestIdUnit(response.request_id) < policy.fraction;
}
