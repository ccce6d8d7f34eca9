/**
 * Checks shared by the fault suites: what is on the response topic, in MLflow, and whether the
 * worker and the sink have caught up.
 *
 * @module
 */

import type { Admin, Kafka } from "kafkajs";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import { consumerLag, GROUPS, readTopic, TOPICS } from "../kafka/mod.ts";
import { type MlflowClient, type MlflowRun, tagOf } from "../mlflow/mod.ts";
import { waitFor } from "../stack/testing.ts";

/**
 * Valid response events on the topic, grouped by request id.
 *
 * @example
 * ```ts ignore
 * const byId = await responsesById(kafka);
 * ```
 */
export async function responsesById(kafka: Kafka): Promise<Map<string, ResponseEvent[]>> {
  const byId = new Map<string, ResponseEvent[]>();
  for (const message of await readTopic(kafka, TOPICS.responses, { timeoutMs: 120_000 })) {
    const event = decodeResponse(message.value);
    const list = byId.get(event.request_id) ?? [];
    list.push(event);
    byId.set(event.request_id, list);
  }
  return byId;
}

/**
 * MLflow runs of the experiment, grouped by their request_id tag.
 *
 * @example
 * ```ts ignore
 * const runs = await runsById(mlflow, "llm-monitoring");
 * ```
 */
export async function runsById(mlflow: MlflowClient, experiment: string) {
  const experimentId = await mlflow.getOrCreateExperiment(experiment);
  const byId = new Map<string, MlflowRun[]>();
  for (const run of await mlflow.searchAllRuns({ experiment_ids: [experimentId] })) {
    const id = tagOf(run, "request_id") ?? "";
    byId.set(id, [...(byId.get(id) ?? []), run]);
  }
  return byId;
}

/**
 * Waits until the worker and the sink have committed everything (lag 0 on both), logging the
 * lags every 30 s.
 *
 * @example
 * ```ts ignore
 * await waitIdle(admin, "the pipeline to be idle", 300_000);
 * ```
 */
export async function waitIdle(admin: Admin, what: string, timeoutMs: number): Promise<void> {
  let lags = "";
  let loggedAt = Date.now();
  await waitFor(
    async () => {
      const [worker, sink] = await Promise.all([
        consumerLag(admin, GROUPS.worker, TOPICS.requests).catch(() => ({ lag: -1 })),
        consumerLag(admin, GROUPS.mlflowSink, TOPICS.responses).catch(() => ({ lag: -1 })),
      ]);
      lags = `worker lag ${worker.lag}, sink lag ${sink.lag}`;
      if (Date.now() - loggedAt > 30_000) {
        loggedAt = Date.now();
        console.log(`waiting for ${what}: ${lags}`);
      }
      return worker.lag === 0 && sink.lag === 0;
    },
    what,
    timeoutMs,
  ).catch((error) => {
    throw new Error(`${error.message} (${lags})`);
  });
}

/**
 * Where requests went, for a failing test's message: each id's request on `llm.requests`, its
 * responses on `llm.responses` (valid or not) and its dead letters on `llm.dlq`, with partitions,
 * offsets and times, so that a lost answer says which hop lost it.
 *
 * @example
 * ```ts ignore
 * console.log(await traceRequests(kafka, ["03436dbb-…"]));
 * ```
 */
export async function traceRequests(kafka: Kafka, ids: string[]): Promise<string> {
  if (ids.length === 0) return "";
  const found = new Map<string, string[]>(ids.map((id) => [id, []]));
  const text = new TextDecoder();
  for (const topic of [TOPICS.requests, TOPICS.responses, TOPICS.dlq]) {
    const messages = await readTopic(kafka, topic, { timeoutMs: 120_000 }).catch((error) => {
      for (const id of ids) found.get(id)!.push(`${topic}: not read (${error.message})`);
      return [];
    });
    for (const message of messages) {
      const body = message.value ? text.decode(message.value) : "";
      const id = ids.find((candidate) => body.includes(candidate));
      if (!id) continue;
      let what = "";
      if (topic === TOPICS.responses) {
        try {
          const event = decodeResponse(message.value);
          what = ` valid ${event.status} from ${event.worker_id}`;
        } catch (error) {
          what = ` INVALID (${(error as Error).message.slice(0, 300)})`;
        }
      } else if (topic === TOPICS.dlq) what = ` ${body.slice(0, 300)}`;
      found.get(id)!.push(
        `${topic}[${message.partition}]@${message.offset} at ` +
          `${new Date(Number(message.timestamp)).toISOString()}${what}`,
      );
    }
  }
  return ids.map((id) => `${id}: ${found.get(id)!.join("; ") || "on no topic"}`).join("\n");
}
