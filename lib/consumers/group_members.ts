/**
 * Who is in a consumer group right now: the members Kafka's group coordinator knows, wherever
 * they run (this process, `deno task worker` elsewhere, another machine).
 *
 * @module
 */

import type { Admin } from "kafkajs";

/** One member of a consumer group. */
export interface GroupMember {
  memberId: string;
  /** The member's Kafka client id (the worker id for LLM workers). */
  clientId: string;
  /** The host Kafka sees (for example `/127.0.0.1`). */
  clientHost: string;
}

/**
 * The members of a group; empty when the group has none (or does not exist).
 *
 * @example
 * ```ts ignore
 * const members = await groupMembers(admin, "llm-worker");
 * members.map((m) => m.clientId); // ["worker-1a2b3c4d"]
 * ```
 */
export async function groupMembers(admin: Admin, group: string): Promise<GroupMember[]> {
  const { groups } = await admin.describeGroups([group]);
  const described = groups.find((g) => g.groupId === group);
  if (!described || described.state === "Dead" || described.state === "Empty") return [];
  return described.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    clientHost: m.clientHost,
  })).sort((a, b) => a.clientId.localeCompare(b.clientId));
}
