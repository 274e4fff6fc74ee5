// Real-browser tests of the npm package: headless Debian Chromium (playwright-core) loads
// two pages from a second loopback origin (so every call is cross-origin and CORS is
// exercised) and runs tests/browser/suite.js against a real fgs-emulator:
//   - plain/index.html: plain ES modules, `import … from "/pkg/browser.js"`;
//   - vite/: `import … from "functiongraph-client"`, bundled with Vite's build() API.
//
//   node tests/browser/run.mjs
//
// Env: FGS_EMULATOR (default target/debug/fgs-emulator), PKG_DIR (default pkg/),
// CHROMIUM (default /usr/bin/chromium). Screenshots and the emulator's log go to
// test-output/browser/. The whole run is bounded (HARD_LIMIT_MS) and cleans up after itself.
import { cpSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import { CHROMIUM_ARGS, createRun } from "../support/chromium-run.mjs";
import { CHECKS, MISSING_FUNCTION, PROJECT, WRONG_TOKEN_FUNCTION, urn } from "./suite.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const PKG_DIR = resolve(process.env.PKG_DIR ?? join(ROOT, "pkg"));
const EMULATOR_BIN = process.env.FGS_EMULATOR ?? join(ROOT, "target/debug/fgs-emulator");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUT_DIR = join(ROOT, "test-output/browser");
const HARD_LIMIT_MS = 120_000;
const PAGE_LIMIT_MS = 30_000;


// ---------------------------------------------------------------- resources and cleanup

const run = createRun({ name: "browser tests", hardLimitMs: HARD_LIMIT_MS });
const { state } = run;
const cleanup = () => run.cleanup();
const tempDir = (prefix) => run.tempDir(prefix);

// ---------------------------------------------------------------- the emulator

function startEmulator() {
  return run.startEmulator({
    bin: EMULATOR_BIN,
    args: ["--functions", join(ROOT, "examples/functions"), "--data", tempDir("fgs-browser-data-")],
    logFile: join(OUT_DIR, "emulator.log"),
  });
}

// ---------------------------------------------------------------- the page origin

/** Serves `/pkg/*` from pkg/, `/vite/*` from the Vite build, the rest from tests/browser/. */
function startStaticServer(viteOutDir) {
  return run.serveStatic([
    ["/pkg/", PKG_DIR],
    ["/vite/", viteOutDir],
    ["/", HERE],
  ]);
}

async function buildVitePage() {
  const { build } = await import("vite");
  const outDir = tempDir("fgs-browser-vite-");
  // The page in a project where pkg/ is installed (a node_modules link), so that Vite
  // resolves the package's `exports` by name as it would an installed copy. (An alias to
  // the folder would be read by its `browser` field instead.)
  const project = tempDir("fgs-browser-vite-project-");
  cpSync(join(HERE, "vite"), join(project, "vite"), { recursive: true });
  for (const file of ["suite.js", "style.css"]) cpSync(join(HERE, file), join(project, file));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(PKG_DIR, join(project, "node_modules/functiongraph-client"), "dir");
  await build({
    configFile: false,
    root: join(project, "vite"),
    base: "/vite/",
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false },
  });
  return outDir;
}

// ---------------------------------------------------------------- gzip answers

/**
 * A third loopback origin answering every invoke with gzip (CORS allowed, Content-Encoding
 * not exposed): `bomb` inflates to 64 MiB, anything else to a v1 answer of ~0.9 MB whose
 * multi-byte characters fall across the browser's chunks.
 */
