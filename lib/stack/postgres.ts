/**
 * The private PostgreSQL cluster behind MLflow when `LLMOPS_MLFLOW_DB=postgresql`: Debian's
 * `postgresql` binaries, a cluster under the stack's state folder (`initdb` once, password
 * authentication, a generated password kept beside it), listening on 127.0.0.1 only at its own
 * port, and the database `mlflow`. No system service is touched: the stack starts `postgres`
 * itself, records its pid, and stops it with a fast shutdown.
 *
 * PostgreSQL refuses to run as root. When the stack runs as root, `initdb` and `postgres` run as
 * the unprivileged system user `postgres` (Debian's package creates it; without it the stack
 * creates `llmops-postgres` with `useradd --system`), switched to with `setpriv`. The data and
 * socket folders belong to that user. When the state folder lies under a folder that user cannot
 * enter (such as `/root`), the process keeps one capability, CAP_DAC_READ_SEARCH, so that it can
 * reach its data folder; nothing else of root's is kept.
 *
 * @module
 */

import type { StackConfig } from "./config.ts";
import { exists } from "./_fs.ts";
import { MissingPrerequisiteError } from "./prerequisites.ts";
import {
  commandOutput,
  ensurePortFree,
  isAlive,
  readPidFile,
  runLogged,
  type StartedService,
  startService,
  waitUntil,
} from "./process.ts";

/** Paths of the private PostgreSQL cluster. */
export function postgresPaths(config: StackConfig) {
  const state = `${config.stateDir}/postgres`;
  return {
    state,
    data: `${state}/data`,
    socket: `${state}/socket`,
    /** The superuser's generated password (mode 0600, owned by the stack's user). */
    password: `${state}/password`,
    log: `${state}/postgres.log`,
    initLog: `${state}/initdb.log`,
    pid: `${state}/postgres.pid`,
  };
}

/** Folders searched for PostgreSQL's server binaries, newest major version first. */
async function candidateBinDirs(): Promise<string[]> {
  const dirs: string[] = [];
  try {
    const versions: string[] = [];
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) versions.push(entry.name);
    versions.sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // no Debian layout
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    if (await exists(`${dir}/initdb`)) {
      dirs.push(await Deno.realPath(`${dir}/initdb`).then((p) => p.slice(0, p.lastIndexOf("/"))));
    }
  }
  return dirs;
}

/**
 * The folder that holds `initdb`, `postgres`, `pg_isready` and `psql`: Debian's
 * `/usr/lib/postgresql/<major>/bin` (newest first), else the folder of `initdb` on PATH.
 * Throws {@linkcode MissingPrerequisiteError} when none is installed.
 *
 * @example
 * ```ts
 * await postgresBinDir(); // "/usr/lib/postgresql/15/bin"
 * ```
 */
export async function postgresBinDir(): Promise<string> {
  for (const dir of await candidateBinDirs()) {
    const tools = ["initdb", "postgres", "pg_isready", "psql"];
    if ((await Promise.all(tools.map((t) => exists(`${dir}/${t}`)))).every(Boolean)) return dir;
  }
  throw new MissingPrerequisiteError(
    "initdb",
    "PostgreSQL (LLMOPS_MLFLOW_DB=postgresql)",
    "`apt-get install postgresql`, LLMOPS_MLFLOW_DB=sqlite, or MLFLOW_TRACKING_URI=http://host:5000",
  );
}

/** The unprivileged account that runs PostgreSQL when the stack runs as root. */
export interface PostgresAccount {
  user: string;
  uid: number;
  gid: number;
}

/** Names tried, in order, for the account that runs PostgreSQL under root. */
export const POSTGRES_ACCOUNTS: readonly string[] = Object.freeze(["postgres", "llmops-postgres"]);

/**
 * The account PostgreSQL runs as: null when the stack is not root (it runs as the stack's own
 * user), else `postgres` when it exists, else `llmops-postgres`, created here as a system user
 * without a home or a login shell.
 */
