// End-to-end tests of the demo console (www/): the real fgs-emulator serves the page,
// the package (/pkg/) and the API from one origin, and headless Debian Chromium
// (playwright-core) drives the page like a person would, at desktop and phone widths
// and with the keyboard only.
//
//   node tests/demo/run.mjs
//
// Env: FGS_EMULATOR (default target/debug/fgs-emulator), PKG_DIR (default pkg/),
// CHROMIUM (default /usr/bin/chromium). Screenshots of every state and the emulator's
// log go to test-output/demo/. The whole run is bounded (HARD_LIMIT_MS) and cleans up
// after itself, also when it fails.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import { CHROMIUM_ARGS, createRun } from "../support/chromium-run.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const PKG_DIR = resolve(process.env.PKG_DIR ?? join(ROOT, "pkg"));
const WWW_DIR = join(ROOT, "www");
const EMULATOR_BIN = process.env.FGS_EMULATOR ?? join(ROOT, "target/debug/fgs-emulator");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUT_DIR = join(ROOT, "test-output/demo");
const HARD_LIMIT_MS = 120_000;
const STEP_MS = 15_000; // limit of any single wait in a scenario
// The only flags Chromium may get here (as tests/browser/run.mjs): anything else makes it

const PROJECT = "0123456789abcdef0123456789abcdef";
const urn = (name) => `urn:fss:cn-north-4:${PROJECT}:function:default:${name}:latest`;
const MISSING = "no-such-function";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Secrets typed into the page during the run; none may leave JS memory.
const nonce = Math.random().toString(36).slice(2, 10);
const WRONG_TOKEN = `wrong-token-${nonce}`;
const DEV_SECRET_KEY = "dev-secret-key-example";
const SECURITY_TOKEN = `security-token-${nonce}`;

// ---------------------------------------------------------------- resources and cleanup

const run = createRun({ name: "demo tests", hardLimitMs: HARD_LIMIT_MS });
const { state } = run;
const cleanup = () => run.cleanup();

// ---------------------------------------------------------------- the emulator

async function startEmulator() {
  const help = execFileSync(EMULATOR_BIN, ["--help"], { encoding: "utf8", timeout: 10_000 });
  assert.match(help, /--www\b/, `${EMULATOR_BIN} cannot serve the page (no --www): rebuild it`);
  return run.startEmulator({
    bin: EMULATOR_BIN,
    args: [
      "--functions", join(ROOT, "examples/functions"),
      "--data", run.tempDir("fgs-demo-data-"),
      "--www", WWW_DIR,
      "--pkg", PKG_DIR,
    ],
    logFile: join(OUT_DIR, "emulator.log"),
  });
}

// ---------------------------------------------------------------- a plain static server


/**
 * Serves www/ and pkg/ (at /pkg/) and nothing else, like any static host: the page
 * opened somewhere other than the emulator (no /_emulator/info).
 */
function startStaticServer() {
  return run.serveStatic([
    ["/pkg/", PKG_DIR],
    ["/", WWW_DIR],
  ]);
}

// ---------------------------------------------------------------- pages

function apiUrl(origin, name, op) {
  return `${origin}/v2/${PROJECT}/fgs/functions/${urn(name)}/${op}`;
}

/**
 * Console errors and page errors. Chromium logs every fetch answered with an HTTP error
 * status as "Failed to load resource: the server responded with a status of N", located
 * at the request URL. `expected` lists the ones a page provokes on purpose: each entry is
 * exempt exactly `count` times with that status at that URL (query ignored). Anything
 * else fails the page, and so does an expected error that did not happen.
 */
class ConsoleWatch {
  constructor(page, expected) {
    this.expected = expected.map((e) => ({ ...e, seen: 0 }));
    this.unexpected = [];
    this.allowed = [];
    this.all = []; // every console message's text, for the secrets check
    page.on("console", (msg) => {
      this.all.push(msg.text());
      if (msg.type() !== "error" && msg.type() !== "warning") return;
      const entry = { type: msg.type(), text: msg.text(), url: msg.location()?.url ?? "" };
      const ex = msg.type() === "error" && this.match(entry);
      (ex ? this.allowed : this.unexpected).push(`console.${entry.type}: ${entry.text} @ ${entry.url}`);
    });
    page.on("pageerror", (err) => this.unexpected.push(`pageerror: ${err?.stack || err}`));
  }

