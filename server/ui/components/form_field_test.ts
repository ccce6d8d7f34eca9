import assert from "node:assert/strict";
import { h } from "preact";
import { fieldBinder, SelectField, TextField } from "./form_field.tsx";
import { mount, renderHtml } from "./testing.ts";

const ignore = () => {};

Deno.test("a text field is its label with an input; attributes only when given", () => {
  assert.equal(
    renderHtml(h(TextField, { label: "Name", value: "", onValue: ignore, testId: "rule-name" })),
    '<label>Name<input data-testid="rule-name" type="text"></label>',
  );
  const html = renderHtml(h(TextField, {
    label: "Delay (s)",
    type: "number",
    min: 0,
    max: 3600,
    step: 0.5,
    placeholder: "per prompt",
    value: "2",
    onValue: ignore,
    testId: "stream-delay",
    disabled: true,
  }));
  for (
    const attribute of [
      'type="number"',
      'min="0"',
      'max="3600"',
      'step="0.5"',
      'placeholder="per prompt"',
      'data-testid="stream-delay"',
      "disabled",
    ]
  ) assert.ok(html.includes(attribute), `${attribute} in ${html}`);
});

Deno.test("a text field hands each input's value to onValue", () => {
  const seen: string[] = [];
  const view = mount(
    h(TextField, { label: "L", value: "", onValue: (v) => seen.push(v), testId: "t" }),
  );
  const input = view.container.querySelector("input")!;
  input.value = "42";
  view.fire(input, "input");
  view.unmount();
  assert.deepEqual(seen, ["42"]);
});

Deno.test("a select field lists strings as themselves and choices with their text", () => {
  const html = renderHtml(h(SelectField, {
    label: "A",
    value: "m",
    options: ["x", { value: "m", label: "m (3)" }],
    onValue: ignore,
    testId: "compare-a",
    emptyOption: "(none yet)",
  }));
  assert.equal(
    html,
    '<label>A<select value="m" data-testid="compare-a"><option value="x">x</option>' +
      '<option value="m">m (3)</option></select></label>',
  );
});

Deno.test("a select field without options shows its empty option, with the value ''", () => {
  const props = { label: "Model", value: "", options: [], onValue: ignore, testId: "model" };
  assert.match(
    renderHtml(h(SelectField, { ...props, emptyOption: "(server default)" })),
    /<select[^>]*><option value="">\(server default\)<\/option><\/select>/,
  );
  assert.match(renderHtml(h(SelectField, props)), /<select[^>]*><\/select>/);
});

Deno.test("a select field hands the chosen value to onValue; names stay text", () => {
  const seen: string[] = [];
  const view = mount(h(SelectField, {
    label: "Rule",
    value: "r1",
    options: [{ value: "r1", label: "<b>bold</b>" }, { value: "r2", label: "two" }],
    onValue: (v) => seen.push(v),
    testId: "silence-rule",
  }));
  assert.match(view.html(), /<option value="r1">&lt;b&gt;bold&lt;\/b&gt;<\/option>/);
  const select = view.container.querySelector("select")!;
  // linkedom's select has no value setter: the chosen value as the browser would report it
  Object.defineProperty(select, "value", { value: "r2", configurable: true, writable: true });
  view.fire(select, "change");
  view.unmount();
  assert.deepEqual(seen, ["r2"]);
});

Deno.test("a field binder reads a form's field and patches only that key", () => {
  const form = { name: "a", kind: "metric" as "metric" | "drift", fdr: true };
  const patches: Partial<typeof form>[] = [];
  const bind = fieldBinder(form, (p) => patches.push(p));
  const kind = bind("kind");
  assert.equal(kind.value, "metric");
  kind.onValue("drift");
  bind("name").onValue("b");
  assert.deepEqual(patches, [{ kind: "drift" }, { name: "b" }]);
});
