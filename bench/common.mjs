// Shared by the benchmark modules: constants, statistics, the figure format of results.json,
// the packed package, the loopback responder and the emulator. Everything talks to 127.0.0.1
// only, and everything started here is bounded and stopped by its owner.
import { execFileSync, fork, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH_DIR, "..");
export const QUICK = process.env.BENCH_QUICK === "1";
export const PROJECT = "0123456789abcdef0123456789abcdef";
export const TOKEN = "dev-token";
export const KEYS = { accessKey: "DEVACCESSKEYEXAMPLE0", secretKey: "dev-secret-key-example" };
export const urn = (name) => `urn:fss:cn-north-4:${PROJECT}:function:default:${name}:latest`;
export const invokePath = (name) => `/v2/${PROJECT}/fgs/functions/${urn(name)}/invocations`;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (...args) => console.error("[bench]", ...args);

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile of an array (p in 0..100). */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const round = (v) => (Number.isInteger(v) ? v : Number(v.toPrecision(6)));

/**
 * One figure of results.json. `runs` are the per-repeat values; min/median/max are over
 * them, and a target is judged on the median.
 *   better: "lower" | "higher"; target: { op: "<=" | "<" | ">=" | ">", value, text };
 *   chart: { panel, bar, kind: "ours" | "peer" | "floor", target? } places it in chart.svg.
 */
export function figure({ id, section, label, unit, runs, better, target, chart, note }) {
  const values = runs.filter((v) => Number.isFinite(v));
  const f = { id, section, label, unit, better, runs: values.map(round) };
  if (values.length) {
    f.min = round(Math.min(...values));
    f.median = round(median(values));
    f.max = round(Math.max(...values));
  } else {
    f.min = f.median = f.max = null;
  }
  if (target) {
    f.target = target;
    const m = f.median;
    f.met = m === null ? false : { "<=": m <= target.value, "<": m < target.value, ">=": m >= target.value, ">": m > target.value }[target.op];
  }
  if (chart) f.chart = chart;
  if (note) f.note = note;
  return f;
}

/**
 * The order clients take their turns in, a fresh random permutation each turn (seeded, so a
 * run can be repeated). A fixed cycle gives every client the same predecessor each turn, so
 * the garbage of a heavy client (the official SDK) is always collected in the same
 * client's turn; a random order spreads it over all of them.
 */
export function turnOrders(names, seed = 0x5eed) {
  let state = seed >>> 0;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return () => {
    const order = [...names];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
}

/** Paired per-repeat ratio a[i] / b[i]. */
export const ratios = (a, b) => a.map((v, i) => v / b[i]);

/** Writes a module's output where the runner asked (BENCH_OUT), or prints it. */
export function emit(result) {
  const text = JSON.stringify(result, null, 2);
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, text);
  else console.log(text);
}

// ---------------------------------------------------------------- the packed package

/**
 * A throwaway project with the `npm pack`ed pkg/ installed (what a user gets). The runner
 * makes one per run and passes it in BENCH_PKG_DIR; a module run alone makes its own.
 */
export function packageProject() {
  if (process.env.BENCH_PKG_DIR) return { dir: process.env.BENCH_PKG_DIR, cleanup() {} };
  const dir = mkdtempSync(join(tmpdir(), "fgs-bench-pkg-"));
  const tarball = execFileSync("npm", ["pack", join(ROOT, "pkg"), "--pack-destination", dir, "--silent"], {
    encoding: "utf8",
  }).trim().split("\n").pop();
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench-consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", "--silent", join(dir, tarball)], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  writeFileSync(join(dir, "load.mjs"), 'export * from "functiongraph-client";\n');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function importPackage(dir) {
  return import(pathToFileURL(join(dir, "load.mjs")).href);
}

// ---------------------------------------------------------------- the loopback responder

/**
 * Starts bench/responder.mjs in its own process (so it never shares an event loop with the
 * client under test). `arrival(key)` resolves with the process.hrtime (CLOCK_MONOTONIC, the
 * same clock in every process) at which a request for function `cold-…key` arrived.
 */
export async function startResponder() {
  const child = fork(join(BENCH_DIR, "responder.mjs"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const arrivals = new Map();
  const waiters = new Map();
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the responder did not start in 10 s")), 10_000);
    child.once("exit", (code) => reject(new Error(`the responder exited with ${code}`)));
    child.on("message", (m) => {
      if (m.port) {
        clearTimeout(timer);
        resolve(m.port);
      } else if (m.arrival) {
        const t = BigInt(m.t);
        arrivals.set(m.arrival, t);
        waiters.get(m.arrival)?.(t);
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    arrival(key, timeoutMs = 30_000) {
      if (arrivals.has(key)) return Promise.resolve(arrivals.get(key));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no request for ${key} within ${timeoutMs} ms`)), timeoutMs);
        waiters.set(key, (t) => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve(t);
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
    },
  };
}

// ---------------------------------------------------------------- the emulator

/** Starts target/release/fgs-emulator on a free loopback port. */
export async function startEmulator({ functions, data }) {
  const bin = process.env.FGS_EMULATOR ?? join(ROOT, "target/release/fgs-emulator");
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--functions", functions, "--data", data], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start in 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}: ${stderr}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line.replace(/^listening on /, ""));
    });
  });
  lines.on("line", () => {});
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`unexpected emulator address ${url}`);
  return {
    url,
    pid: child.pid,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await new Promise((r) => child.once("exit", r));
        clearTimeout(killer);
      }
    },
  };
}

/** Runs a command to completion with a hard time limit; resolves with its stdout. */
export function runBounded(cmd, args, { timeoutMs, env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(" ")} failed (${code ?? signal}): ${err.slice(-2000)}`));
    });
  });
}
