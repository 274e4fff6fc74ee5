// The consumer matrix: the package as `npm pack` makes it, installed into a fresh project
// and taken each way users take it, built with the real tool (this folder's pinned
// devDependencies) and run, in headless Debian Chromium (playwright-core) or in Node,
// against a real fgs-emulator on loopback. Each way asserts one invoke's result.
//
//   node tests/consumers/run.mjs
//
// Env: FGS_EMULATOR (default target/debug/fgs-emulator), PKG_DIR (default pkg/), CHROMIUM
// (default /usr/bin/chromium). The emulator's log goes to test-output/consumers/. The
// whole run is bounded (HARD_LIMIT_MS) and cleans up after itself.
import { execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

import { CHROMIUM_ARGS, createRun } from "../support/chromium-run.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const PKG_DIR = resolve(process.env.PKG_DIR ?? join(ROOT, "pkg"));
const EMULATOR_BIN = process.env.FGS_EMULATOR ?? join(ROOT, "target/debug/fgs-emulator");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUT_DIR = join(ROOT, "test-output/consumers");
const HARD_LIMIT_MS = 600_000;
const CASE_LIMIT_MS = 30_000;
const PROJECT = "0123456789abcdef0123456789abcdef";

const run = createRun({ name: "consumer matrix", hardLimitMs: HARD_LIMIT_MS });
const { state } = run;
const exec = promisify(execFile);

// ---------------------------------------------------------------- the consumer's code

/** One invoke of `echo`; the event says which way the package was taken. */
const invokeOnce = (entry, way) => `import { FunctionGraphClient, isFunctionGraphError } from "${entry}";

export async function invokeOnce(endpoint) {
  const client = new FunctionGraphClient({
    projectId: "${PROJECT}",
    endpoint,
    credentials: { token: "dev-token" },
  });
  const urn = "urn:fss:cn-north-4:${PROJECT}:function:default:echo:latest";
  try {
    const r = await client.invoke(urn, { way: "${way}" });
    return { result: r.json() };
  } catch (e) {
    return { error: isFunctionGraphError(e) ? e.name + ": " + e.message : String(e?.stack ?? e) };
  }
}
`;

/** A page that runs `invokeOnce` and leaves the outcome in window.__outcome. */
const pageMain = (entry, way) => `${invokeOnce(entry, way)}
const endpoint = new URLSearchParams(location.search).get("emulator");
invokeOnce(endpoint).then((outcome) => { window.__outcome = outcome; });
`;

const html = (script) => `<!doctype html><meta charset="utf-8"><title>consumer</title><body>${script}</body>`;
/** A page that loads ./main.js as a module. */
const MODULE_PAGE = html('<script type="module" src="./main.js"></script>');

/** A program for Node, Deno or Bun: the outcome as JSON on stdout. */
const nodeMain = (entry, way) => `${invokeOnce(entry, way)}
const endpoint = globalThis.Deno ? Deno.args[0] : process.argv[2];
console.log(JSON.stringify(await invokeOnce(endpoint)));
`;

// ---------------------------------------------------------------- the ways

/** Where each way's source goes and its output is served from (inside the fresh project). */
let project;
const caseDir = (name) => join(project, "cases", name);
const outDir = (name) => join(project, "out", name);

function writeCase(name, files) {
  mkdirSync(caseDir(name), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(caseDir(name), file)), { recursive: true });
    writeFileSync(join(caseDir(name), file), text);
  }
}

/** A page importing `entry` as Vite takes it: index.html and main.js. */
const vitePage = (name, entry) => ({ "index.html": MODULE_PAGE, "main.js": pageMain(entry, name) });

/** `vite build` of a case made of `files` into out/<name>/. */
const viteBuild = async (vitePackage, name, files, config = {}) => {
  writeCase(name, files);
  const { build } = await import(vitePackage);
  // As from its own command line: a build sets NODE_ENV=production when it is unset, and
  // a dev server takes its mode from it, so each starts from none (one process runs all).
  delete process.env.NODE_ENV;
  await build({
    configFile: false,
    root: caseDir(name),
    base: `/out/${name}/`,
    logLevel: "warn",
    ...config,
    build: { outDir: outDir(name), emptyOutDir: true, reportCompressedSize: false, ...config.build },
  });
};

/**
 * The inline entry's build holds the wasm in its JavaScript: no .wasm file beside it (a
 * `new URL("….wasm", import.meta.url)` anywhere in what it imports would make the bundler
 * copy one, never loaded).
 */
function assertNoWasmFile(name) {
  const files = readdirSync(outDir(name), { recursive: true }).map(String);
  assert.deepEqual(files.filter((f) => f.endsWith(".wasm")), [], `${name}: ${files.join(", ")}`);
}

/** The page of the worker ways: starts the worker, messages it at once, shows its answer. */
const workerPage = (workerUrl) => `const worker = new Worker(${workerUrl}, { type: "module" });
worker.onmessage = (e) => { window.__outcome = e.data; };
worker.onerror = (e) => { window.__outcome = { error: "worker error: " + e.message }; };
worker.postMessage(new URLSearchParams(location.search).get("emulator"));
`;

