/**
 * The PostgreSQL profile of the local stack (`LLMOPS_MLFLOW_DB=postgresql`) on a scratch state
 * folder and its own ports: MLflow comes up on a private PostgreSQL (run by an unprivileged user
 * when the tests run as root), a run survives `stack down`/`stack up` without a second initdb,
 * MLflow answers errors while PostgreSQL is stopped and answers again after it is back, and
 * `stack down` leaves no PostgreSQL process.
 *
 * Needs only the provisioned virtualenv (`LLMOPS_STACK_DIR`) and Debian's `postgresql`:
 * `deno test --allow-all` this file.
 */
import assert from "node:assert/strict";
import { MlflowClient, MlflowError } from "../mlflow/client.ts";
import { postgresPaths, postgresPid, runAsPrefix, startPostgres } from "./postgres.ts";
import { isPortOpen, readPidFile, stopService } from "./process.ts";
import { stackUp } from "./stack.ts";
import { INTEGRATION, uniqueName, waitFor } from "./testing.ts";
import { groupGone, lastJson, scratchStack } from "./_scratch_stack.ts";

interface StatusJson {
  mlflow: {
    healthy: boolean;
    backend: string;
    version: string | null;
    database?: { healthy: boolean; url: string; version: string | null; pid: number | null };
  };
}

/** The real user id of a process, from /proc. */
async function uidOf(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/^Uid:\s+(\d+)/m)![1]);
}

Deno.test("runAsPrefix switches to the account and keeps a capability only when asked", () => {
  assert.deepEqual(runAsPrefix(null, true), []);
  const account = { user: "postgres", uid: 101, gid: 104 };
  assert.deepEqual(runAsPrefix(account, false), [
    "setpriv",
    "--reuid=101",
    "--regid=104",
    "--init-groups",
    "--",
  ]);
  assert.deepEqual(runAsPrefix(account, true).slice(4, 6), [
    "--inh-caps=+dac_read_search",
    "--ambient-caps=+dac_read_search",
  ]);
});

Deno.test({
  name:
    "MLflow on a private PostgreSQL keeps its runs across stack down and up, answers errors while the database is stopped and recovers after",
  ...INTEGRATION,
  fn: async () => {
    const scratch = await scratchStack({ LLMOPS_MLFLOW_DB: "postgresql" });
    const { config } = scratch;
    const lines: string[] = [];
    const progress = (line: string) => lines.push(line);
    const t0 = Date.now();
    const timings: string[] = [];
    const mark = (what: string) =>
      timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    try {
      await stackUp(config, { services: ["mlflow"], jupyter: false, progress });
      mark("up");
      assert.ok(lines.some((l) => /postgres: creating the cluster/.test(l)), lines.join("\n"));

      // The status names the backend and the database; PostgreSQL runs on its own port.
      const status = await scratch.cli(["status", "--json"]);
      const mlflow = lastJson<StatusJson>(status.stdout).mlflow;
      assert.equal(mlflow.healthy, true, status.stderr);
      assert.equal(mlflow.backend, "postgresql");
      assert.equal(mlflow.version, config.mlflow.version);
      assert.equal(mlflow.database?.healthy, true);
      assert.equal(
        mlflow.database?.url,
        `postgresql://llmops@127.0.0.1:${config.postgres.port}/mlflow`,
      );
      assert.match(mlflow.database?.version ?? "", /^\d+\.\d+/);
      const pgPid = mlflow.database!.pid!;
      assert.equal(pgPid, await readPidFile(postgresPaths(config).pid));
      if (Deno.uid() === 0) assert.notEqual(await uidOf(pgPid), 0, "postgres runs as root");
      const mlflowPid = (await readPidFile(`${config.stateDir}/mlflow/mlflow.pid`))!;

      // A run written through the product's client.
      const client = new MlflowClient(config.mlflow.uri);
      const experimentId = await client.getOrCreateExperiment(uniqueName("pg-test"));
      const run = await client.createRun({
        experiment_id: experimentId,
        run_name: "survives-restart",
        start_time: Date.now(),
      });
      await client.logBatch(run.info.run_id, {
        metrics: [{ key: "latency_s", value: 1.5, timestamp: Date.now(), step: 0 }],
      });
      await client.updateRun(run.info.run_id, "FINISHED", Date.now());

      // stack down stops MLflow and PostgreSQL, nothing of either is left.
      const down = await scratch.cli(["down", "--json"]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(JSON.parse(down.stdout).stopped, ["mlflow", "postgres"]);
      mark("down");
      assert.ok(groupGone(pgPid), "a postgres process is left");
      assert.ok(groupGone(mlflowPid), "an mlflow process is left");
      assert.equal(await isPortOpen("127.0.0.1", config.postgres.port), false);

      // Up again on the same data: no initdb, the run is there.
      lines.length = 0;
      await stackUp(config, { services: ["mlflow"], jupyter: false, progress });
      mark("up again");
      assert.ok(!lines.some((l) => /creating the cluster/.test(l)), lines.join("\n"));
      const kept = await client.getRun(run.info.run_id);
      assert.equal(kept.info.status, "FINISHED");
      assert.deepEqual(kept.data.metrics?.map((m) => [m.key, m.value]), [["latency_s", 1.5]]);

      // PostgreSQL stopped: MLflow answers errors for as long as it is down (at least 10 s).
      const pid = (await postgresPid(config))!;
      await stopService(pid, { signal: "SIGINT" });
      const stoppedAt = Date.now();
      let errors = 0;
      let lastError: MlflowError | null = null;
      await waitFor(
        async () => {
          try {
            await client.createRun({ experiment_id: experimentId, run_name: "while-down" });
            throw new Error("MLflow created a run while PostgreSQL was stopped");
          } catch (error) {
            if (!(error instanceof MlflowError)) throw error;
            errors++;
            lastError = error;
          }
          return Date.now() - stoppedAt >= 10_000;
        },
        "MLflow answering errors for 10 s",
        60_000,
      );
      mark("database down 10 s");
      assert.ok(errors > 0);
      assert.ok(lastError!.transient, `a retryable error: ${lastError!.message}`);

      // PostgreSQL back: MLflow answers again, without a restart of its own.
      await startPostgres(config, progress);
      let recovered: string | null = null;
      await waitFor(
        async () => {
          try {
            const next = await client.createRun({
              experiment_id: experimentId,
              run_name: "after-restart",
            });
            recovered = next.info.run_id;
            return true;
          } catch {
            return false;
          }
        },
        "MLflow answering after PostgreSQL is back",
        60_000,
      );
      mark("recovered");
      assert.equal((await client.getRun(recovered!)).info.run_name, "after-restart");
      assert.equal(await readPidFile(`${config.stateDir}/mlflow/mlflow.pid`) !== null, true);

      const last = await scratch.cli(["down", "--json"]);
      assert.deepEqual(JSON.parse(last.stdout).stopped, ["mlflow", "postgres"]);
      const finalPid = await readPidFile(postgresPaths(config).pid);
      assert.equal(finalPid, null, "the pid file is removed");
      console.log(`postgres test: ${timings.join(", ")}; ${errors} errors while down`);
    } finally {
      await scratch.cleanup();
    }
  },
});