  match(entry) {
    const m = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(entry.text);
    if (!m) return false;
    let url;
    try {
      url = decodeURIComponent(entry.url);
    } catch {
      return false;
    }
    const path = url.split("?")[0];
    const ex = this.expected.find((e) => e.status === Number(m[1]) && e.url === path && e.seen < e.count);
    if (!ex) return false;
    ex.seen += 1;
    return true;
  }

  assertClean(t) {
    const missing = this.expected.filter((e) => e.seen !== e.count).map((e) => `${e.status} ${e.url}: seen ${e.seen} of ${e.count}`);
    assert.deepEqual(this.unexpected, [], this.unexpected.join("\n"));
    assert.deepEqual(missing, [], `expected HTTP errors that did not happen:\n${missing.join("\n")}`);
    if (this.allowed.length) t.diagnostic(`exempted: ${this.allowed.join(" | ")}`);
  }
}

async function openPage(name, viewport, expectedErrors = [], origin = emulatorUrl) {
  const context = await state.browser.newContext({ viewport });
  state.contexts.add(context);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const watch = new ConsoleWatch(page, expectedErrors);
  const requests = [];
  page.on("request", (req) =>
    requests.push({ method: req.method(), url: req.url(), headers: req.headers(), body: req.postData() }),
  );
  // Only loopback traffic is allowed: any other request is refused and reported.
  await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/, (route) => {
    watch.unexpected.push(`non-loopback request blocked: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(`${origin}/`, { waitUntil: "load", timeout: STEP_MS });
  await page.waitForSelector("body[data-ready=true]", { timeout: STEP_MS });
  let shot = 0;
  return {
    context,
    page,
    watch,
    requests,
    async screenshot(label, { fullPage = true } = {}) {
      shot += 1;
      const file = join(OUT_DIR, `${name}-${String(shot).padStart(2, "0")}-${label}.png`);
      await page.screenshot({ path: file, fullPage, timeout: 10_000 });
      return file;
    },
    async close() {
      state.contexts.delete(context);
      await context.close().catch(() => {});
    },
  };
}

/** Polls `fn` (async) until it returns a truthy value; fails with `what` after `ms`. */
async function until(fn, what, ms = STEP_MS) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last?.message ?? JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const text = (page, selector) => page.locator(selector).innerText();
const scrollTo = (page, selector) => page.locator(selector).evaluate((el) => el.scrollIntoView({ block: "start" }));

/** Invokes (sync) and waits for the result or error to replace the previous one. */
async function clickAndWaitResult(page, button) {
  const before = await page.locator("#result").innerHTML();
  await page.click(button);
  await until(
    async () => (await page.locator("#result").getAttribute("aria-busy")) === "false" && (await page.locator("#result").innerHTML()) !== before,
    `a new result after ${button}`,
  );
  return text(page, "#result");
}

/** Starts an async invocation; returns its request id (shown in the result panel). */
async function invokeAsync(page) {
  await clickAndWaitResult(page, "#btn-invoke-async");
  const id = (await page.locator("#result .request-id").innerText()).trim();
  assert.match(id, UUID, `no request id in the result panel: ${await text(page, "#result")}`);
  return id;
}

const row = (page, id) => page.locator(`#async-tbody tr[data-request-id="${id}"]`);

async function waitRowStatus(page, id, status, ms = STEP_MS) {
  return until(async () => (await row(page, id).getAttribute("data-status", { timeout: 200 })) === status, `row ${id} to be ${status}`, ms);
}

/** Every place a secret could leak to: storage, cookies, the page URL, request URLs, console. */
async function leakReport(p, secrets) {
  const { page, context, requests, watch } = p;
  const storage = await page.evaluate(() => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i))]));
    return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie, url: location.href, history: history.length };
  });
  const places = {
    localStorage: JSON.stringify(storage.local),
    sessionStorage: JSON.stringify(storage.session),
    "document.cookie": storage.cookie,
    cookies: JSON.stringify(await context.cookies()),
    "page URL": page.url() + " " + storage.url,
    "request URLs": requests.map((r) => r.url).join("\n"),
    console: watch.all.join("\n"),
  };
  const leaks = [];
  for (const secret of secrets) {
    for (const [where, value] of Object.entries(places)) {
      if (value.includes(secret)) leaks.push(`${JSON.stringify(secret)} found in ${where}`);
    }
  }
  return { leaks, storage };
}

// ---------------------------------------------------------------- the suite

let emulatorUrl;
let setupError;

