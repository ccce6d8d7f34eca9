/**
 * Columns derived from LLM response events (`llm.response.v1`) for drift and quality reports.
 *
 * @module
 */

/** The fields of an `llm.response.v1` event that the derived columns need. */
export interface LlmResponseLike {
  latency_ms?: number | null;
  ttft_ms?: number | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  tokens_per_s?: number | null;
  response_chars?: number | null;
  response?: string | null;
  prompt?: string | null;
  status?: "success" | "error" | string | null;
  model?: string | null;
}

/** One derived row per response event. Missing inputs give null cells. */
export interface LlmColumnsRow {
  [column: string]: number | string | null;
  latency_s: number | null;
  ttft_s: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  tokens_per_s: number | null;
  response_chars: number | null;
  response_words: number | null;
  response_non_letter_share: number | null;
  response_non_ascii_share: number | null;
  prompt_chars: number | null;
  prompt_words: number | null;
  prompt_non_letter_share: number | null;
  prompt_non_ascii_share: number | null;
  status: string | null;
  model: string | null;
}

/** Text descriptors of one string. */
export interface TextDescriptors {
  /** Length in Unicode code points. */
  chars: number;
  /** Number of whitespace-separated words. */
  words: number;
  /** Share of non-whitespace characters that are not letters (0 for empty text). */
  non_letter_share: number;
  /** Share of characters outside ASCII (0 for empty text). */
  non_ascii_share: number;
}

const LETTER = /\p{L}/u;
const SPACE = /\s/u;

/**
 * Length, word count, share of non-letter characters (among non-whitespace characters) and share
 * of non-ASCII characters of a text. O(length).
 *
 * @example
 * ```ts
 * import { textDescriptors } from "./llm_columns.ts";
 * textDescriptors("Héllo, world 42").words; // 3
 * ```
 */
export function textDescriptors(text: string): TextDescriptors {
  if (typeof text !== "string") {
    throw new TypeError(`Expected a string, found ${text === null ? "null" : typeof text}`);
  }
  let chars = 0;
  let nonSpace = 0;
  let nonLetter = 0;
  let nonAscii = 0;
  for (const ch of text) {
    chars++;
    if (ch.codePointAt(0)! > 127) nonAscii++;
    if (SPACE.test(ch)) continue;
    nonSpace++;
    if (!LETTER.test(ch)) nonLetter++;
  }
  const words = text.split(/\s+/u).filter((w) => w.length > 0).length;
  return {
    chars,
    words,
    non_letter_share: nonSpace ? nonLetter / nonSpace : 0,
    non_ascii_share: chars ? nonAscii / chars : 0,
  };
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/**
 * Derived rows for drift and quality reports from LLM response events: latency and TTFT in
 * seconds, token counts and rate, response/prompt length and word counts, text descriptors,
 * status and model. The input is not modified. O(total text length).
 *
 * @example
 * ```ts
 * import { llmColumns } from "./llm_columns.ts";
 * const [row] = llmColumns([{ latency_ms: 1500, prompt: "Hi there", response: "Hello!", status: "success", model: "m" }]);
 * row.latency_s; // 1.5
 * row.prompt_words; // 2
 * ```
 */
export function llmColumns(events: readonly LlmResponseLike[]): LlmColumnsRow[] {
  if (!Array.isArray(events)) {
    throw new TypeError(`Expected an array of response events, found ${typeof events}`);
  }
  return events.map((e, i) => {
    if (e === null || typeof e !== "object") {
      throw new TypeError(
        `Expected response event ${i} to be an object, found ${JSON.stringify(e)}`,
      );
    }
    const latency = num(e.latency_ms);
    const ttft = num(e.ttft_ms);
    const response = str(e.response);
    const prompt = str(e.prompt);
    const rd = response === null ? null : textDescriptors(response);
    const pd = prompt === null ? null : textDescriptors(prompt);
    return {
      latency_s: latency === null ? null : latency / 1000,
      ttft_s: ttft === null ? null : ttft / 1000,
      prompt_tokens: num(e.prompt_tokens),
      completion_tokens: num(e.completion_tokens),
      tokens_per_s: num(e.tokens_per_s),
      response_chars: num(e.response_chars) ?? rd?.chars ?? null,
      response_words: rd?.words ?? null,
      response_non_letter_share: rd?.non_letter_share ?? null,
      response_non_ascii_share: rd?.non_ascii_share ?? null,
      prompt_chars: pd?.chars ?? null,
      prompt_words: pd?.words ?? null,
      prompt_non_letter_share: pd?.non_letter_share ?? null,
      prompt_non_ascii_share: pd?.non_ascii_share ?? null,
      status: str(e.status),
      model: str(e.model),
    };
  });
}
