/** An error from the server, shown as text (never as HTML). */

/** Shows `message` when set. */
export function ErrorMessage({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return <p class="error-banner" role="alert" data-testid={testId}>{message}</p>;
}
