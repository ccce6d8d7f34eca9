import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { useWriteAheadLog } from "./mlflow.ts";

Deno.test("useWriteAheadLog puts a new or existing SQLite file in WAL mode, which the file keeps", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlflow-wal-" });
  try {
    const fresh = `${dir}/fresh.db`;
    useWriteAheadLog(fresh);
    const existing = `${dir}/existing.db`;
    const setup = new DatabaseSync(existing);
    setup.exec("CREATE TABLE runs (id TEXT); INSERT INTO runs VALUES ('a')");
    setup.close();
    useWriteAheadLog(existing);
    for (const path of [fresh, existing]) {
      const db = new DatabaseSync(path);
      const row = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
      db.close();
      assert.equal(row.journal_mode, "wal", path);
    }
    const db = new DatabaseSync(existing);
    assert.deepEqual(db.prepare("SELECT id FROM runs").all().map((r) => r.id), ["a"]);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
