/**
 * The LLM workers `deno task demo` (lib/demo) runs itself: a healthy one (when the dashboard it started runs none,
 * or the running dashboard has no worker), and for the outage a *broken* one whose Ollama address
 * answers nothing, so that its calls fail with `connection_refused` like calls to a stopped
 * Ollama. Each is a real {@linkcode LlmWorker} in the `llm-worker` group.
 *
 * @module
 */

import type { Admin, Kafka } from "kafkajs";
import { createKafka, EventProducer } from "../kafka/mod.ts";
import type { StackConfig } from "../stack/config.ts";
import { LlmWorker } from "./llm_worker.ts";
import { workerPresence } from "./worker_presence.ts";

/**
 * An address on loopback where nothing listens (a port that was free a moment ago).
 *
 * @example
 * ```ts
 * import { unreachableOllama } from "./demo_workers.ts";
 * unreachableOllama(); // "http://127.0.0.1:40213"
 * ```
 */
export function unreachableOllama(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

/** The demo's own workers. */
export class DemoWorkers {
  readonly #config: StackConfig;
  readonly #producer: EventProducer;
  readonly #admin: Admin;
  #healthy: LlmWorker | null = null;
  #broken: LlmWorker | null = null;
  /** The Ollama address the broken worker calls. */
  readonly brokenHost = unreachableOllama();
  /** True when the demo runs the healthy worker (set once it started one). */
  ownsHealthy = false;

  private constructor(config: StackConfig, kafka: Kafka) {
    this.#config = config;
    this.#producer = new EventProducer(kafka);
    this.#admin = kafka.admin();
  }

  /** Connects the shared producer and an admin client (for the group's members). */
  static async connect(config: StackConfig): Promise<DemoWorkers> {
    const workers = new DemoWorkers(config, createKafka(config.kafka.brokers, "llm-demo"));
    await workers.#producer.connect();
    await workers.#admin.connect();
    return workers;
  }

  /** The members of the worker group now (their client ids). */
  async members(): Promise<string[]> {
    return (await workerPresence(this.#admin)).members;
  }

  #worker(id: string, ollamaHost: string): LlmWorker {
    return new LlmWorker({
      kafka: createKafka(this.#config.kafka.brokers, id),
      workerId: id,
      producer: this.#producer,
      ollamaHost,
      concurrency: 2,
    });
  }

  async #join(worker: LlmWorker): Promise<void> {
    await worker.start();
    const deadline = Date.now() + 120_000;
    while (!(await this.members()).includes(worker.workerId)) {
      if (Date.now() > deadline) {
        throw new Error(`${worker.workerId} did not join the worker group within 120 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** True while the demo's healthy worker runs. */
  get healthyRunning(): boolean {
    return this.#healthy !== null;
  }

  /** Starts a healthy worker (calls the configured Ollama) and waits until it is a member. */
  async startHealthy(): Promise<string> {
    if (this.#healthy) return this.#healthy.workerId;
    const id = `demo-worker-${crypto.randomUUID().slice(0, 6)}`;
    const worker = this.#worker(id, this.#config.ollama.host);
    this.#healthy = worker;
    this.ownsHealthy = true;
    await this.#join(worker);
    return worker.workerId;
  }

  /** Stops the healthy worker (it finishes its calls and leaves the group). */
  async stopHealthy(): Promise<void> {
    const worker = this.#healthy;
    this.#healthy = null;
    await worker?.stop();
  }

  /** Starts the broken worker (its Ollama address answers nothing) and waits until it joined. */
  async startBroken(): Promise<string> {
    if (this.#broken) return this.#broken.workerId;
    const worker = this.#worker(`demo-outage-${crypto.randomUUID().slice(0, 6)}`, this.brokenHost);
    this.#broken = worker;
    await this.#join(worker);
    return worker.workerId;
  }

  /** Stops the broken worker. */
  async stopBroken(): Promise<void> {
    const worker = this.#broken;
    this.#broken = null;
    await worker?.stop();
  }

  /** Stops every worker and closes the clients. */
  async close(): Promise<void> {
    await Promise.allSettled([this.stopBroken(), this.stopHealthy()]);
    await this.#admin.disconnect().catch(() => {});
    await this.#producer.disconnect().catch(() => {});
  }
}
