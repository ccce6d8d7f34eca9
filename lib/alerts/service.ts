/**
 * The alerting service behind the API and the evaluator loop: the durable rules and channels
 * ({@linkcode AlertConfigStore}), the alert states ({@linkcode AlertEngine}) and the delivery
 * outbox ({@linkcode Outbox}), with one `publish` function that writes `llm.alert.v1` records
 * (the evaluator gives the Kafka producer; tests an array). No Kafka here: the loop that feeds
 * it lives in `lib/consumers/alert_evaluator.ts`.
 *
 * Who does what: every server folds every record of `llm.alerts` ({@linkcode AlertService.fold})
 * and computes the rules' current values ({@linkcode AlertService.observe}); only the evaluating
 * server (the leader) advances states ({@linkcode AlertService.evaluate}) and delivers
 * ({@linkcode AlertService.deliver}). A notification enters the outbox once its record is
 * written (or writing it failed for good: then it is still delivered, since a duplicate after a
 * crash is better than a loss).
 *
 * @module
 */

import type { AlertEvent, AlertSilenceEvent, AlertStateEvent } from "../events/alert.ts";
import { type ChannelConfig, maskChannel } from "./channels/config.ts";
import type { DeliveryContext } from "./channels/types.ts";
import { AlertConfigStore, AlertNotFoundError } from "./config_store.ts";
import { deliverDue, type RetryOutcome, type Sender, sendWithRetries } from "./deliver.ts";
import { AlertEngine, type RuleReading } from "./engine.ts";
import { type AlertInputs, evaluateRule } from "./evaluate.ts";
import { type BackoffOptions, Outbox } from "./outbox.ts";
import type { AlertRule } from "./rules.ts";
import type { AlertInstance, Silence } from "./state_machine.ts";

/** What the evaluator loop says about itself (shown by `GET /api/alerts`). */
export interface EvaluatorStatus {
  /** `leader`: this server evaluates and delivers; `follower`: another one does. */
  role: "starting" | "leader" | "follower" | "stopped";
  /** Whether the history and the inputs have been read up to the end since start. */
  caught_up: boolean;
  /** This server's evaluator id (the writer of its records). */
  instance: string | null;
  /** When the rules were last evaluated here (as leader), epoch ms. */
  last_evaluated_at: number | null;
  /** The last error of the loop (Kafka, health readings, writing records), or null. */
  last_error: string | null;
  /** Records written to `llm.alerts` by this server since start. */
  records_written: number;
  /** Messages of `llm.alerts` and of the inputs read since start, each once. */
  messages_read: number;
}

/** The body of `GET /api/alerts` and of the `alerts` live event. */
export interface AlertsView {
  /** Pending and firing alerts, with whether a silence mutes them. */
  active: (AlertInstance & { silenced: boolean })[];
  /** Firing alerts (the sidebar's count). */
  firing: number;
  /** Pending alerts. */
  pending: number;
  /** The newest state changes, newest first (at most 200; 20 in a live event). */
  history: AlertStateEvent[];
  /** Silences in force. */
  silences: Silence[];
  /** Each enabled rule's current value against its threshold. */
  readings: RuleReading[];
  /** Deliveries not yet made (a receiver down keeps them here). */
  deliveries_pending: number;
  evaluator: EvaluatorStatus;
  /** Changes when rules or channels change (clients refetch them). */
  config_version: number;
}

/**
 * What the HTTP layer uses of the alerting service (the routes and the event stream):
 * {@linkcode AlertService} implements it; route-test doubles may too.
 */
export interface AlertsApi {
  /** The rules now. */
  readonly rules: readonly AlertRule[];
  view(historyLimit?: number): AlertsView;
  createRule(body: unknown): Promise<AlertRule>;
  replaceRule(id: string, body: unknown): Promise<AlertRule>;
  deleteRule(id: string): Promise<AlertRule>;
  channels(): ChannelConfig[];
  upsertChannel(body: unknown): Promise<{ channel: ChannelConfig; created: boolean }>;
  deleteChannel(name: string): Promise<ChannelConfig>;
  testChannel(name: string): Promise<RetryOutcome>;
  silence(body: unknown): Promise<AlertSilenceEvent>;
  unsilence(silenceId: string): Promise<AlertSilenceEvent>;
}