/** The worker's code: answers each message (the emulator's URL) with an invoke's outcome. */
const workerMain = (entry, way) => `${invokeOnce(entry, way)}
self.onmessage = async (e) => self.postMessage(await invokeOnce(e.data));
`;

/** The same, with the package imported only after onmessage is set. */
const workerDynamic = `const loading = import("./invoke.js");
self.onmessage = async (e) => self.postMessage(await (await loading).invokeOnce(e.data));
`;

/** A page whose module worker (found and bundled by Vite) imports `entry`. */
const viteWorkerPage = (name, entry, { dynamic = false } = {}) => ({
  "index.html": MODULE_PAGE,
  "main.js": workerPage('new URL("./worker.js", import.meta.url)'),
  "worker.js": dynamic ? workerDynamic : workerMain(entry, name),
  "invoke.js": invokeOnce(entry, name),
});

/** A Vite dev server for a page importing `entry`; resolves with its URL. */
const viteDev = async (vitePackage, name, files, config = {}) => {
  writeCase(name, files);
  const { createServer } = await import(vitePackage);
  delete process.env.NODE_ENV;
  const server = await createServer({
    configFile: false,
    root: caseDir(name),
    cacheDir: join(caseDir(name), ".vite"),
    logLevel: "warn",
    server: { host: "127.0.0.1", port: 0, strictPort: false },
    ...config,
  });
  devServers.push(server);
  await server.listen();
  return server.resolvedUrls.local[0];
};
const devServers = [];

/** The Vite majors of the matrix: this folder's `vite` is 8, the others are aliases. */
const VITES = { 5: "vite5", 6: "vite6", 7: "vite7", 8: "vite" };

/** Parcel's CLI on a case (`serve` or `build`), its cache inside the case. */
const parcelArgs = (name, command) => [
  join(HERE, "node_modules/parcel/lib/bin.js"), command, "index.html",
  "--cache-dir", join(caseDir(name), ".parcel-cache"), "--no-autoinstall", "--log-level", "warn",
];

/** A page for Parcel: index.html loads main.js as a module. */
const parcelPage = (name) => ({ "index.html": MODULE_PAGE.replace("./main.js", "./main.js"), "main.js": pageMain("functiongraph-client", name) });

/** A page bundled by Rollup with node-resolve (browser: true), importing `entry`. */
async function rollupBuild(name, entry) {
  writeCase(name, { "main.js": pageMain(entry, name) });
  const { rollup } = await import("rollup");
  const { nodeResolve } = await import("@rollup/plugin-node-resolve");
  const bundle = await rollup({ input: join(caseDir(name), "main.js"), plugins: [nodeResolve({ browser: true })], logLevel: "silent" });
  await bundle.write({ dir: outDir(name), format: "es" });
  await bundle.close();
  writeFileSync(join(outDir(name), "index.html"), MODULE_PAGE);
}

/** Makes one of this folder's tools a dependency of the project too, as a user's would be. */
function linkIntoProject(name) {
  const link = join(project, "node_modules", name);
  if (!existsSync(link)) symlinkSync(join(HERE, "node_modules", name), link, "dir");
}

/** A free loopback port (for tools that cannot be given port 0). */
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/**
 * Child processes a way leaves running (dev servers), stopped after the run with their
 * whole process group (next start and next dev run servers of their own).
 */
const children = [];
const stopChild = (child) => {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  child.stdout?.destroy();
  child.stderr?.destroy();
};
process.once("exit", () => children.forEach(stopChild));

