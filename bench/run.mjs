#!/usr/bin/env node
// make bench: runs every benchmark, each in its own Node process, one after the other, and
// writes results.json (machine, versions, every figure with min/median/max over repeats),
// then chart.svg and table.md generated from it.
//
//   node bench/run.mjs                 full run (~6-8 minutes on a 2-core machine) → bench/
//   BENCH_QUICK=1 node bench/run.mjs   smoke run with small N (~1 minute) → bench/quick/
//   BENCH_ONLY=size,signing …          run only these, keeping the other sections of an
//                                      existing results.json
//   BENCH_OUT_DIR=dir …                write somewhere else
//
// Needs pkg/ (node scripts/build-pkg.mjs), target/release/fgs-emulator
// (cargo build --release -p functiongraph-emulator), bench/node_modules (npm ci) and wrk;
// scripts/bench.sh provides all four. Everything talks to 127.0.0.1 only and stops by itself.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_DIR, QUICK, ROOT, log, packageProject } from "./common.mjs";
import { writeReport } from "./report.mjs";

const MODULES = ["size", "signing", "overhead", "coldstart", "emulator", "memory"];
const MODULE_LIMIT_MS = 15 * 60 * 1000;
const outDir = process.env.BENCH_OUT_DIR ?? (QUICK ? join(BENCH_DIR, "quick") : BENCH_DIR);
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",").map((s) => s.trim()).filter(Boolean) : MODULES;
for (const m of only) if (!MODULES.includes(m)) throw new Error(`BENCH_ONLY: unknown benchmark ${m} (have ${MODULES.join(", ")})`);

function need(path, how) {
  if (!existsSync(join(ROOT, path))) {
    console.error(`bench: ${path} is missing; ${how} (scripts/bench.sh does it)`);
    process.exit(2);
  }
}
need("pkg/functiongraph_client_bg.wasm", "run node scripts/build-pkg.mjs");
need("target/release/fgs-emulator", "run cargo build --release -p functiongraph-emulator");
need("bench/node_modules/@huaweicloud/huaweicloud-sdk-functiongraph", "run (cd bench && npm ci)");

const quiet = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (e) {
    return (e.stdout ?? "").trim() || null;
  }
};
const pkgVersion = (name) => JSON.parse(readFileSync(join(BENCH_DIR, "node_modules", name, "package.json"), "utf8")).version;

function runModule(name, env) {
  const out = join(env.BENCH_TMP, `${name}.json`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(BENCH_DIR, `${name}.mjs`)], {
      env: { ...process.env, ...env, BENCH_OUT: out },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), MODULE_LIMIT_MS);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`bench ${name} failed (${code ?? signal})`));
      const result = JSON.parse(readFileSync(out, "utf8"));
      result.details.seconds = +((performance.now() - started) / 1000).toFixed(1);
      resolve(result);
    });
  });
}

const t0 = performance.now();
const startLoad = loadavg();
mkdirSync(outDir, { recursive: true });
const tmp = join(tmpdir(), `fgs-bench-run-${process.pid}`);
mkdirSync(tmp, { recursive: true });
const project = packageProject();
const sections = {};
try {
  for (const name of only) {
    log(`--- ${name}${QUICK ? " (quick)" : ""}`);
    sections[name] = await runModule(name, { BENCH_PKG_DIR: project.dir, BENCH_TMP: tmp });
  }
} finally {
  project.cleanup();
  rmSync(tmp, { recursive: true, force: true });
}

// BENCH_ONLY keeps the other sections of an existing results.json.
const resultsPath = join(outDir, "results.json");
let previous = null;
if (only.length < MODULES.length && existsSync(resultsPath)) previous = JSON.parse(readFileSync(resultsPath, "utf8"));
const benchmarks = {};
for (const name of MODULES) {
  if (sections[name]) benchmarks[name] = sections[name].details;
  else if (previous?.benchmarks?.[name]) benchmarks[name] = previous.benchmarks[name];
}
const figures = MODULES.flatMap((name) =>
  sections[name] ? sections[name].figures : (previous?.figures ?? []).filter((f) => f.id.startsWith(`${name}.`)),
);

const commit = quiet("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]);
const dirty = quiet("git", ["-C", ROOT, "status", "--porcelain", "--", "src", "js", "crates", "Cargo.toml", "Cargo.lock"]);
const results = {
  schema: 1,
  generatedAt: new Date().toISOString(),
  quick: QUICK,
  durationSeconds: +((performance.now() - t0) / 1000).toFixed(1),
  ran: only,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model?.replace(/\s+/g, " ").trim() ?? "unknown",
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    os: `${process.platform} ${release()}`,
    loadAverageAtStart: startLoad.map((v) => +v.toFixed(2)),
    loadAverageAtEnd: loadavg().map((v) => +v.toFixed(2)),
    note: "shared, noisy machine: compare figures side by side within one run, not across runs",
  },
  versions: {
    node: process.version,
    functiongraphClient: JSON.parse(readFileSync(join(ROOT, "pkg/package.json"), "utf8")).version,
    commit: commit ? `${commit}${dirty ? "+local changes" : ""}` : null,
    emulator: quiet(join(ROOT, "target/release/fgs-emulator"), ["--version"]),
    rustc: quiet("rustc", ["--version"]),
    officialNodeSdk: `@huaweicloud/huaweicloud-sdk-functiongraph ${pkgVersion("@huaweicloud/huaweicloud-sdk-functiongraph")}, -core ${pkgVersion("@huaweicloud/huaweicloud-sdk-core")}`,
    awsSdkClientLambda: pkgVersion("@aws-sdk/client-lambda"),
    esbuild: pkgVersion("esbuild"),
    wrk: (quiet("wrk", ["-v"]) ?? "").split("\n")[0].split(" Copyright")[0] || null,
  },
  benchmarks,
  figures,
};
writeFileSync(resultsPath, JSON.stringify(results, null, 2) + "\n");
writeReport(results, outDir);

const targeted = figures.filter((f) => f.target);
log(`wrote ${resultsPath}, chart.svg and table.md in ${((performance.now() - t0) / 1000).toFixed(0)} s; targets met: ${targeted.filter((f) => f.met).length} of ${targeted.length}`);
for (const f of targeted) log(`  ${f.met ? "met   " : "MISSED"} ${f.target.text.padEnd(40)} ${f.label}: ${f.median}`);
