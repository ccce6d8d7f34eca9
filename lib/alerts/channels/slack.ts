/**
 * The `slack` channel: a Slack incoming-webhook payload, `text` (the notification fallback) plus
 * Block Kit `blocks` (a header, a section with fields, a context line and a dashboard button),
 * within Slack's documented limits. Untrusted text (rule names, details, label values) is escaped
 * for Slack's mrkdwn (`&`, `<`, `>`) so it can never form a link or a mention. Free of `Deno.*`.
 *
 * @module
 */

import type { AlertNotificationEvent } from "../../events/alert.ts";
import type { SlackChannel } from "./config.ts";
import { alertLink, type DeliveryContext, formatValue, headline, postBytes } from "./types.ts";

/** A plain-text or mrkdwn text object. */
export interface SlackText {
  type: "plain_text" | "mrkdwn";
  text: string;
  emoji?: boolean;
}

/** The blocks this channel sends. */
export type SlackBlock =
  | { type: "header"; text: SlackText & { type: "plain_text" } }
  | { type: "section"; text: SlackText; fields?: SlackText[] }
  | { type: "context"; elements: SlackText[] }
  | {
    type: "actions";
    elements: { type: "button"; text: SlackText & { type: "plain_text" }; url: string }[];
  };

/** An incoming-webhook payload. */
export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` become entities, as Slack documents.
 *
 * @example
 * ```ts
 * import { escapeMrkdwn } from "./slack.ts";
 * escapeMrkdwn("<!channel> & co"); // "&lt;!channel&gt; &amp; co"
 * ```
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The Slack payload of a notification. Limits kept: header ≤ 150 chars, section text ≤ 3000,
 * ≤ 10 fields of ≤ 2000, button URL ≤ 3000.
 *
 * @example
 * ```ts ignore
 * slackPayload(notification, {}).blocks[0].type; // "header"
 * ```
 */
export function slackPayload(n: AlertNotificationEvent, context: DeliveryContext): SlackPayload {
  const link = alertLink(context, n.fingerprint);
  const labels = Object.entries(n.labels)
    .filter(([k]) => !["alertname", "severity"].includes(k))
    .map(([k, v]) => `${k}=${v}`).join(", ");
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: cut(`${n.test ? "TEST " : ""}${n.state.toUpperCase()}: ${n.rule_name}`, 150),
        emoji: false,
      },
    },
    {
      type: "section",
      text: { type: "mrkdwn", text: cut(escapeMrkdwn(n.detail ?? headline(n)), 3000) },
      fields: [
        { type: "mrkdwn", text: `*Value*\n${formatValue(n.value)}` },
        { type: "mrkdwn", text: `*Threshold*\n${formatValue(n.threshold)}` },
        { type: "mrkdwn", text: `*Severity*\n${n.severity}` },
        {
          type: "mrkdwn",
          text: `*${n.state === "resolved" ? "Resolved" : "Started"}*\n${
            new Date(n.state === "resolved" && n.ended_at ? n.ended_at : n.started_at)
              .toISOString()
          }`,
        },
      ],
    },
    {
      type: "context",
      elements: [{
        type: "mrkdwn",
        text: cut(
          escapeMrkdwn(`fingerprint ${n.fingerprint}${labels ? ` · ${labels}` : ""}`),
          2000,
        ),
      }],
    },
  ];
  if (link && link.length <= 3000) {
    blocks.push({
      type: "actions",
      elements: [{
        type: "button",
        text: { type: "plain_text", text: "Open in dashboard" },
        url: link,
      }],
    });
  }
  return { text: cut(escapeMrkdwn(headline(n)), 3000), blocks };
}

/**
 * Delivers a notification to a Slack incoming webhook; throws a `DeliveryError` on failure.
 *
 * @example
 * ```ts ignore
 * await sendSlack(channel, notification, { dashboardUrl });
 * ```
 */
export async function sendSlack(
  channel: SlackChannel,
  n: AlertNotificationEvent,
  context: DeliveryContext,
): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(slackPayload(n, context)));
  await postBytes(
    `slack ${channel.name}`,
    channel.url,
    body,
    { "content-type": "application/json" },
    n.key,
    context,
  );
}
