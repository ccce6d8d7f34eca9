/**
 * The alert evaluator: the loop that turns traffic into alerts. Every few seconds it evaluates
 * the rules (lib/alerts) on what it has read (responses, dead letters, feedback from their
 * topics; the drift monitor's latest report and the pipeline's health from the server), writes
 * each state change and notification to `llm.alerts` (key: the rule id), and about once a second
 * delivers what is due from the outbox, writing each outcome there too.
 *
 * **Restarts.** On start it reads `llm.alerts` from the beginning (folding every record into the
 * alert states and the outbox) and the input topics from one look-back before now (the longest
 * rule window, at least an hour), and evaluates only once both are read up to the end offsets of
 * its start: a firing alert is still firing afterwards, an episode already notified is not
 * notified again, and a delivery not yet made is made once.
 *
 * **Several servers at once.** Every server runs an evaluator; they elect one leader through the
 * consumer group `alert-evaluator` (Kafka's group leader, on the topic `llm.alerts`, its
 * partitions paused: the group is only an election). Only the leader evaluates and delivers; the
 * others follow `llm.alerts` (so every dashboard shows the same alerts and history) and compute
 * the rules' current values for their own UI. When the leader stops, it leaves the group and
 * another server takes over at once (after a crash, within the 10 s session timeout); the new
 * leader first reads `llm.alerts` up to its end, so it continues the same episodes. A leader cut
 * off from Kafka but still running may write for a few seconds more: its notifications carry the
 * episode's idempotency key, so receivers that honour it see no duplicate.
 *
 * Each server reads the inputs and `llm.alerts` with a private consumer group (its own id,
 * offsets never committed, deleted on stop): every server needs every partition, which one
 * shared group would split. Invalid messages are skipped and counted here, not dead-lettered:
 * the groups that own those topics already dead-letter them once, and this reader re-reads the
 * look-back on every start.
 *
 * @module
 */

import type { Admin, Consumer, EachBatchPayload, Kafka } from "kafkajs";
import {
  type AlertConfigStore,
  type AlertEvent,
  alertEventKey,
  AlertInputWindow,
  AlertService,
  type AlertServiceOptions,
  type DriftInput,
  type EvaluatorStatus,
  type HealthInput,
  inputHorizonMs,
  parseAlertEvent,
} from "../alerts/mod.ts";
import { decodeResponse, parseFeedbackEvent } from "../events/mod.ts";
import { type EventProducer, GROUPS, retryTransient, TOPICS } from "../kafka/mod.ts";
import { RecentIds } from "../metrics/mod.ts";

/** The Kafka header naming the evaluator that wrote a record (it skips its own on reading). */
export const ALERT_WRITER_HEADER = "llmops-writer";
/** Default time between evaluations. */
export const DEFAULT_EVALUATE_INTERVAL_MS = 2_000;
/** Default time between delivery passes. */
export const DEFAULT_DELIVER_INTERVAL_MS = 1_000;
/** Inputs are re-read from at least this far back on start (and kept this long). */
export const DEFAULT_LOOKBACK_MS = 3_600_000;

/** The topics the evaluator reads and writes. */
export interface AlertEvaluatorTopics {
  responses: string;
  dlq: string;
  feedback: string;
  alerts: string;
}

/** Options of {@linkcode AlertEvaluator}. */
export interface AlertEvaluatorOptions extends
  Pick<
    AlertServiceOptions,
    "dashboardUrl" | "backoff" | "maxDeliveryAgeMs" | "deliveryTimeoutMs" | "send" | "onChange"
  > {
  kafka: Kafka;
  /** Writes `llm.alerts` records (owned and connected by the caller). */
  producer: EventProducer;
  /** The rules and channels. */
  store: AlertConfigStore;
  /** Topics (defaults: the product's). */
  topics?: Partial<AlertEvaluatorTopics>;
  /** The leader-election group. Default `alert-evaluator`. */
  groupId?: string;
  /** Time between evaluations. Default 2 s. */
  evaluateIntervalMs?: number;
  /** Time between delivery passes. Default 1 s. */
  deliverIntervalMs?: number;
  /** Inputs read back on start and kept at least this long. Default 1 h. */
  lookbackMs?: number;
  /** The drift monitor's latest report. */
  drift?: () => DriftInput | null;
  /** The pipeline's health: services by name, lag by consumer group. */
  health?: () => Promise<Pick<HealthInput, "services" | "consumer_lag">>;
  /** Session timeout of the election group (a crashed leader is replaced after it). Default 10 s. */
  sessionTimeoutMs?: number;
  /** Called on each error of the loop (it goes on). */
  onError?: (error: Error) => void;
  /** The clock (default Date.now). */
  now?: () => number;
}

