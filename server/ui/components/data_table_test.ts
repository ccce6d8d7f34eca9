import assert from "node:assert/strict";
import { h } from "preact";
import { DataTable, numeric } from "./data_table.tsx";
import { renderHtml } from "./testing.ts";

const row = h("tr", { key: "x" }, h("td", null, "x"), h("td", { class: "num" }, "1"));

Deno.test("a data table heads its columns, numeric ones right-aligned, inside its wrapper", () => {
  assert.equal(
    renderHtml(h(DataTable, { columns: ["Model", numeric("Calls")], testId: "t" }, row)),
    '<div class="table-wrap"><table data-testid="t" class="data-table"><thead><tr>' +
      '<th scope="col">Model</th><th class="num" scope="col">Calls</th></tr></thead>' +
      '<tbody><tr><td>x</td><td class="num">1</td></tr></tbody></table></div>',
  );
});

Deno.test("a data table takes another wrapper, none, extra classes and whole heading cells", () => {
  const sort = h("th", { scope: "col", "aria-sort": "none" }, "Latency");
  const html = renderHtml(
    h(DataTable, { columns: [sort, "Run"], class: "compact", wrap: false }),
  );
  assert.equal(
    html,
    '<table class="data-table compact"><thead><tr><th aria-sort="none" scope="col">Latency</th>' +
      '<th scope="col">Run</th></tr></thead><tbody></tbody></table>',
  );
  assert.match(
    renderHtml(h(DataTable, { columns: ["A"], wrap: "table-wrap history-wrap" })),
    /^<div class="table-wrap history-wrap"><table/,
  );
});

Deno.test("a data table's empty text spans every column after the rows; null shows no row", () => {
  const columns = ["A", "B", numeric("C")];
  assert.match(
    renderHtml(h(DataTable, { columns, emptyText: "No runs on this page." }, row)),
    // (linkedom writes the attribute as Preact names the property: colSpan)
    /<tbody><tr><td>x<\/td><td class="num">1<\/td><\/tr><tr><td class="muted" colspan="3">No runs on this page\.<\/td><\/tr><\/tbody>/i,
  );
  assert.doesNotMatch(renderHtml(h(DataTable, { columns, emptyText: null })), /muted/);
});

Deno.test("headings are text: markup in a column name is escaped, not parsed", () => {
  assert.match(
    renderHtml(h(DataTable, { columns: ["<img src=x onerror=alert(1)>"] })),
    /<th scope="col">&lt;img src=x onerror=alert\(1\)&gt;<\/th>/,
  );
});