before(async () => {
  try {
    assert.ok(existsSync(join(PKG_DIR, "browser.js")), `no ${PKG_DIR}/browser.js (node scripts/build-pkg.mjs)`);
    mkdirSync(OUT_DIR, { recursive: true });
    for (const f of readdirSync(OUT_DIR)) if (f.endsWith(".png")) rmSync(join(OUT_DIR, f));
    const { chromium } = await import("playwright-core");
    const launched = chromium
      .launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
      .then((browser) => (state.browser = browser));
    // allSettled: when one part fails, the other still finishes starting and is cleaned up.
    const settled = await Promise.allSettled([startEmulator(), launched]);
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    emulatorUrl = settled[0].value;
  } catch (e) {
    setupError = e;
    throw e;
  }
});

after(cleanup);

describe("desktop (1280×900)", () => {
  let p;
  const expected = () => [
    // The unknown function: the table lists it as soon as the URN is entered, then Invoke.
    { status: 404, url: apiUrl(emulatorUrl, MISSING, "async-invocations"), count: 1 },
    { status: 404, url: apiUrl(emulatorUrl, MISSING, "invocations"), count: 1 },
    // The wrong token: the table lists with it once the connection changes, then Invoke.
    { status: 401, url: apiUrl(emulatorUrl, "hello", "async-invocations"), count: 1 },
    { status: 401, url: apiUrl(emulatorUrl, "hello", "invocations"), count: 1 },
  ];

  before(async () => {
    if (setupError) throw setupError;
    p = await openPage("desktop", { width: 1280, height: 900 }, expected());
  });
  after(async () => p?.close());

  test("served by the emulator, the page starts with working defaults", async () => {
    const { page } = p;
    assert.equal(await page.inputValue("#conn-endpoint"), emulatorUrl);
    assert.equal(await page.inputValue("#conn-project"), PROJECT);
    assert.equal(await page.inputValue("#conn-token"), "dev-token");
    assert.equal(await page.getAttribute("#conn-token", "type"), "password");
    assert.ok(await page.isChecked("#conn-auth-token"));
    const options = await page.locator("#fn-select option").allInnerTexts();
    for (const name of ["hello", "echo", "sleep", "fail", "logs"]) assert.ok(options.includes(name), `no ${name} in ${options}`);
    assert.equal(await page.inputValue("#fn-select"), "hello");
    assert.equal(await page.inputValue("#fn-urn"), urn("hello"));
    assert.match(await text(p.page, "#env-badge"), /Emulator · cn-north-4/);
    assert.match(await text(p.page, "#conn-status"), /^Ready · token/);
    await until(async () => /No async invocations of hello/.test(await text(page, "#async-tbody")), "the empty async table");
    await p.screenshot("loaded");
  });

  test("invoke hello: pretty result, status, request id, summary and log tail", async () => {
    const { page, requests } = p;
    await page.fill("#event", '{\n  "name": "playwright"\n}');
    const shown = await clickAndWaitResult(page, "#btn-invoke");
    // Sent without the whitespace between tokens (see www/events.js compactJson).
    assert.equal(requests.findLast((r) => r.url.endsWith("/invocations"))?.body, '{"name":"playwright"}');
    assert.match(shown, /200 OK/);
    assert.match(shown, /"message": "hello playwright"/, shown);
    assert.match(shown, /"statusCode": 200/);
    assert.match(shown, /Start invoke request/);
    assert.match(shown, /Hello, World!/);
    assert.match(shown, /Finish invoke request/);
    for (const label of ["Request ID", "Duration", "Billed", "Memory"]) assert.match(shown, new RegExp(label));
    assert.match(shown, /128 MB \(used [\d.]+ MB\)/);
    assert.match((await page.locator("#result .request-id").innerText()).trim(), UUID);
    assert.match(await text(page, "#result-announce"), /hello: 200 OK/);
    await p.screenshot("invoke-hello");
  });

  test("invalid JSON is refused before anything is sent", async () => {
    const { page, requests } = p;
    await page.fill("#event", '{"name": }');
    const sent = requests.length;
    const shown = await clickAndWaitResult(page, "#btn-invoke");
    assert.match(shown, /Not sent\. Invalid JSON/);
    assert.match(await text(page, "#event-status"), /Invalid JSON at line 1, column \d+/);
    assert.equal(await page.getAttribute("#event", "aria-invalid"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "event");
    assert.deepEqual(requests.slice(sent).filter((r) => r.url.includes("/v2/")), [], "a request was sent");
    await p.screenshot("invalid-json");
  });

  test("invoke async: the new row is highlighted and refreshes on its own to SUCCESS", async () => {
    const { page, requests } = p;
    await page.selectOption("#fn-select", "sleep");
    assert.equal(await page.inputValue("#fn-urn"), urn("sleep"));
    await page.fill("#event", '{ "ms": 1500 }');
    const id = await invokeAsync(page);
    await row(page, id).waitFor();
    assert.match(await row(page, id).getAttribute("class"), /row-new/);
    const first = await row(page, id).getAttribute("data-status");
    assert.ok(["WAIT", "RUNNING"].includes(first), `first status ${first}`);
    await until(async () => (await row(page, id).getAttribute("data-status")) === "RUNNING", "RUNNING");
    assert.match(await text(page, "#async-live"), /Refreshing every second: 1 in progress/);
    assert.match(await text(page, "#result .async-status"), /RUNNING/);
    await p.screenshot("async-running");
    await waitRowStatus(page, id, "SUCCESS");
    assert.match(await row(page, id).locator(".pill").getAttribute("class"), /pill-success/);
    assert.match(await text(page, "#async-live"), /All shown invocations are finished/);
    // The result panel followed it too (waitForAsyncInvocation), looking the record up from
    // a few minutes before the accept: the service's hour window holds for id lookups too.
    await until(async () => /SUCCESS/.test(await text(page, "#result .async-status")), "the result panel's SUCCESS");
    const lookups = requests.filter((r) => r.url.includes("/async-invocations") && r.url.includes(`request_id=${id}`));
    assert.ok(lookups.length > 0, "no lookup by request id");
    for (const r of lookups) {
      const begin = new URL(r.url).searchParams.get("query_begin_time");
      const ms = Date.parse(`${begin}Z`);
      assert.ok(ms < Date.now() - 4 * 60_000 && ms > Date.now() - 30 * 60_000, `query_begin_time ${begin}`);
    }
    // Auto-refresh stopped: no more listings of the page for a while.
    const listings = () => requests.filter((r) => r.url.includes("/async-invocations") && !r.url.includes("request_id=")).length;
    const n = listings();
    await page.waitForTimeout(2500);
    assert.equal(listings(), n, "the table kept refreshing after every row was terminal");
    await p.screenshot("async-success");
  });

  test("filter the table by status and by time range", async () => {
    const { page, requests } = p;
    const id = await page.locator("#async-tbody tr.row-new").first().getAttribute("data-request-id");
    await page.selectOption("#async-status-filter", "FAIL");
    await until(async () => /No async invocations of sleep match these filters/.test(await text(page, "#async-tbody")), "no FAIL rows");
    assert.ok(requests.some((r) => r.url.includes("/async-invocations") && r.url.includes("status=FAIL")));
    await p.screenshot("filter-fail-empty");
    await page.selectOption("#async-status-filter", "SUCCESS");
    await row(page, id).waitFor();
    // A window in the past: nothing.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await page.fill("#async-from", `${day}T00:00:00`);
    await page.fill("#async-to", `${day}T01:00:00`);
    await until(async () => /match these filters/.test(await text(page, "#async-tbody")), "no rows yesterday");
    const listing = requests.filter((r) => r.url.includes("/async-invocations")).at(-1).url;
    assert.match(listing, new RegExp(`query_begin_time=${day}T00%3A00%3A00`));
    assert.match(listing, new RegExp(`query_end_time=${day}T01%3A00%3A00`));
    await p.screenshot("filter-time-empty");
    // A window around now (UTC): the row again.
    const now = Date.now();
    await page.fill("#async-from", new Date(now - 600_000).toISOString().slice(0, 19));
    await page.fill("#async-to", new Date(now + 600_000).toISOString().slice(0, 19));
    await row(page, id).waitFor();
    await p.screenshot("filter-time-now");
    await page.click("#async-clear");
    await row(page, id).waitFor();
    assert.equal(await page.inputValue("#async-status-filter"), "");
  });

  test("a failing function: FAIL in red, found by the FAIL filter", async () => {
    const { page } = p;
    await page.selectOption("#fn-select", "fail");
    await page.click("#event-sample");
    const id = await invokeAsync(page);
    await waitRowStatus(page, id, "FAIL", 20_000);
    const pill = row(page, id).locator(".pill");
    assert.match(await pill.getAttribute("class"), /pill-fail/);
    assert.equal(await pill.evaluate((el) => getComputedStyle(el).color), "rgb(196, 38, 29)");
    assert.match(await row(page, id).innerText(), /intentional failure: demo/);
    await until(async () => /FAIL/.test(await text(page, "#result .async-status")), "the result panel's FAIL");
    await page.selectOption("#async-status-filter", "FAIL");
    await until(async () => (await page.locator("#async-tbody tr[data-status=FAIL]").count()) >= 1 && (await page.locator("#async-tbody tr[data-status]:not([data-status=FAIL])").count()) === 0, "only FAIL rows");
    await p.screenshot("async-fail");
    await page.click("#async-clear");
  });

  test("paging by nextMarker: Next and Previous", async () => {
    const { page } = p;
    await page.selectOption("#fn-select", "echo");
    await page.selectOption("#async-page-size", "5");
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await invokeAsync(page));
    await until(async () => /Page 1 · 1–5 of 6/.test(await text(page, "#async-page-info")), "page 1 of 6 rows");
    await until(async () => (await page.locator("#async-tbody tr[data-status=SUCCESS]").count()) === 5, "5 SUCCESS rows");
    assert.ok(await page.isDisabled("#async-prev"));
    // Newest first: the last one started is the first row.
    assert.equal(await page.locator("#async-tbody tr").first().getAttribute("data-request-id"), ids[5]);
    await p.screenshot("paging-1");
    await page.click("#async-next");
    await until(async () => /Page 2 · 6–6 of 6/.test(await text(page, "#async-page-info")), "page 2");
    assert.equal(await page.locator("#async-tbody tr").first().getAttribute("data-request-id"), ids[0]);
    assert.ok(await page.isDisabled("#async-next"));
    await p.screenshot("paging-2");
    await page.click("#async-prev");
    await until(async () => /Page 1 · 1–5 of 6/.test(await text(page, "#async-page-info")), "back on page 1");
    await page.selectOption("#async-page-size", "10");
  });

  test("Cancel stops a call in flight", async () => {
    const { page } = p;
    await page.selectOption("#fn-select", "sleep");
    await page.fill("#event", '{"ms": 2500}');
    // The proof that the cancel ended the call early: Chromium reports its fetch as
    // aborted (a call left to its answer finishes instead). It replaces a "< 2 s from the
    // click" bound, which the screenshot below could eat on a loaded machine.
    const aborted = page.waitForEvent("requestfailed", {
      predicate: (r) => r.method() === "POST" && /\/invocations$/.test(r.url()),
      timeout: STEP_MS,
    });
    aborted.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    await page.click("#btn-invoke");
    await page.waitForSelector("#btn-cancel:visible");
    assert.equal(await page.getAttribute("#btn-invoke", "aria-disabled"), "true");
    await p.screenshot("invoke-in-flight");
    await page.click("#btn-cancel");
    await until(async () => /Invoke of sleep cancelled/.test(await text(page, "#result")), "the cancelled notice");
    assert.match((await aborted).failure()?.errorText ?? "", /ERR_ABORTED/, "the cancel did not end the call early");
    assert.ok(await page.isHidden("#btn-cancel"));
    assert.equal(await page.getAttribute("#btn-invoke", "aria-disabled"), "false");
  });

  test("Stop on a RUNNING row cancels it: DISCARD, in amber", async () => {
    const { page, requests } = p;
    await page.selectOption("#fn-select", "sleep");
    await page.fill("#event", '{"ms": 2500}');
    const id = await invokeAsync(page);
    await waitRowStatus(page, id, "RUNNING");
    const stop = row(page, id).locator("button[data-action=stop]");
    await stop.click();
    assert.equal((await stop.innerText()).trim(), "Confirm");
    assert.match(await stop.getAttribute("aria-label"), /^Confirm: stop async invocation /);
    await p.screenshot("stop-confirm");
    const sent = requests.length;
    await stop.click();
    await waitRowStatus(page, id, "DISCARD");
    assert.ok(requests.slice(sent).some((r) => r.method === "POST" && r.url.endsWith("/cancel")), "no cancel request");
    const pill = row(page, id).locator(".pill");
    assert.match(await pill.getAttribute("class"), /pill-discard/);
    assert.equal(await pill.evaluate((el) => getComputedStyle(el).color), "rgb(138, 90, 0)");
    assert.equal(await row(page, id).locator("button").count(), 0, "a terminal row still offers Stop");
    await until(async () => /DISCARD/.test(await text(page, "#result .async-status")), "the result panel's DISCARD");
    await p.screenshot("stop-discard");
  });

  test("an unknown function shows a ServiceError with its code", async () => {
    const { page } = p;
    await page.selectOption("#fn-select", "__custom__");
    await page.fill("#fn-urn", urn(MISSING));
    await until(async () => /ServiceError/.test(await text(page, "#async-problem")), "the table's listing error");
    const shown = await clickAndWaitResult(page, "#btn-invoke");
    assert.match(shown, /ServiceError/);
    assert.match(shown, /FSS\.0404/);
    assert.match(shown, /HTTP 404/);
    assert.match(shown, /Request ID/);
    assert.equal(await page.locator("#result .error-box").getAttribute("data-error-name"), "ServiceError");
    assert.match(await text(page, "#async-problem"), /FSS\.0404/);
    await p.screenshot("unknown-function");
  });

  test("a wrong token shows the auth error", async () => {
    const { page } = p;
    await page.selectOption("#fn-select", "hello");
    await page.check("#conn-remember"); // also proves "remember" keeps the token out of storage
    await page.fill("#conn-token", WRONG_TOKEN);
    // The API gateway's answer to a token it cannot read (it was the service's 403 FSS.0403).
    await until(async () => /APIGW\.0301/.test(await text(page, "#async-problem")), "the table's 401");
    const shown = await clickAndWaitResult(page, "#btn-invoke");
    assert.match(shown, /ServiceError/);
    assert.match(shown, /APIGW\.0301/);
    assert.match(shown, /HTTP 401/);
    assert.match(shown, /decrypt token fail/);
    assert.match(shown, /check the token, or the access key and secret key/);
    await p.screenshot("wrong-token");
  });

  test("AK/SK signing works and no secret reaches storage, cookies, URLs or the console", async () => {
    const { page, requests } = p;
    await page.click("#conn-token + button[data-reveal]");
    assert.equal(await page.getAttribute("#conn-token", "type"), "text");
    assert.equal(await page.inputValue("#conn-token"), WRONG_TOKEN);
    await page.click("label[for=conn-auth-aksk]");
    assert.equal(await page.inputValue("#conn-ak"), "DEVACCESSKEYEXAMPLE0");
    await page.fill("#conn-sk", DEV_SECRET_KEY);
    // A security token (temporary keys) travels as a header only; the emulator's dev key
    // has none configured, so it ignores it.
    await page.fill("#conn-st", SECURITY_TOKEN);
    await until(async () => !(await text(page, "#async-problem")), "the table listing again");
    const sent = requests.length;
    await page.fill("#event", '{"name":"signed"}');
    const shown = await clickAndWaitResult(page, "#btn-invoke");
    assert.match(shown, /hello signed/, shown);
    const signed = requests.slice(sent).find((r) => r.url.endsWith("/invocations"));
    assert.match(signed.headers.authorization ?? "", /^SDK-HMAC-SHA256 Access=DEVACCESSKEYEXAMPLE0, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/);
    assert.equal(signed.headers["x-security-token"], SECURITY_TOKEN);
    assert.equal(signed.headers["x-auth-token"], undefined);
    const { leaks, storage } = await leakReport(p, [WRONG_TOKEN, DEV_SECRET_KEY, SECURITY_TOKEN, "dev-token"]);
    assert.deepEqual(leaks, []);
    // "Remember" did store the non-secret fields, and only those.
    const saved = JSON.parse(Object.values(storage.local)[0] ?? "{}");
    assert.deepEqual(Object.keys(saved).sort(), ["auth", "endpoint", "projectId", "region", "target", "urn"]);
    assert.equal(saved.auth, "aksk");
    assert.equal(saved.endpoint, emulatorUrl);
    assert.equal(saved.urn, urn("hello"));
    assert.deepEqual(storage.session, {});
    await p.screenshot("aksk-signed");
  });

  test("remembered settings come back after a reload; secrets do not", async () => {
    const { page } = p;
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector("body[data-ready=true]");
    assert.ok(await page.isChecked("#conn-remember"));
    assert.ok(await page.isChecked("#conn-auth-aksk"));
    assert.equal(await page.inputValue("#fn-urn"), urn("hello"));
    // The credentials are the emulator's public dev identity again (from /_emulator/info),
    // not what was typed before the reload.
    assert.equal(await page.inputValue("#conn-token"), "dev-token");
    assert.equal(await page.inputValue("#conn-sk"), DEV_SECRET_KEY);
    assert.equal(await page.inputValue("#conn-st"), "");
    const { leaks } = await leakReport(p, [WRONG_TOKEN, DEV_SECRET_KEY, SECURITY_TOKEN]);
    assert.deepEqual(leaks, []);
  });

  test("no console errors or page errors, except the four deliberate HTTP errors", (t) => {
    p.watch.assertClean(t);
  });
});