async function startCompressedServer() {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, " "), { level: 9 });
  const small = gzipSync(JSON.stringify({ request_id: "r", result: "é✓😀".repeat(50_000), log: "", status: 200 }));
  const server = createServer((req, res) => {
    const cors = {
      "access-control-allow-origin": "*",
      "access-control-allow-headers": "*",
      "access-control-allow-methods": "GET, POST",
    };
    req.resume();
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    const body = decodeURIComponent(req.url).includes(":bomb:") ? bomb : small;
    res.writeHead(200, { ...cors, "content-type": "application/json", "content-encoding": "gzip", "content-length": body.length });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  state.compressedServer = server;
  return `http://127.0.0.1:${server.address().port}`;
}

// ---------------------------------------------------------------- the suite

/**
 * Console errors the pages provoke on purpose. Chromium logs every fetch answered with an
 * HTTP error status as `Failed to load resource: the server responded with a status of N`,
 * located at the request URL. Exactly two such requests are deliberate:
 *   - 404 for the invocations URL of MISSING_FUNCTION (the FSS.0404 check);
 *   - 401 for the invocations URL of WRONG_TOKEN_FUNCTION (the wrong-token check).
 * Each is exempt at most once per page, and only with that status at that URL; anything
 * else (including a 4xx/5xx at any other URL) fails the page.
 */
function exemptions(emulatorUrl) {
  const invocationsUrl = (name) => `${emulatorUrl}/v2/${PROJECT}/fgs/functions/${urn(name)}/invocations`;
  const sameUrl = (a, b) => {
    try {
      return decodeURIComponent(a) === decodeURIComponent(b);
    } catch {
      return false;
    }
  };
  return [
    { status: 404, url: invocationsUrl(MISSING_FUNCTION), used: false },
    { status: 401, url: invocationsUrl(WRONG_TOKEN_FUNCTION), used: false },
  ].map((ex) => ({
    ...ex,
    matches(msg) {
      if (ex.used) return false;
      const m = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(msg.text);
      if (!m || Number(m[1]) !== ex.status || !sameUrl(msg.url, ex.url)) return false;
      ex.used = true;
      return true;
    },
  }));
}

const pages = [
  { name: "plain", title: "plain ES module page (/pkg/browser.js)", path: "/plain/index.html" },
  { name: "vite", title: "Vite-bundled page (import \"functiongraph-client\")", path: "/vite/index.html" },
];

let emulatorUrl;
let compressedUrl;
let pageOrigin;
let setupError;

before(async () => {
  try {
    assert.ok(existsSync(join(PKG_DIR, "browser.js")), `no ${PKG_DIR}/browser.js (node scripts/build-pkg.mjs)`);
    mkdirSync(OUT_DIR, { recursive: true });
    const { chromium } = await import("playwright-core");
    // allSettled, not all: when one part fails the others still finish starting and are
    // recorded in `state`, so cleanup() stops them instead of leaving them running.
    const launched = chromium
      .launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
      .then((browser) => (state.browser = browser));
    const [url, viteOut] = await Promise.allSettled([startEmulator(), buildVitePage(), launched]).then(
      (settled) => {
        const failed = settled.find((s) => s.status === "rejected");
        if (failed) throw failed.reason;
        return settled.map((s) => s.value);
      },
    );
    emulatorUrl = url;
    pageOrigin = await startStaticServer(viteOut);
    compressedUrl = await startCompressedServer();
    assert.notEqual(new URL(pageOrigin).port, new URL(emulatorUrl).port);
  } catch (e) {
    setupError = e;
    throw e;
  }
});

after(async () => {
  state.compressedServer?.closeAllConnections();
  state.compressedServer?.close();
  await cleanup();
});

for (const spec of pages) {
  describe(spec.title, () => {
    let results = [];
    let unexpected = [];
    let allowed = [];
    let loadError;
    const requests = []; // { method, url, headers } of every request the page made
    const responses = []; // { url, status, contentType } of the page origin's answers

    before(async () => {
      if (setupError) throw setupError;
      const context = await state.browser.newContext({ viewport: { width: 1100, height: 700 } });
      const page = await context.newPage();
      const ex = exemptions(emulatorUrl);
      page.on("console", (msg) => {
        if (msg.type() !== "error") return;
        const entry = { text: msg.text(), url: msg.location()?.url ?? "" };
        (ex.some((e) => e.matches(entry)) ? allowed : unexpected).push(`console.error: ${entry.text} @ ${entry.url}`);
      });
      page.on("pageerror", (err) => unexpected.push(`pageerror: ${err?.stack || err}`));
      page.on("request", (req) => requests.push({ method: req.method(), url: req.url(), headers: req.headers() }));
      page.on("response", (res) => {
        if (res.url().startsWith(pageOrigin)) {
          responses.push({ url: res.url(), status: res.status(), contentType: res.headers()["content-type"] ?? "" });
        }
      });
      // Only loopback traffic is allowed: any other request is refused and reported.
      await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/, (route) => {
        unexpected.push(`non-loopback request blocked: ${route.request().url()}`);
        return route.abort();
      });
      try {
        const target = `${pageOrigin}${spec.path}?emulator=${encodeURIComponent(emulatorUrl)}&compressed=${encodeURIComponent(compressedUrl)}`;
        await page.goto(target, { waitUntil: "load", timeout: 15_000 });
        await page.waitForFunction(() => window.__done === true, null, { timeout: PAGE_LIMIT_MS, polling: 100 });
      } catch (e) {
        loadError = e;
      }
      try {
        results = (await page.evaluate(() => window.__results ?? [])) || [];
      } catch (e) {
        loadError ??= e;
      }
      await page
        .screenshot({ path: join(OUT_DIR, `${spec.name}.png`), fullPage: true, timeout: 10_000 })
        .catch((e) => unexpected.push(`screenshot failed: ${e.message}`));
      await context.close().catch(() => {});
    });

    test("the page loads the package and finishes its checks", () => {
      assert.ok(!loadError, `${loadError?.message}\n${unexpected.join("\n")}`);
      const setup = results.find((r) => r.name === "suite setup");
      assert.ok(!setup, setup?.detail);
    });

    // The plain page's browser.js fetches the .wasm beside it; Vite bundles the inline
    // entry (package.json's exports), which fetches nothing.
    test(spec.name === "vite" ? "the Vite bundle is self-contained: no .wasm fetch, no /pkg/ requests" : "the wasm is loaded from beside browser.js, as application/wasm", () => {
      const wasm = responses.filter((r) => new URL(r.url).pathname.endsWith(".wasm"));
      if (spec.name === "vite") {
        assert.deepEqual(wasm, [], "the inline entry fetches no .wasm");
        const fromPkg = responses.filter((r) => new URL(r.url).pathname.startsWith("/pkg/"));
        assert.deepEqual(fromPkg, [], "the Vite bundle must be self-contained (no /pkg/ requests)");
        return;
      }
      assert.equal(wasm.length, 1, `expected one .wasm fetch, got ${JSON.stringify(wasm)}`);
      assert.match(new URL(wasm[0].url).pathname, /^\/pkg\/functiongraph_client_bg\.wasm$/);
      assert.equal(wasm[0].status, 200);
      assert.equal(wasm[0].contentType, "application/wasm");
    });

    test("AK/SK calls are signed in the browser (SDK-HMAC-SHA256, no token)", () => {
      const signed = requests.filter((r) => r.url.startsWith(emulatorUrl) && /%3Ahello%3A|:hello:/.test(r.url) && r.headers.authorization);
      assert.ok(signed.length >= 1, "no request to hello carried an Authorization header");
      for (const r of signed) {
        assert.match(r.headers.authorization, /^SDK-HMAC-SHA256 Access=DEVACCESSKEYEXAMPLE0, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/);
        assert.match(r.headers["x-sdk-date"] ?? "", /^\d{8}T\d{6}Z$/);
        assert.equal(r.headers["x-auth-token"], undefined, "a signed request must not carry a token");
      }
    });

    for (const name of CHECKS) {
      test(name, () => {
        const r = results.find((x) => x.name === name);
        assert.ok(r, `the page did not report this check${loadError ? ` (${loadError.message.split("\n")[0]})` : ""}`);
        assert.ok(r.ok, r.detail);
      });
    }

    test("no console errors or uncaught page errors (except the two deliberate HTTP errors)", (t) => {
      assert.deepEqual(unexpected, [], unexpected.join("\n"));
      if (allowed.length) t.diagnostic(`exempted: ${allowed.join(" | ")}`);
    });
  });
}
