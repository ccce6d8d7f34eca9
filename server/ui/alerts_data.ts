/**
 * Pure helpers of the Alerts tab: a rule in words, the bodies the forms post, the target of a
 * channel, the tone of an alert state. The lists of metrics, operators and checks come from
 * lib/alerts' zod-free vocabulary, so the forms offer exactly what the server accepts.
 *
 * @module
 */

import { formatNumber } from "./format.ts";
import type { AlertRule, ChannelConfig } from "./types.ts";

/** The tone (CSS class suffix, palette colour) of an alert state. */
export function stateTone(state: string | null | undefined): "drift" | "close" | "ok" | "neutral" {
  return state === "firing"
    ? "drift"
    : state === "pending"
    ? "close"
    : state === "resolved"
    ? "ok"
    : "neutral";
}

/**
 * A rule's condition in words.
 *
 * @example
 * ```ts
 * ruleSummary({ kind: "metric", metric: "latency_p95_s", op: ">", threshold: 2, window_s: 300 } as never);
 * // "latency_p95_s > 2 over 300 s"
 * ```
 */
export function ruleSummary(rule: AlertRule): string {
  const pending = rule.for_s > 0 ? `, for ${formatNumber(rule.for_s, 0)} s` : "";
  switch (rule.kind) {
    case "metric": {
      const scope = [
        rule.model ? `model ${rule.model}` : "",
        rule.source ? `source ${rule.source}` : "",
      ].filter(Boolean).join(", ");
      return `${rule.metric} ${rule.op} ${formatNumber(rule.threshold, 4)} over ${
        formatNumber(rule.window_s, 0)
      } s${scope ? ` (${scope})` : ""}${pending}`;
    }
    case "drift": {
      const how = rule.fdr ? `Benjamini–Hochberg FDR ${rule.level}` : `each p ≤ ${rule.level}`;
      const what = rule.condition === "dataset"
        ? `dataset drift (share ≥ ${rule.drift_share})`
        : `any of ${rule.columns ? rule.columns.join(", ") : "the columns"} drifting`;
      return `${what}, ${how}${pending}`;
    }
    case "health":
      switch (rule.check) {
        case "service":
          return `${rule.service} unhealthy${pending}`;
        case "consumer_lag":
          return `lag of ${rule.group} > ${formatNumber(rule.threshold, 0)} messages${pending}`;
        case "dlq_rate":
          return `dead letters > ${formatNumber(rule.threshold, 2)}/min over ${
            formatNumber(rule.window_s ?? 60, 0)
          } s${pending}`;
        case "no_data":
          return `no responses for ${formatNumber(rule.window_s, 0)} s${pending}`;
      }
  }
  return "";
}

/** The fields of the add-rule form, as typed (strings). */
export interface RuleForm {
  name: string;
  kind: "metric" | "drift" | "health";
  severity: string;
  for_s: string;
  channels: string[];
  metric: string;
  op: string;
  threshold: string;
  window_s: string;
  model: string;
  columns: string;
  fdr: boolean;
  level: string;
  check: string;
  service: string;
  group: string;
}

/** An empty add-rule form. */
export function emptyRuleForm(): RuleForm {
  return {
    name: "",
    kind: "metric",
    severity: "warning",
    for_s: "0",
    channels: [],
    metric: "latency_p95_s",
    op: ">",
    threshold: "",
    window_s: "300",
    model: "",
    columns: "",
    fdr: true,
    level: "0.05",
    check: "no_data",
    service: "ollama",
    group: "",
  };
}

/** A typed number, or the text itself so the server names it in its 400. */
function numberOr(text: string): number | string {
  const t = text.trim();
  return t !== "" && Number.isFinite(Number(t)) ? Number(t) : t;
}

/**
 * The body the add-rule form posts: only the fields of its kind (and check), numbers as numbers.
 * What the server refuses comes back as its 400 message, shown under the form.
 *
 * @example
 * ```ts
 * ruleBody({ ...emptyRuleForm(), name: "slow", threshold: "2" }).threshold; // 2
 * ```
 */
export function ruleBody(form: RuleForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    kind: form.kind,
    severity: form.severity,
    for_s: numberOr(form.for_s || "0"),
    channels: form.channels,
  };
  if (form.kind === "metric") {
    body.metric = form.metric;
    body.op = form.op;
    body.threshold = numberOr(form.threshold);
    body.window_s = numberOr(form.window_s);
    if (form.model.trim()) body.model = form.model.trim();
  } else if (form.kind === "drift") {
    const columns = form.columns.split(",").map((c) => c.trim()).filter(Boolean);
    if (columns.length) body.columns = columns;
    body.fdr = form.fdr;
    body.level = numberOr(form.level);
  } else {
    body.check = form.check;
    if (form.check === "service") body.service = form.service.trim();
    if (form.check === "consumer_lag") body.group = form.group.trim();
    if (form.check === "consumer_lag" || form.check === "dlq_rate") {
      body.threshold = numberOr(form.threshold);
    }
    if (form.check === "dlq_rate" || form.check === "no_data") {
      body.window_s = numberOr(form.window_s);
    }
  }
  return body;
}

/** The fields of the add-channel form. */
export interface ChannelForm {
  name: string;
  type: "webhook" | "slack" | "email" | "alertmanager";
  url: string;
  secret: string;
  host: string;
  port: string;
  tls: string;
  from: string;
  to: string;
  username: string;
  password: string;
}

/** An empty add-channel form. */
export function emptyChannelForm(): ChannelForm {
  return {
    name: "",
    type: "webhook",
    url: "",
    secret: "",
    host: "",
    port: "",
    tls: "starttls",
    from: "",
    to: "",
    username: "",
    password: "",
  };
}

/**
 * The body the add-channel form posts (only its type's fields; empty optional ones left out).
 *
 * @example
 * ```ts
 * channelBody({ ...emptyChannelForm(), name: "n", url: "https://x.test/h" }).type; // "webhook"
 * ```
 */
export function channelBody(form: ChannelForm): Record<string, unknown> {
  const body: Record<string, unknown> = { name: form.name.trim(), type: form.type };
  if (form.type === "email") {
    body.host = form.host.trim();
    if (form.port.trim()) body.port = numberOr(form.port);
    body.tls = form.tls;
    body.from = form.from.trim();
    body.to = form.to.split(",").map((t) => t.trim()).filter(Boolean);
    if (form.username.trim()) body.username = form.username.trim();
    if (form.password) body.password = form.password;
  } else {
    body.url = form.url.trim();
    if (form.type === "webhook" && form.secret) body.secret = form.secret;
  }
  return body;
}

/**
 * Where a channel sends (as the API shows it, secrets masked).
 *
 * @example
 * ```ts
 * channelTarget({ name: "m", type: "email", host: "smtp.x", tls: "tls", from: "a@x", to: ["b@x"],
 *   insecure_auth: false }); // "b@x via smtp.x:465 (tls)"
 * ```
 */
export function channelTarget(channel: ChannelConfig): string {
  if (channel.type === "email") {
    const port = channel.port ??
      (channel.tls === "tls" ? 465 : channel.tls === "starttls" ? 587 : 25);
    return `${channel.to.join(", ")} via ${channel.host}:${port} (${channel.tls})`;
  }
  return channel.url;
}
