/**
 * Removes ANSI colour codes from terminal output.
 *
 * @example
 * ```ts
 * stripAnsi("\x1b[32mok\x1b[0m"); // "ok"
 * ```
 */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
