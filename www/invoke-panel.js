// Invoke and Invoke async: validates the event, calls the package, and shows the
// result (status, request id, summary, result, log tail) or the error.
import { byId, formatMs, formatUtc, h, statusPill } from "./dom.js";
import { errorBlock, describeError } from "./error-view.js";

const CANCELLED = "cancelled by the user";

/** Pretty JSON when `text` is JSON, else the text itself. */
function pretty(text) {
  try {
    const value = JSON.parse(text);
    return { json: true, text: JSON.stringify(value, null, 2), value };
  } catch {
    return { json: false, text };
  }
}

function codeBlock(label, text, cls = "code") {
  return h(
    "div",
    { class: "block" },
    h("div", { class: "block-label", text: label }),
    h("pre", { class: cls, tabIndex: 0, attrs: { "aria-label": label } }, text),
  );
}

function meta(pairs) {
  return h(
    "dl",
    { class: "meta" },
    pairs.filter(Boolean).map(([k, v]) => [h("dt", { text: k }), h("dd", {}, v)]),
  );
}

export class InvokePanel {
  constructor(lib, { connection, picker, editor, table }) {
    this.lib = lib;
    this.connection = connection;
    this.picker = picker;
    this.editor = editor;
    this.table = table;
    this.el = {
      invoke: byId("btn-invoke"),
      invokeAsync: byId("btn-invoke-async"),
      cancel: byId("btn-cancel"),
      logTail: byId("opt-log-tail"),
      result: byId("result"),
      announce: byId("result-announce"),
    };
    this.call = null; // AbortController of the call in flight
    this.waiter = null; // AbortController of the async wait
    this.followed = null; // {requestId, statusEl} until it reaches a terminal status
    // The table sees WAIT → RUNNING first; the wait itself only reports the end.
    table.onStatus = (requestId, status) => {
      const f = this.followed;
      if (f?.requestId === requestId && (status === "WAIT" || status === "RUNNING")) {
        f.statusEl.replaceChildren(statusPill(status), h("span", { class: "muted", text: " waiting for a terminal status…" }));
      }
    };
    // While a call runs the buttons are aria-disabled, not disabled: a disabled button
    // would drop the keyboard focus.
    this.el.invoke.addEventListener("click", () => this.call || this.invoke());
    this.el.invokeAsync.addEventListener("click", () => this.call || this.invokeAsync());
    this.el.cancel.addEventListener("click", () => this.call?.abort(CANCELLED));
  }

  /** Stops waiting for an async result (the function or the connection changed). */
  reset() {
    this.waiter?.abort(CANCELLED);
  }

  /** The client, URN and event for a call, or null after showing why there is none. */
  prepare(kind) {
    const { client, problem } = this.connection;
    if (!client) {
      this.show(h("p", { class: "notice", text: `Not sent. Connection: ${problem}` }), `Not sent: ${problem}`);
      return null;
    }
    const urn = this.picker.urn;
    if (!urn) {
      this.show(h("p", { class: "notice", text: "Not sent. Pick a function or enter its URN." }), "Not sent: no function");
      return null;
    }
    const v = this.editor.validateForSend(kind);
    if (!v.ok) {
      this.show(h("p", { class: "notice", text: `Not sent. ${v.message}` }), `Not sent: ${v.message}`);
      return null;
    }
    return { client, urn, event: v.compact, name: this.picker.displayName };
  }

