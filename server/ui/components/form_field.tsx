/**
 * Labelled form controls: a text or number input and a select, each inside its `<label>` (so
 * the label names the control), with a `data-testid` and a handler that receives the value.
 *
 * @module
 */

/** Props of {@linkcode TextField}. */
export interface TextFieldProps {
  label: string;
  value: string;
  /** Called with the input's value on every input. */
  onValue: (value: string) => void;
  testId: string;
  /** The input's type (default `"text"`). */
  type?: string;
  placeholder?: string;
  min?: number;
  max?: number;
  step?: number;
  disabled?: boolean;
}

/**
 * A labelled input.
 *
 * @example
 * ```tsx
 * <TextField label="Threshold" type="number" value={threshold} onValue={setThreshold} testId="rule-threshold" />
 * // <label>Threshold<input type="number" data-testid="rule-threshold"></label>
 * ```
 */
export function TextField(
  { label, value, onValue, testId, type = "text", placeholder, min, max, step, disabled }:
    TextFieldProps,
) {
  return (
    <label>
      {label}
      <input
        type={type}
        min={min}
        max={max}
        step={step}
        value={value}
        placeholder={placeholder}
        data-testid={testId}
        disabled={disabled}
        onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
      />
    </label>
  );
}

/** One choice of a {@linkcode SelectField}: a value shown as itself, or a value and its text. */
export type Choice = string | { value: string; label: string };

/** Props of {@linkcode SelectField}. */
export interface SelectFieldProps {
  label: string;
  value: string;
  options: readonly Choice[];
  /** Called with the selected value on every change. */
  onValue: (value: string) => void;
  testId: string;
  /** Text of an option with the value `""`, shown only while there are no options. */
  emptyOption?: string;
  disabled?: boolean;
}

/**
 * A labelled select.
 *
 * @example
 * ```tsx
 * <SelectField label="Op" value={op} options={[">", "<"]} onValue={setOp} testId="rule-op" />
 * // <label>Op<select data-testid="rule-op"><option value=">">></option>…</select></label>
 * ```
 */
export function SelectField(
  { label, value, options, onValue, testId, emptyOption, disabled }: SelectFieldProps,
) {
  return (
    <label>
      {label}
      <select
        value={value}
        data-testid={testId}
        disabled={disabled}
        onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.length === 0 && emptyOption !== undefined
          ? <option value="">{emptyOption}</option>
          : null}
        {options.map((o) =>
          typeof o === "string"
            ? <option key={o} value={o}>{o}</option>
            : <option key={o.value} value={o.value}>{o.label}</option>
        )}
      </select>
    </label>
  );
}

/** The keys of a form whose fields hold text. */
export type TextKey<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F];

/**
 * Binds fields of a form held in state to {@linkcode TextField} / {@linkcode SelectField}:
 * `bind(key)` is the field's `value` and an `onValue` that patches that key.
 *
 * @example
 * ```tsx
 * const bind = fieldBinder(form, (patch) => setForm((f) => ({ ...f, ...patch })));
 * <TextField label="Name" {...bind("name")} testId="rule-name" />
 * ```
 */
export function fieldBinder<F>(
  form: F,
  set: (patch: Partial<F>) => void,
): (key: TextKey<F>) => { value: string; onValue: (value: string) => void } {
  // a select's value is one of its options, so a key of a union of strings takes it as is
  return (key) => ({
    value: form[key] as string,
    onValue: (value) => set({ [key]: value } as unknown as Partial<F>),
  });
}
