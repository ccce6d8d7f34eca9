/**
 * Channel configurations (`webhook`, `slack`, `email`, `alertmanager`): their schemas,
 * validation with 400-quality messages, and masking of secrets for the API. Free of `Deno.*`.
 *
 * Secrets: a webhook's `secret`, an email channel's `password` and a Slack URL's path (the URL is
 * the credential) are never returned by {@linkcode maskChannel}; {@linkcode keepSecrets} lets an
 * update that sends the mask back keep the stored secret.
 *
 * @module
 */

import { z } from "zod";
import { AlertValidationError, describeFound, requireObject, zodIssues } from "../validation.ts";

export { CHANNEL_TYPES, SECRET_MASK } from "../vocabulary.ts";
import { CHANNEL_TYPES, SECRET_MASK } from "../vocabulary.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
// An address without display name, spaces, brackets or line breaks (no header injection).
const EMAIL = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9.-]+\.?[A-Za-z0-9-]*$/;

const httpUrl = z.string().max(2_000).refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}, { message: "expected an absolute http:// or https:// URL" });

const common = {
  name: z.string().regex(NAME, "must be 1–64 letters, digits, '_' or '-', starting alphanumeric"),
  description: z.string().max(500).optional(),
};

/** `webhook`: POST JSON, signed with HMAC-SHA256 when a secret is set. */
export const WebhookChannelSchema = z.strictObject({
  ...common,
  type: z.literal("webhook"),
  url: httpUrl,
  /** HMAC key of the `X-LLMOPS-Signature` header (at least 16 characters). */
  secret: z.string().min(16).max(512).optional(),
});

/** `slack`: a Slack incoming webhook URL (the URL is the secret). */
export const SlackChannelSchema = z.strictObject({
  ...common,
  type: z.literal("slack"),
  url: httpUrl,
});

/** `email`: plain-text mail over SMTP, plain, STARTTLS or implicit TLS. */
export const EmailChannelSchema = z.strictObject({
  ...common,
  type: z.literal("email"),
  host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, "must be a host name or IP"),
  /** Default 465 with `tls: "tls"`, 587 with `starttls`, 25 with `none`. */
  port: z.number().int().min(1).max(65_535).optional(),
  /** `starttls` (default), `tls` (implicit TLS) or `none` (plain, for local relays). */
  tls: z.enum(["starttls", "tls", "none"]).default("starttls"),
  username: z.string().min(1).max(200).optional(),
  password: z.string().min(1).max(500).optional(),
  from: z.string().max(254).regex(EMAIL, "must be a bare address like alerts@example.com"),
  to: z.array(z.string().max(254).regex(EMAIL, "must be a bare address like oncall@example.com"))
    .min(1).max(50),
  /** A PEM CA certificate to trust besides the system's (a private mail relay). */
  ca_pem: z.string().max(20_000).includes("-----BEGIN CERTIFICATE-----").optional(),
  /** Allow AUTH on a connection without TLS (never by default). */
  insecure_auth: z.boolean().default(false),
});

/** `alertmanager`: Alertmanager's v2 API (`POST <url>/api/v2/alerts`). */
export const AlertmanagerChannelSchema = z.strictObject({
  ...common,
  type: z.literal("alertmanager"),
  /** Base URL of Alertmanager, for example `http://127.0.0.1:9093`. */
  url: httpUrl,
});

/** A webhook channel. */
export type WebhookChannel = z.infer<typeof WebhookChannelSchema>;
/** A Slack channel. */
export type SlackChannel = z.infer<typeof SlackChannelSchema>;
/** An email channel. */
export type EmailChannel = z.infer<typeof EmailChannelSchema>;
/** An Alertmanager channel. */
export type AlertmanagerChannel = z.infer<typeof AlertmanagerChannelSchema>;
/** Any channel. */
export type ChannelConfig = WebhookChannel | SlackChannel | EmailChannel | AlertmanagerChannel;

const SCHEMAS = {
  webhook: WebhookChannelSchema,
  slack: SlackChannelSchema,
  email: EmailChannelSchema,
  alertmanager: AlertmanagerChannelSchema,
};

/**
 * Validates a channel body. Throws {@linkcode AlertValidationError} (status 400) naming the
 * field, what was expected and what was found (an unknown type, a bad URL, a missing recipient,
 * AUTH without TLS …).
 *
 * @example
 * ```ts
 * import { parseChannel } from "./config.ts";
 * parseChannel({ name: "oncall", type: "webhook", url: "https://example.com/hook" }).type;
 * // "webhook"
 * ```
 */