/** Options of {@linkcode AlertService}. */
export interface AlertServiceOptions {
  store: AlertConfigStore;
  /** Writes records to `llm.alerts` (resolves once they are acknowledged). */
  publish: (records: AlertEvent[]) => Promise<void>;
  /** The clock (default Date.now). */
  now?: () => number;
  /** Base URL of the dashboard, for links in notifications. */
  dashboardUrl?: string;
  /** Backoff of failed deliveries (default 1 s doubling to 30 s). */
  backoff?: BackoffOptions;
  /** Deliveries still failing after this long are abandoned (default 24 h). */
  maxDeliveryAgeMs?: number;
  /** Time limit of one delivery attempt (default 10 s). */
  deliveryTimeoutMs?: number;
  /** The sender (default: the real channels). */
  send?: Sender;
  /** Called when what `view()` shows may have changed. */
  onChange?: () => void;
  /** The loop's status (default: a service without a loop). */
  status?: () => EvaluatorStatus;
}

const NO_LOOP: EvaluatorStatus = {
  role: "starting",
  caught_up: false,
  instance: null,
  last_evaluated_at: null,
  last_error: null,
  records_written: 0,
  messages_read: 0,
};

/**
 * Alerting state and operations.
 *
 * @example
 * ```ts ignore
 * const service = new AlertService({ store, publish: (records) => write(records) });
 * await service.evaluate(window.inputs(Date.now(), service.horizonMs()));
 * await service.deliver();
 * ```
 */
export class AlertService implements AlertsApi {
  readonly store: AlertConfigStore;
  #engine: AlertEngine;
  #outbox: Outbox;
  #readings = new Map<string, RuleReading>();
  readonly #options: AlertServiceOptions;
  readonly #now: () => number;

  constructor(options: AlertServiceOptions) {
    if (!options?.store || typeof options.publish !== "function") {
      throw new TypeError("Expected AlertService options with a store and a publish function");
    }
    this.#options = options;
    this.store = options.store;
    this.#now = options.now ?? Date.now;
    this.#engine = new AlertEngine({ now: this.#now });
    this.#outbox = this.#newOutbox();
  }

  #newOutbox(): Outbox {
    return new Outbox({
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
      ...(this.#options.maxDeliveryAgeMs ? { maxAgeMs: this.#options.maxDeliveryAgeMs } : {}),
    });
  }

  /** The engine (read its state, do not drive it). */
  get engine(): AlertEngine {
    return this.#engine;
  }

  /** The outbox (read it, do not drive it). */
  get outbox(): Outbox {
    return this.#outbox;
  }

  /** The rules now. */
  get rules(): readonly AlertRule[] {
    return this.store.rules;
  }

  /** Forgets every alert state and delivery (before a replay from the start of the topic). */
  reset(): void {
    this.#engine = new AlertEngine({ now: this.#now });
    this.#outbox = this.#newOutbox();
    this.#readings.clear();
  }

  /** Folds records written by another server (or before a restart), in topic order. */
  fold(events: Iterable<AlertEvent>): void {
    let changed = false;
    for (const event of events) {
      this.#engine.apply(event);
      this.#outbox.apply(event);
      changed = true;
    }
    if (changed) this.#options.onChange?.();
  }

  /**
   * Evaluates every rule on `inputs` and advances the alerts (the leader's step): writes the
   * new records, then puts their notifications in the outbox. Returns the records.
   */
  async evaluate(inputs: AlertInputs): Promise<AlertEvent[]> {
    const records = this.#engine.evaluate(this.store.rules, inputs);
    this.#readings = new Map(this.#engine.snapshot().readings.map((r) => [r.rule_id, r]));
    try {
      if (records.length > 0) await this.#options.publish(records);
    } finally {
      for (const record of records) this.#outbox.apply(record);
      this.#options.onChange?.();
    }
    return records;
  }

  /** Computes each enabled rule's current value without changing any state (a follower's step). */
  observe(inputs: AlertInputs): void {
    const now = this.#now();
    const readings = new Map<string, RuleReading>();
    for (const rule of this.store.rules) {
      if (!rule.enabled) continue;
      try {
        readings.set(rule.id, { ...evaluateRule(rule, inputs, now), rule_id: rule.id, ts: now });
      } catch (error) {
        readings.set(rule.id, {
          value: null,
          active: false,
          threshold: 0,
          detail: `evaluation failed: ${(error as Error).message}`,
          rule_id: rule.id,
          ts: now,
        });
      }
    }
    this.#readings = readings;
    this.#options.onChange?.();
  }