/** Starts `args` with Node in `cwd` and resolves with `url` once it answers 200. */
async function serveAt(args, cwd, url, env = QUIET_ENV, limitMs = CASE_LIMIT_MS) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return url;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer in ${limitMs / 1000} s:\n${output}`);
}

/**
 * The browser ways: each builds out/<name>/index.html, or starts a dev server and
 * returns its URL. Every one imports the default entry with no configuration, unless its
 * title says otherwise.
 */
const BROWSER_WAYS = {
  // esbuild copies no `new URL(…, import.meta.url)` asset and sets no "production"
  // condition: the default entry resolves to the inline one.
  async "esbuild, browser"(name) {
    writeCase(name, { "main.js": pageMain("functiongraph-client", name) });
    const esbuild = await import("esbuild");
    await esbuild.build({
      entryPoints: [join(caseDir(name), "main.js")],
      bundle: true,
      format: "esm",
      platform: "browser",
      minify: true,
      outdir: outDir(name),
      logLevel: "warning",
    });
    writeFileSync(join(outDir(name), "index.html"), MODULE_PAGE);
  },
  ...Object.fromEntries(
    Object.entries(VITES).flatMap(([major, vite]) => [
      [`Vite ${major}, vite build`, (name) => viteBuild(vite, name, vitePage(name, "functiongraph-client"))],
      [`Vite ${major}, dev server`, (name) => viteDev(vite, name, vitePage(name, "functiongraph-client"))],
      [`Vite ${major}, dev server, module worker messaged at once`, (name) => viteDev(vite, name, viteWorkerPage(name, "functiongraph-client"))],
      // A module worker bundled by Vite (its default worker format), messaged as soon as
      // it is created: a message posted before the worker's module finished evaluating
      // would be lost (and the page would wait forever).
      [`Vite ${major}, vite build, module worker messaged at once`, (name) => viteBuild(vite, name, viteWorkerPage(name, "functiongraph-client"))],
    ]),
  ),
  async "Rollup 4 + @rollup/plugin-node-resolve (browser: true)"(name) {
    await rollupBuild(name, "functiongraph-client");
  },
  async "Parcel 2, parcel build"(name) {
    writeCase(name, parcelPage(name));
    await exec(process.execPath, [...parcelArgs(name, "build"), "--dist-dir", outDir(name), "--public-url", `/out/${name}/`, "--no-source-maps"], {
      cwd: caseDir(name), env: QUIET_ENV, timeout: CASE_LIMIT_MS * 2,
    });
  },
  async "Parcel 2, parcel serve"(name) {
    writeCase(name, parcelPage(name));
    const port = await freePort();
    const args = [...parcelArgs(name, "serve"), "--port", String(port), "--host", "127.0.0.1", "--no-hmr", "--dist-dir", join(caseDir(name), "dist")];
    return serveAt(args, caseDir(name), `http://127.0.0.1:${port}/`);
  },
  async "webpack 5"(name) {
    writeCase(name, { "main.js": pageMain("functiongraph-client", name) });
    const { default: webpack } = await import("webpack");
    const stats = await new Promise((res, rej) =>
      webpack(
        { mode: "production", context: caseDir(name), entry: "./main.js", output: { path: outDir(name) } },
        (err, s) => (err ? rej(err) : res(s)),
      ),
    );
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
    writeFileSync(join(outDir(name), "index.html"), html('<script src="./main.js"></script>'));
  },
  // bun build, like esbuild, copies no wasm asset; it sets "development", which is the
  // inline entry.
  async "bun build --target=browser"(name) {
    writeCase(name, { "main.js": pageMain("functiongraph-client", name) });
    await exec(BIN("bun"), ["build", "--target=browser", "--outdir", outDir(name), "main.js"], {
      cwd: caseDir(name), env: QUIET_ENV, timeout: CASE_LIMIT_MS,
    });
    writeFileSync(join(outDir(name), "index.html"), MODULE_PAGE);
  },
  // A module worker, unbundled, that a page messages at once: a message posted before the
  // worker's module finished evaluating would be lost (and the page would wait forever).
  async "module worker, unbundled, functiongraph-client/inline, messaged at once"(name) {
    mkdirSync(outDir(name), { recursive: true });
    writeFileSync(join(outDir(name), "worker.js"), workerMain("/node_modules/functiongraph-client/inline.js", name));
    writeFileSync(join(outDir(name), "index.html"), html(`<script type="module">\n${workerPage('"./worker.js"')}</script>`));
  },
};

/** This folder's tools' executables (deno, bun, node18, node22: npm packages of binaries). */
const BIN = (name) =>
  name.startsWith("node") ? join(HERE, "node_modules", name, "bin/node") : join(HERE, "node_modules/.bin", name);

/**
 * A CommonJS program for Node: require()s the package, runs `check` (a line of code), and
 * prints one invoke's outcome as JSON.
 */
const requireMain = (way, check) => `const { FunctionGraphClient } = require("functiongraph-client");
${check}
const client = new FunctionGraphClient({
  projectId: "${PROJECT}",
  endpoint: process.argv[2],
  credentials: { token: "dev-token" },
});
client
  .invoke("urn:fss:cn-north-4:${PROJECT}:function:default:echo:latest", { way: "${way}" })
  .then((r) => console.log(JSON.stringify({ result: r.json() })))
  .catch((e) => console.log(JSON.stringify({ error: e.name + ": " + e.message })));
`;
/** A test runner's test (Jest, Vitest) that invokes echo and writes the outcome to `outcomeFile`. */
const testInvokes = (way, outcomeFile) => `test("invokes echo", async () => {
  const client = new FunctionGraphClient({
    projectId: "${PROJECT}",
    endpoint: process.env.FGS_EMULATOR_URL,
    credentials: { token: "dev-token" },
  });
  const r = await client.invoke("urn:fss:cn-north-4:${PROJECT}:function:default:echo:latest", { way: "${way}" });
  writeFileSync(${outcomeFile}, JSON.stringify({ result: r.json() }));
});
`;

/** No update checks, telemetry or caches outside the run. */
const QUIET_ENV = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DO_NOT_TRACK: "1" };

/**
 * Runtime ways: each returns the command to run (the emulator's URL is added as its last
 * argument), run from the case's folder inside the project.
 */
