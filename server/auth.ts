/**
 * Token authentication for the dashboard (and the gateway), on when `LLMOPS_TOKEN` is set.
 *
 * Scripts send the token as `Authorization: Bearer <token>`. A browser signs in once on
 * `GET /login` (a plain form, no script): `POST /login` with the right token starts a session
 * ({@linkcode SessionStore}: a random id, 12 hours, this process only) in an HttpOnly,
 * SameSite=Strict cookie named per server port, because a browser's `EventSource` cannot send
 * headers; `POST /logout` ends it. The cookie never carries the token; `Secure` is set when the
 * request came over HTTPS (or a trusted proxy says so). Every comparison runs in constant time
 * over fixed-length digests.
 *
 * Failed attempts (wrong or missing credentials, on any route, by header, cookie or form) are
 * limited per client ({@linkcode FailureLimiter}); a request with the right token always passes.
 *
 * Without a token nothing here is mounted and the app answers without authentication (the
 * server then binds to loopback only; see `serverSettings` in `main.ts`).
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { FailureLimiter } from "./auth_failures.ts";
import { jsonError } from "./http_errors.ts";
import { LOGIN_STYLES, loginPage } from "./login_page.ts";
import { clientAddress } from "./rate_limit.ts";
import { SessionStore } from "./sessions.ts";

/** Name of the session cookie (a server adds its port: `llmops_session_8000`). */
export const SESSION_COOKIE = "llmops_session";

/** Shortest accepted token (a guessable token is no protection). */
export const MIN_TOKEN_LENGTH = 16;

/** Paths that answer without a token: the sign-in form, its stylesheet, signing out. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(["/login", "/login.css", "/logout"]);

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

/** Options of {@linkcode tokenAuth} and {@linkcode loginRoutes}. */
export interface TokenAuthOptions {
  /** The token (checked with {@linkcode checkToken}). */
  token: string;
  /** Name of the session cookie. Default `llmops_session`. */
  cookieName?: string;
  /** The sessions, shared by the middleware and the sign-in routes. */
  sessions?: SessionStore;
  /** Failed attempts per client, shared likewise. Default 20 a minute, 20 at once. */
  failures?: FailureLimiter;
  /** Trust `X-Forwarded-Proto` of a TLS proxy in front (for the cookie's `Secure`). */
  trustProxy?: boolean;
}

/** The shared state of a token-guarded app: one per server. */
export interface TokenAuthState {
  token: string;
  cookieName: string;
  sessions: SessionStore;
  failures: FailureLimiter;
  trustProxy: boolean;
}

/**
 * Checks the options once and builds the state shared by {@linkcode tokenAuth} and
 * {@linkcode loginRoutes}.
 *
 * @example
 * ```ts
 * const state = tokenAuthState({ token: "correct-horse-battery-staple" });
 * state.cookieName; // "llmops_session"
 * ```
 */
export function tokenAuthState(options: TokenAuthOptions): TokenAuthState {
  return {
    token: checkToken(options.token),
    cookieName: options.cookieName ?? SESSION_COOKIE,
    sessions: options.sessions ?? new SessionStore(),
    failures: options.failures ?? new FailureLimiter(),
    trustProxy: options.trustProxy ?? false,
  };
}

/** Credentials of a request: "valid", "invalid" (wrong ones given) or "none". */
function credentials(c: Context, state: TokenAuthState): "valid" | "invalid" | "none" {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    // A wrong header is refused even when a good cookie comes with it.
    return match !== null && constantTimeEqual(match[1], state.token) ? "valid" : "invalid";
  }
  const cookie = getCookie(c, state.cookieName);
  if (cookie === undefined) return "none";
  return state.sessions.valid(cookie) ? "valid" : "invalid";
}

/** 429 with Retry-After when the client has used up its failed attempts; else null. */
function tooManyFailures(c: Context, state: TokenAuthState): Response | null {
  const wait = state.failures.retryAfterS(clientAddress(c));
  if (wait === 0) return null;
  return jsonError(
    c,
    429,
    "too_many_requests",
    `too many failed sign-in attempts from this address; retry in ${wait} s`,
    { "retry-after": String(wait) },
  );
}

/**
 * Middleware refusing every request without the token with 401 (429 once the client has failed
 * too often), except the sign-in routes. The page (`GET /`) answers 401 with the sign-in form,
 * so a browser lands on it.
 *
 * @example
 * ```ts ignore
 * app.use("*", tokenAuth(tokenAuthState({ token: Deno.env.get("LLMOPS_TOKEN")! })));
 * ```
 */
export function tokenAuth(state: TokenAuthState): MiddlewareHandler {
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path) || credentials(c, state) === "valid") {
      await next();
      return;
    }
    const limited = tooManyFailures(c, state);
    if (limited) return limited;
    state.failures.fail(clientAddress(c));
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

/** True when the browser reached this server over HTTPS (directly or through a trusted proxy). */
function overHttps(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return trustProxy &&
    c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase() === "https";
}

/**
 * `GET /login` (the form), `GET /login.css`, `POST /login` (starts a session and redirects to
 * the page; a wrong token gets the form again with 401, counted as a failed attempt) and
 * `POST /logout` (ends the session, clears the cookie, back to the form).
 *
 * @example
 * ```ts ignore
 * app.route("/", loginRoutes(state));
 * ```
 */
export function loginRoutes(state: TokenAuthState): Hono {
  const app = new Hono();
  app.get("/login", (c) => c.html(loginPage()));
  app.get("/login.css", (c) =>
    c.body(LOGIN_STYLES, 200, {
      "content-type": "text/css; charset=utf-8",
      "cache-control": "no-cache",
    }));
  app.post(
    "/login",
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
      if (typeof given !== "string" || !constantTimeEqual(given, state.token)) {
        const limited = tooManyFailures(c, state);
        if (limited) return limited;
        state.failures.fail(clientAddress(c));
        c.header("www-authenticate", 'Bearer realm="llmops"');
        return c.html(loginPage("That token is not the one this server was started with."), 401);
      }
      const id = state.sessions.create();
      const secure = overHttps(c, state.trustProxy) ? "; Secure" : "";
      c.header(
        "set-cookie",
        `${state.cookieName}=${id}; Path=/; HttpOnly; SameSite=Strict; ` +
          `Max-Age=${Math.floor(state.sessions.ttlMs / 1000)}${secure}`,
      );
      return c.redirect("/", 303);
    },
  );
  app.post("/logout", (c) => {
    state.sessions.revoke(getCookie(c, state.cookieName));
    const secure = overHttps(c, state.trustProxy) ? "; Secure" : "";
    c.header(
      "set-cookie",
      `${state.cookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`,
    );
    return c.redirect("/login", 303);
  });
  return app;
}
