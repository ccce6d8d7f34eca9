/** A coloured success / error label. */

/** Shows a response status in green or red. */
export function StatusBadge({ status }: { status: string }) {
  const ok = status === "success" || status === "FINISHED";
  const failed = status === "error" || status === "FAILED";
  const tone = ok ? "ok" : failed ? "drift" : "neutral";
  return <span class={`badge tone-${tone}`}>{status}</span>;
}