  /** Tries every delivery due now once and writes the outcomes; returns them. */
  async deliver(): Promise<AlertEvent[]> {
    if (this.#outbox.pending(this.#now()).length === 0) return [];
    const records = await deliverDue(this.#outbox, this.store.channelMap(), {
      ...this.#context(),
      now: this.#now,
      ...(this.#options.send ? { send: this.#options.send } : {}),
    });
    if (records.length > 0) {
      this.#options.onChange?.();
      await this.#options.publish(records);
    }
    return records;
  }

  #context(): DeliveryContext {
    return {
      ...(this.#options.dashboardUrl ? { dashboardUrl: this.#options.dashboardUrl } : {}),
      ...(this.#options.deliveryTimeoutMs ? { timeoutMs: this.#options.deliveryTimeoutMs } : {}),
    };
  }

  /** What `GET /api/alerts` shows; `historyLimit` cuts the history (live events send 20). */
  view(historyLimit = 200): AlertsView {
    const snapshot = this.#engine.snapshot();
    const ids = new Set(this.store.rules.filter((r) => r.enabled).map((r) => r.id));
    return {
      active: snapshot.active,
      firing: snapshot.firing,
      pending: snapshot.active.filter((a) => a.state === "pending").length,
      history: snapshot.history.slice(0, historyLimit),
      silences: snapshot.silences,
      readings: [...this.#readings.values()].filter((r) => ids.has(r.rule_id)),
      deliveries_pending: this.#outbox.size,
      evaluator: (this.#options.status ?? (() => NO_LOOP))(),
      config_version: this.store.version,
    };
  }

  /** Validates and stores a new rule. */
  async createRule(body: unknown): Promise<AlertRule> {
    const rule = await this.store.createRule(body);
    this.#options.onChange?.();
    return rule;
  }

  /** Replaces a stored rule. */
  async replaceRule(id: string, body: unknown): Promise<AlertRule> {
    const rule = await this.store.replaceRule(id, body);
    this.#options.onChange?.();
    return rule;
  }

  /** Deletes a rule (its alert resolves on the next evaluation). */
  async deleteRule(id: string): Promise<AlertRule> {
    const rule = await this.store.deleteRule(id);
    this.#readings.delete(id);
    this.#options.onChange?.();
    return rule;
  }

  /** The channels, secrets masked. */
  channels(): ChannelConfig[] {
    return this.store.masked();
  }

  /** Adds or replaces a channel; returns it masked. */
  async upsertChannel(body: unknown): Promise<{ channel: ChannelConfig; created: boolean }> {
    const { channel, created } = await this.store.upsertChannel(body);
    this.#options.onChange?.();
    return { channel: maskChannel(channel), created };
  }

  /** Deletes a channel no rule uses. */
  async deleteChannel(name: string): Promise<ChannelConfig> {
    const channel = await this.store.deleteChannel(name);
    this.#options.onChange?.();
    return maskChannel(channel);
  }

  /** Sends a test notification to a channel now (3 attempts); says how it went. */
  async testChannel(name: string, attempts = 3): Promise<RetryOutcome> {
    const channel = this.store.channelMap().get(name);
    if (!channel) throw new AlertNotFoundError(`no channel named "${name}"`);
    return await sendWithRetries(channel, this.#engine.testNotification(name), {
      ...this.#context(),
      attempts,
      ...(this.#options.send ? { send: this.#options.send } : {}),
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
    });
  }

  /** Validates and records a silence of a defined rule; returns its record once written. */
  async silence(body: unknown): Promise<AlertSilenceEvent> {
    const event = this.#engine.silence(body, { rules: this.store.rules.map((r) => r.id) });
    this.#options.onChange?.();
    await this.#options.publish([event]);
    return event;
  }

  /** Lifts a silence now; throws {@linkcode AlertNotFoundError} when there is none in force. */
  async unsilence(silenceId: string): Promise<AlertSilenceEvent> {
    const silence = this.#engine.state.silences.get(silenceId);
    if (!silence || silence.until <= this.#now()) {
      throw new AlertNotFoundError(`no silence in force with id "${silenceId}"`);
    }
    const event = this.#engine.unsilence(silenceId)!;
    this.#options.onChange?.();
    await this.#options.publish([event]);
    return event;
  }
}
