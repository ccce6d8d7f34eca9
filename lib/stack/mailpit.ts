/**
 * Mailpit, the SMTP server the email tests deliver to, built from its Go module
 * (`github.com/axllent/mailpit`) with a plain `go install` into the stack cache, started on free
 * loopback ports with its database in a temporary folder, read back through its REST API
 * (`/api/v1/messages`). SMTP can be plain, STARTTLS or implicit TLS with a certificate from
 * {@linkcode createTestCertificates}.
 *
 * The module archive has no compiled web UI bundle: the build succeeds (its embed pattern still
 * matches the UI folder's other files) and `/` answers, but `/dist/app.js` answers 404, so the
 * browser UI is blank. SMTP and the REST API, all the tests use, are complete.
 *
 * @module
 */

import type { StackConfig } from "./config.ts";
import { freePorts } from "./free_port.ts";
import { type GoToolSpec, provisionGoTool } from "./go_tool.ts";
import { type LoopbackService, startLoopbackService } from "./loopback_service.ts";
import { runLogged } from "./process.ts";

/** The Mailpit version the tests build. */
export const MAILPIT_VERSION = "v1.33.1";

/**
 * The Go build of Mailpit.
 *
 * @example
 * ```ts
 * import { mailpitGoTool } from "./mailpit.ts";
 * mailpitGoTool().pkg; // "github.com/axllent/mailpit"
 * ```
 */
export function mailpitGoTool(version: string = MAILPIT_VERSION): GoToolSpec {
  return {
    name: "mailpit",
    pkg: "github.com/axllent/mailpit",
    version,
    installArgs: [`-ldflags=-X github.com/axllent/mailpit/config.Version=${version}`],
    alternative: "an SMTP server of your own (an email channel's host and port)",
  };
}

/** TLS material for a test server. */
export interface TestCertificates {
  /** PEM of the CA that signed the server certificate: what a client trusts. */
  caPem: string;
  certFile: string;
  keyFile: string;
}

/**
 * Makes a private CA and a server certificate for `localhost` and `127.0.0.1` signed by it, with
 * `openssl`, in `dir`. (A self-signed CA certificate cannot serve as the server's own: rustls
 * refuses a CA used as an end entity, so the CA signs a separate leaf.)
 *
 * @example
 * ```ts ignore
 * const certs = await createTestCertificates(await Deno.makeTempDir());
 * ```
 */
export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  const log = `${dir}/openssl.log`;
  const run = (args: string[]) => runLogged("openssl", "openssl", args, { logFile: log });
  const ext = `${dir}/leaf.ext`;
  await Deno.writeTextFile(
    ext,
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" +
      "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
  );
  // `req` options for a new P-256 key, unencrypted, written to `keyFile`: the CA's and the leaf's.
  const newKey = (keyFile: string) => [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyFile,
  ];
  await run([
    "req",
    "-x509",
    ...newKey(`${dir}/ca.key`),
    "-out",
    `${dir}/ca.pem`,
    "-days",
    "2",
    "-subj",
    "/CN=llmops test CA",
  ]);
  await run([
    "req",
    ...newKey(`${dir}/server.key`),
    "-out",
    `${dir}/server.csr`,
    "-subj",
    "/CN=localhost",
  ]);
  await run([
    "x509",
    "-req",
    "-in",
    `${dir}/server.csr`,
    "-CA",
    `${dir}/ca.pem`,
    "-CAkey",
    `${dir}/ca.key`,
    "-CAcreateserial",
    "-out",
    `${dir}/server.pem`,
    "-days",
    "2",
    "-extfile",
    ext,
  ]);
  return {
    caPem: await Deno.readTextFile(`${dir}/ca.pem`),
    certFile: `${dir}/server.pem`,
    keyFile: `${dir}/server.key`,
  };
}

/** Options of {@linkcode startMailpit}. */
export interface MailpitOptions {
  /** Certificate and key for STARTTLS (and implicit TLS with `requireTls`). */
  tls?: { certFile: string; keyFile: string };
  /** Implicit TLS: clients speak TLS from the first byte (needs `tls`). */
  requireTls?: boolean;
  /** Refuse clients that do not STARTTLS (needs `tls`). */
  requireStartTls?: boolean;
  /** Accept any SMTP login (to test AUTH). */
  authAcceptAny?: boolean;
  /** State folder (default: a new temporary folder, removed by `stop`). */
  dir?: string;
}

/** A running Mailpit; its `url` is `http://127.0.0.1:<httpPort>`. */
export interface RunningMailpit extends LoopbackService {
  smtpPort: number;
  httpPort: number;
}

/**
 * Builds Mailpit if needed, starts it on free loopback ports and waits until its API answers.
 *
 * @example
 * ```ts ignore
 * const mailpit = await startMailpit(loadStackConfig(), {}, console.error);
 * await mailpit.stop();
 * ```
 */
export async function startMailpit(
  config: Pick<StackConfig, "dir">,
  options: MailpitOptions = {},
  progress: (line: string) => void = (line) => console.error(line),
): Promise<RunningMailpit> {
  const { bin } = await provisionGoTool(config, mailpitGoTool(), progress);
  const temporary = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "llmops-mailpit-" });
  const [smtpPort, httpPort] = freePorts(2);
  const args = [
    "--listen",
    `127.0.0.1:${httpPort}`,
    "--smtp",
    `127.0.0.1:${smtpPort}`,
    "--database",
    `${dir}/mailpit.db`,
    "--disable-version-check",
    "--smtp-disable-rdns",
    "--block-remote-css-and-fonts",
  ];
  if (options.tls) {
    args.push("--smtp-tls-cert", options.tls.certFile, "--smtp-tls-key", options.tls.keyFile);
    if (options.requireTls) args.push("--smtp-require-tls");
    if (options.requireStartTls) args.push("--smtp-require-starttls");
  }
  if (options.authAcceptAny) args.push("--smtp-auth-accept-any");
  const mailpit = await startLoopbackService({
    name: "mailpit",
    command: bin.mailpit,
    args,
    dir,
    removeDirOnStop: temporary,
    url: `http://127.0.0.1:${httpPort}`,
    readyPath: "/api/v1/info",
  });
  return { ...mailpit, smtpPort, httpPort };
}
