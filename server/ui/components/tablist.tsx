/**
 * An ARIA tablist: roving tabindex, arrow keys (and Home / End) move and activate, each tab
 * controls its panel.
 *
 * @module
 */

import { useRef } from "preact/hooks";

/** One tab. */
export interface TabDef {
  id: string;
  label: string;
  testId: string;
}

/** Props of {@linkcode Tablist}. */
export interface TablistProps {
  tabs: readonly TabDef[];
  selected: string;
  onSelect: (id: string) => void;
  label: string;
}

/** The id of a tab's button element. */
export function tabElementId(id: string): string {
  return `tab-${id}`;
}

/** The id of a tab's panel element. */
export function panelElementId(id: string): string {
  return `panel-${id}`;
}

/**
 * The index a key moves to from `index` among `count` tabs, or null for other keys.
 *
 * @example
 * ```ts
 * nextTabIndex("ArrowRight", 5, 6); // 0
 * ```
 */
export function nextTabIndex(key: string, index: number, count: number): number | null {
  switch (key) {
    case "ArrowRight":
    case "ArrowDown":
      return (index + 1) % count;
    case "ArrowLeft":
    case "ArrowUp":
      return (index - 1 + count) % count;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** The tab buttons. */
export function Tablist({ tabs, selected, onSelect, label }: TablistProps) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const next = nextTabIndex(event.key, index, tabs.length);
    if (next === null) return;
    event.preventDefault();
    onSelect(tabs[next].id);
    refs.current[next]?.focus();
  };
  return (
    <div role="tablist" aria-label={label} class="tablist">
      {tabs.map((tab, i) => {
        const active = tab.id === selected;
        return (
          <button
            key={tab.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={tabElementId(tab.id)}
            aria-selected={active ? "true" : "false"}
            aria-controls={panelElementId(tab.id)}
            tabIndex={active ? 0 : -1}
            class={active ? "tab active" : "tab"}
            data-testid={tab.testId}
            onClick={() => onSelect(tab.id)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}