type Positions = Map<string, Map<number, bigint>>;

function checkInterval(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 10) {
    throw new RangeError(`Expected ${name} to be a number of ms ≥ 10, found ${value}`);
  }
  return v;
}

/**
 * Evaluates alert rules over the pipeline's topics, one leader among the servers.
 *
 * @example
 * ```ts ignore
 * const store = await AlertConfigStore.open(`${config.stateDir}/alerts.json`);
 * const evaluator = new AlertEvaluator({ kafka, producer, store,
 *   drift: () => null, health: () => pipeline.alertHealth() });
 * await evaluator.start();
 * evaluator.service.view().firing;
 * await evaluator.stop();
 * ```
 */
export class AlertEvaluator {
  /** The alerting service (API operations, states, view). */
  readonly service: AlertService;
  readonly instanceId = `evaluator-${crypto.randomUUID().slice(0, 8)}`;
  readonly topics: AlertEvaluatorTopics;
  readonly groupId: string;
  readonly #options: AlertEvaluatorOptions;
  readonly #now: () => number;
  readonly #window: AlertInputWindow;
  readonly #seen = new RecentIds(100_000);
  readonly #evaluateMs: number;
  readonly #deliverMs: number;
  readonly #lookbackMs: number;
  #admin: Admin | null = null;
  #tail: Consumer | null = null;
  #election: Consumer | null = null;
  #timers: ReturnType<typeof setInterval>[] = [];
  #positions: Positions = new Map();
  #startTargets: Positions | null = null;
  #leaderTarget: Positions | null = null;
  #caughtUp = false;
  #leader = false;
  #fetchingTarget = false;
  #stopped = false;
  #evaluating: Promise<void> | null = null;
  #delivering: Promise<void> | null = null;
  #lastEvaluated: number | null = null;
  #lastError: string | null = null;
  #written = 0;
  #invalid = 0;
  #read = 0;
  #inputTopics: string[] = [];

  constructor(options: AlertEvaluatorOptions) {
    if (!options?.kafka || !options.producer || !options.store) {
      throw new TypeError(
        "Expected AlertEvaluator options with a kafka client, a producer and a store, found none",
      );
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.topics = {
      responses: options.topics?.responses ?? TOPICS.responses,
      dlq: options.topics?.dlq ?? TOPICS.dlq,
      feedback: options.topics?.feedback ?? TOPICS.feedback,
      alerts: options.topics?.alerts ?? TOPICS.alerts,
    };
    this.groupId = options.groupId ?? GROUPS.alertEvaluator;
    this.#evaluateMs = checkInterval(
      "evaluateIntervalMs",
      options.evaluateIntervalMs,
      DEFAULT_EVALUATE_INTERVAL_MS,
    );
    this.#deliverMs = checkInterval(
      "deliverIntervalMs",
      options.deliverIntervalMs,
      DEFAULT_DELIVER_INTERVAL_MS,
    );
    this.#lookbackMs = options.lookbackMs ?? DEFAULT_LOOKBACK_MS;
    if (!(this.#lookbackMs >= 0)) {
      throw new RangeError(`Expected lookbackMs ≥ 0, found ${options.lookbackMs}`);
    }
    this.#window = new AlertInputWindow({ startedAt: this.#now() });
    this.service = new AlertService({
      store: options.store,
      publish: (records) => this.#publish(records),
      now: this.#now,
      dashboardUrl: options.dashboardUrl,
      backoff: options.backoff,
      maxDeliveryAgeMs: options.maxDeliveryAgeMs,
      deliveryTimeoutMs: options.deliveryTimeoutMs,
      send: options.send,
      onChange: options.onChange,
      status: () => this.status(),
    });
  }

