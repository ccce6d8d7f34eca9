import assert from "node:assert/strict";
import { MissingPrerequisiteError, requireCommand } from "./prerequisites.ts";

Deno.test("a missing tool is named, with the variable that points at an existing service instead", async () => {
  await assert.rejects(
    requireCommand("no-such-java-xyz", ["-version"], "Kafka", "KAFKA_BROKERS=host:9092"),
    (error: unknown) => {
      assert.ok(error instanceof MissingPrerequisiteError);
      assert.equal(
        error.message,
        'Kafka cannot be provisioned locally: "no-such-java-xyz" was not found on PATH. ' +
          "Install it, or point at an existing Kafka with KAFKA_BROKERS=host:9092.",
      );
      return true;
    },
  );
});

Deno.test("a tool that is present passes the check", async () => {
  await requireCommand("sh", ["-c", "true"], "Kafka", "KAFKA_BROKERS=host:9092");
});
