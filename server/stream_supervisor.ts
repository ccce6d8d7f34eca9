/**
 * One Auto Streaming job at a time, enforced atomically: a start while a job is being created
 * (its dataset loading) or running is refused with {@linkcode StreamBusyError}, and a stop
 * stops whatever is there, a job still being created included (it is then never started).
 *
 * @module
 */

import type { StreamStatus } from "../lib/stream/engine.ts";
import { idleStreamStatus } from "../lib/stream/idle_status.ts";

/** What the supervisor needs of a job (`StreamJob` has it). */
export interface SupervisedJob {
  /** Runs the job to its end. */
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  status(): StreamStatus;
}

/** A start refused because a job is starting or running. */
export class StreamBusyError extends Error {
  constructor(readonly current: StreamStatus | null) {
    super(
      current
        ? `a stream is already ${current.state}: job ${current.job_id} (${
          current.file ?? "no file"
        }), ${current.sent} sent; stop it first`
        : "a stream is already starting; stop it first",
    );
    this.name = "StreamBusyError";
  }
}

const ACTIVE = new Set(["running", "stopping"]);

/**
 * Holds the current job.
 *
 * @example
 * ```ts ignore
 * const streams = new StreamSupervisor((error) => console.error(error.message));
 * await streams.start(async () => new StreamJob({ client, entries, delayS: 1 }));
 * await streams.stop();
 * ```
 */
export class StreamSupervisor {
  readonly #onFailure: (error: Error) => void;
  #job: SupervisedJob | null = null;
  #creating: Promise<unknown> | null = null;
  #stopRequested = false;

  /** `onFailure` hears about a job whose run failed. */
  constructor(onFailure: (error: Error) => void = () => {}) {
    this.#onFailure = onFailure;
  }

  /**
   * Creates a job with `create` and starts it; throws {@linkcode StreamBusyError} (before
   * calling `create`) when one is starting or running. Resolves with its first status.
   */
  async start(create: () => Promise<SupervisedJob>): Promise<StreamStatus> {
    if (this.#creating) throw new StreamBusyError(null);
    const current = this.#job?.status();
    if (current && ACTIVE.has(current.state)) throw new StreamBusyError(current);
    this.#stopRequested = false;
    const creating = create();
    this.#creating = creating;
    try {
      const job = await creating;
      this.#job = job;
      if (!this.#stopRequested) {
        job.start().catch((error) => this.#onFailure(error as Error));
      }
    } finally {
      this.#creating = null;
    }
    return this.status();
  }

  /** Stops the job (waiting for one being created); resolves with the status after it. */
  async stop(): Promise<StreamStatus> {
    if (this.#creating) {
      this.#stopRequested = true;
      await this.#creating.catch(() => {});
    }
    await this.#job?.stop();
    return this.status();
  }

  /** The current job's status, or the idle status. */
  status(): StreamStatus {
    return this.#job?.status() ?? idleStreamStatus();
  }
}