describe("keyboard only (1280×900)", () => {
  let p;
  before(async () => {
    if (setupError) throw setupError;
    p = await openPage("keyboard", { width: 1280, height: 900 });
  });
  after(async () => p?.close());

  /** Presses Tab until the element matching `selector` has focus (at most 60 times). */
  async function tabTo(selector) {
    selector = /^[\w-]+$/.test(selector) ? `#${selector}` : selector;
    for (let i = 1; i <= 60; i++) {
      await p.page.keyboard.press("Tab");
      if (await p.page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return i;
    }
    throw new Error(`${selector} is not reachable with Tab`);
  }

  const focusedId = () => p.page.evaluate(() => document.activeElement?.dataset.requestId ?? document.activeElement?.id);

  test("pick a function, edit the event and invoke with Tab and Enter", async () => {
    const { page } = p;
    await tabTo("fn-select");
    await page.keyboard.press("e"); // type-ahead: "echo"
    await until(async () => (await page.inputValue("#fn-urn")) === urn("echo"), "echo selected by keyboard");
    await tabTo("event");
    await page.keyboard.press("Control+A");
    await page.keyboard.type('{"keyboard": true}');
    await tabTo("btn-invoke");
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { style: s.outlineStyle, width: s.outlineWidth, visible: document.activeElement.matches(":focus-visible") };
    });
    assert.ok(ring.visible && ring.style !== "none" && ring.width !== "0px", `no visible focus ring: ${JSON.stringify(ring)}`);
    await p.screenshot("focus-on-invoke", { fullPage: false });
    await page.keyboard.press("Enter");
    await until(async () => /"keyboard": true/.test(await text(page, "#result")), "the echo result");
    assert.match(await text(page, "#result"), /200 OK/);
    // The focus stayed on the button: Enter again invokes again.
    assert.equal(await page.evaluate(() => document.activeElement?.id), "btn-invoke");
    await p.screenshot("invoked");
  });

  test("invoke async and stop it from the table, keeping the focus through refreshes", async () => {
    const { page } = p;
    await page.focus("#fn-select");
    await page.keyboard.press("s"); // "sleep"
    await until(async () => (await page.inputValue("#fn-urn")) === urn("sleep"), "sleep selected by keyboard");
    await tabTo("event");
    await page.keyboard.press("Control+A");
    await page.keyboard.type('{"ms": 2900}');
    await tabTo("btn-invoke-async");
    await page.keyboard.press("Enter");
    const id = await until(async () => {
      const v = (await page.locator("#result .request-id").innerText({ timeout: 200 }).catch(() => "")).trim();
      return UUID.test(v) && v;
    }, "the async request id");
    const stopButton = `button[data-action=stop][data-request-id="${id}"]`;
    await tabTo(stopButton);
    // The table rebuilds its rows every second while the row runs; the focus stays on its
    // button. Waits for one rebuild (the marked button is replaced) rather than a fixed
    // 1.2 s, so the Stop lands as soon as that is shown, well before the 2.9 s run ends.
    await page.locator(stopButton).evaluate((el) => (el.dataset.beforeRefresh = "1"));
    await until(async () => (await page.locator("button[data-before-refresh]").count()) === 0, "a refresh of the table");
    assert.equal(await focusedId(), id, "the focus left the Stop button during a refresh");
    await page.keyboard.press("Enter");
    assert.match(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), /^Confirm: stop/);
    await p.screenshot("stop-confirm-focused", { fullPage: false });
    await page.keyboard.press("Enter");
    await waitRowStatus(page, id, "DISCARD");
  });

  test("Ctrl+Enter in the editor invokes", async () => {
    const { page } = p;
    await page.selectOption("#fn-select", "echo");
    await page.focus("#event");
    await page.keyboard.press("Control+A");
    await page.keyboard.type('{"shortcut": 1}');
    await page.keyboard.press("Control+Enter");
    await until(async () => /"shortcut": 1/.test(await text(page, "#result")), "the shortcut's result");
  });

  test("no console errors or page errors", (t) => p.watch.assertClean(t));
});

