/**
 * Running Python scripts (scipy, Evidently, MLflow's client) in the stack's virtualenv.
 *
 * @module
 */

/**
 * Runs a Python script (written to the temp folder) with the virtualenv's interpreter and parses
 * the last line of its standard output as JSON. Throws with the tail of standard error when the
 * script fails.
 */
export async function runPythonJson<T>(
  python: string,
  tempDir: string,
  name: string,
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<T> {
  const path = `${tempDir}/${name}`;
  await Deno.writeTextFile(path, script);
  const out = await new Deno.Command(python, {
    args: [path, ...args],
    env: { PYTHONWARNINGS: "ignore", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-8).join("\n");
    throw new Error(`${name} failed (exit ${out.code}): ${stderr}`);
  }
  const last = stdout.split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}