export function parseChannel(input: unknown): ChannelConfig {
  requireObject("channel", input);
  const type = input.type;
  if (typeof type !== "string" || !(CHANNEL_TYPES as readonly string[]).includes(type)) {
    throw new AlertValidationError("channel", [{
      path: "type",
      message: `expected one of ${CHANNEL_TYPES.map((t) => `"${t}"`).join(", ")}, found ${
        describeFound(type)
      }`,
    }]);
  }
  const result = SCHEMAS[type as keyof typeof SCHEMAS].safeParse(input);
  if (!result.success) {
    throw new AlertValidationError("channel", zodIssues(result.error.issues, input));
  }
  const channel = result.data as ChannelConfig;
  if (channel.type === "email") {
    if ((channel.username === undefined) !== (channel.password === undefined)) {
      throw new AlertValidationError("channel", [{
        path: channel.username === undefined ? "username" : "password",
        message: "expected username and password together, found only one of them",
      }]);
    }
    if (channel.username !== undefined && channel.tls === "none" && !channel.insecure_auth) {
      throw new AlertValidationError("channel", [{
        path: "tls",
        message:
          'expected "starttls" or "tls" when a password is set (or insecure_auth: true), found "none"',
      }]);
    }
  }
  return channel;
}

/**
 * The default SMTP port of a TLS mode: 465 (`tls`), 587 (`starttls`), 25 (`none`).
 *
 * @example
 * ```ts
 * import { smtpPort } from "./config.ts";
 * smtpPort({ tls: "tls" }); // 465
 * ```
 */
export function smtpPort(channel: Pick<EmailChannel, "tls" | "port">): number {
  return channel.port ?? (channel.tls === "tls" ? 465 : channel.tls === "starttls" ? 587 : 25);
}

function maskUrl(value: string, wholePath: boolean): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = SECRET_MASK;
    if (wholePath) return `${url.origin}/${SECRET_MASK}`;
    for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, SECRET_MASK);
    return url.toString();
  } catch {
    return SECRET_MASK;
  }
}

/**
 * A copy of a channel safe to return from the API: the webhook secret, the SMTP password and the
 * Slack URL's path are replaced by {@linkcode SECRET_MASK}; URL passwords and query values too.
 *
 * @example
 * ```ts
 * import { maskChannel } from "./config.ts";
 * maskChannel({ name: "s", type: "slack" as const, url: "https://hooks.slack.com/services/T0/B0/x" })
 *   .url;
 * // "https://hooks.slack.com/********"
 * ```
 */
export function maskChannel<C extends ChannelConfig>(channel: C): C {
  return maskAny(channel) as C;
}

function maskAny(channel: ChannelConfig): ChannelConfig {
  switch (channel.type) {
    case "webhook":
      return {
        ...channel,
        url: maskUrl(channel.url, false),
        ...(channel.secret !== undefined ? { secret: SECRET_MASK } : {}),
      };
    case "slack":
      return { ...channel, url: maskUrl(channel.url, true) };
    case "email":
      return {
        ...channel,
        ...(channel.password !== undefined ? { password: SECRET_MASK } : {}),
      };
    case "alertmanager":
      return { ...channel, url: maskUrl(channel.url, false) };
  }
}

/**
 * For an update of a channel, before {@linkcode parseChannel}: where the body carries the mask
 * (the UI sent back what it was shown), put the stored secret back. Only for the same name and
 * type; anything else is returned as it is.
 *
 * @example
 * ```ts
 * import { keepSecrets, parseChannel, SECRET_MASK } from "./config.ts";
 * const old = parseChannel({ name: "w", type: "webhook", url: "https://x.test/",
 *   secret: "s".repeat(16) });
 * const body = keepSecrets({ name: "w", type: "webhook", url: "https://x.test/",
 *   secret: SECRET_MASK }, old);
 * parseChannel(body).type; // "webhook"
 * ```
 */
export function keepSecrets(input: unknown, stored: ChannelConfig): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const next = { ...input } as Record<string, unknown>;
  if (next.name !== stored.name || next.type !== stored.type) return input;
  const old = stored as Record<string, unknown>;
  for (const field of ["secret", "password"]) {
    if (next[field] === SECRET_MASK) next[field] = old[field];
  }
  if (typeof next.url === "string" && next.url.includes(SECRET_MASK)) next.url = old.url;
  return next;
}