  /** Whether this server evaluates and delivers now. */
  get isLeader(): boolean {
    return this.#active();
  }

  /** Invalid messages skipped so far (all topics). */
  get invalidCount(): number {
    return this.#invalid;
  }

  /** The loop's state, as `GET /api/alerts` shows it. */
  status(): EvaluatorStatus {
    return {
      role: this.#stopped
        ? "stopped"
        : !this.#caughtUp
        ? "starting"
        : this.#active()
        ? "leader"
        : "follower",
      caught_up: this.#caughtUp,
      instance: this.instanceId,
      last_evaluated_at: this.#lastEvaluated,
      last_error: this.#lastError,
      records_written: this.#written,
      messages_read: this.#read,
    };
  }

  /**
   * Reads `llm.alerts` and the inputs' look-back, joins the election and starts the timers.
   * Resolves once the consumers run (not once caught up: see {@linkcode AlertEvaluator.ready}).
   */
  async start(): Promise<void> {
    if (this.#admin) throw new Error("AlertEvaluator is already started");
    const kafka = this.#options.kafka;
    this.#admin = kafka.admin();
    await this.#admin.connect();
    const existing = new Set(await this.#admin.listTopics());
    if (!existing.has(this.topics.alerts)) {
      throw new Error(`the alerts topic "${this.topics.alerts}" does not exist`);
    }
    this.#inputTopics = [this.topics.responses, this.topics.dlq, this.topics.feedback]
      .filter((t, i, all) => all.indexOf(t) === i);
    const missing = this.#inputTopics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      this.#lastError = `input topics missing (not read): ${missing.join(", ")}`;
      this.#inputTopics = this.#inputTopics.filter((t) => existing.has(t));
    }

    // where to start reading, and where "caught up" is
    const lookback = Math.max(this.#lookbackMs, inputHorizonMs(this.service.rules));
    const from = this.#now() - lookback;
    const starts: Positions = new Map();
    const targets: Positions = new Map();
    const admin = this.#admin;
    for (const topic of [this.topics.alerts, ...this.#inputTopics]) {
      const ends = await retryTransient(() => admin.fetchTopicOffsets(topic));
      const begin = topic === this.topics.alerts
        ? new Map(ends.map((p) => [p.partition, BigInt(p.low)]))
        : new Map(
          (await retryTransient(() => admin.fetchTopicOffsetsByTimestamp(topic, from))).map((p) => [
            p.partition,
            BigInt(p.offset),
          ]),
        );
      starts.set(topic, begin);
      targets.set(topic, new Map(ends.map((p) => [p.partition, BigInt(p.high)])));
    }
    this.#positions = new Map([...starts].map(([t, m]) => [t, new Map(m)]));
    this.#startTargets = targets;
    this.#checkCaughtUp();

    const tail = kafka.consumer({
      groupId: `${this.groupId}.view.${this.instanceId}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.#tail = tail;
    await tail.connect();
    await tail.subscribe({
      topics: [this.topics.alerts, ...this.#inputTopics],
      fromBeginning: true,
    });
    tail.run({
      autoCommit: false,
      eachBatch: (payload) => this.#onBatch(payload),
    }).catch((error) => this.#error(error));
    for (const [topic, partitions] of starts) {
      for (const [partition, offset] of partitions) {
        tail.seek({ topic, partition, offset: offset.toString() });
      }
    }

    const election = kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.#options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.#election = election;
    const lose = () => this.#setLeader(false);
    election.on(election.events.REBALANCING, lose);
    election.on(election.events.STOP, lose);
    election.on(election.events.CRASH, lose);
    election.on(election.events.DISCONNECT, lose);
    election.on(election.events.GROUP_JOIN, (event) => {
      // the group is only an election: nothing is consumed from it
      election.pause([{ topic: this.topics.alerts }]);
      this.#setLeader(event.payload.isLeader);
    });
    await election.connect();
    await election.subscribe({ topic: this.topics.alerts, fromBeginning: false });
    await election.run({ autoCommit: false, eachBatch: () => Promise.resolve() });

    this.#timers.push(
      setInterval(() => void this.evaluateNow(), this.#evaluateMs),
      setInterval(() => void this.deliverNow(), this.#deliverMs),
    );
  }

  /** Resolves once the history and the look-back were read to their start-time ends. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.#caughtUp) {
      if (Date.now() > until) {
        throw new Error(`the alert evaluator did not catch up within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the timers (waiting for a pass in progress), leaves the election and the topics. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await Promise.allSettled([this.#evaluating, this.#delivering]);
    this.#leader = false;
    await this.#election?.disconnect().catch(() => {});
    await this.#tail?.disconnect().catch(() => {});
    if (this.#admin) {
      await this.#admin.deleteGroups([`${this.groupId}.view.${this.instanceId}`]).catch(() => {});
      await this.#admin.disconnect().catch(() => {});
    }
    this.#options.onChange?.();
  }

  /** One evaluation pass now (the timer calls it; tests may too). */
  evaluateNow(): Promise<void> {
    if (this.#evaluating || this.#stopped) return this.#evaluating ?? Promise.resolve();
    this.#evaluating = this.#evaluate().catch((error) => this.#error(error)).finally(() => {
      this.#evaluating = null;
    });
    return this.#evaluating;
  }

  /** One delivery pass now (leader only). */
  deliverNow(): Promise<void> {
    if (this.#delivering || this.#stopped || !this.#active()) {
      return this.#delivering ?? Promise.resolve();
    }
    this.#delivering = this.service.deliver().then(() => {}).catch((error) => this.#error(error))
      .finally(() => {
        this.#delivering = null;
      });
    return this.#delivering;
  }

  async #evaluate(): Promise<void> {
    if (!this.#caughtUp) return;
    this.#fetchLeaderTarget();
    await this.service.store.reloadIfChanged().catch((error) => this.#error(error));
    const rules = this.service.rules;
    this.#window.setDrift(this.#options.drift?.() ?? null);
    if (rules.some((r) => r.kind === "health" && r.enabled)) {
      this.#window.setHealth(await this.#readHealth());
    }
    const now = this.#now();
    const inputs = this.#window.inputs(now, Math.max(this.#lookbackMs, inputHorizonMs(rules)));
    if (this.#active()) {
      await this.service.evaluate(inputs);
      this.#lastEvaluated = now;
    } else {
      this.service.observe(inputs);
    }
  }

  /** Services and lags from the pipeline, plus the lag of any other group a rule names. */
  async #readHealth(): Promise<Pick<HealthInput, "services" | "consumer_lag">> {
    const base = await this.#options.health?.().catch((error) => {
      this.#error(error);
      return undefined;
    }) ?? {};
    const lags: Record<string, number> = { ...base.consumer_lag };
    const groups = new Set(
      this.service.rules.flatMap((r) =>
        r.kind === "health" && r.check === "consumer_lag" && r.enabled && r.group ? [r.group] : []
      ),
    );
    for (const group of groups) {
      if (group in lags || !this.#admin) continue;
      const lag = await groupLag(this.#admin, group).catch(() => null);
      if (lag !== null) lags[group] = lag;
    }
    return { services: base.services ?? {}, consumer_lag: lags };
  }

  async #publish(records: AlertEvent[]): Promise<void> {
    await Promise.all(
      records.map((record) =>
        this.#options.producer.send(this.topics.alerts, alertEventKey(record), record, {
          [ALERT_WRITER_HEADER]: this.instanceId,
        })
      ),
    );
    this.#written += records.length;
  }

  #onBatch({ batch, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    // Read each message once: the batch's offsets are resolved below (nothing is committed, the
    // group is this instance's own), else kafkajs fetches the same batch again and again, and
    // every dead letter and feedback would be counted once per fetch.
    const from = this.#positions.get(topic)?.get(partition) ?? -1n;
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= from);
    this.#read += messages.length;
    if (topic === this.topics.alerts) {
      const events: AlertEvent[] = [];
      for (const message of messages) {
        const writer = message.headers?.[ALERT_WRITER_HEADER];
        if (writer !== undefined && String(writer) === this.instanceId) continue;
        try {
          events.push(parseAlertEvent(JSON.parse(new TextDecoder().decode(message.value!))));
        } catch {
          this.#invalid++;
        }
      }
      this.service.fold(events);
    } else {
      for (const message of messages) {
        try {
          if (topic === this.topics.responses) {
            const event = decodeResponse(message.value);
            if (this.#seen.addIfNew(event.request_id)) this.#window.addResponse(event);
          } else if (topic === this.topics.dlq) {
            const body = JSON.parse(new TextDecoder().decode(message.value!));
            const ts = typeof body?.ts === "number" ? body.ts : Number(message.timestamp);
            this.#window.addDeadLetter(ts);
          } else if (topic === this.topics.feedback) {
            const event = parseFeedbackEvent(
              JSON.parse(new TextDecoder().decode(message.value!)),
            );
            this.#window.addFeedback({
              ts: event.ts,
              score: event.score,
              request_id: event.request_id,
            });
          }
        } catch {
          this.#invalid++;
        }
      }
    }
    if (batch.messages.length > 0) resolveOffset(batch.lastOffset());
    const last = BigInt(batch.lastOffset()) + 1n;
    const partitions = this.#positions.get(topic) ?? new Map<number, bigint>();
    if (last > (partitions.get(partition) ?? -1n)) partitions.set(partition, last);
    this.#positions.set(topic, partitions);
    this.#checkCaughtUp();
    return Promise.resolve();
  }

