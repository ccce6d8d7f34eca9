/**
 * The `webhook` channel: a JSON POST whose body names the rule, state, value, threshold,
 * severity, labels, start, fingerprint and dashboard link, signed with HMAC-SHA256 of the exact
 * body bytes (`X-LLMOPS-Signature: sha256=<hex>`) when the channel has a secret, and carrying the
 * notification's `Idempotency-Key`. Free of `Deno.*` (WebCrypto only).
 *
 * A receiver verifies by computing HMAC-SHA256 over the raw request body with the shared secret
 * and comparing hex digests in constant time, before parsing the JSON.
 *
 * @module
 */

import type { AlertNotificationEvent } from "../../events/alert.ts";
import type { WebhookChannel } from "./config.ts";
import { alertLink, type DeliveryContext, postBytes } from "./types.ts";

/** The header that carries the signature. */
export const SIGNATURE_HEADER = "X-LLMOPS-Signature";

/** The JSON body of a webhook notification. */
export interface WebhookBody {
  /** Version of this body's shape. */
  version: "llmops.alert.webhook.v1";
  /** The rule's name. */
  rule: string;
  rule_id: string;
  kind: string;
  state: "firing" | "resolved";
  value: number | null;
  threshold: number | null;
  severity: string;
  labels: Record<string, string>;
  /** When the episode began, ISO 8601. */
  started_at: string;
  /** When it resolved, ISO 8601, or null. */
  ended_at: string | null;
  fingerprint: string;
  /** Link to the alert on the dashboard, or null. */
  dashboard_url: string | null;
  detail: string | null;
  /** Same as the `Idempotency-Key` header. */
  idempotency_key: string;
  /** 1 for the first notification of the episode, then 2, 3 … */
  notification: number;
  test: boolean;
}

/**
 * The body of a webhook notification.
 *
 * @example
 * ```ts ignore
 * webhookBody(notification, { dashboardUrl: "http://127.0.0.1:8000" }).state; // "firing"
 * ```
 */
export function webhookBody(n: AlertNotificationEvent, context: DeliveryContext): WebhookBody {
  return {
    version: "llmops.alert.webhook.v1",
    rule: n.rule_name,
    rule_id: n.rule_id,
    kind: n.rule_kind,
    state: n.state,
    value: n.value,
    threshold: n.threshold,
    severity: n.severity,
    labels: n.labels,
    started_at: new Date(n.started_at).toISOString(),
    ended_at: n.ended_at === null ? null : new Date(n.ended_at).toISOString(),
    fingerprint: n.fingerprint,
    dashboard_url: alertLink(context, n.fingerprint),
    detail: n.detail ?? null,
    idempotency_key: n.key,
    notification: n.seq,
    test: n.test ?? false,
  };
}

/**
 * `sha256=<hex HMAC-SHA256 of body with secret>`, the value of {@linkcode SIGNATURE_HEADER}.
 *
 * @example
 * ```ts
 * import { signBody } from "./webhook.ts";
 * const signature = await signBody("a secret of 16+ chars", new TextEncoder().encode("{}"));
 * signature.startsWith("sha256="); // true
 * ```
 */
export async function signBody(secret: string, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, body as BufferSource));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Checks a signature header against a body in constant time (for receivers and tests).
 *
 * @example
 * ```ts
 * import { signBody, verifySignature } from "./webhook.ts";
 * const body = new TextEncoder().encode("{}");
 * await verifySignature("a secret of 16+ chars", body, await signBody("a secret of 16+ chars", body)); // true
 * ```
 */
export async function verifySignature(
  secret: string,
  body: Uint8Array,
  header: string | null,
): Promise<boolean> {
  if (header === null) return false;
  const expected = await signBody(secret, body);
  if (expected.length !== header.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ header.charCodeAt(i);
  return diff === 0;
}

/**
 * Delivers a notification to a webhook channel; throws a `DeliveryError` on failure.
 *
 * @example
 * ```ts ignore
 * await sendWebhook(channel, notification, { dashboardUrl });
 * ```
 */
export async function sendWebhook(
  channel: WebhookChannel,
  n: AlertNotificationEvent,
  context: DeliveryContext,
): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(webhookBody(n, context)));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (channel.secret) headers[SIGNATURE_HEADER] = await signBody(channel.secret, body);
  await postBytes(`webhook ${channel.name}`, channel.url, body, headers, n.key, context);
}
