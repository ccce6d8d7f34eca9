/**
 * Token authentication for the dashboard, on when `LLMOPS_TOKEN` is set.
 *
 * Scripts send the token as `Authorization: Bearer <token>`. A browser signs in once on
 * `GET /login` (a plain form, no script): `POST /login` with the right token sets an HttpOnly,
 * SameSite=Strict session cookie, because a browser's `EventSource` cannot send headers. The
 * cookie holds an HMAC of the token, never the token itself, so changing the token signs every
 * browser out. Every comparison runs in constant time over fixed-length digests.
 *
 * Without a token nothing here is mounted and the app answers without authentication (the
 * server then binds to loopback only; see `serverSettings` in `main.ts`).
 *
 * @module
 */

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { jsonError } from "./http_errors.ts";
import { LOGIN_STYLES, loginPage } from "./login_page.ts";
import { rateLimit, type RateLimitOptions } from "./rate_limit.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "llmops_session";

/** Shortest accepted token (a guessable token is no protection). */
export const MIN_TOKEN_LENGTH = 16;

/** How long a browser session lasts, in seconds (30 days). */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

/** Paths that answer without a token: the sign-in form and its stylesheet. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(["/login", "/login.css"]);

/**
 * Checks a token's form; throws a `RangeError` that says what was expected and what was found.
 *
 * @example
 * ```ts
 * checkToken("correct-horse-battery-staple"); // returns the token
 * ```
 */
export function checkToken(token: string): string {
  if (typeof token !== "string" || token.length < MIN_TOKEN_LENGTH) {
    throw new RangeError(
      `LLMOPS_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters, found ${
        typeof token === "string" ? `${token.length}` : typeof token
      }`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new RangeError(
      "LLMOPS_TOKEN must be printable ASCII without spaces (it travels in an HTTP header), " +
        "found other characters",
    );
  }
  return token;
}

/**
 * Compares two strings in time that depends on neither their contents nor their lengths
 * (both are hashed to 32 bytes first).
 *
 * @example
 * ```ts
 * constantTimeEqual("a", "a"); // true
 * ```
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}

/**
 * The session cookie's value for a token: an HMAC, so the cookie never carries the token.
 *
 * @example
 * ```ts
 * sessionValue("correct-horse-battery-staple").length; // 64
 * ```
 */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("llmops-session-v1").digest("hex");
}

/** Options of {@linkcode tokenAuth} and {@linkcode loginRoutes}. */
export interface TokenAuthOptions {
  /** The token (checked with {@linkcode checkToken}). */
  token: string;
  /** Limits sign-in attempts per client. Default 10 per minute, 5 at once. */
  loginRateLimit?: RateLimitOptions;
}

/** True when a request carries the token (Bearer header) or a valid session cookie. */
function authorized(
  c: Parameters<MiddlewareHandler>[0],
  token: string,
  session: string,
): boolean {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    // A wrong header is refused even when a good cookie comes with it.
    return match !== null && constantTimeEqual(match[1], token);
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie !== undefined && constantTimeEqual(cookie, session);
}

/**
 * Middleware refusing every request without the token with 401, except the sign-in form. The
 * page (`GET /`) answers 401 with the sign-in form, so a browser lands on it.
 *
 * @example
 * ```ts
 * app.use("*", tokenAuth({ token: Deno.env.get("LLMOPS_TOKEN")! }));
 * ```
 */
export function tokenAuth(options: TokenAuthOptions): MiddlewareHandler {
  const token = checkToken(options.token);
  const session = sessionValue(token);
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path) || authorized(c, token, session)) {
      await next();
      return;
    }
    c.header("www-authenticate", 'Bearer realm="llmops"');
    if (c.req.method === "GET" && c.req.path === "/") {
      return c.html(loginPage(), 401);
    }
    return jsonError(
      c,
      401,
      "unauthorized",
      "this server requires a token: send Authorization: Bearer <token>, or sign in at /login",
    );
  };
}

/**
 * `GET /login` (the form), `GET /login.css`, and `POST /login` (sets the session cookie and
 * redirects to the page; a wrong token gets the form again with 401).
 *
 * @example
 * ```ts
 * app.route("/", loginRoutes({ token }));
 * ```
 */
export function loginRoutes(options: TokenAuthOptions): Hono {
  const token = checkToken(options.token);
  const session = sessionValue(token);
  const app = new Hono();
  app.get("/login", (c) => c.html(loginPage()));
  app.get("/login.css", (c) =>
    c.body(LOGIN_STYLES, 200, {
      "content-type": "text/css; charset=utf-8",
      "cache-control": "no-cache",
    }));
  app.post(
    "/login",
    rateLimit(options.loginRateLimit ?? { perMinute: 10, burst: 5 }),
    bodyLimit({
      maxSize: 4 * 1024,
      onError: (c) => jsonError(c, 413, "payload_too_large", "sign-in body exceeds 4096 bytes"),
    }),
    async (c) => {
      let given: unknown;
      try {
        given = (await c.req.parseBody()).token;
      } catch {
        given = undefined;
      }
      if (typeof given !== "string" || !constantTimeEqual(given, token)) {
        c.header("www-authenticate", 'Bearer realm="llmops"');
        return c.html(loginPage("That token is not the one this server was started with."), 401);
      }
      const secure = new URL(c.req.url).protocol === "https:" ? "; Secure" : "";
      c.header(
        "set-cookie",
        `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; ` +
          `Max-Age=${SESSION_MAX_AGE_S}${secure}`,
      );
      return c.redirect("/", 303);
    },
  );
  return app;
}
