/** One sentence about a missing piece (e.g. no LLM worker), shown as text where it matters. */

/** Shows `text` when set, as a status line (not an error: the piece may still come). */
export function MissingNote({ text, testId }: { text: string | null; testId?: string }) {
  if (!text) return null;
  return <p class="missing-note" role="status" data-testid={testId}>{text}</p>;
}
