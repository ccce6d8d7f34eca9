/**
 * Whether any LLM worker consumes the request topic: the members of the worker group, and the one
 * sentence to show when there is none (the stream CLI, `/api/health`, the Auto Streaming and
 * Test LLM tabs all say the same).
 *
 * @module
 */

import type { Admin } from "kafkajs";
import { GROUPS, TOPICS } from "../kafka/mod.ts";
import { groupMembers } from "./group_members.ts";

/**
 * The sentence for a request topic that no LLM worker consumes.
 *
 * @example
 * ```ts
 * noWorkerReason();
 * // "no LLM worker is consuming llm.requests: start `deno task serve` or `deno task worker`"
 * ```
 */
export function noWorkerReason(topic: string = TOPICS.requests): string {
  return `no LLM worker is consuming ${topic}: start \`deno task serve\` or \`deno task worker\``;
}

/** The worker group's members now, and why requests would not be answered (or null). */
export interface WorkerPresence {
  /** Members of the worker group (their Kafka client ids). */
  members: string[];
  /** {@linkcode noWorkerReason} when the group has no member, else null. */
  reason: string | null;
}

/**
 * Asks Kafka's group coordinator who is in the worker group. A group that does not exist has no
 * members. Rejects when Kafka cannot be asked (the caller decides what that means).
 *
 * @example
 * ```ts ignore
 * const { reason } = await workerPresence(admin);
 * if (reason) console.error(reason);
 * ```
 */
export async function workerPresence(
  admin: Admin,
  options: { group?: string; topic?: string } = {},
): Promise<WorkerPresence> {
  const members = await groupMembers(admin, options.group ?? GROUPS.worker);
  return {
    members: members.map((m) => m.clientId),
    reason: members.length ? null : noWorkerReason(options.topic),
  };
}