const RUNTIME_WAYS = {
  // Bundled for Node, run from a folder with no node_modules: bundlers building for Node
  // set "node" and "module", which is the inline entry (nothing to copy beside the bundle).
  async "esbuild, Node bundle (run from a folder without node_modules)"(name) {
    writeCase(name, { "main.mjs": nodeMain("functiongraph-client", name) });
    const esbuild = await import("esbuild");
    const bundle = join(outDir(name), "main.mjs");
    await esbuild.build({
      entryPoints: [join(caseDir(name), "main.mjs")],
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: bundle,
      logLevel: "warning",
    });
    const alone = join(run.tempDir("fgs-consumer-alone-"), "main.mjs");
    copyFileSync(bundle, alone);
    return [process.execPath, alone];
  },
  // CommonJS: require() of the ESM package (Node ≥ 20.19, no top-level await in it).
  async "Node require(), default entry and /inline"(name) {
    writeCase(name, {
      "main.cjs": requireMain(
        name,
        `if (require("functiongraph-client/inline").FunctionGraphClient !== FunctionGraphClient) throw new Error("two copies of the client");`,
      ),
    });
    return [process.execPath, join(caseDir(name), "main.cjs")];
  },
  // Vite's SSR build with every dependency bundled in, run from a folder without node_modules.
  async "Vite 8 SSR build, ssr.noExternal (run from a folder without node_modules)"(name) {
    writeCase(name, { "main.mjs": nodeMain("functiongraph-client", name) });
    const { build } = await import("vite");
    await build({
      configFile: false, root: caseDir(name), logLevel: "warn", ssr: { noExternal: true },
      build: { ssr: "main.mjs", outDir: outDir(name), emptyOutDir: true },
    });
    const built = readdirSync(outDir(name)).filter((f) => /\.m?js$/.test(f));
    assert.equal(built.length, 1, `one module: ${built.join(", ")}`);
    const alone = join(run.tempDir("fgs-consumer-alone-"), "main.mjs");
    copyFileSync(join(outDir(name), built[0]), alone);
    return [process.execPath, alone];
  },
  // webpack for Node (as Next.js builds its server), run from a folder without node_modules.
  async "webpack 5, target node (run from a folder without node_modules)"(name) {
    writeCase(name, { "main.mjs": nodeMain("functiongraph-client", name) });
    const { default: webpack } = await import("webpack");
    const stats = await new Promise((res, rej) =>
      webpack(
        {
          mode: "production", target: "node", context: caseDir(name), entry: "./main.mjs",
          output: { path: outDir(name), filename: "main.mjs", module: true, chunkFormat: "module" },
          experiments: { outputModule: true },
        },
        (err, s) => (err ? rej(err) : res(s)),
      ),
    );
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
    const alone = join(run.tempDir("fgs-consumer-alone-"), "main.mjs");
    copyFileSync(join(outDir(name), "main.mjs"), alone);
    return [process.execPath, alone];
  },
  // Node 18 and Node 20 before 20.19 cannot require() an ES module: require() finds the
  // CommonJS entry (node.cjs), import the ES one; both from a default `npm init` project.
  async "Node 18, import (default entry)"(name) {
    writeCase(name, { "main.mjs": nodeMain("functiongraph-client", name) });
    return [BIN("node18"), "main.mjs"];
  },
  async "Node 18, require() (default entry: node.cjs)"(name) {
    writeCase(name, {
      "main.cjs": requireMain(name, `const loaded = require.resolve("functiongraph-client");
if (!loaded.endsWith("node.cjs")) throw new Error("require() loaded " + loaded);
// node.cjs is a bundle: its classes must keep their own names (esbuild renamed a class that
// named itself in its body to _FunctionGraphError).
const pkg = require("functiongraph-client");
for (const name of ["FunctionGraphClient", "FunctionGraphError", "ServiceError", "InvokeResult"]) {
  if (pkg[name].name !== name) throw new Error(name + " is named " + pkg[name].name);
}`),
    });
    return [BIN("node18"), "main.cjs"];
  },
  // Node 22 requires the ES module itself (the "module-sync" condition): one copy of the
  // classes for import and require.
  async "Node 22, import and require() (one copy: module-sync)"(name) {
    writeCase(name, {
      "main.mjs": `import { createRequire } from "node:module";
import * as imported from "functiongraph-client";
const required = createRequire(import.meta.url)("functiongraph-client");
if (required.FunctionGraphClient !== imported.FunctionGraphClient) throw new Error("two copies of the client");
${nodeMain("functiongraph-client", name)}`,
    });
    return [BIN("node22"), "main.mjs"];
  },
  // Jest 30 as installed, no configuration: its default runtime is CommonJS (babel-jest,
  // testEnvironment node), so it takes the require condition. The test writes its outcome.
  async "Jest 30, default CommonJS set-up, a test file that invokes"(name) {
    writeCase(name, {
      "invoke.test.js": `const { FunctionGraphClient } = require("functiongraph-client");
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

${testInvokes(name, 'join(__dirname, "outcome.json")')}`,
      "run.cjs": `const { execFileSync } = require("node:child_process");
const { readFileSync } = require("node:fs");
execFileSync(process.execPath, [${JSON.stringify(join(HERE, "node_modules/jest/bin/jest.js"))}, "--ci", "--rootDir", __dirname], {
  cwd: __dirname, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, FGS_EMULATOR_URL: process.argv[2] },
});
console.log(readFileSync(__dirname + "/outcome.json", "utf8"));
`,
    });
    return [process.execPath, "run.cjs"];
  },
  // A Cloudflare Worker's fetch handler, bundled as wrangler bundles (esbuild, conditions
  // workerd/worker/browser, .wasm imports kept as modules) and run by workerd through
  // miniflare (which needs Node 22). The "workerd" condition imports the .wasm as a module:
  // a Worker can neither fetch a .wasm nor compile one from bytes.
  async "Cloudflare workerd (miniflare), default entry, a fetch handler that invokes"(name) {
    const modules = join(HERE, "node_modules");
    writeCase(name, {
      "worker.js": `import { invokeOnce } from "./invoke.js";
export default {
  async fetch(request) {
    return Response.json(await invokeOnce(new URL(request.url).searchParams.get("emulator")));
  },
};
`,
      "invoke.js": invokeOnce("functiongraph-client", name),
      "run.mjs": `import { pathToFileURL } from "node:url";
const { build } = await import(pathToFileURL(${JSON.stringify(join(modules, "esbuild/lib/main.js"))}).href);
const { Miniflare } = await import(pathToFileURL(${JSON.stringify(join(modules, "miniflare/dist/src/index.js"))}).href);
await build({
  entryPoints: ["worker.js"], bundle: true, format: "esm", platform: "neutral",
  conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"],
  loader: { ".wasm": "copy" }, outdir: "dist", logLevel: "warning",
});
const mf = new Miniflare({
  // cf: false, or miniflare fetches its request.cf data from workers.cloudflare.com.
  cf: false,
  modules: true, scriptPath: "dist/worker.js", compatibilityDate: "2026-07-01",
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
});
try {
  const res = await mf.dispatchFetch("http://localhost/?emulator=" + encodeURIComponent(process.argv[2]));
  console.log(await res.text());
} finally {
  await mf.dispose();
}
`,
    });
    return [BIN("node22"), "run.mjs"];
  },
  // Vitest 3 as installed in the project, no configuration (its node environment resolves
  // "node" and "module": the inline file). The test writes its outcome.
  async "Vitest 3, a test file that invokes"(name) {
    linkIntoProject("vitest");
    writeCase(name, {
      "invoke.test.js": `import { test } from "vitest";
import { writeFileSync } from "node:fs";
import { FunctionGraphClient } from "functiongraph-client";

${testInvokes(name, 'new URL("./outcome.json", import.meta.url)')}`,
      "run.mjs": `import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
execFileSync(process.execPath, [${JSON.stringify(join(HERE, "node_modules/vitest/vitest.mjs"))}, "run", "--root", "."], {
  stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, FGS_EMULATOR_URL: process.argv[2] },
});
console.log(readFileSync("outcome.json", "utf8"));
`,
    });
    return [process.execPath, "run.mjs"];
  },
  // Deno takes the inline entry (the "deno" condition): no read permission needed.
  async "Deno, default entry, --allow-net only"(name) {
    writeCase(name, { "main.mjs": nodeMain("functiongraph-client", name) });
    return [BIN("deno"), "run", "--allow-net=127.0.0.1", "main.mjs"];
  },
  async "Bun, default entry"(name) {
    writeCase(name, { "main.mjs": nodeMain("functiongraph-client", name) });
    return [BIN("bun"), "run", "main.mjs"];
  },
};

