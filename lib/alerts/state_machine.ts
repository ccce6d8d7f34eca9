/**
 * Alert states as Prometheus has them, driven by an injected clock:
 *
 * ```
 * inactive ──condition true──► pending ──true for for_s──► firing ──false for keep_firing_s──► resolved
 *              (for_s = 0: straight to firing)   │ false                    ▲ true again: stays firing
 *                                                ▼
 *                                             inactive
 * ```
 *
 * A resolved alert whose condition holds again starts a new episode (a new fingerprint). A firing
 * episode is notified once when it starts firing, again every `repeat_s` while it fires, and once
 * when it resolves (only if its firing was notified). A silenced rule's alerts change state but
 * notify nothing; when the silence ends during a firing episode never notified, it is notified
 * then.
 *
 * Every change is an `llm.alert.v1` record ({@linkcode step} returns them, {@linkcode applyAlertEvent}
 * folds them), so the state is rebuilt from the records alone ({@linkcode replay}): a restart
 * neither forgets a firing alert nor notifies an episode twice. One thing lives in memory only:
 * when a firing alert's condition went false under `keep_firing_s`; after a restart that wait
 * starts again (an alert resolves later, never earlier).
 *
 * @module
 */

import {
  ALERT_EVENT_SCHEMA,
  type AlertEvent,
  type AlertNotificationEvent,
  type AlertSilenceEvent,
  type AlertStateEvent,
  type AlertStateName,
  type Severity,
} from "../events/alert.ts";
import type { RuleSample } from "./evaluate.ts";
import { episodeFingerprint, notificationKey } from "./fingerprint.ts";
import { type AlertRule, ruleLabels } from "./rules.ts";

/** State changes kept for the history (`GET /api/alerts`). */
export const HISTORY_LIMIT = 200;

/** The current alert of one rule. */
export interface AlertInstance {
  rule_id: string;
  rule_name: string;
  rule_kind: string;
  state: AlertStateName;
  labels: Record<string, string>;
  fingerprint: string;
  severity: Severity;
  /** When the episode began (its condition first held), epoch ms. */
  started_at: number;
  /** When it began to fire, or null. */
  fired_at: number | null;
  /** When it resolved, or null. */
  resolved_at: number | null;
  /** When the state last changed. */
  changed_at: number;
  value: number | null;
  threshold: number | null;
  detail?: string;
  /** Sequence number of the episode's newest notification (0: none yet). */
  notified: number;
  /** When the newest notification was decided, or null. */
  last_notified_at: number | null;
  /** Channels of the newest notification (used when the rule has gone). */
  channels: string[];
}

/** A silence in force or ended. */
export type Silence = Omit<AlertSilenceEvent, "schema" | "kind">;

/** Everything the records rebuild. */
export interface AlertState {
  /** The newest alert of each rule, by rule id (inactive and resolved ones included). */
  alerts: Map<string, AlertInstance>;
  /** Silences by id; a silence is in force while `until` is after now. */
  silences: Map<string, Silence>;
  /** The newest state changes, oldest first, at most {@linkcode HISTORY_LIMIT}. */
  history: AlertStateEvent[];
}

/**
 * An empty state: no alerts, no silences, no history.
 *
 * @example
 * ```ts
 * import { emptyAlertState } from "./state_machine.ts";
 * emptyAlertState().alerts.size; // 0
 * ```
 */
export function emptyAlertState(): AlertState {
  return { alerts: new Map(), silences: new Map(), history: [] };
}

function instanceFromState(
  previous: AlertInstance | undefined,
  event: AlertStateEvent,
): AlertInstance {
  const sameEpisode = previous?.fingerprint === event.fingerprint;
  return {
    rule_id: event.rule_id,
    rule_name: event.rule_name,
    rule_kind: event.rule_kind,
    state: event.state,
    labels: event.labels,
    fingerprint: event.fingerprint,
    severity: event.severity,
    started_at: event.started_at,
    fired_at: event.fired_at,
    resolved_at: event.state === "resolved" ? event.ts : null,
    changed_at: event.ts,
    value: event.value,
    threshold: event.threshold,
    detail: event.detail,
    notified: sameEpisode ? previous!.notified : 0,
    last_notified_at: sameEpisode ? previous!.last_notified_at : null,
    channels: sameEpisode ? previous!.channels : [],
  };
}

