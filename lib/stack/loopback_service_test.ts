import assert from "node:assert/strict";
import { exists } from "./_fs.ts";
import { freePort } from "./free_port.ts";
import { startLoopbackService } from "./loopback_service.ts";
import { isAlive } from "./process.ts";

/** `deno eval` of a server that answers 200 on /ready and 404 elsewhere. */
function tinyServer(port: number): { command: string; args: string[] } {
  const code = `Deno.serve({ hostname: "127.0.0.1", port: ${port}, onListen() {} }, ` +
    `(r) => new Response("ok", { status: new URL(r.url).pathname === "/ready" ? 200 : 404 }));`;
  return { command: Deno.execPath(), args: ["eval", code] };
}

Deno.test("a loopback service is ready once its path answers; stop ends it and removes its folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llmops-loopback-test-" });
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = await startLoopbackService({
    name: "tiny",
    ...tinyServer(port),
    dir,
    removeDirOnStop: true,
    url,
    readyPath: "/ready",
  });
  try {
    const response = await fetch(`${url}/ready`);
    assert.equal(await response.text(), "ok");
    assert.equal(await Deno.readTextFile(`${dir}/tiny.pid`), `${running.service.pid}\n`);
    assert.ok(await exists(`${dir}/tiny.log`));
  } finally {
    // The child is unref'd: its exit alone does not keep this test's event loop running.
    const keepAlive = setInterval(() => {}, 1_000);
    await running.stop().finally(() => clearInterval(keepAlive));
  }
  assert.equal(isAlive(running.service.pid), false);
  assert.equal(await exists(dir), false, `expected ${dir} removed`);
});

Deno.test("a loopback service that exits before it answers is reported with its log; its folder stays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llmops-loopback-test-" });
  try {
    await assert.rejects(
      () =>
        startLoopbackService({
          name: "quitter",
          command: "sh",
          args: ["-c", "echo giving up; exit 3"],
          dir,
          removeDirOnStop: true,
          url: `http://127.0.0.1:${freePort()}`,
          readyPath: "/ready",
        }),
      new RegExp(`quitter on .*log: ${dir}/quitter\\.log.*exited before it answered`),
    );
    assert.equal((await Deno.readTextFile(`${dir}/quitter.log`)).trim(), "giving up");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
