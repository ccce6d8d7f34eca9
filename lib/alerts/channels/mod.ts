/**
 * Notification channels: `webhook`, `slack`, `email` and `alertmanager`, their configuration and
 * one function that delivers a notification to any of them.
 *
 * @example
 * ```ts
 * import { maskChannel, parseChannel } from "./mod.ts";
 * const channel = parseChannel({ name: "oncall", type: "webhook", url: "https://example.com/h",
 *   secret: "0123456789abcdef" });
 * maskChannel(channel); // secret: "********"
 * ```
 *
 * @module
 */

import type { AlertNotificationEvent } from "../../events/alert.ts";
import { sendAlertmanager } from "./alertmanager.ts";
import type { ChannelConfig } from "./config.ts";
import { sendEmail } from "./email.ts";
import { sendSlack } from "./slack.ts";
import type { DeliveryContext } from "./types.ts";
import { sendWebhook } from "./webhook.ts";

export * from "./config.ts";
export * from "./types.ts";
export * from "./webhook.ts";
export * from "./slack.ts";
export * from "./email.ts";
export * from "./alertmanager.ts";
export * from "./smtp.ts";

/**
 * Delivers one notification to one channel, once (no retry); throws `DeliveryError`.
 *
 * @example
 * ```ts ignore
 * await sendNotification(channel, notification, { dashboardUrl: "http://127.0.0.1:8000" });
 * ```
 */
export async function sendNotification(
  channel: ChannelConfig,
  n: AlertNotificationEvent,
  context: DeliveryContext = {},
): Promise<void> {
  switch (channel.type) {
    case "webhook":
      return await sendWebhook(channel, n, context);
    case "slack":
      return await sendSlack(channel, n, context);
    case "email":
      return await sendEmail(channel, n, context);
    case "alertmanager":
      return await sendAlertmanager(channel, n, context);
  }
}