/**
 * Folds one record into the state (mutating it). Idempotent for repeated records (Kafka delivers
 * at least once): a notification already counted and a silence already known change nothing.
 * Delivery records do not change alert states (the outbox folds them).
 *
 * @example
 * ```ts
 * import { applyAlertEvent, emptyAlertState } from "./state_machine.ts";
 * const state = emptyAlertState();
 * applyAlertEvent(state, { schema: "llm.alert.v1", kind: "silence", ts: 0, silence_id: "s",
 *   rule_id: "r", until: 10 });
 * state.silences.size; // 1
 * ```
 */
export function applyAlertEvent(state: AlertState, event: AlertEvent): void {
  switch (event.kind) {
    case "state": {
      const previous = state.alerts.get(event.rule_id);
      // An older record of a newer episode's rule (out of order) must not roll the state back.
      if (previous && previous.changed_at > event.ts) break;
      state.alerts.set(event.rule_id, instanceFromState(previous, event));
      state.history.push(event);
      if (state.history.length > HISTORY_LIMIT) {
        state.history.splice(0, state.history.length - HISTORY_LIMIT);
      }
      break;
    }
    case "notification": {
      if (event.test) break;
      const alert = state.alerts.get(event.rule_id);
      if (!alert || alert.fingerprint !== event.fingerprint || event.seq <= alert.notified) break;
      alert.notified = event.seq;
      alert.last_notified_at = event.ts;
      alert.channels = [...event.channels];
      break;
    }
    case "silence": {
      const { schema: _s, kind: _k, ...silence } = event;
      state.silences.set(event.silence_id, silence);
      break;
    }
    case "delivery":
      break;
  }
}

/**
 * Rebuilds the state from the `llm.alert.v1` records, in the order they were written.
 *
 * @example
 * ```ts
 * import { replay } from "./state_machine.ts";
 * replay([]).alerts.size; // 0
 * ```
 */
export function replay(events: Iterable<AlertEvent>): AlertState {
  const state = emptyAlertState();
  for (const event of events) applyAlertEvent(state, event);
  return state;
}

/**
 * Whether a silence covering the rule is in force at `now`.
 *
 * @example
 * ```ts
 * import { emptyAlertState, isSilenced } from "./state_machine.ts";
 * isSilenced(emptyAlertState(), "r1", 0); // false
 * ```
 */
export function isSilenced(state: AlertState, ruleId: string, now: number): boolean {
  for (const s of state.silences.values()) {
    if (s.rule_id === ruleId && s.until > now && s.ts <= now) return true;
  }
  return false;
}

/** What {@linkcode step} decided. */
export interface StepResult {
  /** Records to write (state changes, then notifications), in order. */
  events: AlertEvent[];
  /**
   * When a firing alert's condition went false (keep-firing wait), or null. Kept in memory by
   * the caller and passed back on the next step.
   */
  keepFiringSince: number | null;
}

/** The rule (or, for a rule that was deleted or disabled, null) and its sample at `now`. */
export interface StepInput {
  /** The rule, or null when it was deleted. A disabled rule counts as a false condition. */
  rule: AlertRule | null;
  /** The rule's evaluation now (ignored when the rule is null or disabled). */
  sample: RuleSample | null;
  now: number;
  /** From the previous step's result. */
  keepFiringSince?: number | null;
}

/**
 * One evaluation of one rule: the state change it causes (if any) and the notification that
 * follows (if any), as records. Pure: the state is not changed; apply the records with
 * {@linkcode applyAlertEvent}. `ruleId` names the rule when `input.rule` is null.
 *
 * @example
 * ```ts
 * import { emptyAlertState, parseRule, step } from "./mod.ts";
 * const rule = parseRule({ id: "r", name: "errors", kind: "metric", metric: "error_rate",
 *   op: ">", threshold: 0.1, for_s: 60 });
 * const sample = { value: 0.5, active: true, threshold: 0.1, detail: "" };
 * step(emptyAlertState(), "r", { rule, sample, now: 0 }).events[0].kind; // "state"
 * ```
 */
