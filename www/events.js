// The event editor: JSON text, checked as you type and again before anything is sent.
import { byId, debounce, formatBytes } from "./dom.js";

/** A sample event for each of the emulator's sample functions. */
export const SAMPLE_EVENTS = {
  hello: { name: "console" },
  echo: { hello: "world", n: 42, nested: { list: [1, "two", null] } },
  context: {},
  callback: { value: 42 },
  sleep: { ms: 1500 },
  fail: { reason: "demo" },
  crash: {},
  logs: { lines: 8, width: 60 },
};

/** Sync invoke takes at most 6 MB of event, async invoke 256 KB. */
export const LIMITS = { sync: 6 * 1024 * 1024, async: 256 * 1024 };

const encoder = new TextEncoder();

/**
 * Where and why `text` is not JSON: `{offset, message}`, or null when this small scanner
 * finds nothing (JSON.parse stays the judge; engines' messages do not always say where).
 */
export function findJsonError(text) {
  let i = 0;
  const fail = (message) => {
    throw { offset: i, message };
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("unterminated string");
      if (c === '"') return void i++;
      if (c === "\\") {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail("invalid escape in a string");
        continue;
      }
      if (c < " ") fail("line break or control character inside a string (write it as \\n)");
      i++;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] === "}") fail("trailing comma before '}'");
        if (text[i] !== '"') fail("expected a property name in double quotes");
        string();
        ws();
        if (text[i] !== ":") fail("expected ':' after the property name");
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        ws();
        if (text[i] === "]") fail("trailing comma before ']'");
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if ((c === "-" || (c >= "0" && c <= "9")) && NUMBER.test(text)) return void (i = NUMBER.lastIndex);
    for (const literal of ["true", "false", "null"]) if (text.startsWith(literal, i)) return void (i += literal.length);
    fail(c === undefined ? "unexpected end of the text" : `expected a value, found ${JSON.stringify(c)}`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail("unexpected text after the JSON value");
    return null;
  } catch (e) {
    if (typeof e?.offset !== "number") throw e;
    return e;
  }
}

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text, offset) {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/**
 * `text` (valid JSON) without the whitespace between tokens. Lossless, unlike
 * JSON.stringify(JSON.parse(text)), which would round numbers beyond 2^53. The event
 * is sent in this form: smaller, and on one line.
 */
export function compactJson(text) {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") {
      out += c;
    }
  }
  return out;
}

/** `{ok: true, text, compact, bytes}` (bytes as sent) or `{ok: false, message}`. */
export function validateEvent(text, kind = "sync") {
  if (text.trim() === "") return { ok: false, message: "The event is empty; send {} for no input." };
  try {
    JSON.parse(text);
  } catch (e) {
    const found = findJsonError(text);
    if (!found) return { ok: false, message: `Invalid JSON: ${e.message}` };
    const { line, column } = lineColumn(text, found.offset);
    return { ok: false, message: `Invalid JSON at line ${line}, column ${column}: ${found.message}.`, offset: found.offset };
  }
  const compact = compactJson(text);
  const bytes = encoder.encode(compact).length;
  if (bytes > LIMITS[kind]) {
    return {
      ok: false,
      message: `The event is ${formatBytes(bytes)}; ${kind === "async" ? "an async" : "a sync"} invocation takes at most ${formatBytes(LIMITS[kind])}.`,
    };
  }
  return { ok: true, text, compact, bytes };
}

export class EventEditor {
  constructor({ onSubmit }) {
    this.el = {
      text: byId("event"),
      status: byId("event-status"),
      format: byId("event-format"),
      sample: byId("event-sample"),
    };
    this.sampleText = "";
    this.sampleName = null;
    const check = debounce(() => this.check(), 250);
    this.el.text.addEventListener("input", check);
    this.el.format.addEventListener("click", () => this.format());
    this.el.sample.addEventListener("click", () => this.loadSample(this.sampleName, true));
    // Ctrl+Enter / Cmd+Enter invokes from the editor.
    this.el.text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        onSubmit();
      }
    });
  }

  get text() {
    return this.el.text.value;
  }

  /** Loads the sample of `name` unless the user has edited the current text (or `force`). */
  loadSample(name, force = false) {
    this.sampleName = name;
    const pristine = this.el.text.value === this.sampleText || this.el.text.value.trim() === "";
    this.el.sample.disabled = !(name in SAMPLE_EVENTS);
    if (!force && !pristine) return;
    const sample = SAMPLE_EVENTS[name] ?? {};
    this.sampleText = JSON.stringify(sample, null, 2);
    this.el.text.value = this.sampleText;
    this.check();
  }

  format() {
    const v = validateEvent(this.text);
    if (v.ok) {
      const pretty = JSON.stringify(JSON.parse(v.text), null, 2);
      if (this.el.text.value === this.sampleText) this.sampleText = pretty;
      this.el.text.value = pretty;
    }
    this.check();
    this.el.text.focus();
  }

  /** Validates for `kind` and shows the outcome; returns the validation. */
  check(kind = "sync") {
    const v = validateEvent(this.text, kind);
    const { text, status } = this.el;
    text.setAttribute("aria-invalid", String(!v.ok));
    status.classList.toggle("is-error", !v.ok);
    status.classList.toggle("is-ok", v.ok);
    status.textContent = v.ok ? `Valid JSON · ${formatBytes(v.bytes)}` : v.message;
    return v;
  }

  /** Validates before sending: on failure shows why, selects the spot and focuses the editor. */
  validateForSend(kind) {
    const v = this.check(kind);
    if (!v.ok) {
      const { text } = this.el;
      text.focus();
      if (typeof v.offset === "number") text.setSelectionRange(v.offset, Math.min(v.offset + 1, text.value.length));
    }
    return v;
  }
}
