// 5. The emulator (target/release/fgs-emulator on 127.0.0.1:0, examples/functions copied to a
// temp folder plus a few trivial cold-probe functions, a temp --data on disk):
//   - new worker ready: the first sync invoke of a function that has never run (so a Node
//     worker is started for it) against warm calls of the same function. The figure is the
//     first call's X-Cff-Invoke-Summary duration minus the warm calls' median (the emulator
//     times from lease to reply, worker start included); the wall-clock difference seen by the
//     client is recorded beside it. One fresh function per sample; measured first, on a quiet
//     emulator.
//   - warm sync invokes of `echo` with wrk (Debian, -t1, bench/wrk-post.lua) at 1, 16 and 64
//     connections, each a bounded run, after a warm-up at 64 (which starts the workers);
//   - async: wrk on invocations-async at 64 connections (each 202 is committed to SQLite,
//     WAL + synchronous=FULL, before it is sent), then the listing is polled until every
//     stored invocation is SUCCESS: drain time is from the end of the burst.
// Run alone: node bench/emulator.mjs
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BENCH_DIR, PROJECT, QUICK, ROOT, TOKEN, emit, figure, invokePath, log, median, runBounded, sleep, startEmulator, urn,
} from "./common.mjs";

const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? (QUICK ? 2 : 5));
const WARMUP_SECONDS = QUICK ? 1 : 3;
const REPEATS = QUICK ? 2 : 3;
const CONCURRENCY = [1, 16, 64];
const ASYNC_CONNECTIONS = 64;
const PROBES = QUICK ? 2 : 5;
const WARM_CALLS = 15;
const DRAIN_LIMIT_MS = 180_000;

async function wrk(url, connections, seconds, body) {
  const out = await runBounded(
    "wrk",
    ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", join(BENCH_DIR, "wrk-post.lua"), url],
    { timeoutMs: (seconds + 30) * 1000, env: { PATH: process.env.PATH, BENCH_BODY: body } },
  );
  const line = out.split("\n").find((l) => l.startsWith("BENCH "));
  if (!line) throw new Error(`wrk printed no summary:\n${out}`);
  const r = JSON.parse(line.slice(6));
  const ok = Object.entries(r.statuses).filter(([s]) => s.startsWith("2")).reduce((a, [, n]) => a + n, 0);
  return { ...r, ok, rps: r.requests / (r.duration_us / 1e6), okPerSecond: ok / (r.duration_us / 1e6) };
}

async function timedInvoke(base, name) {
  const t0 = performance.now();
  const res = await fetch(base + invokePath(name), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Token": TOKEN },
    body: "{}",
  });
  await res.arrayBuffer();
  const wall = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
  const summary = JSON.parse(res.headers.get("x-cff-invoke-summary"));
  return { wall, duration: summary.duration };
}

async function countOf(base, status) {
  const q = status ? `&status=${status}` : "";
  const res = await fetch(`${base}/v2/${PROJECT}/fgs/functions/${urn("echo")}/async-invocations?limit=1${q}`, {
    headers: { "X-Auth-Token": TOKEN },
  });
  if (res.status !== 200) throw new Error(`listing: HTTP ${res.status}`);
  return (await res.json()).count;
}