export function step(state: AlertState, ruleId: string, input: StepInput): StepResult {
  const { rule, now } = input;
  const current = state.alerts.get(ruleId);
  const enabled = rule !== null && rule.enabled;
  const active = enabled && input.sample !== null && input.sample.active;
  const phase = current?.state ?? "inactive";
  const events: AlertEvent[] = [];
  let keepFiringSince = input.keepFiringSince ?? null;

  const stateEvent = (
    base: Pick<
      AlertInstance,
      "labels" | "fingerprint" | "started_at" | "fired_at" | "severity" | "rule_name" | "rule_kind"
    >,
    next: AlertStateName,
  ): AlertStateEvent => {
    const sample = enabled ? input.sample : null;
    const detail = sample?.detail ??
      (rule === null ? "the rule was deleted" : "the rule is disabled");
    return {
      schema: ALERT_EVENT_SCHEMA,
      kind: "state",
      ts: now,
      rule_id: ruleId,
      rule_name: base.rule_name,
      rule_kind: base.rule_kind,
      state: next,
      value: sample?.value ?? null,
      threshold: sample?.threshold ?? current?.threshold ?? null,
      severity: base.severity,
      labels: base.labels,
      fingerprint: base.fingerprint,
      started_at: base.started_at,
      fired_at: base.fired_at,
      detail: detail.slice(0, 2_000),
    };
  };

  if (phase === "inactive" || phase === "resolved") {
    if (active && rule) {
      const labels = ruleLabels(rule);
      const base = {
        labels,
        fingerprint: episodeFingerprint(rule.id, labels, now),
        started_at: now,
        fired_at: rule.for_s === 0 ? now : null,
        severity: rule.severity,
        rule_name: rule.name,
        rule_kind: rule.kind,
      };
      events.push(stateEvent(base, rule.for_s === 0 ? "firing" : "pending"));
    }
    keepFiringSince = null;
  } else if (phase === "pending") {
    if (!active) {
      events.push(stateEvent(current!, "inactive"));
    } else if (now - current!.started_at >= rule!.for_s * 1000) {
      events.push(stateEvent({ ...current!, fired_at: now }, "firing"));
    }
    keepFiringSince = null;
  } else if (phase === "firing") {
    if (active) {
      keepFiringSince = null;
    } else {
      const keepMs = enabled ? rule!.keep_firing_s * 1000 : 0;
      keepFiringSince ??= now;
      if (now - keepFiringSince >= keepMs) {
        events.push(stateEvent(current!, "resolved"));
        keepFiringSince = null;
      }
    }
  }

  // The alert as it will be once these records are applied, with the value of this evaluation.
  const changed = events.length > 0;
  let after = changed
    ? instanceFromState(current, events[events.length - 1] as AlertStateEvent)
    : current;
  if (after && enabled && input.sample) {
    after = { ...after, value: input.sample.value, detail: input.sample.detail };
  }
  if (after && !isSilenced(state, ruleId, now)) {
    const notification = notificationFor(after, rule, now, changed);
    if (notification) events.push(notification);
  }
  return { events, keepFiringSince };
}

function notificationFor(
  alert: AlertInstance,
  rule: AlertRule | null,
  now: number,
  changed: boolean,
): AlertNotificationEvent | null {
  let state: "firing" | "resolved";
  if (alert.state === "firing") {
    const repeatMs = (rule?.repeat_s ?? Infinity) * 1000;
    const due = alert.notified === 0 ||
      (alert.last_notified_at !== null && now - alert.last_notified_at >= repeatMs);
    if (!due) return null;
    state = "firing";
  } else if (alert.state === "resolved" && changed) {
    if (alert.notified === 0) return null;
    state = "resolved";
  } else {
    return null;
  }
  const seq = alert.notified + 1;
  return {
    schema: ALERT_EVENT_SCHEMA,
    kind: "notification",
    ts: now,
    rule_id: alert.rule_id,
    rule_name: alert.rule_name,
    rule_kind: alert.rule_kind,
    state,
    seq,
    key: notificationKey(alert.fingerprint, state, seq),
    fingerprint: alert.fingerprint,
    channels: rule ? [...rule.channels] : [...alert.channels],
    value: alert.value,
    threshold: alert.threshold,
    severity: alert.severity,
    labels: alert.labels,
    started_at: alert.started_at,
    ended_at: state === "resolved" ? now : null,
    repeat_s: rule?.repeat_s ?? 4 * 3600,
    ...(alert.detail !== undefined ? { detail: alert.detail } : {}),
  };
}