describe("phone (375×740)", () => {
  let p;
  before(async () => {
    if (setupError) throw setupError;
    p = await openPage("phone", { width: 375, height: 740 });
  });
  after(async () => p?.close());

  const overflow = () => p.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  test("fits the width; a working connection starts folded", async () => {
    const { page } = p;
    assert.equal(await overflow(), 0, "horizontal overflow");
    assert.equal(await page.getAttribute("#conn-toggle", "aria-expanded"), "false");
    assert.ok(await page.isHidden("#conn-body"));
    assert.match(await text(page, "#conn-status"), /^Ready/);
    assert.ok(await page.isVisible("#btn-invoke"));
    await p.screenshot("loaded", { fullPage: false });
    await page.click("#conn-toggle");
    assert.ok(await page.isVisible("#conn-token"));
    await p.screenshot("connection-open", { fullPage: false });
    await page.click("#conn-toggle");
  });

  test("invoke hello and see its result and log", async () => {
    const { page } = p;
    const shown = await clickAndWaitResult(page, "#btn-invoke");
    assert.match(shown, /200 OK/);
    assert.match(shown, /hello console/);
    assert.match(shown, /Hello, World!/);
    assert.equal(await overflow(), 0, "horizontal overflow with a result");
    await scrollTo(page, "#result-title");
    await p.screenshot("invoke-hello", { fullPage: false });
  });

  test("invoke async and watch the row reach SUCCESS", async () => {
    const { page } = p;
    const id = await invokeAsync(page);
    await waitRowStatus(page, id, "SUCCESS");
    assert.ok(await row(page, id).isVisible());
    assert.equal(await overflow(), 0, "horizontal overflow with the table");
    await scrollTo(page, "#async-title");
    await p.screenshot("async-success", { fullPage: false });
    await scrollTo(page, `#async-tbody tr[data-request-id="${id}"]`);
    await p.screenshot("async-row", { fullPage: false });
  });

  test("the filters fold behind a button; a status filter still works", async () => {
    const { page } = p;
    assert.ok(await page.isHidden("#async-status-filter"));
    await page.click("#async-filters-toggle");
    assert.equal(await page.getAttribute("#async-filters-toggle", "aria-expanded"), "true");
    await page.selectOption("#async-status-filter", "FAIL");
    await until(async () => /match these filters/.test(await text(page, "#async-tbody")), "no FAIL rows");
    assert.equal((await text(page, "#async-filters-toggle")).trim(), "Filters (1)");
    assert.equal(await overflow(), 0, "horizontal overflow with the filters open");
    await scrollTo(page, "#async-title");
    await p.screenshot("filters-open", { fullPage: false });
    await page.click("#async-clear");
    await p.screenshot("full");
  });

  test("no console errors or page errors", (t) => p.watch.assertClean(t));
});