// ---------------------------------------------------------------- resources

/** npm-packs pkg/ and installs the tarball into a new project (offline: no registry). */
function freshProject() {
  const dir = run.tempDir("fgs-consumers-");
  const tarball = execFileSync("npm", ["pack", PKG_DIR, "--pack-destination", dir, "--silent"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop();
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", "--silent", join(dir, tarball)], { cwd: dir });
  return dir;
}

/** Serves the project folder (built ways under /out/, the installed package under /node_modules/). */
function startStaticServer(base) {
  return run.serveStatic([["/", base]]);
}

let emulatorUrl;
let pageOrigin;

before(async () => {
  mkdirSync(OUT_DIR, { recursive: true });
  project = freshProject();
  const { chromium } = await import("playwright-core");
  const started = await Promise.allSettled([
    run.startEmulator({
      bin: EMULATOR_BIN,
      args: ["--functions", join(ROOT, "examples/functions"), "--data", run.tempDir("fgs-consumers-data-")],
      logFile: join(OUT_DIR, "emulator.log"),
    }),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }).then((b) => (state.browser = b)),
    startStaticServer(project),
  ]);
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  [emulatorUrl, , pageOrigin] = started.map((s) => s.value);
});

after(async () => {
  writeFileSync(join(OUT_DIR, "downloads.json"), JSON.stringify(downloads, null, 2) + "\n");
  for (const server of devServers) await server.close().catch(() => {});
  for (const child of children) stopChild(child);
  await run.cleanup();
});

