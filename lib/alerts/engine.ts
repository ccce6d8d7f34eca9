/**
 * The alert engine: the state machine of every rule behind one object with an injected clock.
 * Each {@linkcode AlertEngine.evaluate} evaluates the rules on what the evaluator has gathered,
 * applies the resulting `llm.alert.v1` records to its state and returns them for the caller to
 * write to `llm.alerts` (and to fold into the {@linkcode Outbox}). After a restart,
 * {@linkcode AlertEngine.replay} rebuilds it from those records.
 *
 * @module
 */

import {
  ALERT_EVENT_SCHEMA,
  type AlertEvent,
  type AlertNotificationEvent,
  type AlertSilenceEvent,
  type AlertStateEvent,
} from "../events/alert.ts";
import { type AlertInputs, evaluateRule, type RuleSample } from "./evaluate.ts";
import { type AlertRule, DEFAULT_REPEAT_S, ruleThreshold } from "./rules.ts";
import { parseSilence, type ParseSilenceOptions } from "./silence.ts";
import {
  type AlertInstance,
  type AlertState,
  applyAlertEvent,
  emptyAlertState,
  isSilenced,
  replay,
  type Silence,
  step,
} from "./state_machine.ts";

/** Options of {@linkcode AlertEngine}. */
export interface AlertEngineOptions {
  /** The clock, epoch ms (default Date.now). Tests inject their own. */
  now?: () => number;
}

/** A rule's latest evaluation, for the UI (value against threshold). */
export interface RuleReading extends RuleSample {
  rule_id: string;
  /** When it was evaluated. */
  ts: number;
}

/** What `GET /api/alerts` shows. */
export interface AlertsSnapshot {
  /** Pending and firing alerts. */
  active: (AlertInstance & { silenced: boolean })[];
  /** Number of firing alerts (the sidebar's badge). */
  firing: number;
  /** The newest state changes, newest first. */
  history: AlertStateEvent[];
  /** Silences in force. */
  silences: Silence[];
  /** Each rule's latest evaluation. */
  readings: RuleReading[];
}

/**
 * Alert states of every rule, driven by {@linkcode AlertEngine.evaluate}.
 *
 * @example
 * ```ts
 * import { AlertEngine, parseRule } from "./mod.ts";
 * let now = 0;
 * const engine = new AlertEngine({ now: () => now });
 * const rule = parseRule({ id: "r", name: "busy", kind: "metric", metric: "requests", op: ">",
 *   threshold: 0, window_s: 60 });
 * now = 1_000;
 * const r = { ts_end: 500, latency_ms: 1, ttft_ms: null, status: "success" as const, model: "m",
 *   source: "test" as const, tokens_per_s: 1 };
 * engine.evaluate([rule], { responses: [r] }).map((e) => e.kind); // ["state", "notification"]
 * ```
 */
export class AlertEngine {
  #state: AlertState;
  #keepFiring = new Map<string, number | null>();
  #readings = new Map<string, RuleReading>();
  readonly #now: () => number;

  constructor(options: AlertEngineOptions = {}, state: AlertState = emptyAlertState()) {
    this.#now = options.now ?? Date.now;
    this.#state = state;
  }

  /**
   * An engine rebuilt from `llm.alert.v1` records (in the order they were written).
   *
   * @example
   * ```ts
   * import { AlertEngine } from "./engine.ts";
   * AlertEngine.replay([]).snapshot().firing; // 0
   * ```
   */
  static replay(events: Iterable<AlertEvent>, options: AlertEngineOptions = {}): AlertEngine {
    return new AlertEngine(options, replay(events));
  }

  /** The folded state (read it, do not change it). */
  get state(): AlertState {
    return this.#state;
  }

