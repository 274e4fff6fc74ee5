// The example Rust web app (examples/rust-web-app: a page whose logic is Rust using the
// functiongraph-client crate directly) built with cargo and wasm-bindgen, served from one
// loopback origin and driven in Debian's headless Chromium against a real emulator on
// another: it invokes a function with a typed name, then runs async invocations and lists
// them, every page through the crate's Pager. Screenshot in test-output/rust-app/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { CHROMIUM_ARGS, createRun } from "../support/chromium-run.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const APP = join(ROOT, "examples/rust-web-app");
const OUT = join(ROOT, "test-output/rust-app");
const run = createRun({ name: "rust web app", hardLimitMs: 240_000 });
const { state } = run;

let page;
const problems = [];
before(async () => {
  mkdirSync(OUT, { recursive: true });
  execFileSync("cargo", ["build", "-q", "--target", "wasm32-unknown-unknown", "-p", "functiongraph-rust-web-app"], { cwd: ROOT, stdio: "inherit" });
  const pkg = run.tempDir("fgs-rust-app-");
  execFileSync("wasm-bindgen", [join(ROOT, "target/wasm32-unknown-unknown/debug/functiongraph_rust_web_app.wasm"), "--target", "web", "--out-dir", pkg, "--no-typescript"]);
  const emulator = await run.startEmulator({
    bin: process.env.FGS_EMULATOR ?? join(ROOT, "target/debug/fgs-emulator"),
    args: ["--functions", join(ROOT, "examples/functions"), "--data", run.tempDir("fgs-rust-app-data-")],
    logFile: join(OUT, "emulator.log"),
  });
  const origin = await run.serveStatic([["/pkg/", pkg], ["/", APP]]);
  const { chromium } = await import("playwright-core");
  state.browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const context = await state.browser.newContext();
  state.contexts.add(context);
  // Only loopback traffic: anything else is refused and reported.
  await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/, (route) => {
    problems.push(`non-loopback request: ${route.request().url()}`);
    return route.abort();
  });
  page = await context.newPage();
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console.error: ${msg.text()}`));
  page.on("pageerror", (err) => problems.push(`pageerror: ${err}`));
  await page.goto(`${origin}/?emulator=${encodeURIComponent(emulator)}`);
});
after(async () => {
  if (page) await page.screenshot({ path: join(OUT, "app.png"), fullPage: true }).catch(() => {});
  await run.cleanup();
});

const status = () => page.textContent("#status");
const until = (text) => page.waitForFunction((t) => document.getElementById("status")?.textContent === t, text, { timeout: 30_000 });

test("the Rust page starts, invokes a function with the typed name and shows its answer", async () => {
  await until("ready");
  await page.fill("#name", "chromium from rust");
  await page.click("#invoke");
  await until("invoke: done").catch(async (e) => assert.fail(`${e.message}; status: ${await status()}`));
  const result = JSON.parse(await page.textContent("#result"));
  assert.equal(result.statusCode, 200);
  assert.equal(JSON.parse(result.body).message, "hello chromium from rust");
  assert.match(await page.textContent("#request-id"), /^[0-9a-f-]{36}$/);
});

test("it runs async invocations, waits for them and lists them through the crate's pager", async () => {
  await page.click("#list");
  await until("list: done").catch(async (e) => assert.fail(`${e.message}; status: ${await status()}`));
  const rows = await page.$$eval("#invocations tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.ok(rows.length >= 2, `${rows.length} rows`);
  assert.equal(Number(await page.textContent("#count")), rows.length);
  for (const [id, st, end] of rows) {
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(st, "SUCCESS");
    assert.match(end, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  }
  assert.equal(new Set(rows.map((r) => r[0])).size, rows.length, "each invocation once");
});

test("no console errors, page errors or traffic off loopback", () => {
  assert.deepEqual(problems, []);
});
