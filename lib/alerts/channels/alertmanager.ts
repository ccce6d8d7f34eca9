/**
 * The `alertmanager` channel: Alertmanager's v2 API, `POST <url>/api/v2/alerts` with one alert:
 * `labels` (the rule's labels plus `alertname`, `severity`, `fingerprint`), `annotations`
 * (summary, description, value, threshold, dashboard link), `startsAt` (the episode's start),
 * `endsAt` and `generatorURL`. Alertmanager groups alerts by their labels and resolves one when
 * its `endsAt` passes: a resolve sends `endsAt` = the time it resolved; a firing notification
 * sends `endsAt` = now + 2 × `repeat_s`, so an alert whose evaluator vanished resolves by itself
 * while one that keeps firing is renewed by each repeat. Free of `Deno.*`.
 *
 * @module
 */

import type { AlertNotificationEvent } from "../../events/alert.ts";
import type { AlertmanagerChannel } from "./config.ts";
import { alertLink, type DeliveryContext, formatValue, headline, postBytes } from "./types.ts";

/** One alert of Alertmanager's v2 `postableAlert`. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * The v2 alerts body of a notification, at time `now` (epoch ms).
 *
 * @example
 * ```ts ignore
 * alertmanagerAlerts(notification, {}, Date.now())[0].labels.alertname;
 * ```
 */
export function alertmanagerAlerts(
  n: AlertNotificationEvent,
  context: DeliveryContext,
  now: number,
): PostableAlert[] {
  const link = alertLink(context, n.fingerprint);
  const endsAt = n.state === "resolved"
    ? (n.ended_at ?? now)
    : Math.max(now, n.ts) + 2 * n.repeat_s * 1000;
  const annotations: Record<string, string> = {
    summary: headline(n),
    value: formatValue(n.value),
    threshold: formatValue(n.threshold),
  };
  if (n.detail) annotations.description = n.detail;
  if (link) annotations.dashboard_url = link;
  return [{
    labels: {
      ...n.labels,
      alertname: n.rule_name,
      severity: n.severity,
      fingerprint: n.fingerprint,
      ...(n.test ? { test: "true" } : {}),
    },
    annotations,
    startsAt: new Date(n.started_at).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    ...(link ? { generatorURL: link } : {}),
  }];
}

/**
 * Delivers a notification to Alertmanager; throws a `DeliveryError` on failure.
 *
 * @example
 * ```ts ignore
 * await sendAlertmanager(channel, notification, { dashboardUrl });
 * ```
 */
export async function sendAlertmanager(
  channel: AlertmanagerChannel,
  n: AlertNotificationEvent,
  context: DeliveryContext,
  now: number = Date.now(),
): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(alertmanagerAlerts(n, context, now)));
  await postBytes(
    `alertmanager ${channel.name}`,
    `${channel.url.replace(/\/+$/, "")}/api/v2/alerts`,
    body,
    { "content-type": "application/json" },
    n.key,
    context,
  );
}
