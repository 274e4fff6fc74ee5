// 1. Per-call client overhead in Node. Sync invokes of a no-op against bench/responder.mjs
// (its own process, 127.0.0.1), side by side in one process and one run:
//   raw      fetch() + res.json(), with X-Auth-Token          the floor
//   raw_request  the same through fetch(new Request(url, init)): what sending through
//            gloo-net forces (its send() takes a built Request, which fetch builds again)
//   ours     functiongraph-client, token and AK/SK           client.invoke(urn, {})
//            and token with timeoutMs: 0 (no AbortSignal at all: what the default timeout costs)
//   official @huaweicloud/huaweicloud-sdk-functiongraph, AK/SK (it has no token mode)
// Sequential: the median per-call latency of N calls. Concurrent: wall time / N with 64
// calls in flight. Within a repeat the clients take turns in short blocks (see SEQ_BLOCK);
// ratios are paired within a repeat. Run alone: node bench/overhead.mjs
import { fileURLToPath } from "node:url";
import fg from "@huaweicloud/huaweicloud-sdk-functiongraph";
import core from "@huaweicloud/huaweicloud-sdk-core";
import {
  KEYS, PROJECT, QUICK, TOKEN, emit, figure, importPackage, invokePath, log, median, packageProject, ratios,
  startResponder, turnOrders, urn,
} from "./common.mjs";

const SEQ_N = QUICK ? 150 : 1500;
const CONC_N = QUICK ? 400 : 4000;
const IN_FLIGHT = 64;
const WARMUP = QUICK ? 100 : 500;
const REPEATS = QUICK ? 2 : 5;
const FN = "noop";
const EVENT = {};
const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

function makeClients(mod, endpoint) {
  const url = endpoint + invokePath(FN);
  const ours = (credentials, extra = {}) => {
    const client = new mod.FunctionGraphClient({ projectId: PROJECT, endpoint, credentials, ...extra });
    return async () => {
      const r = await client.invoke(urn(FN), EVENT);
      if (r.status !== 200) throw new Error(`ours: status ${r.status}`);
    };
  };
  const official = fg.FunctionGraphClient.newBuilder()
    .withCredential(new core.BasicCredentials().withAk(KEYS.accessKey).withSk(KEYS.secretKey).withProjectId(PROJECT))
    .withEndpoint(endpoint)
    .build();
  // Its log4js logger prints signed request headers on errors: silence it.
  official.hcClient.httpClient._logger = silentLogger;
  return {
    raw: {
      label: "raw fetch (floor, token)",
      kind: "floor",
      invoke: async () => {
        const res = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Auth-Token": TOKEN },
          body: JSON.stringify(EVENT),
        });
        const body = await res.json();
        if (res.status !== 200 || body.status !== 200 || !res.headers.get("x-cff-request-id")) {
          throw new Error(`raw: status ${res.status}`);
        }
      },
    },
    raw_request: {
      label: "raw fetch of a Request (token)",
      kind: "floor",
      invoke: async () => {
        const res = await fetch(new Request(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Auth-Token": TOKEN },
          body: JSON.stringify(EVENT),
        }));
        const body = await res.json();
        if (res.status !== 200 || body.status !== 200 || !res.headers.get("x-cff-request-id")) {
          throw new Error(`raw_request: status ${res.status}`);
        }
      },
    },
    ours_token: { label: "functiongraph-client (token)", kind: "ours", invoke: ours({ token: TOKEN }) },
    // The default 60 s timeout needs an AbortSignal per call; this shows what it costs.
    ours_token_no_timeout: {
      label: "functiongraph-client (token, timeoutMs: 0)", kind: "ours", invoke: ours({ token: TOKEN }, { timeoutMs: 0 }),
    },
    ours_aksk: { label: "functiongraph-client (AK/SK)", kind: "ours", invoke: ours({ ...KEYS }) },
    official: {
      label: "official Node SDK (AK/SK)",
      kind: "peer",
      invoke: async () => {
        const r = await official.invokeFunction(new fg.InvokeFunctionRequest().withFunctionUrn(urn(FN)).withBody(EVENT));
        if (r.httpStatusCode !== 200 || r.status !== 200) throw new Error(`official: status ${r.httpStatusCode}`);
      },
    },
  };
}

// Clients take turns in short blocks (in a fresh random order each turn), so that drift of
// a shared, noisy machine over a repeat falls on every client alike, not on whichever ran
// during a slow stretch, and no client always follows the same one.
const SEQ_BLOCK = 100;
const CONC_BLOCK = 500;

/** One sequential call's latency, µs. */
async function timed(invoke) {
  const t0 = performance.now();
  await invoke();
  return (performance.now() - t0) * 1000;
}

/** Wall time of `n` calls with `inFlight` at a time, µs. */
async function concurrentWall(invoke, n, inFlight) {
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < n) {
        started++;
        await invoke();
      }
    }),
  );
  return (performance.now() - t0) * 1000;
}

/** Per client: the median latency of `n` sequential calls, taken in turns of SEQ_BLOCK. */
async function sequential(clients, nextOrder, n) {
  const names = Object.keys(clients);
  const lat = Object.fromEntries(names.map((k) => [k, []]));
  for (let done = 0; done < n; done += SEQ_BLOCK) {
    const len = Math.min(SEQ_BLOCK, n - done);
    for (const k of nextOrder()) {
      for (let i = 0; i < len; i++) lat[k].push(await timed(clients[k].invoke));
    }
  }
  return Object.fromEntries(names.map((k) => [k, median(lat[k])]));
}

