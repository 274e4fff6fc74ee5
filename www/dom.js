// Small DOM and formatting helpers shared by the panels. No framework: the page is
// meant to be read and copied.

/**
 * `document.getElementById` that fails loudly when the markup and the code disagree.
 * @returns {any} the element (inputs, selects, buttons: typed loosely on purpose)
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el;
}

/**
 * Creates an element. `props`: `class`, `text`, `dataset`, `attrs` (attributes), and any
 * other key is set as a property. Children are nodes or strings (never parsed as HTML).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "attrs") for (const [a, v] of Object.entries(value)) el.setAttribute(a, v);
    else el[key] = value;
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const STATUS_CLASS = {
  WAIT: "pill-wait",
  RUNNING: "pill-running",
  SUCCESS: "pill-success",
  FAIL: "pill-fail",
  DISCARD: "pill-discard",
};

/** A coloured status pill for an async invocation status. */
export function statusPill(status) {
  return h("span", { class: `pill ${STATUS_CLASS[status] ?? "pill-wait"}`, text: status });
}

const pad = (n) => String(n).padStart(2, "0");

/** `YYYY-MM-DD HH:mm:ss` in UTC, or "—". */
export function formatUtc(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return "—";
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** A `<input type=datetime-local>` value for `date`, in UTC (seconds precision). */
export function toUtcInputValue(date) {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** Reads a `datetime-local` value as a UTC time; null when empty or invalid. */
export function fromUtcInputValue(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value ?? "");
  if (!m) return null;
  const [, y, mo, d, hh, mm, ss = "0"] = m;
  const date = new Date(Date.UTC(+y, +mo - 1, +d, +hh, +mm, +ss));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Milliseconds for people: "0.84 ms", "12 ms", "1.2 s". */
export function formatMs(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "—";
  if (Number.isInteger(ms) && ms < 1000) return `${ms} ms`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** UTF-8 size of a string, for people. */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** Calls `fn` `ms` after the last call. */
export function debounce(fn, ms) {
  let timer;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.flush = (...args) => {
    clearTimeout(timer);
    fn(...args);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}
