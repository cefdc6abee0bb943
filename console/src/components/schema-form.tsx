// The form for a model's inputs, made from its input schema (a flat JSON Schema subset:
// string, integer, number and boolean properties with enum, bounds, defaults, `format: asset`).
// Fields left empty are not sent, so the API fills in the schema's defaults.
import { useState } from "preact/hooks";

export type Inputs = Record<string, string | number | boolean>;

interface Property {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
}

interface InputSchema {
  properties?: Record<string, Property>;
  required?: string[];
}

/** A model without a schema takes a prompt of 1 to 4000 characters. */
const PROMPT_ONLY: InputSchema = { properties: { prompt: { type: "string", minLength: 1, maxLength: 4000 } }, required: ["prompt"] };

const typeOf = (p: Property) => (Array.isArray(p.type) ? p.type.find((t) => t !== "null") : p.type) ?? "string";

function Field({ name, prop, required, value, set }: { name: string; prop: Property; required: boolean; value: unknown; set: (v: string | number | boolean | undefined) => void }) {
  const id = `input-${name}`;
  const hintId = prop.description ? `${id}-hint` : undefined;
  const label = (
    <>
      {prop.title ?? name.replace(/_/g, " ")}
      {required ? <span class="required" aria-hidden="true"> *</span> : <span class="muted"> (optional)</span>}
    </>
  );
  const type = typeOf(prop);
  const number = (text: string) => (text === "" ? undefined : Number(text));
  let control;
  if (type === "boolean") {
    return (
      <div class="check">
        <input id={id} type="checkbox" checked={value === undefined ? prop.default === true : value === true} onChange={(e) => set(e.currentTarget.checked)} aria-describedby={hintId} />
        <label for={id}>{label}</label>
        {prop.description && <p class="hint" id={hintId}>{prop.description}</p>}
      </div>
    );
  }
  if (prop.enum) {
    control = (
      <select id={id} value={value === undefined ? "" : String(value)} required={required} aria-describedby={hintId}
        onChange={(e) => { const v = e.currentTarget.value; set(v === "" ? undefined : type === "string" ? v : Number(v)); }}>
        <option value="">{prop.default !== undefined ? `default (${String(prop.default)})` : "choose…"}</option>
        {prop.enum.map((option) => (
          <option key={String(option)} value={String(option)}>{String(option)}</option>
        ))}
      </select>
    );
  } else if (type === "integer" || type === "number") {
    control = (
      <input id={id} type="number" inputMode={type === "integer" ? "numeric" : "decimal"} step={type === "integer" ? 1 : "any"} min={prop.minimum} max={prop.maximum}
        placeholder={prop.default !== undefined ? String(prop.default) : undefined} required={required} aria-describedby={hintId}
        value={value === undefined ? "" : String(value)} onInput={(e) => set(number(e.currentTarget.value))} />
    );
  } else if (name === "prompt" || (prop.maxLength ?? 0) > 200) {
    control = (
      <textarea id={id} rows={3} required={required} minLength={prop.minLength} maxLength={prop.maxLength} aria-describedby={hintId}
        placeholder={prop.format === "asset" ? "users/<your id>/file.png" : undefined}
        value={value === undefined ? "" : String(value)} onInput={(e) => set(e.currentTarget.value || undefined)} />
    );
  } else {
    control = (
      <input id={id} type="text" required={required} minLength={prop.minLength} maxLength={prop.maxLength} aria-describedby={hintId}
        placeholder={prop.format === "asset" ? "an asset key: users/<your id>/file.png" : prop.default !== undefined ? String(prop.default) : undefined}
        value={value === undefined ? "" : String(value)} onInput={(e) => set(e.currentTarget.value || undefined)} />
    );
  }
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {control}
      {prop.description && <p class="hint" id={hintId}>{prop.description}</p>}
    </div>
  );
}

export function SchemaForm({ schema, values, onChange }: { schema: unknown; values: Inputs; onChange: (v: Inputs) => void }) {
  const [advanced, setAdvanced] = useState(false);
  const s = (schema && typeof schema === "object" ? schema : PROMPT_ONLY) as InputSchema;
  const required = new Set(s.required ?? []);
  const names = Object.keys(s.properties ?? {});
  // the prompt and what is required first; the rest behind "more options" on small forms
  const main = names.filter((n) => n === "prompt" || required.has(n));
  const more = names.filter((n) => !main.includes(n));
  const set = (name: string) => (v: string | number | boolean | undefined) => {
    const next = { ...values };
    if (v === undefined || (typeof v === "number" && Number.isNaN(v))) delete next[name];
    else next[name] = v;
    onChange(next);
  };
  const field = (name: string) => <Field key={name} name={name} prop={s.properties![name]} required={required.has(name)} value={values[name]} set={set(name)} />;
  return (
    <fieldset class="inputs">
      <legend>Inputs</legend>
      {main.map(field)}
      {more.length > 0 && (
        <>
          <button type="button" class="button button-small button-quiet" aria-expanded={advanced} onClick={() => setAdvanced(!advanced)}>
            {advanced ? "Fewer options" : `More options (${more.length})`}
          </button>
          {advanced && more.map(field)}
        </>
      )}
    </fieldset>
  );
}