/** What every way must get back: echo's answer to its own event. */
function assertEchoed(outcome, name) {
  assert.ok(outcome, "no outcome");
  assert.equal(outcome.error, undefined, outcome.error);
  assert.deepEqual(outcome.result, { way: name });
}

const slug = (title) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** Each built browser way's download (gzip bytes), written to test-output/consumers/downloads.json. */
const downloads = {};

for (const [title, build] of Object.entries(BROWSER_WAYS)) {
  test(`${title} (Chromium)`, async (t) => {
    const name = slug(title);
    const url = (await build(name)) ?? `${pageOrigin}/out/${name}/`;
    assertEchoed(await pageOutcome(`${url}?emulator=${encodeURIComponent(emulatorUrl)}`), name);
    // What the built page downloads: its JavaScript and wasm, each gzip -9.
    if (existsSync(outDir(name)) && !title.includes("unbundled")) {
      const files = readdirSync(outDir(name), { recursive: true }).map(String).filter((f) => /\.(m?js|wasm)$/.test(f));
      const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(outDir(name), f)), { level: 9 }).length, 0);
      downloads[title] = bytes;
      t.diagnostic(`download: ${(bytes / 1024).toFixed(1)} KB gzip (${files.length} files)`);
    }
  });
}

// The asset entry (browser.js) where its .wasm is missing, as after a bundler that copied
// no asset: the page's error names the file it tried and says what to import instead,
// not a wasm "magic word" message.
test("browser.js without its .wasm beside it: the page's error names functiongraph-client/inline (Chromium)", async () => {
  const name = "asset-entry-without-wasm";
  const installed = join(project, "node_modules/functiongraph-client");
  const copy = join(outDir(name), "pkg");
  mkdirSync(copy, { recursive: true });
  for (const file of readdirSync(installed, { recursive: true }).map(String)) {
    if (file.endsWith(".wasm") || !/\.js$/.test(file)) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(join(installed, file), join(copy, file));
  }
  writeFileSync(join(outDir(name), "index.html"), html(`<script type="module">\nimport "./pkg/browser.js";\n</script>`));
  const context = await state.browser.newContext();
  state.contexts.add(context);
  try {
    const page = await context.newPage();
    const error = new Promise((resolve) => page.once("pageerror", resolve));
    await page.goto(`${pageOrigin}/out/${name}/`, { waitUntil: "load" });
    const message = String((await error)?.message);
    assert.match(message, /could not load its WebAssembly from http:\/\/127\.0\.0\.1:\d+\/out\/asset-entry-without-wasm\/pkg\/functiongraph_client_bg\.wasm/);
    assert.match(message, /import "functiongraph-client\/inline"/);
  } finally {
    await context.close();
    state.contexts.delete(context);
  }
});

for (const [title, build] of Object.entries(RUNTIME_WAYS)) {
  test(title, async () => {
    const name = slug(title);
    const [command, ...args] = await build(name);
    const env = { ...QUIET_ENV, DENO_DIR: join(project, ".deno") };
    const { stdout } = await exec(command, [...args, emulatorUrl], { timeout: CASE_LIMIT_MS, cwd: caseDir(name), env });
    assertEchoed(JSON.parse(stdout.trim().split("\n").pop()), name);
  });
}

// ---------------------------------------------------------------- Next.js 15

// An app-router app with the package used three ways: a server component, a route
// handler, and a "use client" page (prerendered on the server, then run in the browser).
// next build + next start, then next dev for the client page. Next.js's own network calls
// are kept off: telemetry by NEXT_TELEMETRY_DISABLED, and `next dev`'s version check
// (registry.npmjs.org) by NO_NETWORK_PRELOAD, which makes fetch refuse anything but loopback.
const NEXT_BIN = join(HERE, "node_modules/next/dist/bin/next");
const NO_NETWORK_PRELOAD = `const original = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!/^(127\.0\.0\.1|localhost|\[::1\])$/.test(url.hostname)) return Promise.reject(new TypeError("tests reach loopback only: " + url.host));
  return original(input, init);
};
`;
const nextInvoke = (way) => `import { FunctionGraphClient, isFunctionGraphError } from "functiongraph-client";

export async function invokeOnce(endpoint) {
  const client = new FunctionGraphClient({ projectId: "${PROJECT}", endpoint, credentials: { token: "dev-token" } });
  try {
    const r = await client.invoke("urn:fss:cn-north-4:${PROJECT}:function:default:echo:latest", { way: "${way}" });
    return { result: r.json() };
  } catch (e) {
    return { error: isFunctionGraphError(e) ? e.name + ": " + e.message : String(e?.stack ?? e) };
  }
}
`;
const NEXT_APP = {
  "app/layout.js": `export default function RootLayout({ children }) {
  return <html lang="en"><body>{children}</body></html>;
}
`,
  "app/invoke.js": nextInvoke("next-server"),
  "app/server/page.js": `import { invokeOnce } from "../invoke.js";
export const dynamic = "force-dynamic";
export default async function Page() {
  return <pre id="outcome">{JSON.stringify(await invokeOnce(process.env.FGS_EMULATOR_URL))}</pre>;
}
`,
  "app/api/invoke/route.js": `import { invokeOnce } from "../../invoke.js";
export const dynamic = "force-dynamic";
export async function GET() {
  return Response.json(await invokeOnce(process.env.FGS_EMULATOR_URL));
}
`,
  "app/client/invoke.js": nextInvoke("next-client"),
  "app/client/page.js": `"use client";
import { useEffect, useState } from "react";
import { invokeOnce } from "./invoke.js";
export default function Page() {
  const [outcome, setOutcome] = useState(null);
  useEffect(() => {
    invokeOnce(new URLSearchParams(location.search).get("emulator")).then((o) => {
      window.__outcome = o;
      setOutcome(o);
    });
  }, []);
  return <pre id="outcome">{outcome ? JSON.stringify(outcome) : "waiting"}</pre>;
}
`,
};

