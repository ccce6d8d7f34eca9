/**
 * Builds the browser client with `deno bundle` (esbuild inside Deno), once per server start.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Where the bundle is written (git-ignored). */
export const BUNDLE_PATH = `${ROOT}server/static/build/app.js`;

/**
 * Bundles `server/ui/main.tsx` for the browser and returns the JavaScript.
 *
 * @example
 * ```ts
 * const js = await bundleClient();
 * ```
 */
export async function bundleClient(): Promise<string> {
  await Deno.mkdir(`${ROOT}server/static/build`, { recursive: true });
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--platform",
      "browser",
      "--minify",
      "-o",
      BUNDLE_PATH,
      `${ROOT}server/ui/main.tsx`,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `could not bundle the dashboard client:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return await Deno.readTextFile(BUNDLE_PATH);
}

/** The stylesheet of the client. */
export function readStyles(): Promise<string> {
  return Deno.readTextFile(`${ROOT}server/ui/styles.css`);
}
