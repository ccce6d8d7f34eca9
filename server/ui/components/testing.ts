/**
 * Renders components for unit tests: into a linkedom document (no browser), as HTML. Only what
 * renders synchronously is seen: effects (charts) do not run, and the tree is unmounted before
 * the HTML is returned unless the caller keeps it.
 *
 * @module
 */

import { parseHTML } from "linkedom";
import { type ComponentChild, render } from "preact";

const dom = parseHTML("<!doctype html><html><body></body></html>");

/** A rendered tree: its container, and how to unmount it. */
export interface Rendered {
  container: HTMLElement;
  /** The container's inner HTML now. */
  html(): string;
  /** Dispatches a DOM event of `type` on `target` (bubbling), as a browser would. */
  fire(target: Element, type: string): void;
  unmount(): void;
}

/**
 * Renders `vnode` into a fresh container of a linkedom document (Preact needs a global
 * `document`; the first call sets one when there is none).
 *
 * @example
 * ```ts
 * const view = mount(h("p", { class: "muted" }, "hi"));
 * view.html(); // '<p class="muted">hi</p>'
 * view.unmount();
 * ```
 */
export function mount(vnode: ComponentChild): Rendered {
  const g = globalThis as { document?: unknown };
  g.document ??= dom.document;
  const container = dom.document.createElement("div") as unknown as HTMLElement;
  render(vnode, container);
  return {
    container,
    html: () => container.innerHTML,
    fire: (target, type) =>
      target.dispatchEvent(new dom.window.Event(type, { bubbles: true }) as unknown as Event),
    unmount: () => render(null, container),
  };
}

/**
 * The HTML `vnode` renders to (mounted, read and unmounted).
 *
 * @example
 * ```ts
 * renderHtml(h("p", null, "hi")); // "<p>hi</p>"
 * ```
 */
export function renderHtml(vnode: ComponentChild): string {
  const view = mount(vnode);
  const html = view.html();
  view.unmount();
  return html;
}
