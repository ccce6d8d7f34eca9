/**
 * The MLflow sink's second reader of `llm.responses`: one aggregate run per minute and model
 * (`MinuteWindow`), in an experiment of its own, whatever the per-call run policy. Its consumer
 * group (by default the sink's group plus `-minutes`) gives every partition to one member, since
 * a minute's responses are spread over all of them.
 *
 * A window is written once event time has moved a grace period (default 60 s) past its end:
 * event time is, per partition, the newest `ts_end` read, or the clock when the reader has read
 * everything there is; the slowest partition sets the pace, so a backlog read at full speed
 * closes no window early. Offsets are committed only up to the first response of the oldest
 * window still open, so after a crash or restart every open window is read again in full from
 * Kafka and nothing is counted twice: a window is written only when MLflow has no finished run
 * of that minute and model (a replay adds none), and a run a crash left unfinished is completed.
 * A response that arrives after its window was written is counted as late and left out.
 *
 * Invalid messages are skipped here: the sink's own group dead-letters them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  AssignerProtocol,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type PartitionAssigner,
} from "kafkajs";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import { memberConfig } from "../kafka/member_config.ts";
import { RecentIds } from "../metrics/recent_ids.ts";
import {
  MINUTE_MS,
  minuteStart,
  MinuteWindow,
  type MlflowClient,
  MlflowError,
  type RunPolicy,
  tagOf,
  windowKey,
} from "../mlflow/mod.ts";
import { type RetryStatus, retryWithBackoff } from "../kafka/retry_with_backoff.ts";
import { mapWithConcurrency } from "../util/concurrency.ts";
import type { MinuteRunsStatus } from "./health_report.ts";
import { resolveExperiment } from "./mlflow_experiment.ts";

/** Options of {@linkcode MlflowMinuteRuns}. */
export interface MlflowMinuteRunsOptions {
  kafka: Kafka;
  mlflow: MlflowClient;
  /** Experiment of the aggregate runs. */
  experiment: string;
  topic: string;
  groupId: string;
  /** The per-call run policy (recorded on each aggregate run, and its `per_call_runs`). */
  policy: RunPolicy;
  /** How far event time must pass a window's end before it is written. Default 60 s. */
  graceMs?: number;
  /** How often idle windows are checked. Default 2 s. */
  tickMs?: number;
  /** Called on each transient failure. */
  onError?: (error: Error, attempt: number) => void;
  /** The clock (tests). Default `Date.now`. */
  now?: () => number;
}

interface PartitionState {
  /** Next offset to aggregate (messages before it are already counted). */
  next: bigint | null;
  /** Newest ts_end read. */
  newest: number;
  /** True when the last read reached the end of the partition. */
  caughtUp: boolean;
}

interface OpenWindow {
  window: MinuteWindow;
  /** First offset of this window's responses, per partition. */
  firstOffset: Map<number, bigint>;
}

/**
 * A kafkajs partition assigner that gives every partition to one member (the first by member
 * id) and none to the others, who stand by.
 *
 * @example
 * ```ts ignore
 * kafka.consumer({ groupId, partitionAssigners: [allToOneAssigner] });
 * ```
 */
export const allToOneAssigner: PartitionAssigner = ({ cluster }) => ({
  name: "AllToOne",
  version: 1,
  assign({ members, topics }) {
    const owner = members.map((m) => m.memberId).sort()[0];
    const all: Record<string, number[]> = {};
    for (const topic of topics) {
      all[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
    }
    return Promise.resolve(members.map(({ memberId }) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: memberId === owner ? all : {},
        userData: Buffer.alloc(0),
      }),
    })));
  },
  protocol({ topics }) {
    return {
      name: "AllToOne",
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.alloc(0),
      }),
    };
  },
});

/**
 * Writes one aggregate run per minute and model.
 *
 * @example
 * ```ts ignore
 * const minutes = new MlflowMinuteRuns({
 *   kafka, mlflow, experiment: "llm-monitoring-minutes", topic: "llm.responses",
 *   groupId: "mlflow-sink-minutes", policy: { kind: "all" },
 * });
 * await minutes.start();
 * ```
 */
export class MlflowMinuteRuns {
  readonly #options: MlflowMinuteRunsOptions;
  readonly #consumer: Consumer;
  readonly #now: () => number;
  readonly #graceMs: number;
  readonly #windows = new Map<string, OpenWindow>();
  readonly #partitions = new Map<number, PartitionState>();
  readonly #committed = new Map<number, bigint>();
  readonly #recentIds = new RecentIds(100_000);
  /** Windows written lately (the oldest forgotten beyond 10,000), to tell late responses. */
  readonly #writtenKeys = new Set<string>();
  #assigned: number[] = [];
  #experimentId: string | null = null;
  #queue: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | null = null;
  #running = false;
  #written = 0;
  #alreadyWritten = 0;
  #late = 0;
  #watermark: number | null = null;
  readonly #status: RetryStatus = { retrying: false, lastError: null };

