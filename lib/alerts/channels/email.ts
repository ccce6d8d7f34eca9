/**
 * The `email` channel: a plain-text message over SMTP (plain, STARTTLS or implicit TLS), never
 * HTML, so nothing in a rule name or a detail can become markup. The `Message-ID` is derived
 * from the idempotency key (receivers and mail stores that drop duplicate Message-IDs see a retry
 * as the same message) and the key is also sent as `X-LLMOPS-Idempotency-Key`.
 *
 * @module
 */

import type { AlertNotificationEvent } from "../../events/alert.ts";
import { type EmailChannel, smtpPort } from "./config.ts";
import { type MailMessage, sendMail } from "./smtp.ts";
import { alertLink, type DeliveryContext, formatValue, headline } from "./types.ts";

/**
 * The message of a notification: subject = the headline, body = plain text lines.
 *
 * @example
 * ```ts ignore
 * emailMessage(channel, notification, {}).subject; // "[FIRING] slow p95: 2.3 (threshold 2), warning"
 * ```
 */
export function emailMessage(
  channel: EmailChannel,
  n: AlertNotificationEvent,
  context: DeliveryContext,
): MailMessage {
  const link = alertLink(context, n.fingerprint);
  const lines = [
    headline(n),
    "",
    `Rule:        ${n.rule_name} (${n.rule_kind}, id ${n.rule_id})`,
    `State:       ${n.state}`,
    `Value:       ${formatValue(n.value)}`,
    `Threshold:   ${formatValue(n.threshold)}`,
    `Severity:    ${n.severity}`,
    `Started:     ${new Date(n.started_at).toISOString()}`,
    ...(n.ended_at !== null ? [`Resolved:    ${new Date(n.ended_at).toISOString()}`] : []),
    `Fingerprint: ${n.fingerprint}`,
    `Labels:      ${Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(", ")}`,
    ...(n.detail ? ["", n.detail] : []),
    ...(link ? ["", `Dashboard: ${link}`] : []),
    "",
    `Notification ${n.seq} of this episode; idempotency key ${n.key}.`,
  ];
  const domain = channel.from.split("@")[1] ?? "llmops.invalid";
  return {
    from: channel.from,
    to: channel.to,
    subject: headline(n),
    text: lines.join("\n"),
    headers: {
      "Message-ID": `<${n.key.replaceAll(":", ".")}@${domain}>`,
      "X-LLMOPS-Idempotency-Key": n.key,
      "X-LLMOPS-Fingerprint": n.fingerprint,
    },
  };
}

/**
 * Delivers a notification by email; throws a `DeliveryError` on failure.
 *
 * @example
 * ```ts ignore
 * await sendEmail(channel, notification, { dashboardUrl });
 * ```
 */
export async function sendEmail(
  channel: EmailChannel,
  n: AlertNotificationEvent,
  context: DeliveryContext,
): Promise<void> {
  await sendMail({
    host: channel.host,
    port: smtpPort(channel),
    tls: channel.tls,
    username: channel.username,
    password: channel.password,
    caCerts: channel.ca_pem ? [channel.ca_pem] : undefined,
    allowInsecureAuth: channel.insecure_auth,
    timeoutMs: context.timeoutMs,
  }, emailMessage(channel, n, context));
}
