// The live table of a function's async invocations: listAsyncInvocations, newest
// first, paged by nextMarker, filtered by status and UTC time range, refreshed every
// second while a visible row is WAIT or RUNNING (and stopped once all are terminal).
import { byId, formatUtc, fromUtcInputValue, h, statusPill, toUtcInputValue } from "./dom.js";
import { describeError, errorBlock } from "./error-view.js";

const TERMINAL = new Set(["SUCCESS", "FAIL", "DISCARD"]);
const REFRESH_MS = 1000;
/** How long a just-started invocation that is not listed yet keeps the table refreshing. */
const PENDING_MS = 15_000;
const STALE = Symbol("stale listing");

export class AsyncTable {
  constructor(lib) {
    this.lib = lib;
    this.client = null;
    this.urn = "";
    this.name = "";
    this.markers = [undefined]; // marker of each page visited; page 1 has none
    this.pageIndex = 0;
    this.page = null;
    this.error = null;
    this.timer = null;
    this.controller = null;
    this.generation = 0;
    this.onStatus = null; // (requestId, status) for every listed row, e.g. for the result panel
    this.highlight = new Set();
    this.confirming = null; // {id, until}: the row whose Stop asks for confirmation
    this.stopping = new Set(); // request ids being stopped
    this.actionError = null; // the last failed Stop
    this.pending = new Map(); // request id → when it was started (not listed yet)
    this.el = {
      name: byId("async-fn"),
      status: byId("async-status-filter"),
      from: byId("async-from"),
      to: byId("async-to"),
      range: byId("async-range"),
      clear: byId("async-clear"),
      pageSize: byId("async-page-size"),
      refresh: byId("async-refresh"),
      auto: byId("async-auto"),
      live: byId("async-live"),
      updated: byId("async-updated"),
      problem: byId("async-problem"),
      table: byId("async-table"),
      tbody: byId("async-tbody"),
      prev: byId("async-prev"),
      next: byId("async-next"),
      pageInfo: byId("async-page-info"),
      filtersToggle: byId("async-filters-toggle"),
      filters: byId("async-filters"),
    };
    // Phones fold the filters away behind a button that says how many are set.
    this.el.filtersToggle.addEventListener("click", () => {
      const open = !this.el.filters.classList.contains("is-open");
      this.el.filters.classList.toggle("is-open", open);
      this.el.filtersToggle.setAttribute("aria-expanded", String(open));
    });
    const refilter = () => {
      const active = [this.el.status.value, this.el.from.value, this.el.to.value].filter(Boolean).length;
      this.el.filtersToggle.textContent = active ? `Filters (${active})` : "Filters";
      this.firstPage();
      this.load();
    };
    this.el.status.addEventListener("change", refilter);
    this.el.pageSize.addEventListener("change", refilter);
    for (const input of [this.el.from, this.el.to]) {
      input.addEventListener("change", () => {
        this.el.range.value = "";
        refilter();
      });
    }
    this.el.range.addEventListener("change", () => {
      const secs = Number(this.el.range.value);
      if (secs > 0) {
        this.el.from.value = toUtcInputValue(new Date(Date.now() - secs * 1000));
        this.el.to.value = "";
      }
      refilter();
    });
    this.el.clear.addEventListener("click", () => {
      this.el.status.value = "";
      this.el.from.value = "";
      this.el.to.value = "";
      this.el.range.value = "";
      refilter();
    });
    this.el.refresh.addEventListener("click", () => this.load());
    this.el.auto.addEventListener("change", () => (this.el.auto.checked ? this.load() : this.halt("Auto-refresh is off.")));
    // Stop (cancelAsyncInvocation) on WAIT and RUNNING rows: a first click asks, a second
    // click within a few seconds stops it.
    this.el.tbody.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-action=stop]");
      if (button) this.stopClicked(button.dataset.requestId);
    });
    this.el.prev.addEventListener("click", () => {
      if (this.pageIndex === 0) return;
      this.pageIndex -= 1;
      this.load();
    });
    this.el.next.addEventListener("click", () => {
      const next = this.page?.nextMarker;
      if (next === null || next === undefined) return;
      this.markers[this.pageIndex + 1] = next;
      this.markers.length = this.pageIndex + 2;
      this.pageIndex += 1;
      this.load();
    });
    // A hidden tab does not poll; it catches up when shown again.
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.wantsRefresh()) this.load();
    });
    this.renderEmpty("Pick a function to see its async invocations.");
  }

  /** Shows the invocations of `urn` through `client` (either may be null), from page 1. */
  setContext(client, urn, name) {
    const sameUrn = urn === this.urn;
    this.client = client;
    this.urn = urn;
    this.name = name || urn;
    this.el.name.textContent = urn ? this.name : "—";
    if (!sameUrn) {
      this.highlight.clear();
      this.pending.clear();
      this.confirming = null;
    }
    this.actionError = null;
    this.firstPage();
    this.load();
  }

  /** A new async invocation of `urn`: highlight it and show page 1 now. */
  track(urn, requestId) {
    if (urn !== this.urn) return;
    this.highlight.add(requestId);
    this.pending.set(requestId, Date.now());
    this.firstPage();
    this.load();
  }

  firstPage() {
    this.markers = [undefined];
    this.pageIndex = 0;
  }

  /** The listing query from the filters, or `{error}`. */
  query() {
    const q = { limit: Number(this.el.pageSize.value) || 10 };
    if (this.el.status.value) q.status = this.el.status.value;
    const from = this.el.from.value ? fromUtcInputValue(this.el.from.value) : null;
    const to = this.el.to.value ? fromUtcInputValue(this.el.to.value) : null;
    if (this.el.from.value && !from) return { error: "“From” is not a valid date and time." };
    if (this.el.to.value && !to) return { error: "“To” is not a valid date and time." };
    if (from && to && from > to) return { error: "“From” is after “To”." };
    if (from) q.begin = from;
    if (to) q.end = to;
    return q;
  }

  halt(message) {
    clearTimeout(this.timer);
    this.timer = null;
    if (message !== undefined) this.el.live.textContent = message;
  }

  async load() {
    this.halt();
    this.controller?.abort(STALE);
    this.controller = null;
    const generation = ++this.generation;
    if (!this.urn) return this.renderEmpty("Pick a function to see its async invocations.");
    if (!this.client) return this.renderEmpty("Fix the connection settings to list async invocations.");
    const q = this.query();
    if (q.error) return this.renderEmpty(q.error, true);

    const controller = new AbortController();
    this.controller = controller;
    this.el.table.setAttribute("aria-busy", "true");
    try {
      const page = await this.client.listAsyncInvocations(this.urn, {
        ...q,
        marker: this.markers[this.pageIndex],
        signal: controller.signal,
      });
      if (generation !== this.generation) return;
      this.page = page;
      this.error = null;
    } catch (e) {
      if (generation !== this.generation || e === STALE) return;
      this.page = null;
      this.error = e;
    } finally {
      if (generation === this.generation) {
        this.controller = null;
        this.el.table.setAttribute("aria-busy", "false");
      }
    }
    this.render();
    this.schedule();
  }

  /** Whether the visible state calls for another look in a second. */
  wantsRefresh() {
    if (!this.el.auto.checked || this.error || !this.page) return false;
    const now = Date.now();
    for (const [id, at] of this.pending) if (now - at > PENDING_MS) this.pending.delete(id);
    return this.page.invocations.some((i) => !TERMINAL.has(i.status)) || (this.pageIndex === 0 && this.pending.size > 0);
  }

  schedule() {
    if (this.error) {
      const d = describeError(this.lib, this.error);
      return this.halt(`Listing failed: ${d.name}${d.code ? ` ${d.code}` : ""}. Refresh to try again.`);
    }
    if (!this.el.auto.checked) return this.halt("Auto-refresh is off.");
    if (!this.wantsRefresh()) return this.halt("All shown invocations are finished.");
    const running = this.page.invocations.filter((i) => !TERMINAL.has(i.status)).length;
    this.el.live.textContent = running
      ? `Refreshing every second: ${running} in progress.`
      : "Refreshing every second: waiting for the new invocation to be listed.";
    if (!document.hidden) this.timer = setTimeout(() => this.load(), REFRESH_MS);
  }

  renderEmpty(message, isError = false) {
    this.page = null;
    this.el.problem.replaceChildren();
    this.el.tbody.replaceChildren(
      h("tr", { class: "empty-row" }, h("td", { colSpan: 6, class: isError ? "is-error" : "", text: message })),
    );
    this.el.prev.disabled = true;
    this.el.next.disabled = true;
    this.el.pageInfo.textContent = "";
    this.el.updated.textContent = "";
    this.halt(isError ? message : "");
  }

  render() {
    const { tbody, problem, prev, next, pageInfo, updated } = this.el;
    updated.textContent = `Updated ${formatUtc(new Date()).slice(11)} UTC`;
    if (this.error) {
      problem.replaceChildren(errorBlock(this.lib, this.error, "Listing async invocations"));
      tbody.replaceChildren(h("tr", { class: "empty-row" }, h("td", { colSpan: 6, text: "Could not list the async invocations." })));
      prev.disabled = this.pageIndex === 0;
      next.disabled = true;
      pageInfo.textContent = "";
      return;
    }
    problem.replaceChildren(this.actionError ? errorBlock(this.lib, this.actionError, "Stopping an async invocation") : "");
    const { invocations, count, nextMarker } = this.page;
    for (const inv of invocations) {
      this.pending.delete(inv.requestId);
      this.onStatus?.(inv.requestId, inv.status);
    }
    // Rows are rebuilt every second while some run: keep the keyboard focus on its button.
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const focused = active && tbody.contains(active) ? active.dataset.requestId : null;
    tbody.replaceChildren(
      ...(invocations.length
        ? invocations.map((inv) => this.row(inv))
        : [
            h(
              "tr",
              { class: "empty-row" },
              h("td", {
                colSpan: 6,
                text: this.filtered()
                  ? `No async invocations of ${this.name} match these filters.`
                  : `No async invocations of ${this.name} in the last hour. Use “Invoke async” to start one.`,
              }),
            ),
          ]),
    );
    if (focused) tbody.querySelector(`button[data-request-id="${CSS.escape(focused)}"]`)?.focus();
    const size = Number(this.el.pageSize.value) || 10;
    const first = this.pageIndex * size + 1;
    pageInfo.textContent = invocations.length
      ? `Page ${this.pageIndex + 1} · ${first}–${first + invocations.length - 1} of ${count}`
      : `Page ${this.pageIndex + 1} · 0 of ${count}`;
    prev.disabled = this.pageIndex === 0;
    next.disabled = nextMarker === null || nextMarker === undefined;
  }

  filtered() {
    return Boolean(this.el.status.value || this.el.from.value || this.el.to.value);
  }

  row(inv) {
    const isNew = this.highlight.has(inv.requestId);
    const error = inv.errorCode || inv.errorMessage ? `${inv.errorCode ? `${inv.errorCode} ` : ""}${inv.errorMessage}`.trim() : "—";
    return h(
      "tr",
      { class: isNew ? "row-new" : "", dataset: { requestId: inv.requestId, status: inv.status } },
      h(
        "td",
        { dataset: { label: "Request ID" }, class: "cell-id" },
        h(
          "span",
          {},
          h("code", { class: "request-id", text: inv.requestId }),
          isNew ? h("span", { class: "tag-new", text: "new" }) : null,
        ),
      ),
      h("td", { dataset: { label: "Status" } }, statusPill(inv.status)),
      h("td", { dataset: { label: "Started (UTC)" }, class: "cell-time", text: formatUtc(inv.startTime) }),
      h("td", { dataset: { label: "Ended (UTC)" }, class: "cell-time", text: formatUtc(inv.endTime) }),
      h("td", {
        dataset: { label: "Error" },
        class: error === "—" ? "muted cell-empty" : inv.status === "FAIL" ? "cell-error" : "cell-warn",
        text: error,
      }),
      this.actionCell(inv),
    );
  }

  actionCell(inv) {
    if (TERMINAL.has(inv.status)) return h("td", { dataset: { label: "Actions" }, class: "cell-empty" });
    const id = inv.requestId;
    const stopping = this.stopping.has(id);
    const confirming = !stopping && this.confirming?.id === id && Date.now() < this.confirming.until;
    return h(
      "td",
      { dataset: { label: "Actions" } },
      h("button", {
        type: "button",
        class: `btn btn-small${confirming ? " btn-danger" : ""}`,
        dataset: { action: "stop", requestId: id },
        text: stopping ? "Stopping…" : confirming ? "Confirm" : "Stop",
        attrs: {
          "aria-label": `${confirming ? "Confirm: stop" : "Stop"} async invocation ${id}`,
          "aria-disabled": String(stopping),
        },
      }),
    );
  }

  stopClicked(id) {
    if (this.stopping.has(id)) return;
    this.actionError = null;
    if (this.confirming?.id === id && Date.now() < this.confirming.until) {
      this.confirming = null;
      this.stopInvocation(id);
    } else {
      this.confirming = { id, until: Date.now() + 4000 };
      if (this.page) this.render();
    }
  }

  /** cancelAsyncInvocation: the invocation ends as DISCARD. */
  async stopInvocation(id) {
    const { client, urn } = this;
    this.stopping.add(id);
    if (this.page) this.render();
    try {
      await client.cancelAsyncInvocation(urn, id);
    } catch (e) {
      this.actionError = e;
    } finally {
      this.stopping.delete(id);
    }
    if (client === this.client && urn === this.urn) this.load();
  }
}