function rssKb(pid) {
  return new Promise((resolve) => {
    const ps = spawn("ps", ["-o", "rss=", "-p", String(pid)], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    ps.stdout.on("data", (d) => (out += d));
    ps.once("exit", () => resolve(Number(out.trim()) || null));
  });
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), "fgs-bench-emulator-"));
  const functions = join(work, "functions");
  cpSync(join(ROOT, "examples/functions"), functions, { recursive: true });
  const probes = Array.from({ length: PROBES }, (_, i) => `coldprobe-${i + 1}`);
  for (const name of probes) {
    mkdirSync(join(functions, name));
    writeFileSync(join(functions, name, "index.js"), "'use strict';\nexports.handler = async (event, context) => ({ ok: true });\n");
    writeFileSync(join(functions, name, "function.json"), JSON.stringify({
      name, package: "default", handler: "index.handler", runtime: "Node.js20", timeout: 10, memory_size: 128, concurrency: 1,
      versions: ["latest"], aliases: {}, user_data: {}, max_async_retry_attempts: 1, max_async_event_age_in_seconds: 3600,
      description: "bench: trivial handler for the new-worker figure",
    }, null, 2));
  }
  const emulator = await startEmulator({ functions, data: join(work, "data") });
  const details = { workDir: "a temp folder on the machine's disk (os.tmpdir())", seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, repeats: REPEATS };
  try {
    const base = emulator.url;
    await countOf(base); // opens the keep-alive connection; starts no worker

    // --- new worker ready
    const cold = { summary: [], wall: [], firstWall: [], warmWall: [], firstSummary: [], warmSummary: [] };
    for (const name of probes) {
      const first = await timedInvoke(base, name);
      const warm = [];
      for (let i = 0; i < WARM_CALLS; i++) warm.push(await timedInvoke(base, name));
      const warmWall = median(warm.map((w) => w.wall));
      const warmSummary = median(warm.map((w) => w.duration));
      cold.summary.push(first.duration - warmSummary);
      cold.wall.push(first.wall - warmWall);
      cold.firstWall.push(first.wall);
      cold.warmWall.push(warmWall);
      cold.firstSummary.push(first.duration);
      cold.warmSummary.push(warmSummary);
    }
    log(`emulator new worker: ${cold.summary.map((v) => v.toFixed(1)).join(", ")} ms (summary); wall diff ${cold.wall.map((v) => v.toFixed(1)).join(", ")} ms`);

    // --- warm sync invokes
    const syncUrl = base + invokePath("echo");
    const body = '{"bench":true}';
    const warmup = await wrk(syncUrl, 64, WARMUP_SECONDS, body);
    details.warmup = { connections: 64, seconds: WARMUP_SECONDS, requests: warmup.requests, statuses: warmup.statuses };
    const sync = Object.fromEntries(CONCURRENCY.map((c) => [c, { rps: [], p50: [], p99: [], raw: [] }]));
    for (let r = 0; r < REPEATS; r++) {
      for (const c of CONCURRENCY) {
        const w = await wrk(syncUrl, c, SECONDS, body);
        sync[c].rps.push(w.okPerSecond);
        sync[c].p50.push(w.p50_us / 1000);
        sync[c].p99.push(w.p99_us / 1000);
        sync[c].raw.push({ requests: w.requests, errors: w.errors, statuses: w.statuses, max_ms: w.max_us / 1000 });
      }
      log(`emulator sync repeat ${r + 1}/${REPEATS}: ${CONCURRENCY.map((c) => `c${c} ${Math.round(sync[c].rps.at(-1))}/s p99 ${sync[c].p99.at(-1).toFixed(2)} ms`).join(", ")}`);
    }
    details.sync = Object.fromEntries(CONCURRENCY.map((c) => [`c${c}`, sync[c].raw]));
    details.emulatorRssKbAfterSync = await rssKb(emulator.pid);

    // --- async accepts and drain
    const asyncUrl = base + `/v2/${PROJECT}/fgs/functions/${urn("echo")}/invocations-async`;
    const asyncRuns = { accepts: [], p99: [], drain: [], raw: [] };
    for (let r = 0; r < REPEATS; r++) {
      const before = await countOf(base);
      const w = await wrk(asyncUrl, ASYNC_CONNECTIONS, SECONDS, '{"bench":"async"}');
      const ended = performance.now();
      let stored = 0;
      let succeeded = 0;
      let drained = false;
      while (performance.now() - ended < DRAIN_LIMIT_MS) {
        stored = await countOf(base);
        succeeded = await countOf(base, "SUCCESS");
        if (stored === succeeded && stored - before >= w.ok) {
          drained = true;
          break;
        }
        await sleep(100);
      }
      const drainS = (performance.now() - ended) / 1000;
      asyncRuns.accepts.push(w.okPerSecond);
      asyncRuns.p99.push(w.p99_us / 1000);
      asyncRuns.drain.push(drained ? drainS : NaN);
      asyncRuns.raw.push({
        requests: w.requests, errors: w.errors, statuses: w.statuses, accepted: w.ok, storedThisBurst: stored - before,
        succeededTotal: succeeded, drained, drainSeconds: +drainS.toFixed(2),
      });
      log(`emulator async repeat ${r + 1}/${REPEATS}: ${Math.round(w.okPerSecond)} accepts/s (${w.ok} of ${w.requests}), ` +
        `p99 ${(w.p99_us / 1000).toFixed(1)} ms; ${stored - before} stored, ${drained ? `drained in ${drainS.toFixed(1)} s` : "NOT drained"}`);
    }
    details.async = asyncRuns.raw;
    details.emulatorRssKbAfterAsync = await rssKb(emulator.pid);

    // --- figures
    const section = "Emulator";
    const figures = [];
    const problems = (raws) => {
      const bad = raws.reduce((a, x) => a + x.errors + Object.entries(x.statuses).filter(([s]) => !s.startsWith("2")).reduce((b, [, n]) => b + n, 0), 0);
      return bad ? `${bad} non-2xx answers or socket errors (see details)` : undefined;
    };
    for (const c of CONCURRENCY) {
      const at16 = c === 16;
      figures.push(figure({
        id: `emulator.sync.c${c}.rps`, section, label: `warm sync invokes of echo, ${c} connection${c > 1 ? "s" : ""}: 200s per second`,
        unit: "req/s", better: "higher", runs: sync[c].rps, note: problems(sync[c].raw),
        target: at16 ? { op: ">=", value: 5000, text: "≥ 5,000/s at 16" } : undefined,
        chart: { panel: "Emulator: warm sync invokes/s (echo), higher is better", bar: `${c} connection${c > 1 ? "s" : ""}`, kind: "ours", target: at16 ? 5000 : undefined },
      }));
      figures.push(figure({
        id: `emulator.sync.c${c}.p50`, section, label: `warm sync invokes, ${c} connection${c > 1 ? "s" : ""}: p50 latency`,
        unit: "ms", better: "lower", runs: sync[c].p50,
      }));
      figures.push(figure({
        id: `emulator.sync.c${c}.p99`, section, label: `warm sync invokes, ${c} connection${c > 1 ? "s" : ""}: p99 latency`,
        unit: "ms", better: "lower", runs: sync[c].p99,
        target: at16 ? { op: "<=", value: 10, text: "≤ 10 ms at 16" } : undefined,
        chart: {
          panel: "Emulator: warm sync p99 latency, ms (log scale), lower is better", bar: `${c} connection${c > 1 ? "s" : ""}`, kind: "ours",
          target: at16 ? 10 : undefined, scale: "log",
        },
      }));
    }
    figures.push(figure({
      id: "emulator.async.accepts", section, label: `durable async accepts (202), ${ASYNC_CONNECTIONS} connections, per second`,
      unit: "req/s", better: "higher", runs: asyncRuns.accepts, note: problems(asyncRuns.raw),
      target: { op: ">=", value: 2000, text: "≥ 2,000/s" },
      chart: { panel: "Emulator: durable async accepts/s, higher is better", bar: `${ASYNC_CONNECTIONS} connections`, kind: "ours", target: 2000 },
    }));
    figures.push(figure({
      id: "emulator.async.p99", section, label: `durable async accepts, ${ASYNC_CONNECTIONS} connections: p99 latency`,
      unit: "ms", better: "lower", runs: asyncRuns.p99,
    }));
    figures.push(figure({
      id: "emulator.async.drain", section, label: `async: time after a ${SECONDS} s burst until every stored invocation is SUCCESS`,
      unit: "s", better: "lower", runs: asyncRuns.drain,
      note: asyncRuns.raw.every((x) => x.drained) ? undefined : "a burst did not drain within the limit",
    }));
    figures.push(figure({
      id: "emulator.worker.cold", section, label: "new worker ready: first call's summary duration − warm calls' (median)",
      unit: "ms", better: "lower", runs: cold.summary, target: { op: "<=", value: 150, text: "≤ 150 ms" },
      chart: { panel: "Emulator: new worker ready, ms, lower is better", bar: "first call − warm call", kind: "ours", target: 150 },
    }));
    figures.push(figure({
      id: "emulator.worker.cold_wall", section, label: "new worker ready, client wall clock: first call − warm call (median)",
      unit: "ms", better: "lower", runs: cold.wall,
    }));
    figures.push(figure({
      id: "emulator.worker.warm_wall", section, label: "warm sync call of the same function, client wall clock",
      unit: "ms", better: "lower", runs: cold.warmWall,
    }));
    details.coldProbes = { firstWallMs: cold.firstWall, warmWallMs: cold.warmWall, firstSummaryMs: cold.firstSummary, warmSummaryMs: cold.warmSummary };
    details.method = `wrk -t1 -cN -d${SECONDS}s --timeout 10s (bench/wrk-post.lua) against POST …/echo:latest/invocations with X-Auth-Token, ` +
      `after a ${WARMUP_SECONDS} s warm-up at 64; ${REPEATS} repeats of 1, 16, 64 connections; invokes/s counts 2xx answers only. ` +
      `Async: ${REPEATS} bursts of ${SECONDS} s at ${ASYNC_CONNECTIONS} connections on invocations-async, each followed by polling the ` +
      `listing (count, and count with status=SUCCESS) every 100 ms until equal. New worker: ${PROBES} never-invoked trivial functions, ` +
      `each invoked once cold and ${WARM_CALLS} times warm, before any load.`;
    return { figures, details };
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) emit(await run());
