/**
 * The durable configuration of alerting: rules and channels, kept together in one JSON file in
 * the stack's state folder (`$LLMOPS_STATE_DIR/alerts.json`, or `LLMOPS_ALERTS_FILE`).
 *
 * Why a file and not the `llm.alerts` topic: channels carry secrets (a webhook's HMAC key, an
 * SMTP password, a Slack URL that is itself the credential). A file of mode 0600 keeps them on
 * the machine that sends the notifications; a topic would copy them, unencrypted, to every broker,
 * every replica and every client that reads it. Rules live beside the channels they name, so
 * one write changes both consistently (a rule never names a channel that is gone).
 *
 * Every change is written atomically: the new text goes to a temporary file of mode 0600 in the
 * same folder, is flushed to disk, then renamed over the old one; a crash leaves the old file or
 * the new one, never half of one. Servers that share the folder share the file: each re-reads it
 * when its modification time or size changes ({@linkcode AlertConfigStore.reloadIfChanged}), and
 * re-reads before every change, so edits made on one dashboard reach the others within one
 * evaluation. Two edits at the same instant from two processes: the last rename wins.
 *
 * @module
 */

import { type AlertRule, parseRule, type ParseRuleOptions } from "./rules.ts";
import { type ChannelConfig, keepSecrets, maskChannel, parseChannel } from "./channels/config.ts";
import { AlertValidationError } from "./validation.ts";

/** File name of the configuration in the state folder. */
export const ALERTS_FILE_NAME = "alerts.json";

/** Version of the file's shape. */
export const ALERTS_FILE_VERSION = 1;

/** At most this many rules and channels (each). */
export const MAX_ALERT_RULES = 500;
/** At most this many channels. */
export const MAX_ALERT_CHANNELS = 100;

/** What the file holds. */
export interface AlertConfigFile {
  version: typeof ALERTS_FILE_VERSION;
  rules: AlertRule[];
  channels: ChannelConfig[];
}

/**
 * A conflict with what is stored (status 409): a rule id taken, a channel still used by rules.
 *
 * @example
 * ```ts
 * import { AlertConflictError } from "./config_store.ts";
 * new AlertConflictError("rule id \"r1\" is taken").status; // 409
 * ```
 */
export class AlertConflictError extends Error {
  /** HTTP status that fits this error. */
  readonly status = 409;
  constructor(message: string) {
    super(message);
    this.name = "AlertConflictError";
  }
}

/**
 * Something asked for is not stored (status 404).
 *
 * @example
 * ```ts
 * import { AlertNotFoundError } from "./config_store.ts";
 * new AlertNotFoundError("no rule \"r9\"").status; // 404
 * ```
 */
export class AlertNotFoundError extends Error {
  /** HTTP status that fits this error. */
  readonly status = 404;
  constructor(message: string) {
    super(message);
    this.name = "AlertNotFoundError";
  }
}

/**
 * Validates the text of an alerts file: every channel with `parseChannel`, every rule with
 * `parseRule` against the channels' names. Throws an `Error` naming the file, the entry and the
 * field (`alerts.json: rules.2: metric: expected one of …`).
 *
 * @example
 * ```ts
 * import { parseAlertConfig } from "./config_store.ts";
 * parseAlertConfig('{"version":1,"rules":[],"channels":[]}', "alerts.json").rules.length; // 0
 * ```
 */
