/**
 * Checks for the tools that provisioning needs, with one clear error naming what is missing and
 * how to use an existing service instead.
 *
 * @module
 */

import { commandOutput } from "./process.ts";

/** Thrown when a tool needed to provision a local service is missing. */
export class MissingPrerequisiteError extends Error {
  constructor(readonly command: string, readonly service: string, readonly alternative: string) {
    super(
      `${service} cannot be provisioned locally: "${command}" was not found on PATH. ` +
        `Install it, or point at an existing ${service} with ${alternative}.`,
    );
    this.name = "MissingPrerequisiteError";
  }
}

/**
 * Resolves when `command args` runs; throws {@linkcode MissingPrerequisiteError} otherwise.
 *
 * @example
 * ```ts
 * await requireCommand("java", ["-version"], "Kafka", "KAFKA_BROKERS=host:9092");
 * ```
 */
export async function requireCommand(
  command: string,
  args: string[],
  service: string,
  alternative: string,
): Promise<void> {
  if ((await commandOutput(command, args)) === null) {
    throw new MissingPrerequisiteError(command, service, alternative);
  }
}
