import assert from "node:assert/strict";
import {
  delay,
  isAlive,
  isPortOpen,
  processGroupMembers,
  readPidFile,
  runLogged,
  startService,
  stopService,
} from "./process.ts";

Deno.test("stopping a service stops every process it spawned, leaving none behind", async () => {
  const dir = await Deno.makeTempDir();
  const service = await startService({
    name: "family",
    command: "sh",
    args: ["-c", "sleep 300 & sleep 300 & echo started; wait"],
    logFile: `${dir}/family.log`,
    pidFile: `${dir}/family.pid`,
  });
  assert.equal(await readPidFile(`${dir}/family.pid`), service.pid);
  let members: number[] = [];
  for (let i = 0; i < 200 && members.length < 3; i++) {
    await delay(50);
    members = processGroupMembers(service.pid);
  }
  assert.equal(members.length, 3, `expected the shell and two sleeps, found ${members}`);
  await stopService(service.pid, { graceMs: 5_000 });
  assert.deepEqual(processGroupMembers(service.pid), []);
  for (const pid of members) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
  assert.match(await Deno.readTextFile(`${dir}/family.log`), /started/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a service that ignores SIGTERM is killed after the grace period", async () => {
  const dir = await Deno.makeTempDir();
  const service = await startService({
    name: "stubborn",
    command: "sh",
    args: ["-c", "trap '' TERM; while true; do sleep 0.1; done"],
    logFile: `${dir}/s.log`,
    pidFile: `${dir}/s.pid`,
  });
  await delay(200);
  const t0 = Date.now();
  await stopService(service.pid, { graceMs: 500 });
  assert.ok(Date.now() - t0 >= 500, "SIGKILL came before the grace period ended");
  assert.equal(isAlive(service.pid), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a failing provisioning command reports its exit code and the log's last lines", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    runLogged("demo step", "sh", ["-c", "echo first; echo 'the real reason' >&2; exit 3"], {
      logFile: `${dir}/step.log`,
      progress: () => {},
    }),
    (error: Error) => {
      assert.match(error.message, /demo step failed \(exit code 3\)/);
      assert.match(error.message, /the real reason/);
      return true;
    },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a provisioning command that is not installed is named in the error", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    runLogged("build", "no-such-tool-xyz", [], { logFile: `${dir}/x.log`, progress: () => {} }),
    /build: the command "no-such-tool-xyz" was not found on PATH/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readPidFile returns null for a missing or empty pid file", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal(await readPidFile(`${dir}/none.pid`), null);
  await Deno.writeTextFile(`${dir}/empty.pid`, "");
  assert.equal(await readPidFile(`${dir}/empty.pid`), null);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("waitExit keeps the event loop alive until the unref'd service has exited", async () => {
  const dir = await Deno.makeTempDir();
  const service = await startService({
    name: "short",
    command: "sleep",
    args: ["0.3"],
    logFile: `${dir}/short.log`,
    pidFile: `${dir}/short.pid`,
  });
  // Nothing else is pending here: awaiting the unref'd child's status alone ends the test with
  // "Promise resolution is still pending but the event loop has already resolved".
  const status = await service.waitExit();
  assert.equal(status.code, 0);
  assert.equal(isAlive(service.pid), false);
  // Once the exit was seen (the child's resource is closed), waiting again answers at once.
  assert.deepEqual(await service.waitExit(), status);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("waitExit after stopService answers with the exit status", async () => {
  const dir = await Deno.makeTempDir();
  const service = await startService({
    name: "long",
    command: "sleep",
    args: ["300"],
    logFile: `${dir}/long.log`,
    pidFile: `${dir}/long.pid`,
  });
  await stopService(service.pid, { graceMs: 5_000 });
  await delay(300); // meanwhile the exit is delivered and the child's resource closed
  const status = await service.waitExit();
  assert.equal(status.signal, "SIGTERM");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a process whose main thread ended is alive while another thread runs and holds its port", async () => {
  // Python ends its main thread with pthread_exit while a second thread sleeps: the pid's own
  // state is then Z, as a JVM's is while its other threads shut down, and its socket is open.
  const child = new Deno.Command("python3", {
    args: [
      "-c",
      [
        "import ctypes, socket, threading, time",
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
        "print(s.getsockname()[1], flush=True)",
        "threading.Thread(target=lambda: time.sleep(60)).start()",
        "ctypes.CDLL(None).pthread_exit(None)",
      ].join("\n"),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    const port = Number(new TextDecoder().decode(value).trim());
    const state = () => {
      const stat = Deno.readTextFileSync(`/proc/${child.pid}/stat`);
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    };
    for (let i = 0; i < 100 && state() !== "Z"; i++) await delay(20);
    assert.equal(state(), "Z", "the main thread ended");
    assert.equal(await isPortOpen("127.0.0.1", port), true);
    assert.equal(isAlive(child.pid), true, "a thread still runs");
    assert.ok(processGroupMembers(pgidOf(child.pid)).includes(child.pid), "a member of its group");
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
  assert.equal(isAlive(child.pid), false);
});

/** The process group of a pid (field 5 of /proc/<pid>/stat). */
function pgidOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}