  busy(on, label = "") {
    const { invoke, invokeAsync, cancel, result } = this.el;
    invoke.setAttribute("aria-disabled", String(on));
    invokeAsync.setAttribute("aria-disabled", String(on));
    cancel.hidden = !on;
    result.setAttribute("aria-busy", String(on));
    if (on) {
      this.show(h("p", { class: "notice" }, h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }), label), label);
    }
  }

  show(content, announcement) {
    this.el.result.replaceChildren(content);
    this.el.announce.textContent = announcement;
  }

  async invoke() {
    const call = this.prepare("sync");
    if (!call) return;
    this.reset();
    this.call = new AbortController();
    this.busy(true, `Invoking ${call.name}…`);
    const started = performance.now();
    try {
      const r = await call.client.invoke(call.urn, call.event, {
        logType: this.el.logTail.checked ? "tail" : "none",
        signal: this.call.signal,
      });
      this.busy(false);
      this.renderResult(call, r, performance.now() - started);
    } catch (e) {
      this.busy(false);
      this.renderError(call, e, "Invoke");
    } finally {
      this.call = null;
    }
  }

  async invokeAsync() {
    const call = this.prepare("async");
    if (!call) return;
    this.reset();
    this.call = new AbortController();
    this.busy(true, `Queueing ${call.name}…`);
    let requestId;
    // The service lists the last hour unless asked otherwise, even by request id: the wait
    // looks from a little before this accept (clocks differ), however long it runs.
    const since = new Date(Date.now() - 5 * 60 * 1000);
    try {
      ({ requestId } = await call.client.invokeAsync(call.urn, call.event, { signal: this.call.signal }));
    } catch (e) {
      this.busy(false);
      this.renderError(call, e, "Invoke async");
      return;
    } finally {
      this.call = null;
    }
    this.busy(false);
    const status = h("span", { class: "async-status" }, statusPill("WAIT"));
    const outcome = h("div", { class: "async-outcome" });
    this.show(
      h(
        "div",
        { class: "result-body", dataset: { requestId } },
        h(
          "div",
          { class: "result-head" },
          h("span", { class: "pill pill-success", text: "202 Accepted" }),
          h("strong", { text: call.name }),
          h("span", { class: "muted", text: `async invoke · ${formatUtc(new Date())} UTC` }),
        ),
        meta([
          ["Request ID", h("code", { class: "request-id", text: requestId })],
          ["Status", status],
        ]),
        outcome,
        h("p", { class: "hint", text: "Queued. It is highlighted in the async invocations table below, which refreshes until it finishes." }),
      ),
      `Queued ${call.name}: request ${requestId}`,
    );
    this.table.track(call.urn, requestId);
    this.wait(call, requestId, since, status, outcome);
  }

  /** Follows the new async invocation to its terminal status (waitForAsyncInvocation). */
  async wait(call, requestId, since, statusEl, outcomeEl) {
    this.waiter = new AbortController();
    const signal = this.waiter.signal;
    statusEl.replaceChildren(statusPill("WAIT"), h("span", { class: "muted", text: " waiting for a terminal status…" }));
    this.followed = { requestId, statusEl };
    try {
      const record = await call.client.waitForAsyncInvocation(call.urn, requestId, {
        intervalMs: 500,
        maxIntervalMs: 2000,
        timeoutMs: 15 * 60 * 1000,
        since,
        signal,
      });
      statusEl.replaceChildren(statusPill(record.status));
      if (record.status !== "SUCCESS") {
        outcomeEl.replaceChildren(
          h(
            "div",
            { class: record.status === "FAIL" ? "error-box" : "warn-box" },
            record.errorCode
              ? h(
                  "div",
                  { class: "error-head" },
                  h("span", { class: "muted", text: "Error code" }),
                  h("code", { class: "error-code", text: String(record.errorCode) }),
                )
              : null,
            h("p", { class: "error-message", text: record.errorMessage || `The invocation ended as ${record.status}.` }),
          ),
        );
      }
      this.el.announce.textContent = `Async ${call.name} ${requestId}: ${record.status}`;
    } catch (e) {
      if (signal.aborted && signal.reason === CANCELLED) {
        statusEl.replaceChildren(h("span", { class: "muted", text: "not followed any more (see the table)" }));
        return;
      }
      outcomeEl.replaceChildren(errorBlock(this.lib, e, "Following the async invocation"));
    } finally {
      if (this.followed?.requestId === requestId) this.followed = null;
    }
  }

  renderResult(call, r, roundTripMs) {
    const failed = Boolean(r.functionError);
    const s = r.summary;
    const result = pretty(r.result);
    const blocks = [];
    if (failed) {
      const fe = r.functionError;
      blocks.push(
        h(
          "div",
          { class: "error-box" },
          h(
            "div",
            { class: "error-head" },
            h("span", { class: "pill pill-fail", text: fe.type || "Function error" }),
            h("code", { class: "error-code", text: String(fe.code) }),
          ),
          h("p", { class: "error-message", text: fe.message }),
          fe.stackTrace?.length ? h("details", {}, h("summary", { text: "Stack trace" }), h("pre", { class: "code", text: fe.stackTrace.join("\n") })) : null,
        ),
      );
    }
    blocks.push(codeBlock(result.json ? "Result (JSON)" : "Result", result.text || "(empty)"));
    // HTTP-style functions (APIG shape) carry their answer as JSON text in `body`.
    const body = result.json && typeof result.value?.body === "string" && !result.value.isBase64Encoded ? pretty(result.value.body) : null;
    if (body?.json) blocks.push(codeBlock("Response body (result.body, parsed)", body.text));
    if (this.el.logTail.checked || r.log) {
      blocks.push(codeBlock("Log tail", r.log || "(no log lines)", "code log"));
    }
    this.show(
      h(
        "div",
        { class: "result-body", dataset: { requestId: r.requestId, status: String(r.status) } },
        h(
          "div",
          { class: "result-head" },
          h("span", { class: `pill ${failed ? "pill-fail" : "pill-success"}`, text: failed ? `Failed · ${r.status}` : `${r.status} OK` }),
          h("strong", { text: call.name }),
          h("span", { class: "muted", text: `sync invoke · ${formatUtc(new Date())} UTC` }),
        ),
        meta([
          ["Request ID", h("code", { class: "request-id", text: r.requestId || "—" })],
          s ? ["Duration", formatMs(s.durationMs)] : null,
          s ? ["Billed", formatMs(s.billingDurationMs)] : null,
          s ? ["Memory", `${s.memorySizeMb} MB (used ${s.memoryUsedMb} MB)`] : null,
          ["Round trip", formatMs(roundTripMs)],
        ]),
        blocks,
      ),
      `${call.name}: ${failed ? `failed with ${r.status}` : `${r.status} OK`}${s ? ` in ${formatMs(s.durationMs)}` : ""}`,
    );
  }

  renderError(call, e, what) {
    if (e === CANCELLED) {
      this.show(h("p", { class: "notice", text: `${what} of ${call.name} cancelled.` }), `${what} cancelled`);
      return;
    }
    const d = describeError(this.lib, e);
    this.show(
      h("div", { class: "result-body" }, errorBlock(this.lib, e, `${what} · ${call.name}`)),
      `${what} failed: ${d.name}${d.code ? ` ${d.code}` : ""}: ${d.message}`,
    );
  }
}
