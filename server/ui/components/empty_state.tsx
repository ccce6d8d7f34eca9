/** What a panel shows before it has data: why it is empty and what to do about it. */
import type { ComponentChildren } from "preact";

/** An explanation in place of missing data. */
export function EmptyState(
  { title, children, testId }: { title: string; children?: ComponentChildren; testId?: string },
) {
  return (
    <div class="empty-state" role="status" data-testid={testId}>
      <p class="empty-title">{title}</p>
      {children ? <p class="muted">{children}</p> : null}
    </div>
  );
}