/** The Next.js app's folder, with react, react-dom and next linked from this folder's install. */
function nextApp() {
  const dir = caseDir("nextjs");
  writeCase("nextjs", { ...NEXT_APP, "no-network.cjs": NO_NETWORK_PRELOAD });
  for (const name of ["next", "react", "react-dom"]) linkIntoProject(name);
  return dir;
}

const nextEnv = (dir) => ({
  ...QUIET_ENV,
  NEXT_TELEMETRY_DISABLED: "1",
  NODE_OPTIONS: `--require ${join(dir, "no-network.cjs")}`,
  FGS_EMULATOR_URL: emulatorUrl,
});

/**
 * Opens `url` in a new Chromium context and returns the page's window.__outcome, once set.
 * Any page error or console error fails it, and so does a request that is not to loopback
 * (blocked).
 */
async function pageOutcome(url) {
  const context = await state.browser.newContext();
  state.contexts.add(context);
  const problems = [];
  try {
    const page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`pageerror: ${err?.stack || err}`));
    page.on("console", (msg) => msg.type() === "error" && problems.push(`console.error: ${msg.text()}`));
    await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/, (route) => {
      problems.push(`non-loopback request blocked: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(url, { waitUntil: "load" });
    await page
      .waitForFunction(() => window.__outcome !== undefined, null, { timeout: CASE_LIMIT_MS, polling: 100 })
      .catch((e) => assert.fail(`no outcome in ${CASE_LIMIT_MS / 1000} s (${e.message.split("\n")[0]})\n${problems.join("\n")}`));
    const outcome = await page.evaluate(() => window.__outcome);
    assert.deepEqual(problems, []);
    return outcome;
  } finally {
    await context.close();
    state.contexts.delete(context);
  }
}

test("Next.js 15 app router, next build + next start: a server component, a route handler and a \"use client\" page invoke", async () => {
  const dir = nextApp();
  await exec(process.execPath, [NEXT_BIN, "build"], { cwd: dir, env: nextEnv(dir), timeout: 240_000 })
    .catch((e) => assert.fail(`next build:\n${e.stdout}${e.stderr}`));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [NEXT_BIN, "start", "--port", String(port), "--hostname", "127.0.0.1"];
  await serveAt(args, dir, `${origin}/api/invoke`, nextEnv(dir));
  assertEchoed(await (await fetch(`${origin}/api/invoke`)).json(), "next-server");
  const html = await (await fetch(`${origin}/server`)).text();
  const shown = /<pre id="outcome">([^<]*)<\/pre>/.exec(html)?.[1];
  assert.ok(shown, html.slice(0, 500));
  assertEchoed(JSON.parse(shown.replaceAll("&quot;", '"')), "next-server");
  assertEchoed(await pageOutcome(`${origin}/client?emulator=${encodeURIComponent(emulatorUrl)}`), "next-client");
});

test("Next.js 15, next dev: the \"use client\" page invokes", async () => {
  const dir = nextApp();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [NEXT_BIN, "dev", "--port", String(port), "--hostname", "127.0.0.1"];
  await serveAt(args, dir, `${origin}/api/invoke`, nextEnv(dir), 120_000);
  assertEchoed(await pageOutcome(`${origin}/client?emulator=${encodeURIComponent(emulatorUrl)}`), "next-client");
});

// The npm README's Node examples, run as written in a default `npm init -y` project (no
// "type": "module"): only the emulator's address is changed.
test("the READMEs' Node examples run as written (example.mjs, example.cjs, the client example)", async () => {
  const readme = readFileSync(join(project, "node_modules/functiongraph-client/README.md"), "utf8");
  const examples = [...readme.matchAll(/```js\n\/\/ (example\.[cm]js)\n([\s\S]*?)```/g)];
  assert.deepEqual(examples.map((m) => m[1]), ["example.mjs", "example.cjs"]);
  const dir = join(project, "cases", "readme");
  mkdirSync(dir, { recursive: true });
  execFileSync("npm", ["init", "-y"], { cwd: dir, stdio: "ignore" });
  for (const [, file, code] of examples) {
    writeFileSync(join(dir, file), code.replaceAll("http://127.0.0.1:8787", emulatorUrl));
    const { stdout } = await exec(process.execPath, [file], { cwd: dir, timeout: CASE_LIMIT_MS });
    assert.match(stdout, /hello (world|require)/, `${file} printed:\n${stdout}`);
    if (file === "example.mjs") assert.match(stdout, /^SUCCESS /m, stdout);
  }
  // The repository README's client example too, as an ES module (its first js block).
  const root = readFileSync(join(ROOT, "README.md"), "utf8");
  const client = root.slice(root.indexOf("## The client")).match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(client?.includes("new FunctionGraphClient"), "the README's client example");
  writeFileSync(join(dir, "client.mjs"), client.replaceAll("http://127.0.0.1:8787", emulatorUrl));
  const { stdout } = await exec(process.execPath, ["client.mjs"], { cwd: dir, timeout: CASE_LIMIT_MS });
  assert.match(stdout, /^200 {[\s\S]*"message":"hello world"/, `client.mjs printed:\n${stdout}`);
});

// The types as each TypeScript resolution mode finds them, for both entries (node10
// ignores `exports`: it finds index.d.ts by `types` and inline.d.ts by its path).
test("TypeScript resolves both entries' types: node16 and nodenext (ESM and CommonJS), bundler, node10", async () => {
  const dir = join(project, "cases", "typescript");
  const source = `import { FunctionGraphClient, type InvokeResult } from "functiongraph-client";
import { FunctionGraphClient as Inline, ValidationError } from "functiongraph-client/inline";
const client: FunctionGraphClient = new Inline({ projectId: "${PROJECT}", region: "cn-north-4" });
export const result: Promise<InvokeResult> = client.invoke("urn", {});
export const refused: string = new ValidationError("m").message;
// @ts-expect-error: the types are real, not any
client.invoke(1, {}, { logType: "everything" });
`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "consumer.ts"), source);
  writeFileSync(join(dir, "consumer.mts"), source);
  writeFileSync(join(dir, "consumer.cts"), source);
  writeFileSync(join(dir, "main-only.cts"), `import { FunctionGraphClient, ValidationError, type InvokeResult } from "functiongraph-client";
const client = new FunctionGraphClient({ projectId: "${PROJECT}", region: "cn-north-4" });
export const result: Promise<InvokeResult> = client.invoke("urn", {});
export const refused: string = new ValidationError("m").message;
// @ts-expect-error: the types are real, not any
client.invoke(1, {}, { logType: "everything" });
`);
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  for (const [moduleResolution, module, file] of [
    ["node16", "node16", "consumer.mts"],
    ["nodenext", "nodenext", "consumer.mts"],
    // CommonJS code: its imports are require()s, which find node.cjs and its index.d.cts.
    // /inline is an ES module only: nodenext may require() it (as Node ≥ 20.19 may), node16
    // may not (as Node 18 may not), so the node16 file takes the default entry alone.
    ["node16", "node16", "main-only.cts"],
    ["nodenext", "nodenext", "consumer.cts"],
    ["bundler", "esnext", "consumer.ts"],
    ["node10", "commonjs", "consumer.ts"],
  ]) {
    const compilerOptions = {
      strict: true, noEmit: true, target: "es2022", module, moduleResolution, types: [],
      lib: ["es2022", "dom"],
    };
    const config = join(dir, `tsconfig.${moduleResolution}.${file}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions, files: [file] }));
    await exec(process.execPath, [tsc, "-p", config], { cwd: dir })
      .catch((e) => assert.fail(`tsc --moduleResolution ${moduleResolution}:\n${e.stdout}${e.stderr}`));
  }
});

