/**
 * DNS-rebinding protection: a request is served only when its `Host` header names this server
 * (loopback names by default, plus `LLMOPS_ALLOWED_HOSTS`). A page on an attacker's domain that
 * resolves to 127.0.0.1 sends its own domain as `Host` and gets 421.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { jsonError } from "./http_errors.ts";

/** Host names every local server answers to. */
export const LOOPBACK_HOSTS: readonly string[] = Object.freeze([
  "127.0.0.1",
  "localhost",
  "::1",
]);

/**
 * The host names a server answers to: loopback names, the address it binds to (unless it is a
 * wildcard) and the comma-separated `LLMOPS_ALLOWED_HOSTS`. Each name is checked.
 *
 * @example
 * ```ts
 * allowedHosts("0.0.0.0", "dash.example.org").includes("dash.example.org"); // true
 * ```
 */
export function allowedHosts(bindHost: string, extra: string | undefined): string[] {
  const names = new Set(LOOPBACK_HOSTS);
  const bind = normalizeHost(bindHost);
  if (!["0.0.0.0", "::", ""].includes(bind)) names.add(bind);
  for (const raw of (extra ?? "").split(",")) {
    const name = normalizeHost(raw.trim());
    if (!name) continue;
    if (!/^[a-z0-9.:-]+$/.test(name)) {
      throw new RangeError(
        `LLMOPS_ALLOWED_HOSTS must list host names or addresses separated by commas, found "${raw.trim()}"`,
      );
    }
    names.add(name);
  }
  return [...names];
}

/** Lower-cases a host name and drops IPv6 brackets. */
function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/** The host name of a `Host` header value (`name`, `name:port`, `[v6]:port`). */
export function hostNameOf(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(1, value.indexOf("]"));
  const colon = value.lastIndexOf(":");
  return colon >= 0 && value.indexOf(":") === colon ? value.slice(0, colon) : value;
}

/**
 * Middleware answering 421 (JSON) to a request whose `Host` is not one of `allowed`.
 *
 * @example
 * ```ts ignore
 * app.use("*", hostCheck(allowedHosts("127.0.0.1", Deno.env.get("LLMOPS_ALLOWED_HOSTS"))));
 * ```
 */
export function hostCheck(allowed: readonly string[]): MiddlewareHandler {
  const names = new Set(allowed);
  return async (c, next) => {
    const header = c.req.header("host") ?? new URL(c.req.url).host;
    if (!names.has(hostNameOf(header))) {
      return jsonError(
        c,
        421,
        "misdirected_request",
        `this server does not answer to host "${header.slice(0, 100)}"; ` +
          "add the name to LLMOPS_ALLOWED_HOSTS if it is yours",
      );
    }
    await next();
  };
}