  #reached(targets: Positions | null): boolean {
    if (!targets) return false;
    for (const [topic, partitions] of targets) {
      const at = this.#positions.get(topic);
      for (const [partition, end] of partitions) {
        if ((at?.get(partition) ?? -1n) < end) return false;
      }
    }
    return true;
  }

  #checkCaughtUp(): void {
    if (!this.#caughtUp && this.#reached(this.#startTargets)) {
      this.#caughtUp = true;
      this.#options.onChange?.();
      void this.evaluateNow();
    }
  }

  #active(): boolean {
    return this.#leader && this.#caughtUp && this.#reached(this.#leaderTarget);
  }

  #setLeader(leader: boolean): void {
    if (this.#stopped) leader = false;
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.#leaderTarget = null;
    this.#options.onChange?.();
    if (leader) this.#fetchLeaderTarget();
  }

  /** A new leader first reads what the previous one wrote, up to the end of the topic. */
  #fetchLeaderTarget(): void {
    if (!this.#leader || this.#leaderTarget || this.#fetchingTarget || !this.#admin) return;
    const admin = this.#admin;
    this.#fetchingTarget = true;
    retryTransient(() => admin.fetchTopicOffsets(this.topics.alerts)).then((ends) => {
      if (!this.#leader) return;
      this.#leaderTarget = new Map([[
        this.topics.alerts,
        new Map(ends.map((p) => [p.partition, BigInt(p.high)])),
      ]]);
      this.#options.onChange?.();
    }).catch((error) => this.#error(error)) // tried again on the next evaluation
      .finally(() => {
        this.#fetchingTarget = false;
      });
  }

  #error(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.#lastError = e.message;
    this.#options.onError?.(e);
  }
}

/**
 * The lag of a consumer group over every topic it has committed offsets on (end − committed,
 * summed over partitions), or null when it has committed none.
 *
 * @example
 * ```ts ignore
 * await groupLag(admin, "mlflow-sink"); // 0
 * ```
 */
export async function groupLag(admin: Admin, group: string): Promise<number | null> {
  const committed = await admin.fetchOffsets({ groupId: group });
  let total = 0;
  let known = false;
  for (const { topic, partitions } of committed) {
    const done = partitions.filter((p) => Number(p.offset) >= 0);
    if (done.length === 0) continue;
    known = true;
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]),
    );
    for (const p of partitions) {
      const offset = Number(p.offset);
      const end = ends.get(p.partition) ?? 0;
      if (offset >= 0) total += Math.max(0, end - offset);
    }
  }
  return known ? total : null;
}
