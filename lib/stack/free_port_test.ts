import assert from "node:assert/strict";
import { freePort, freePorts } from "./free_port.ts";

Deno.test("freePort returns a loopback port that can be bound right after", () => {
  const port = freePort();
  assert.ok(Number.isInteger(port) && port > 0 && port < 65536, `not a port: ${port}`);
  Deno.listen({ hostname: "127.0.0.1", port }).close();
});

Deno.test("freePorts returns distinct ports, each free once they are all released", () => {
  const ports = freePorts(8);
  assert.equal(ports.length, 8);
  assert.equal(new Set(ports).size, 8, `expected 8 distinct ports, found ${ports}`);
  const listeners = ports.map((port) => Deno.listen({ hostname: "127.0.0.1", port }));
  for (const listener of listeners) listener.close();
});

Deno.test("freePorts never returns an excluded port", () => {
  const exclude = freePorts(4);
  for (let i = 0; i < 5; i++) {
    const ports = freePorts(4, { exclude });
    assert.deepEqual(ports.filter((port) => exclude.includes(port)), [], `${ports} vs ${exclude}`);
  }
});

Deno.test("freePorts of none is empty; a count that is not a whole number is refused", () => {
  assert.deepEqual(freePorts(0), []);
  assert.throws(() => freePorts(-1), /whole number of ports ≥ 0, found -1/);
  assert.throws(() => freePorts(1.5), RangeError);
});
