/**
 * Browser sessions of a server with `LLMOPS_TOKEN`: a random id per sign-in, kept in this
 * process only, with an expiry. Signing out deletes the id; restarting the server (for example
 * with a new token) ends every session. The cookie carries the id, never the token.
 *
 * @module
 */

/** How long a session lasts by default: 12 hours. */
export const DEFAULT_SESSION_TTL_MS = 12 * 3600 * 1000;

/** Options of {@linkcode SessionStore}. */
export interface SessionStoreOptions {
  /** Lifetime of a session. Default 12 h. */
  ttlMs?: number;
  /** Sessions kept at most (the oldest end first). Default 1,000. */
  maxSessions?: number;
  /** Clock (for tests). */
  now?: () => number;
}

/**
 * Sessions by random id.
 *
 * @example
 * ```ts
 * const sessions = new SessionStore();
 * const id = sessions.create();
 * sessions.valid(id); // true
 * sessions.revoke(id);
 * sessions.valid(id); // false
 * ```
 */
export class SessionStore {
  readonly ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #expiries = new Map<string, number>();

  constructor(options: SessionStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#max = options.maxSessions ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** Sessions alive now. */
  get size(): number {
    return this.#expiries.size;
  }

  /** Starts a session; returns its id (64 hex characters from 32 random bytes). */
  create(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const id = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    this.#expiries.set(id, this.#now() + this.ttlMs);
    while (this.#expiries.size > this.#max) {
      this.#expiries.delete(this.#expiries.keys().next().value!);
    }
    return id;
  }

  /** True when the id names a session that has not expired or been revoked. */
  valid(id: string | undefined): boolean {
    if (!id || !/^[0-9a-f]{64}$/.test(id)) return false;
    const expiry = this.#expiries.get(id);
    if (expiry === undefined) return false;
    if (expiry <= this.#now()) {
      this.#expiries.delete(id);
      return false;
    }
    return true;
  }

  /** Ends a session (signing out). */
  revoke(id: string | undefined): void {
    if (id) this.#expiries.delete(id);
  }
}