describe("opened elsewhere: a static host, no emulator (1280×900)", () => {
  let p;
  let origin;
  before(async () => {
    if (setupError) throw setupError;
    origin = await startStaticServer();
    // The page asks the host whether it is an emulator; a static host answers 404.
    p = await openPage("static-host", { width: 1280, height: 900 }, [{ status: 404, url: `${origin}/_emulator/info`, count: 1 }], origin);
  });
  after(async () => p?.close());

  test("starts empty in region mode, with no function list and no credentials", async () => {
    const { page, requests } = p;
    assert.ok(await page.isChecked("#conn-target-region"));
    assert.equal(await page.inputValue("#conn-region"), "");
    assert.equal(await page.inputValue("#conn-project"), "");
    assert.equal(await page.inputValue("#conn-token"), "");
    assert.equal(await page.inputValue("#conn-sk"), "");
    assert.ok(await page.isHidden("#grp-fn-select"));
    assert.equal(await page.inputValue("#fn-urn"), "");
    assert.match(await text(page, "#env-badge"), /Not connected/);
    assert.match(await text(page, "#conn-status"), /Enter a region/);
    assert.match(await text(page, "#source-note"), /Not served by fgs-emulator/);
    await p.screenshot("empty");
    await page.fill("#conn-region", "cn-north-4");
    await page.fill("#conn-project", PROJECT);
    await page.fill("#conn-token", "cloud-token-not-sent");
    await until(async () => /^Ready · token/.test(await text(page, "#conn-status")), "a ready client");
    assert.match(await text(page, "#conn-region-hint"), /https:\/\/functiongraph\.cn-north-4\.myhuaweicloud\.com/);
    assert.match(await text(page, "#env-badge"), /Cloud · cn-north-4/);
    // Without a URN nothing is called: no request has left the page for the cloud.
    assert.deepEqual(requests.filter((r) => !r.url.startsWith(origin)).map((r) => r.url), []);
    await p.screenshot("cloud-ready");
  });

  test("no console errors or page errors, except the 404 of /_emulator/info", (t) => p.watch.assertClean(t));
});