// The package's own files: what `npm pack` put in it.
test("the tarball carries both licences, the inline entry and main/browser fallbacks", () => {
  const installed = join(project, "node_modules/functiongraph-client");
  for (const file of ["LICENSE-MIT", "LICENSE-APACHE", "inline.js", "inline.d.ts", "functiongraph_client_bg.wasm.js"]) {
    assert.ok(statSync(join(installed, file)).size > 0, file);
  }
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.equal(manifest.main, "./node.cjs", "tools that ignore exports get the entry that both require() and import take");
  // Tools that read the browser field and not exports (Parcel's default) get the entry
  // that needs no asset handling and no top-level await.
  assert.equal(manifest.browser, "./inline.js");
  assert.equal(manifest.exports["./inline"].default, "./inline.js");
  assert.equal(manifest.repository, undefined, "no placeholder repository");
  // The JavaScript is shipped as written (readable stack frames): a source map, if one is
  // ever added, must be in the package and carry its sources.
  for (const file of readdirSync(installed, { recursive: true }).filter((f) => f.endsWith(".js"))) {
    const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(installed, file), "utf8"))?.[1];
    if (!map) continue;
    const mapFile = join(installed, dirname(file), map);
    assert.ok(mapFile.startsWith(installed + sep), `${file}: its map ${map} is outside the package`);
    const { sources, sourcesContent } = JSON.parse(readFileSync(mapFile, "utf8"));
    assert.equal(sourcesContent?.length, sources.length, `${file}: ${map} has no sourcesContent`);
  }
});