  constructor(options: MlflowMinuteRunsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#graceMs = options.graceMs ?? 60_000;
    this.#consumer = options.kafka.consumer(
      memberConfig(options.groupId, { partitionAssigners: [allToOneAssigner] }),
    );
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#assigned = [...(payload.memberAssignment[options.topic] ?? [])];
      if (this.#assigned.length === 0) {
        // Another member owns the partitions now: what this one gathered is not its to write.
        this.#windows.clear();
        this.#partitions.clear();
        this.#committed.clear();
      }
    });
  }

  /** The aggregate runs' experiment id (after start). */
  get experimentId(): string | null {
    return this.#experimentId;
  }

  /** Aggregate runs written by this process. */
  get writtenCount(): number {
    return this.#written;
  }

  /** Windows MLflow already had a finished run for. */
  get alreadyWrittenCount(): number {
    return this.#alreadyWritten;
  }

  /** Responses that came after their window was written. */
  get lateCount(): number {
    return this.#late;
  }

  /** The state for the health report. */
  status(): MinuteRunsStatus {
    return {
      experiment: this.#options.experiment,
      group: this.#options.groupId,
      open_windows: this.#windows.size,
      written: this.#written,
      already_written: this.#alreadyWritten,
      late: this.#late,
      watermark: this.#watermark,
      retrying: this.#status.retrying,
      last_error: this.#status.lastError,
    };
  }

  /** Resolves the experiment (retrying while MLflow is unreachable) and starts reading. */
  async start(): Promise<void> {
    this.#experimentId = await resolveExperiment(this.#options.mlflow, this.#options.experiment, {
      onError: this.#options.onError,
    });
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topic: this.#options.topic, fromBeginning: true });
    this.#running = true;
    await this.#consumer.run({
      autoCommit: false,
      eachBatch: (payload) => this.#exclusive(() => this.#eachBatch(payload)),
    });
    this.#timer = setInterval(() => {
      this.#exclusive(() => this.#tick()).catch(() => {});
    }, this.#options.tickMs ?? 2_000);
  }

  /** Stops reading; open windows are read again from Kafka on the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#queue.catch(() => {});
    await this.#consumer.disconnect();
  }

  #exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #eachBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    let state = this.#partitions.get(partition);
    if (!state) {
      state = { next: null, newest: -Infinity, caughtUp: false };
      this.#partitions.set(partition, state);
    }
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (state.next !== null && offset < state.next) continue; // read again after a rejoin
      state.next = offset + 1n;
      let event: ResponseEvent;
      try {
        event = decodeResponse(message.value);
      } catch {
        continue; // the sink's group dead-letters it
      }
      if (event.ts_end > state.newest) state.newest = event.ts_end;
      this.#add(event, partition, offset);
    }
    if (state.next !== null) state.caughtUp = state.next >= BigInt(batch.highWatermark);
    await this.#closeAndCommit(heartbeat);
  }

  #add(event: ResponseEvent, partition: number, offset: bigint): void {
    if (!this.#recentIds.addIfNew(event.request_id)) return; // a second delivery
    const start = minuteStart(event.ts_end);
    const key = windowKey(event.model, start);
    let open = this.#windows.get(key);
    if (!open) {
      if (this.#writtenKeys.has(key)) {
        this.#late++;
        return;
      }
      open = { window: new MinuteWindow(event.model, start), firstOffset: new Map() };
      this.#windows.set(key, open);
    }
    open.window.add(event, this.#options.policy);
    if (!open.firstOffset.has(partition)) open.firstOffset.set(partition, offset);
  }

  /** Idle partitions: learns whether they have been read to their end. */
  async #tick(): Promise<void> {
    if (!this.#running) return;
    const unknown = this.#assigned.filter((p) => !this.#partitions.get(p)?.caughtUp);
    if (unknown.length > 0) {
      const admin = this.#options.kafka.admin();
      try {
        await admin.connect();
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(this.#options.topic),
          admin.fetchOffsets({ groupId: this.#options.groupId, topics: [this.#options.topic] }),
        ]);
        const commit = new Map(
          committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? [],
        );
        for (const end of ends) {
          if (!unknown.includes(end.partition)) continue;
          const state = this.#partitions.get(end.partition);
          const fromGroup = commit.get(end.partition) ?? -1n;
          const position = state?.next ?? (fromGroup >= 0n ? fromGroup : BigInt(end.low));
          if (position >= BigInt(end.high)) {
            if (state) state.caughtUp = true;
            else {
              this.#partitions.set(end.partition, {
                next: null,
                newest: -Infinity,
                caughtUp: true,
              });
            }
          }
        }
      } catch (error) {
        this.#status.lastError = `reading the topic's offsets: ${(error as Error).message}`;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    }
    await this.#closeAndCommit(() => Promise.resolve());
  }

  /** Event time: the slowest assigned partition's, the clock for those read to their end. */
  #eventTime(): number | null {
    if (this.#assigned.length === 0) return null;
    const now = this.#now();
    let time = Infinity;
    for (const partition of this.#assigned) {
      const state = this.#partitions.get(partition);
      const t = state?.caughtUp ? now : state?.newest ?? -Infinity;
      if (t < time) time = t;
    }
    return Number.isFinite(time) ? time : null;
  }

  async #closeAndCommit(heartbeat: () => Promise<void>): Promise<void> {
    const time = this.#eventTime();
    if (time !== null) this.#watermark = time - this.#graceMs;
    if (this.#watermark !== null) {
      const due = [...this.#windows.entries()].filter(([, open]) =>
        open.window.start + MINUTE_MS <= this.#watermark!
      );
      await mapWithConcurrency(due, 4, async ([key, open]) => {
        if (await this.#writeWithRetry(open.window, heartbeat)) {
          this.#windows.delete(key);
          this.#writtenKeys.add(key);
          if (this.#writtenKeys.size > 10_000) {
            this.#writtenKeys.delete(this.#writtenKeys.values().next().value!);
          }
        }
      });
    }
    await this.#commit();
  }

  async #commit(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const partition of this.#assigned) {
      const state = this.#partitions.get(partition);
      if (!state || state.next === null) continue;
      let offset = state.next;
      for (const open of this.#windows.values()) {
        const first = open.firstOffset.get(partition);
        if (first !== undefined && first < offset) offset = first;
      }
      if (this.#committed.get(partition) === offset) continue;
      offsets.push({ topic: this.#options.topic, partition, offset: offset.toString() });
    }
    if (offsets.length === 0) return;
    try {
      await this.#consumer.commitOffsets(offsets);
      for (const o of offsets) this.#committed.set(o.partition, BigInt(o.offset));
    } catch (error) {
      // a rebalance took the partitions: the new owner reads the open windows again
      this.#status.lastError = `commit refused: ${(error as Error).message}`;
    }
  }

  /** Writes a window, retrying while MLflow is unreachable; false when stopping first. */
  async #writeWithRetry(window: MinuteWindow, heartbeat: () => Promise<void>): Promise<boolean> {
    try {
      const written = await retryWithBackoff(async () => {
        await this.#write(window);
        return true;
      }, {
        status: this.#status,
        live: () => this.#running,
        heartbeat,
        onError: this.#options.onError,
        isPermanent: isRefusal,
      });
      return written ?? false;
    } catch (error) {
      if (!isRefusal(error)) throw error; // a listener's own failure
      // MLflow refuses this run for good: retrying cannot help, and must not block the rest.
      this.#status.lastError = `MLflow refused the run of ${window.model}: ${error.message}`;
      return true;
    }
  }

  async #write(window: MinuteWindow): Promise<void> {
    const mlflow = this.#options.mlflow;
    const experimentId = this.#experimentId!;
    const record = window.toRun(this.#options.policy);
    const { runs } = await mlflow.searchRuns({
      experiment_ids: [experimentId],
      filter: `attributes.start_time = ${window.start}`,
      max_results: 1000,
    });
    let run = runs.find((r) =>
      tagOf(r, "aggregate") === "minute" && tagOf(r, "model") === window.model
    );
    if (run && (run.info.status === "FINISHED" || run.info.status === "FAILED")) {
      this.#alreadyWritten++;
      return;
    }
    run ??= await mlflow.createRun({
      experiment_id: experimentId,
      run_name: record.run_name,
      start_time: record.start_time,
      tags: record.tags,
    });
    await mlflow.logBatch(run.info.run_id, { metrics: record.metrics, params: record.params });
    await mlflow.updateRun(run.info.run_id, record.status, record.end_time);
    this.#written++;
  }
}

/** An error MLflow will answer the same way however often it is asked (4xx). */
const isRefusal = (error: unknown): error is MlflowError =>
  error instanceof MlflowError && !error.transient;