export async function postgresAccount(): Promise<PostgresAccount | null> {
  if (Deno.uid() !== 0) return null;
  for (const user of POSTGRES_ACCOUNTS) {
    const account = await lookUpAccount(user);
    if (account) return account;
  }
  const user = POSTGRES_ACCOUNTS[POSTGRES_ACCOUNTS.length - 1];
  const out = await new Deno.Command("useradd", {
    args: [
      "--system",
      "--user-group",
      "--no-create-home",
      "--home-dir",
      "/nonexistent",
      "--shell",
      "/usr/sbin/nologin",
      user,
    ],
    stdout: "null",
    stderr: "piped",
  }).output().catch((error) => {
    throw new Error(`postgres: cannot run useradd to create the user ${user}: ${error.message}`);
  });
  if (!out.success) {
    throw new Error(
      `postgres: useradd ${user} failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  const account = await lookUpAccount(user);
  if (!account) throw new Error(`postgres: the user ${user} was created but cannot be found`);
  return account;
}

async function lookUpAccount(user: string): Promise<PostgresAccount | null> {
  const uid = await commandOutput("id", ["-u", user]);
  const gid = await commandOutput("id", ["-g", user]);
  if (uid === null || gid === null) return null;
  return { user, uid: Number(uid), gid: Number(gid) };
}

/**
 * The command prefix that runs a PostgreSQL program as `account`: `setpriv` to its uid, gid
 * and groups, keeping CAP_DAC_READ_SEARCH only when `needsSearch` (its data folder lies below a
 * folder it may not enter). Empty when PostgreSQL runs as the stack's own user.
 *
 * @example
 * ```ts
 * runAsPrefix({ user: "postgres", uid: 101, gid: 104 }, false);
 * // ["setpriv", "--reuid=101", "--regid=104", "--init-groups", "--"]
 * ```
 */
export function runAsPrefix(account: PostgresAccount | null, needsSearch: boolean): string[] {
  if (!account) return [];
  return [
    "setpriv",
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    "--init-groups",
    ...(needsSearch ? ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"] : []),
    "--",
  ];
}

/** True when `account` can write to `dir` without any capability. */
async function canReach(account: PostgresAccount, dir: string): Promise<boolean> {
  const out = await new Deno.Command("setpriv", {
    args: [...runAsPrefix(account, false), "test", "-w", dir],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

/** How PostgreSQL's programs are run on this machine: the binaries and the account prefix. */
export interface PostgresRuntime {
  bin: string;
  account: PostgresAccount | null;
  /** Command prefix (empty when not root), see {@linkcode runAsPrefix}. */
  prefix: string[];
}

/** Makes a folder owned by the PostgreSQL account with mode 0700. */
async function ownedDir(path: string, account: PostgresAccount | null): Promise<void> {
  await Deno.mkdir(path, { recursive: true });
  if (account) await Deno.chown(path, account.uid, account.gid);
  await Deno.chmod(path, 0o700);
}

/**
 * Finds the binaries and the account, and creates the cluster once: `initdb` with the
 * superuser `llmops`, password (SCRAM) authentication for every connection and a generated
 * password. A cluster that exists (its `PG_VERSION` is there) is reused as it is.
 *
 * @example
 * ```ts
 * const runtime = await preparePostgres(config, console.error);
 * ```
 */
export async function preparePostgres(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<PostgresRuntime> {
  const paths = postgresPaths(config);
  const bin = await postgresBinDir();
  const account = await postgresAccount();
  await Deno.mkdir(paths.state, { recursive: true });
  await ownedDir(paths.data, account);
  await ownedDir(paths.socket, account);
  const needsSearch = account !== null && !(await canReach(account, paths.data));
  const runtime = { bin, account, prefix: runAsPrefix(account, needsSearch) };
  if (await exists(`${paths.data}/PG_VERSION`)) return runtime;

  // An initdb that was interrupted leaves files behind; initdb wants an empty folder.
  for await (const entry of Deno.readDir(paths.data)) {
    await Deno.remove(`${paths.data}/${entry.name}`, { recursive: true });
  }
  const password = await postgresPassword(config, { create: true });
  const pwfile = `${paths.socket}/initdb.pw`;
  await Deno.writeTextFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (account) await Deno.chown(pwfile, account.uid, account.gid);
  progress(
    `postgres: creating the cluster in ${paths.data}` +
      (account ? ` (runs as the user ${account.user})` : ""),
  );
  try {
    const [command, ...prefixArgs] = [...runtime.prefix, `${bin}/initdb`];
    await runLogged(
      "postgres: initdb",
      command,
      [
        ...prefixArgs,
        "-D",
        paths.data,
        "-U",
        config.postgres.user,
        "--pwfile",
        pwfile,
        "--auth",
        "scram-sha-256",
        "-E",
        "UTF8",
        "--no-locale",
      ],
      { logFile: paths.initLog, progress },
    );
  } finally {
    await Deno.remove(pwfile).catch(() => {});
  }
  return runtime;
}

/**
 * The superuser's password, read from the state folder; with `create`, a new random one is
 * written when there is none.
 */
export async function postgresPassword(
  config: StackConfig,
  options: { create?: boolean } = {},
): Promise<string> {
  const path = postgresPaths(config).password;
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound) || !options.create) {
      throw new Error(`postgres: no password at ${path}; has the cluster been created?`);
    }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const password = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.writeTextFile(path, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * The connection URI MLflow uses, without the password (libpq reads it from `PGPASSWORD`).
 *
 * @example
 * ```ts
 * postgresUri(loadStackConfig({ LLMOPS_MLFLOW_DB: "postgresql" }));
 * // "postgresql://llmops@127.0.0.1:5433/mlflow"
 * ```
 */
export function postgresUri(config: StackConfig): string {
  const { user, port, database } = config.postgres;
  return `postgresql://${user}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts `postgres` on 127.0.0.1 at the configured port, waits until it accepts connections,
 * and creates the database `mlflow` when it is missing.
 *
 * @example
 * ```ts
 * const service = await startPostgres(config, console.error);
 * ```
 */
export async function startPostgres(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<StartedService> {
  const paths = postgresPaths(config);
  const runtime = await preparePostgres(config, progress);
  const { port } = config.postgres;
  await ensurePortFree(
    "postgres",
    port,
    "LLMOPS_POSTGRES_PORT",
    "MLFLOW_TRACKING_URI=http://host:5000 (an MLflow server on that database)",
    "a PostgreSQL server",
  );
  // A Unix socket path is limited to 107 bytes; the stack itself connects over TCP.
  const socketDir = `${paths.socket}/.s.PGSQL.${port}`.length < 100 ? paths.socket : "";
  progress(`postgres: starting on 127.0.0.1:${port}`);
  const [command, ...prefixArgs] = [...runtime.prefix, `${runtime.bin}/postgres`];
  const service = await startService({
    name: "postgres",
    command,
    args: [
      ...prefixArgs,
      "-D",
      paths.data,
      "-k",
      socketDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
    ],
    logFile: paths.log,
    pidFile: paths.pid,
    stopSignal: "SIGINT",
  });
  await waitUntil(() => postgresAnswers(config, runtime.bin), {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: `postgres on 127.0.0.1:${port} (log: ${paths.log})`,
    stillAlive: () => isAlive(service.pid),
  });
  await ensureDatabase(config, runtime.bin);
  return service;
}

/** True when the cluster accepts connections (`pg_isready`). */
export async function postgresAnswers(config: StackConfig, bin?: string): Promise<boolean> {
  const dir = bin ?? await postgresBinDir().catch(() => null);
  if (!dir) return false;
  const out = await new Deno.Command(`${dir}/pg_isready`, {
    args: ["-q", "-h", "127.0.0.1", "-p", String(config.postgres.port), "-t", "2"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  return out?.success ?? false;
}

/** Runs one SQL statement with `psql` as the superuser; returns its unaligned output. */
export async function postgresQuery(
  config: StackConfig,
  sql: string,
  options: { bin?: string; database?: string } = {},
): Promise<string> {
  const bin = options.bin ?? await postgresBinDir();
  const out = await new Deno.Command(`${bin}/psql`, {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(config.postgres.port),
      "-U",
      config.postgres.user,
      "-d",
      options.database ?? "postgres",
      "-v",
      "ON_ERROR_STOP=1",
      "-tAc",
      sql,
    ],
    env: { PGPASSWORD: await postgresPassword(config), PGCONNECT_TIMEOUT: "5" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `postgres: psql failed on "${sql}": ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return new TextDecoder().decode(out.stdout).trim();
}

async function ensureDatabase(config: StackConfig, bin: string): Promise<void> {
  const { database } = config.postgres;
  const found = await postgresQuery(
    config,
    `SELECT 1 FROM pg_database WHERE datname = '${database}'`,
    { bin },
  );
  if (found !== "1") await postgresQuery(config, `CREATE DATABASE ${database}`, { bin });
}

/** Pid of the local PostgreSQL server when it is alive, else null. */
export async function postgresPid(config: StackConfig): Promise<number | null> {
  const pid = await readPidFile(postgresPaths(config).pid);
  return pid !== null && isAlive(pid) ? pid : null;
}

const serverVersions = new Map<string, string>();

/** Health of the private cluster, as the stack status shows it under `mlflow.database`. */
export async function postgresStatus(config: StackConfig) {
  const bin = await postgresBinDir().catch(() => null);
  const healthy = bin !== null && await postgresAnswers(config, bin);
  let version: string | null = null;
  if (healthy) {
    // Asked once per server process: the dashboard polls health every few seconds.
    const pid = await postgresPid(config);
    const key = `${config.postgres.port}:${pid}`;
    version = serverVersions.get(key) ?? null;
    if (version === null) {
      version = await postgresQuery(config, "SHOW server_version", { bin: bin! })
        .then((v) => v.split(" ")[0])
        .catch(() => null);
      if (version !== null) serverVersions.set(key, version);
    }
  }
  return {
    healthy,
    url: postgresUri(config),
    version,
    pid: await postgresPid(config),
  };
}