export function parseAlertConfig(text: string, where: string): AlertConfigFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: expected JSON, found invalid text (${(error as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${where}: expected a JSON object with rules and channels`);
  }
  const body = value as Record<string, unknown>;
  if (body.version !== ALERTS_FILE_VERSION) {
    throw new Error(
      `${where}: version: expected ${ALERTS_FILE_VERSION}, found ${JSON.stringify(body.version)}`,
    );
  }
  for (const key of ["rules", "channels"]) {
    if (!Array.isArray(body[key])) {
      throw new Error(`${where}: ${key}: expected an array, found ${typeof body[key]}`);
    }
  }
  const entry = <T>(what: string, i: number, parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      const message = error instanceof AlertValidationError
        ? error.message.replace(/^invalid \w+: /, "")
        : (error as Error).message;
      throw new Error(`${where}: ${what}.${i}: ${message}`);
    }
  };
  const channels = (body.channels as unknown[]).map((c, i) =>
    entry("channels", i, () => parseChannel(c))
  );
  const names = channels.map((c) => c.name);
  const rules = (body.rules as unknown[]).map((r, i) =>
    entry("rules", i, () => {
      if (r === null || typeof r !== "object" || typeof (r as { id?: unknown }).id !== "string") {
        throw new Error("id: expected a stored rule id, found nothing");
      }
      return parseRule(r, { channels: names });
    })
  );
  duplicates("channels", names, where);
  duplicates("rules", rules.map((r) => r.id), where);
  return { version: ALERTS_FILE_VERSION, rules, channels };
}

function duplicates(what: string, keys: string[], where: string): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new Error(`${where}: ${what}: "${key}" appears twice`);
    seen.add(key);
  }
}

/** Options of {@linkcode AlertConfigStore.open}. */
export interface AlertConfigStoreOptions {
  /** Id for a rule posted without one (default: a random UUID). */
  newId?: () => string;
}

/**
 * Rules and channels, kept in a file.
 *
 * @example
 * ```ts ignore
 * const store = await AlertConfigStore.open(`${stateDir}/alerts.json`);
 * await store.upsertChannel({ name: "oncall", type: "webhook", url: "https://example.com/h" });
 * await store.createRule({ name: "slow p95", kind: "metric", metric: "latency_p95_s", op: ">",
 *   threshold: 2, channels: ["oncall"] });
 * ```
 */
export class AlertConfigStore {
  /** The file, or null for a store kept in memory only. */
  readonly path: string | null;
  #config: AlertConfigFile = { version: ALERTS_FILE_VERSION, rules: [], channels: [] };
  #stamp = "";
  #version = 0;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #newId?: () => string;

  private constructor(path: string | null, options: AlertConfigStoreOptions) {
    this.path = path;
    this.#newId = options.newId;
  }

  /**
   * Opens the file (its folder is created when missing; a missing file is an empty
   * configuration, written on the first change). A file readable by others is narrowed to 0600.
   * Throws when the file is not a valid configuration, naming the entry.
   */
  static async open(
    path: string,
    options: AlertConfigStoreOptions = {},
  ): Promise<AlertConfigStore> {
    if (typeof path !== "string" || path === "") {
      throw new TypeError(`Expected the path of the alerts file, found ${JSON.stringify(path)}`);
    }
    const store = new AlertConfigStore(path, options);
    await Deno.mkdir(dirOf(path), { recursive: true, mode: 0o700 });
    await store.#load(true);
    return store;
  }

  /**
   * A store that keeps its rules and channels in memory only (route tests, notebooks).
   *
   * @example
   * ```ts
   * import { AlertConfigStore } from "./config_store.ts";
   * AlertConfigStore.inMemory().rules.length; // 0
   * ```
   */
  static inMemory(options: AlertConfigStoreOptions = {}): AlertConfigStore {
    return new AlertConfigStore(null, options);
  }

  /** Increases with every change seen (made here or re-read from the file). */
  get version(): number {
    return this.#version;
  }

  /** The rules, in the order they were created. */
  get rules(): readonly AlertRule[] {
    return this.#config.rules;
  }

  /** The channels with their secrets (for delivery only; the API shows {@linkcode masked}). */
  get channels(): readonly ChannelConfig[] {
    return this.#config.channels;
  }

  /** The channels by name, for delivery. */
  channelMap(): Map<string, ChannelConfig> {
    return new Map(this.#config.channels.map((c) => [c.name, c]));
  }

  /** The channels as the API returns them: secrets replaced by the mask. */
  masked(): ChannelConfig[] {
    return this.#config.channels.map((c) => maskChannel(c));
  }

  /** One rule by id, or undefined. */
  rule(id: string): AlertRule | undefined {
    return this.#config.rules.find((r) => r.id === id);
  }

  /**
   * Re-reads the file when another process changed it (its modification time or size differs);
   * true when it did. An invalid file is reported by throwing and the last good one is kept.
   */
  reloadIfChanged(): Promise<boolean> {
    return this.#exclusive(() => this.#load(false));
  }

  /**
   * Validates and adds a rule (defaults applied, an id given when it has none). Throws
   * `AlertValidationError` (400) or {@linkcode AlertConflictError} (409, id taken).
   */
  createRule(body: unknown): Promise<AlertRule> {
    return this.#exclusive(async () => {
      await this.#load(false);
      const rule = parseRule(body, this.#ruleOptions());
      if (this.rule(rule.id)) throw new AlertConflictError(`rule id "${rule.id}" is taken`);
      if (this.#config.rules.length >= MAX_ALERT_RULES) {
        throw new AlertConflictError(`at most ${MAX_ALERT_RULES} rules can be defined`);
      }
      await this.#save({ ...this.#config, rules: [...this.#config.rules, rule] });
      return rule;
    });
  }

  /**
   * Replaces a rule (the body's `id`, when present, must be the same). Throws
   * {@linkcode AlertNotFoundError} (404) or `AlertValidationError` (400).
   */
  replaceRule(id: string, body: unknown): Promise<AlertRule> {
    return this.#exclusive(async () => {
      await this.#load(false);
      const index = this.#config.rules.findIndex((r) => r.id === id);
      if (index < 0) throw new AlertNotFoundError(`no rule with id "${id}"`);
      if (body !== null && typeof body === "object" && !Array.isArray(body)) {
        const given = (body as { id?: unknown }).id;
        if (given !== undefined && given !== id) {
          throw new AlertValidationError("rule", [{
            path: "id",
            message: `expected "${id}" (the id in the path) or nothing, found ${
              JSON.stringify(given)
            }`,
          }]);
        }
        body = { ...body, id };
      }
      const rule = parseRule(body, this.#ruleOptions());
      const rules = [...this.#config.rules];
      rules[index] = rule;
      await this.#save({ ...this.#config, rules });
      return rule;
    });
  }

  /** Deletes a rule; throws {@linkcode AlertNotFoundError} when there is none. */
  deleteRule(id: string): Promise<AlertRule> {
    return this.#exclusive(async () => {
      await this.#load(false);
      const rule = this.rule(id);
      if (!rule) throw new AlertNotFoundError(`no rule with id "${id}"`);
      await this.#save({ ...this.#config, rules: this.#config.rules.filter((r) => r !== rule) });
      return rule;
    });
  }

  /**
   * Adds a channel, or replaces the one of the same name (where the body sends the mask back,
   * the stored secret is kept). Returns the stored channel and whether it is new.
   */
  upsertChannel(body: unknown): Promise<{ channel: ChannelConfig; created: boolean }> {
    return this.#exclusive(async () => {
      await this.#load(false);
      const name = body !== null && typeof body === "object"
        ? (body as { name?: unknown }).name
        : undefined;
      const stored = this.#config.channels.find((c) => c.name === name);
      const channel = parseChannel(stored ? keepSecrets(body, stored) : body);
      if (!stored && this.#config.channels.length >= MAX_ALERT_CHANNELS) {
        throw new AlertConflictError(`at most ${MAX_ALERT_CHANNELS} channels can be defined`);
      }
      const channels = stored
        ? this.#config.channels.map((c) => (c === stored ? channel : c))
        : [...this.#config.channels, channel];
      await this.#save({ ...this.#config, channels });
      return { channel, created: !stored };
    });
  }

  /**
   * Deletes a channel. Throws {@linkcode AlertNotFoundError} when there is none and
   * {@linkcode AlertConflictError} while rules still name it (naming them).
   */
  deleteChannel(name: string): Promise<ChannelConfig> {
    return this.#exclusive(async () => {
      await this.#load(false);
      const channel = this.#config.channels.find((c) => c.name === name);
      if (!channel) throw new AlertNotFoundError(`no channel named "${name}"`);
      const users = this.#config.rules.filter((r) => r.channels.includes(name));
      if (users.length > 0) {
        throw new AlertConflictError(
          `channel "${name}" is used by ${users.length === 1 ? "rule" : "rules"} ${
            users.slice(0, 5).map((r) => `"${r.name}" (${r.id})`).join(", ")
          }${users.length > 5 ? " …" : ""}; remove it from them first`,
        );
      }
      await this.#save({
        ...this.#config,
        channels: this.#config.channels.filter((c) => c !== channel),
      });
      return channel;
    });
  }

  #ruleOptions(): ParseRuleOptions {
    return {
      channels: this.#config.channels.map((c) => c.name),
      ...(this.#newId ? { newId: this.#newId } : {}),
    };
  }

  /** Runs changes one at a time within this process. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #load(first: boolean): Promise<boolean> {
    if (this.path === null) return false;
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(this.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      if (this.#stamp === "missing") return false;
      const had = this.#stamp !== "";
      this.#stamp = "missing";
      if (had || first) {
        this.#config = { version: ALERTS_FILE_VERSION, rules: [], channels: [] };
        this.#version++;
      }
      return had;
    }
    const stamp = `${info.mtime?.getTime() ?? 0}:${info.size}:${info.ino ?? 0}`;
    if (stamp === this.#stamp) return false;
    if (first && info.mode !== null && (info.mode & 0o077) !== 0) {
      await Deno.chmod(this.path, 0o600);
    }
    this.#config = parseAlertConfig(await Deno.readTextFile(this.path), this.path);
    this.#stamp = stamp;
    this.#version++;
    return true;
  }

  async #save(next: AlertConfigFile): Promise<void> {
    if (this.path === null) {
      this.#config = next;
      this.#version++;
      return;
    }
    const text = `${JSON.stringify(next, null, 2)}\n`;
    const tmp = `${this.path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    try {
      const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
      try {
        const bytes = new TextEncoder().encode(text);
        // a write may be partial: write until every byte is out
        for (let offset = 0; offset < bytes.length;) {
          offset += await file.write(bytes.subarray(offset));
        }
        await file.sync();
      } finally {
        file.close();
      }
      await Deno.chmod(tmp, 0o600);
      await Deno.rename(tmp, this.path!);
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      throw error;
    }
    await syncDir(dirOf(this.path));
    this.#config = next;
    const info = await Deno.stat(this.path);
    this.#stamp = `${info.mtime?.getTime() ?? 0}:${info.size}:${info.ino ?? 0}`;
    this.#version++;
  }
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

async function syncDir(dir: string): Promise<void> {
  // the rename itself is durable once the folder's entry is flushed (best effort: not every
  // platform lets a folder be opened)
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch { /* not supported here */ }
}