  /** Folds a record written elsewhere (for example a silence from another server). */
  apply(event: AlertEvent): void {
    applyAlertEvent(this.#state, event);
  }

  /**
   * Evaluates every rule now and advances its alert; rules that are gone or disabled resolve
   * their alerts. Returns the new records, already applied, in order: write them to `llm.alerts`
   * and give them to the outbox. A rule whose evaluation throws counts as having no data.
   */
  evaluate(rules: readonly AlertRule[], inputs: AlertInputs): AlertEvent[] {
    const now = this.#now();
    const events: AlertEvent[] = [];
    const seen = new Set<string>();
    for (const rule of rules) {
      seen.add(rule.id);
      let sample: RuleSample | null = null;
      if (rule.enabled) {
        try {
          sample = evaluateRule(rule, inputs, now);
        } catch (error) {
          sample = {
            value: null,
            active: false,
            threshold: ruleThreshold(rule),
            detail: `evaluation failed: ${(error as Error).message}`,
          };
        }
        this.#readings.set(rule.id, { ...sample, rule_id: rule.id, ts: now });
      } else {
        this.#readings.delete(rule.id);
      }
      events.push(...this.#advance(rule.id, rule, sample, now));
    }
    for (const [ruleId, alert] of this.#state.alerts) {
      if (seen.has(ruleId)) continue;
      this.#readings.delete(ruleId);
      if (alert.state === "pending" || alert.state === "firing") {
        events.push(...this.#advance(ruleId, null, null, now));
      }
    }
    return events;
  }

  #advance(
    ruleId: string,
    rule: AlertRule | null,
    sample: RuleSample | null,
    now: number,
  ): AlertEvent[] {
    const result = step(this.#state, ruleId, {
      rule,
      sample,
      now,
      keepFiringSince: this.#keepFiring.get(ruleId) ?? null,
    });
    this.#keepFiring.set(ruleId, result.keepFiringSince);
    for (const event of result.events) applyAlertEvent(this.#state, event);
    return result.events;
  }

  /**
   * Validates and records a silence (`{rule_id, until | duration_s, comment?}`); returns the
   * record to write. Throws `AlertValidationError` (400) on a bad body.
   */
  silence(input: unknown, options: Omit<ParseSilenceOptions, "now"> = {}): AlertSilenceEvent {
    const event = parseSilence(input, { ...options, now: this.#now() });
    applyAlertEvent(this.#state, event);
    return event;
  }

  /** Lifts a silence now; returns the record to write, or null when there is no such silence. */
  unsilence(silenceId: string): AlertSilenceEvent | null {
    const silence = this.#state.silences.get(silenceId);
    if (!silence) return null;
    const now = this.#now();
    const event: AlertSilenceEvent = {
      schema: ALERT_EVENT_SCHEMA,
      kind: "silence",
      ...silence,
      ts: now,
      until: Math.min(silence.until, now),
    };
    applyAlertEvent(this.#state, event);
    return event;
  }

  /**
   * A test notification for one channel (`POST /api/alerts/channels/:name/test`): marked
   * `test: true`, with a fresh fingerprint, not counted by any alert. Deliver it with
   * `sendWithRetries`, or write it to `llm.alerts` to go through the outbox.
   */
  testNotification(channel: string): AlertNotificationEvent {
    const now = this.#now();
    const fingerprint = `test-${now.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
    return {
      schema: ALERT_EVENT_SCHEMA,
      kind: "notification",
      ts: now,
      rule_id: "test",
      rule_name: "Test notification",
      rule_kind: "test",
      state: "firing",
      seq: 1,
      key: `${fingerprint}:firing:1`,
      fingerprint,
      channels: [channel],
      value: 1,
      threshold: 0,
      severity: "info",
      labels: { alertname: "Test notification", severity: "info" },
      started_at: now,
      ended_at: null,
      repeat_s: DEFAULT_REPEAT_S,
      detail: `A test notification from the LLM monitoring workbench to channel ${channel}.`,
      test: true,
    };
  }

  /** Active alerts, history, silences in force and the latest readings. */
  snapshot(): AlertsSnapshot {
    const now = this.#now();
    const active = [...this.#state.alerts.values()]
      .filter((a) => a.state === "pending" || a.state === "firing")
      .map((a) => ({ ...a, silenced: isSilenced(this.#state, a.rule_id, now) }));
    return {
      active,
      firing: active.filter((a) => a.state === "firing").length,
      history: [...this.#state.history].reverse(),
      silences: [...this.#state.silences.values()].filter((s) => s.until > now),
      readings: [...this.#readings.values()],
    };
  }
}
