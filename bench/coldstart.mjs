// 3. Cold start in Node: process start → import → first request sent. Each sample spawns
// `node --input-type=module -e …` that imports a client, builds it with AK/SK and sends one
// sync invoke to bench/responder.mjs; the responder stamps the request's arrival with
// process.hrtime (CLOCK_MONOTONIC, shared by every process), and the sample is arrival minus
// the moment just before spawn(). Variants, interleaved round by round (order rotated):
//   bare           node + fetch() with a token header: Node's own floor, no client
//   ours           functiongraph-client from the npm-packed tarball (wasm compiled at import)
//   official       @huaweicloud/huaweicloud-sdk-functiongraph + -core, package imports
//   official_deep  the same through deep imports of only the three classes used
// Children get a clean environment (PATH and HOME only). Each child also reports its own
// split (Node boot until the script runs, the import, the call). Run alone: node bench/coldstart.mjs
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BENCH_DIR, KEYS, PROJECT, QUICK, TOKEN, emit, figure, log, median, packageProject, startResponder, urn } from "./common.mjs";

const ROUNDS = QUICK ? 3 : 20;
const CHILD_LIMIT_MS = 30_000;

const silent = "{ debug() {}, info() {}, warn() {}, error() {} }";
const VARIANTS = {
  bare: {
    label: "bare node + fetch (floor)",
    kind: "floor",
    cwd: () => BENCH_DIR,
    code: (e, u) => `
const t0 = performance.now();
const t1 = performance.now();
const res = await fetch(${JSON.stringify(e)} + "/v2/${PROJECT}/fgs/functions/" + ${JSON.stringify(u)} + "/invocations",
  { method: "POST", headers: { "Content-Type": "application/json", "X-Auth-Token": ${JSON.stringify(TOKEN)} }, body: "{}" });
await res.json();`,
  },
  ours: {
    label: "functiongraph-client",
    kind: "ours",
    cwd: (pkgDir) => pkgDir,
    code: (e, u) => `
const t0 = performance.now();
const { FunctionGraphClient } = await import("functiongraph-client");
const t1 = performance.now();
const client = new FunctionGraphClient({ projectId: ${JSON.stringify(PROJECT)}, endpoint: ${JSON.stringify(e)},
  credentials: { accessKey: ${JSON.stringify(KEYS.accessKey)}, secretKey: ${JSON.stringify(KEYS.secretKey)} } });
const r = await client.invoke(${JSON.stringify(u)}, {});
if (r.status !== 200) throw new Error("status " + r.status);`,
  },
  official: {
    label: "official Node SDK",
    kind: "peer",
    cwd: () => BENCH_DIR,
    code: (e, u) => `
const t0 = performance.now();
const { default: fg } = await import("@huaweicloud/huaweicloud-sdk-functiongraph");
const { default: core } = await import("@huaweicloud/huaweicloud-sdk-core");
const t1 = performance.now();
const client = fg.FunctionGraphClient.newBuilder()
  .withCredential(new core.BasicCredentials().withAk(${JSON.stringify(KEYS.accessKey)}).withSk(${JSON.stringify(KEYS.secretKey)}).withProjectId(${JSON.stringify(PROJECT)}))
  .withEndpoint(${JSON.stringify(e)}).build();
client.hcClient.httpClient._logger = ${silent};
const r = await client.invokeFunction(new fg.InvokeFunctionRequest().withFunctionUrn(${JSON.stringify(u)}).withBody({}));
if (r.httpStatusCode !== 200) throw new Error("status " + r.httpStatusCode);`,
  },
  official_deep: {
    label: "official Node SDK (deep imports)",
    kind: "peer",
    cwd: () => BENCH_DIR,
    code: (e, u) => `
const t0 = performance.now();
const { default: { FunctionGraphClient } } = await import("@huaweicloud/huaweicloud-sdk-functiongraph/v2/FunctionGraphClient.js");
const { default: { InvokeFunctionRequest } } = await import("@huaweicloud/huaweicloud-sdk-functiongraph/v2/model/InvokeFunctionRequest.js");
const { default: { BasicCredentials } } = await import("@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js");
const t1 = performance.now();
const client = FunctionGraphClient.newBuilder()
  .withCredential(new BasicCredentials().withAk(${JSON.stringify(KEYS.accessKey)}).withSk(${JSON.stringify(KEYS.secretKey)}).withProjectId(${JSON.stringify(PROJECT)}))
  .withEndpoint(${JSON.stringify(e)}).build();
client.hcClient.httpClient._logger = ${silent};
const r = await client.invokeFunction(new InvokeFunctionRequest().withFunctionUrn(${JSON.stringify(u)}).withBody({}));
if (r.httpStatusCode !== 200) throw new Error("status " + r.httpStatusCode);`,
  },
};
const SPLIT = `
const t2 = performance.now();
console.log(JSON.stringify({ boot: t0, import: t1 - t0, call: t2 - t1 }));
process.exit(0);`;

