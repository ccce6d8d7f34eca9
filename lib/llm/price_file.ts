/**
 * Reading the price table named by `LLMOPS_PRICES` (a JSON file), with the repository's
 * `prices/default.json` when the variable is unset, and none at all when it is `off`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parsePriceTable, type PriceTable, PriceTableError } from "./prices.ts";

/** The price table used when `LLMOPS_PRICES` is unset. */
export const DEFAULT_PRICES_PATH: string = fileURLToPath(
  new URL("../../prices/default.json", import.meta.url),
);

/**
 * Reads and validates a price file. Throws {@linkcode PriceTableError} naming the file (and the
 * field) when it is missing, not JSON or invalid.
 *
 * @example
 * ```ts ignore
 * const table = await readPriceFile("prices/default.json");
 * ```
 */
export async function readPriceFile(path: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "file not found"
      : (error as Error).message;
    throw new PriceTableError(`cannot read the price table ${path}: ${reason}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PriceTableError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parsePriceTable(value, path);
}

/**
 * The price table of the environment: the file named by `LLMOPS_PRICES`, the repository's
 * default without it, or null for `LLMOPS_PRICES=off` (no call is priced).
 *
 * @example
 * ```ts ignore
 * const table = await loadPriceTable(Deno.env.toObject());
 * table?.version; // "default-2026-12-01"
 * ```
 */
export function loadPriceTable(
  env: Record<string, string | undefined>,
): Promise<PriceTable | null> {
  const name = env.LLMOPS_PRICES?.trim() ?? "";
  if (name.toLowerCase() === "off") return Promise.resolve(null);
  return readPriceFile(name === "" ? DEFAULT_PRICES_PATH : name);
}
