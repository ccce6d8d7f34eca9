/**
 * Reading Ollama's newline-delimited JSON without touching its bytes: a splitter that turns
 * byte chunks into parsed objects, and a pass-through stream that forwards every byte unchanged
 * to the caller while handing each parsed line to a meter. Free of `Deno.*`.
 *
 * @module
 */

/** Most characters of one line kept while waiting for its newline (a longer line is refused). */
export const NDJSON_MAX_LINE_CHARS = 16 * 1024 * 1024;

/** A line that was not JSON, or was too long. */
export interface NdjsonProblem {
  reason: string;
  /** The line's first characters. */
  excerpt: string;
}

/**
 * Splits NDJSON bytes into parsed values; a chunk may end mid-line or mid-character.
 *
 * @example
 * ```ts
 * const splitter = new NdjsonSplitter();
 * splitter.push(new TextEncoder().encode('{"a":1}\n{"a"')); // [{ a: 1 }]
 * splitter.push(new TextEncoder().encode(":2}\n")); // [{ a: 2 }]
 * splitter.end(); // []
 * ```
 */
export class NdjsonSplitter {
  #decoder = new TextDecoder();
  #pending = "";
  readonly problems: NdjsonProblem[] = [];

  /** Parsed values of the lines completed by this chunk. */
  push(bytes: Uint8Array): unknown[] {
    const text = this.#pending + this.#decoder.decode(bytes, { stream: true });
    const values: unknown[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.#parse(text.slice(start, nl), values);
      start = nl + 1;
    }
    this.#pending = text.slice(start);
    if (this.#pending.length > NDJSON_MAX_LINE_CHARS) {
      this.#problem("a line is longer than the limit", this.#pending);
      this.#pending = "";
    }
    return values;
  }

  /** Parsed value of a last line without newline, if any. */
  end(): unknown[] {
    const values: unknown[] = [];
    this.#parse(this.#pending + this.#decoder.decode(), values);
    this.#pending = "";
    return values;
  }

  #parse(line: string, into: unknown[]): void {
    const trimmed = line.trim();
    if (trimmed === "") return;
    try {
      into.push(JSON.parse(trimmed));
    } catch {
      this.#problem("a line is not JSON", trimmed);
    }
  }

  #problem(reason: string, line: string): void {
    if (this.problems.length < 10) this.problems.push({ reason, excerpt: line.slice(0, 80) });
  }
}

/**
 * A stream that forwards every byte unchanged and calls `onValue` with each parsed NDJSON line
 * (and `onEnd` when the source ends). Pipe Ollama's response body through it and return the
 * result to the caller: the caller gets Ollama's exact bytes, the meter gets the objects.
 *
 * @example
 * ```ts
 * const meter = new StreamMeter();
 * const body = upstream.body!.pipeThrough(ndjsonTap((chunk) => meter.push(chunk)));
 * return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
 * ```
 */
export function ndjsonTap(
  onValue: (value: unknown) => void,
  onEnd?: (problems: readonly NdjsonProblem[]) => void,
): TransformStream<Uint8Array, Uint8Array> {
  const splitter = new NdjsonSplitter();
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      for (const value of splitter.push(chunk)) onValue(value);
    },
    flush() {
      for (const value of splitter.end()) onValue(value);
      onEnd?.(splitter.problems);
    },
  });
}

/**
 * Iterates the parsed lines of an NDJSON byte stream (for dialects that re-format Ollama's
 * answer, such as OpenAI's).
 *
 * @example
 * ```ts
 * for await (const chunk of ndjsonValues(upstream.body!)) meter.push(chunk);
 * ```
 */
export async function* ndjsonValues(
  stream: ReadableStream<Uint8Array>,
  splitter: NdjsonSplitter = new NdjsonSplitter(),
): AsyncGenerator<unknown> {
  for await (const chunk of stream) yield* splitter.push(chunk);
  yield* splitter.end();
}
