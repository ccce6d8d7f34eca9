/**
 * Free TCP ports on loopback for services and test servers: the OS picks a port (a bind to port
 * 0 on 127.0.0.1), and the listener is closed before the port is returned.
 *
 * A port closed at once may be handed out again by the very next bind, so two calls of
 * {@linkcode freePort} can return the same port (Kafka and Ollama once got the same one). Where a
 * caller needs several ports at once, {@linkcode freePorts} keeps every listener open until all
 * are chosen, so the ports it returns differ from each other (and from those in `exclude`).
 *
 * @module
 */

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound, read, released).
 *
 * @example
 * ```ts
 * import { freePort } from "./free_port.ts";
 * const port = freePort(); // e.g. 40213
 * const url = `http://127.0.0.1:${port}`;
 * ```
 */
export function freePort(): number {
  return freePorts(1)[0];
}

/** Options of {@linkcode freePorts}. */
export interface FreePortsOptions {
  /** Ports not to return (e.g. a block chosen for a Kafka cluster but not bound yet). */
  exclude?: Iterable<number>;
}

/**
 * `count` distinct TCP ports on 127.0.0.1 that were free a moment ago, none of them in
 * `exclude`. Every listener stays open until all are chosen, so the OS cannot hand out one port
 * twice; a port that lands in `exclude` is held as well and another is drawn.
 *
 * @example
 * ```ts
 * import { freePorts } from "./free_port.ts";
 * const [kafka, controller] = freePorts(2, { exclude: [19192, 19193] });
 * kafka !== controller; // true
 * ```
 */
export function freePorts(count: number, options: FreePortsOptions = {}): number[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`expected a whole number of ports ≥ 0, found ${count}`);
  }
  const exclude = new Set(options.exclude);
  const listeners: Deno.Listener[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      listeners.push(listener);
      const { port } = listener.addr as Deno.NetAddr;
      if (!exclude.has(port)) ports.push(port);
    }
  } finally {
    for (const listener of listeners) listener.close();
  }
  return ports;
}