/** One sample: ms from just before spawn() to the request's arrival at the responder. */
async function sample(responder, variant, key, pkgDir) {
  const code = variant.code(responder.url, urn(key)) + SPLIT;
  const arrived = responder.arrival(key, CHILD_LIMIT_MS);
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    cwd: variant.cwd(pkgDir),
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const killer = setTimeout(() => child.kill("SIGKILL"), CHILD_LIMIT_MS);
  const [code_] = await new Promise((r) => child.once("exit", (...a) => r(a)));
  clearTimeout(killer);
  if (code_ !== 0) throw new Error(`cold start ${key} exited ${code_}: ${err.slice(-1500)}`);
  const t1 = await arrived;
  const split = JSON.parse(out.trim().split("\n").pop());
  return { ms: Number(t1 - t0) / 1e6, ...split };
}

export async function run() {
  const project = packageProject();
  const responder = await startResponder();
  try {
    const names = Object.keys(VARIANTS);
    const data = Object.fromEntries(names.map((k) => [k, { ms: [], boot: [], import: [], call: [] }]));
    // one untimed round: page cache and the responder warm, as after any earlier run
    for (const k of names) await sample(responder, VARIANTS[k], `cold-warm-${k.replace("_", "-")}`, project.dir);
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < names.length; i++) {
        const k = names[(i + r) % names.length];
        const s = await sample(responder, VARIANTS[k], `cold-${k.replace("_", "-")}-${r}`, project.dir);
        for (const f of ["ms", "boot", "import", "call"]) data[k][f].push(s[f]);
      }
    }
    log(`cold start (median ms): ${names.map((k) => `${k} ${median(data[k].ms).toFixed(1)}`).join(", ")}`);
    const section = "Cold start (Node)";
    const figures = [];
    for (const k of names) {
      figures.push(figure({
        id: `coldstart.${k}`, section, label: `${VARIANTS[k].label}: spawn → first request at the server`, unit: "ms", better: "lower",
        runs: data[k].ms, chart: { panel: "Cold start: ms from spawn to first request, lower is better", bar: VARIANTS[k].label, kind: VARIANTS[k].kind },
      }));
    }
    const above = (k) => data[k].ms.map((v, i) => v - data.bare.ms[i]);
    figures.push(figure({
      id: "coldstart.ours_above_bare", section,
      label: "functiongraph-client above bare node + fetch (import, wasm compile, client, signing)", unit: "ms", better: "lower",
      runs: above("ours"), target: { op: "<=", value: 20, text: "≤ 20 ms (Node's own start excluded)" },
      note: "paired with the bare sample of the same round",
    }));
    figures.push(figure({
      id: "coldstart.official_above_bare", section, label: "official Node SDK above bare node + fetch", unit: "ms", better: "lower",
      runs: above("official"),
    }));
    figures.push(figure({
      id: "coldstart.ratio_ours_vs_official", section, label: "functiongraph-client / official Node SDK, spawn → first request",
      unit: "×", better: "lower", runs: data.ours.ms.map((v, i) => v / data.official.ms[i]),
      target: { op: "<", value: 1, text: "< 1.00× (faster than the official SDK)" },
    }));
    for (const k of ["ours", "official"]) {
      figures.push(figure({
        id: `coldstart.${k}.import`, section, label: `${VARIANTS[k].label}: import() alone, measured in the child`, unit: "ms",
        better: "lower", runs: data[k].import,
      }));
    }
    return {
      figures,
      details: {
        method: `${ROUNDS} rounds (after one untimed round), one child per variant per round in rotated order. A sample is ` +
          "process.hrtime at the responder's 'request' event minus process.hrtime just before spawn(); children run " +
          "`node --input-type=module -e` with PATH and HOME only, import the client, build it with AK/SK (bare: fetch with a token) " +
          "and send one sync invoke. 'Above bare' pairs each sample with the bare node + fetch sample of the same round.",
        rounds: ROUNDS,
        childSplitMedianMs: Object.fromEntries(names.map((k) => [k, {
          boot: +median(data[k].boot).toFixed(2), import: +median(data[k].import).toFixed(2), call: +median(data[k].call).toFixed(2),
        }])),
      },
    };
  } finally {
    await responder.stop();
    project.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) emit(await run());
