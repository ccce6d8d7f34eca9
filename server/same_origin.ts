/**
 * Cross-site request forgery protection for every state-changing route: a browser request from
 * another origin (another site, or another port of the same host, which browsers count as the
 * same site) is refused with 403. Browsers say where a request comes from in `Sec-Fetch-Site`
 * and `Origin`; clients that are not browsers (curl, SDKs) send neither and pass.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { jsonError } from "./http_errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Options of {@linkcode sameOriginOnly}. */
export interface SameOriginOptions {
  /** Trust `X-Forwarded-Proto`/`X-Forwarded-Host` of a TLS proxy in front. Default false. */
  trustProxy?: boolean;
}

/**
 * The origin of this server as the browser sees it: scheme and `Host` of the request (or the
 * proxy's forwarded ones when trusted).
 *
 * @example
 * ```ts
 * ownOrigin(new Request("http://127.0.0.1:8000/x"), false); // "http://127.0.0.1:8000"
 * ```
 */
export function ownOrigin(request: Request, trustProxy: boolean): string {
  const url = new URL(request.url);
  const forwardedProto = trustProxy
    ? request.headers.get("x-forwarded-proto")?.split(",")[0].trim()
    : undefined;
  const forwardedHost = trustProxy
    ? request.headers.get("x-forwarded-host")?.split(",")[0].trim()
    : undefined;
  // behind the connection guard the app sees "http+unix:"; the browser spoke plain HTTP
  const proto = forwardedProto === "https" || forwardedProto === "http"
    ? forwardedProto
    : url.protocol === "https:"
    ? "https"
    : "http";
  const host = forwardedHost || request.headers.get("host") || url.host;
  return `${proto}://${host}`.toLowerCase();
}

/**
 * Middleware refusing cross-origin browser requests on every method but GET, HEAD and OPTIONS.
 * `Sec-Fetch-Site` decides when the browser sends it (it cannot be forged by a page): only
 * `same-origin` and `none` (the user's own navigation) pass. Without it, `Origin` must be this
 * server's own origin (`null`, sent by privacy settings and sandboxed pages, is refused).
 *
 * @example
 * ```ts ignore
 * app.use("*", sameOriginOnly());
 * ```
 */
export function sameOriginOnly(options: SameOriginOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const site = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      const own = ownOrigin(c.req.raw, options.trustProxy ?? false);
      if (site !== undefined) {
        if (site !== "same-origin" && site !== "none") {
          return jsonError(
            c,
            403,
            "forbidden",
            `cross-site request refused (Sec-Fetch-Site: ${site.slice(0, 40)}); ` +
              "state-changing requests must come from this dashboard's own pages",
          );
        }
      } else if (origin !== undefined && origin.toLowerCase() !== own) {
        return jsonError(
          c,
          403,
          "forbidden",
          `cross-origin request refused: Origin ${origin.slice(0, 100)} is not ${own}`,
        );
      }
    }
    await next();
  };
}
