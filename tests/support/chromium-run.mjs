// What the real-browser test runners share (tests/browser, tests/demo): Chromium's
// flags, MIME types, and a run that owns its resources (the emulator, a static server,
// the browser, temp folders) and always releases them: on cleanup(), on exit or a
// signal, and after a hard time limit, so a run can never hang or leave processes behind.
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { createInterface } from "node:readline";

/** The only flags Chromium may get here: anything else makes it reach for the network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Content types for the static servers. */
export const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * A run named `name` (for messages) that is aborted after `hardLimitMs`.
 * Put what it starts in `run.state` (emulator, server, browser, contexts).
 */
export function createRun({ name, hardLimitMs }) {
  const state = { emulator: null, server: null, browser: null, contexts: new Set(), tempDirs: [], emulatorLog: null };
  let cleanedUp = false;

  // Last resort: whatever happens, never leave the emulator running or the run hanging.
  const killNow = () => {
    try {
      if (state.emulator && state.emulator.exitCode === null) state.emulator.kill("SIGKILL");
    } catch {}
    for (const dir of state.tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {}
    }
  };
  process.once("exit", killNow);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      killNow();
      process.exit(130);
    });
  }
  setTimeout(() => {
    console.error(`# ${name}: hard limit of ${hardLimitMs / 1000} s reached; aborting`);
    killNow();
    process.exit(1);
  }, hardLimitMs).unref();

  return {
    state,

    /**
     * Serves files on a free loopback port, like any static host, and resolves with its
     * origin. `mounts` is `[urlPrefix, folder]` pairs, the first whose prefix matches
     * wins (end with `["/", folder]`); a folder's index.html answers for it, and nothing
     * outside a mounted folder is served.
     */
    serveStatic(mounts) {
      const server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
        const [prefix, base] = mounts.find(([p]) => path.startsWith(p)) ?? [];
        if (base === undefined) return res.writeHead(404).end();
        let file = normalize(join(base, path.slice(prefix.length)));
        if (file !== base && !file.startsWith(base + sep)) return res.writeHead(403).end();
        try {
          if (statSync(file).isDirectory()) file = join(file, "index.html");
          statSync(file);
        } catch {
          return res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
        }
        res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
        createReadStream(file).pipe(res);
      });
      state.server = server;
      return new Promise((resolveUrl, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolveUrl(`http://127.0.0.1:${server.address().port}`));
      });
    },

    /** A temp folder removed at cleanup. */
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      state.tempDirs.push(dir);
      return dir;
    },

    /** Closes the browser and server, stops the emulator (SIGTERM, then SIGKILL), removes temp folders. */
    async cleanup() {
      if (cleanedUp) return;
      cleanedUp = true;
      for (const context of state.contexts) await context.close().catch(() => {});
      await state.browser?.close().catch(() => {});
      if (state.server) {
        state.server.closeAllConnections?.();
        await new Promise((r) => state.server.close(() => r()));
      }
      const child = state.emulator;
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const exited = await Promise.race([
          new Promise((r) => child.once("exit", () => r(true))),
          new Promise((r) => setTimeout(() => r(false), 5_000).unref()),
        ]);
        if (!exited) child.kill("SIGKILL");
      }
      state.emulatorLog?.end();
      for (const dir of state.tempDirs) rmSync(dir, { recursive: true, force: true });
    },

    /**
     * Starts `bin` on a free loopback port with `args` (after --listen), logging its
     * output to `logFile`; resolves with its URL once it prints `listening on …`.
     */
    async startEmulator({ bin, args, logFile }) {
      if (!existsSync(bin)) throw new Error(`no emulator at ${bin} (cargo build -p functiongraph-emulator)`);
      mkdirSync(join(logFile, ".."), { recursive: true });
      state.emulatorLog = createWriteStream(logFile);
      const child = spawn(bin, ["--listen", "127.0.0.1:0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      state.emulator = child;
      child.stderr.pipe(state.emulatorLog, { end: false });
      const lines = createInterface({ input: child.stdout });
      const url = await new Promise((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error("the emulator did not print its URL within 20 s")), 20_000);
        child.once("error", (e) => reject(e));
        child.once("exit", (code, signal) => reject(new Error(`the emulator exited (${code ?? signal}) before listening`)));
        lines.once("line", (line) => {
          clearTimeout(timer);
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/.exec(line);
          m ? resolveUrl(m[1]) : reject(new Error(`unexpected first stdout line: ${JSON.stringify(line)}`));
        });
      });
      lines.on("line", (line) => state.emulatorLog.write(`[stdout] ${line}\n`)); // keep draining stdout
      return url;
    },
  };
}