/** Per client: wall time / `n` with `inFlight` calls at a time, in turns of CONC_BLOCK calls. */
async function concurrent(clients, nextOrder, n, inFlight) {
  const names = Object.keys(clients);
  const wall = Object.fromEntries(names.map((k) => [k, 0]));
  for (let done = 0; done < n; done += CONC_BLOCK) {
    const len = Math.min(CONC_BLOCK, n - done);
    for (const k of nextOrder()) wall[k] += await concurrentWall(clients[k].invoke, len, inFlight);
  }
  return Object.fromEntries(names.map((k) => [k, wall[k] / n]));
}

export async function run() {
  const project = packageProject();
  const responder = await startResponder();
  try {
    const mod = await importPackage(project.dir);
    const clients = makeClients(mod, responder.url);
    const names = Object.keys(clients);
    const seq = Object.fromEntries(names.map((k) => [k, []]));
    const conc = Object.fromEntries(names.map((k) => [k, []]));
    for (const k of names) {
      await concurrentWall(clients[k].invoke, WARMUP, IN_FLIGHT);
      for (let i = 0; i < WARMUP; i++) await clients[k].invoke();
    }
    const nextOrder = turnOrders(names);
    for (let r = 0; r < REPEATS; r++) {
      const s = await sequential(clients, nextOrder, SEQ_N);
      const c = await concurrent(clients, nextOrder, CONC_N, IN_FLIGHT);
      for (const k of names) {
        seq[k].push(s[k]);
        conc[k].push(c[k]);
      }
      log(`overhead repeat ${r + 1}/${REPEATS}: seq µs ${names.map((k) => `${k} ${seq[k].at(-1).toFixed(0)}`).join(", ")};` +
        ` 64 in flight µs ${names.map((k) => `${k} ${conc[k].at(-1).toFixed(1)}`).join(", ")}`);
    }
    const section = "Client overhead (Node)";
    const figures = [];
    for (const [mode, data, panel, what] of [
      ["sequential", seq, `Sequential invokes: µs per call (median of ${SEQ_N}), lower is better`, `sequential, median of ${SEQ_N} calls`],
      ["concurrent", conc, `64 in flight: µs per call (wall / ${CONC_N}), lower is better`, `64 in flight, wall time / ${CONC_N} calls`],
    ]) {
      for (const k of names) {
        figures.push(figure({
          id: `overhead.${mode}.${k}`, section, label: `${clients[k].label}: ${what}`, unit: "µs/call", better: "lower",
          runs: data[k], chart: { panel, bar: clients[k].label, kind: clients[k].kind },
        }));
      }
      figures.push(figure({
        id: `overhead.${mode}.ratio_ours_token_vs_raw`, section, label: `${mode}: functiongraph-client (token) / raw fetch`,
        unit: "×", better: "lower", runs: ratios(data.ours_token, data.raw),
        target: mode === "sequential"
          ? { op: "<=", value: 1.2, text: "≤ 1.20× raw fetch" }
          : { op: "<=", value: 1.3, text: "≤ 1.30× raw fetch" },
      }));
      figures.push(figure({
        id: `overhead.${mode}.ratio_raw_request_vs_raw`, section,
        label: `${mode}: raw fetch of a Request / raw fetch (the second Request gloo-net's send forces)`, unit: "×",
        better: "lower", runs: ratios(data.raw_request, data.raw),
      }));
      figures.push(figure({
        id: `overhead.${mode}.ratio_ours_token_vs_raw_request`, section,
        label: `${mode}: functiongraph-client (token) / raw fetch of a Request (the client's own cost)`, unit: "×",
        better: "lower", runs: ratios(data.ours_token, data.raw_request),
      }));
      figures.push(figure({
        id: `overhead.${mode}.ratio_ours_token_no_timeout_vs_raw`, section,
        label: `${mode}: functiongraph-client (token, timeoutMs: 0) / raw fetch`, unit: "×", better: "lower",
        runs: ratios(data.ours_token_no_timeout, data.raw),
      }));
      figures.push(figure({
        id: `overhead.${mode}.ratio_ours_aksk_vs_official`, section,
        label: `${mode}: functiongraph-client (AK/SK) / official SDK (AK/SK)`, unit: "×", better: "lower",
        runs: ratios(data.ours_aksk, data.official),
        target: { op: "<", value: 1, text: "< 1.00× (faster than the official SDK)" },
      }));
    }
    return {
      figures,
      details: {
        method: `No-op sync invokes (event {}) against a node:http responder in its own process answering the service's v1 wrapper and headers. ` +
          `Per repeat, after a warm-up of ${WARMUP} calls per client: ${SEQ_N} sequential calls per client (median per-call latency) and ${CONC_N} calls ` +
          `with ${IN_FLIGHT} in flight (wall time / N), the clients taking turns in blocks of ${SEQ_BLOCK} (sequential) and ${CONC_BLOCK} (in flight) ` +
          `calls in a fresh random order each block, so the machine's drift and one client's garbage fall on all alike; ${REPEATS} repeats; ratios paired within a repeat.`,
        seqN: SEQ_N, concN: CONC_N, inFlight: IN_FLIGHT, repeats: REPEATS, warmup: WARMUP,
      },
    };
  } finally {
    await responder.stop();
    project.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  emit(await run());
  process.exit(0); // the official SDK's keep-alive sockets must not hold the process open
}
