/**
 * What every channel shares: the context of a delivery, the error a failed delivery throws (with
 * whether a retry may help), the human view of a notification, and one HTTP POST with the
 * idempotency key. Free of `Deno.*`.
 *
 * @module
 */

import type { AlertNotificationEvent } from "../../events/alert.ts";

/** How a delivery is made. */
export interface DeliveryContext {
  /** Base URL of the dashboard; links point at `<base>/#alerts/<fingerprint>`. */
  dashboardUrl?: string;
  /** `fetch` to use (default the global one). */
  fetch?: typeof fetch;
  /** Time limit of one attempt (default 10 s). */
  timeoutMs?: number;
}

/** A failed delivery: `retryable` says whether trying again later may succeed. */
export class DeliveryError extends Error {
  /** Whether a retry may succeed (network errors, timeouts, 408, 425, 429, 5xx, SMTP 4xx). */
  readonly retryable: boolean;
  /** HTTP status or SMTP reply code, when there was one. */
  readonly status?: number;
  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "DeliveryError";
    this.retryable = options.retryable;
    this.status = options.status;
  }
}

/** Default time limit of one delivery attempt. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

/**
 * The dashboard link of a notification, or null without a dashboard URL.
 *
 * @example
 * ```ts
 * import { alertLink } from "./types.ts";
 * alertLink({ dashboardUrl: "http://127.0.0.1:8000/" }, "abc"); // "http://127.0.0.1:8000/#alerts/abc"
 * ```
 */
export function alertLink(context: DeliveryContext, fingerprint: string): string | null {
  if (!context.dashboardUrl) return null;
  return `${context.dashboardUrl.replace(/\/+$/, "")}/#alerts/${encodeURIComponent(fingerprint)}`;
}

/**
 * A number for people: up to 4 significant digits, `no data` for null.
 *
 * @example
 * ```ts
 * import { formatValue } from "./types.ts";
 * formatValue(2.345678); // "2.346"
 * ```
 */
export function formatValue(value: number | null): string {
  if (value === null) return "no data";
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

/**
 * One line that says what happened: `[FIRING] slow p95: 2.3 (threshold 2), warning`.
 *
 * @example
 * ```ts
 * import { headline } from "./types.ts";
 * headline({ state: "resolved", rule_name: "slow", value: 1, threshold: 2, severity: "info",
 *   test: false } as never); // "[RESOLVED] slow: 1 (threshold 2), info"
 * ```
 */
export function headline(n: AlertNotificationEvent): string {
  const tag = n.test ? "[TEST] " : "";
  return `${tag}[${n.state.toUpperCase()}] ${n.rule_name}: ${formatValue(n.value)} (threshold ${
    formatValue(n.threshold)
  }), ${n.severity}`;
}

/**
 * POSTs bytes and maps the outcome: 2xx resolves, 408/425/429/5xx and network errors or
 * timeouts throw a retryable {@linkcode DeliveryError}, other statuses a final one. The
 * notification's idempotency key goes in the `Idempotency-Key` header.
 *
 * @example
 * ```ts ignore
 * await postBytes("webhook oncall", url, body, { "content-type": "application/json" }, key, {});
 * ```
 */
export async function postBytes(
  label: string,
  url: string,
  body: Uint8Array,
  headers: Record<string, string>,
  idempotencyKey: string,
  context: DeliveryContext,
): Promise<number> {
  const doFetch = context.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers: {
        "user-agent": "llmops-workbench-alerts/1",
        "idempotency-key": idempotencyKey,
        ...headers,
      },
      body: body as BodyInit,
      signal: AbortSignal.timeout(context.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS),
    });
  } catch (error) {
    // Deno's fetch says "fetch failed" and puts the reason (refused, timed out …) in `cause`.
    const cause = (error as Error).cause;
    const reason = cause instanceof Error
      ? `${(error as Error).message}: ${cause.message}`
      : (error as Error).message;
    throw new DeliveryError(`${label}: ${reason}`, { retryable: true, cause: error });
  }
  const text = await response.text().catch(() => "");
  if (response.ok) return response.status;
  const retryable = response.status === 408 || response.status === 425 ||
    response.status === 429 || response.status >= 500;
  throw new DeliveryError(
    `${label}: HTTP ${response.status}${text ? ` (${text.slice(0, 200).trim()})` : ""}`,
    { retryable, status: response.status },
  );
}
