/**
 * A `data-table` with its column headings, in its scrolling wrapper: the tables of the tabs.
 * The rows are the caller's; an optional row spanning every column says why there are none.
 *
 * @module
 */

import { type ComponentChildren, isValidElement, type JSX } from "preact";

/** A column heading and whether the column holds numbers (right-aligned, class `num`). */
export interface Column {
  label: ComponentChildren;
  num?: boolean;
}

/** A column: its heading text, a {@linkcode Column}, or a whole `<th>` (e.g. a sort button). */
export type HeaderCell = string | Column | JSX.Element;

/**
 * A numeric column.
 *
 * @example
 * ```ts
 * const columns = ["Rule", numeric("Value")]; // <th scope="col" class="num">Value</th>
 * ```
 */
export function numeric(label: ComponentChildren): Column {
  return { label, num: true };
}

/** Props of {@linkcode DataTable}. */
export interface DataTableProps {
  columns: readonly HeaderCell[];
  testId?: string;
  /** Classes after `data-table` (e.g. `"compact"`). */
  class?: string;
  /** The wrapper's class (default `"table-wrap"`), or false for a table without a wrapper. */
  wrap?: string | false;
  /** Text of a row spanning every column after the rows (why there are none), or null. */
  emptyText?: string | null;
  /** The rows (`<tr>` elements). */
  children?: ComponentChildren;
}

function HeadCell({ cell }: { cell: HeaderCell }) {
  if (isValidElement(cell)) return cell;
  const column = typeof cell === "string" ? { label: cell } : cell as Column;
  return <th scope="col" class={column.num ? "num" : undefined}>{column.label}</th>;
}

/**
 * A table of the tabs.
 *
 * @example
 * ```tsx
 * <DataTable columns={["Model", numeric("Calls")]} testId="per-model" emptyText={rows.length ? null : "No data"}>
 *   {rows.map((r) => <tr key={r.model}><td>{r.model}</td><td class="num">{r.calls}</td></tr>)}
 * </DataTable>
 * ```
 */
export function DataTable(
  { columns, testId, class: cls, wrap = "table-wrap", emptyText, children }: DataTableProps,
) {
  const table = (
    <table class={cls === undefined ? "data-table" : `data-table ${cls}`} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((cell, i) => <HeadCell key={i} cell={cell} />)}
        </tr>
      </thead>
      <tbody>
        {children}
        {emptyText
          ? (
            <tr>
              <td colSpan={columns.length} class="muted">{emptyText}</td>
            </tr>
          )
          : null}
      </tbody>
    </table>
  );
  return wrap === false ? table : <div class={wrap}>{table}</div>;
}
