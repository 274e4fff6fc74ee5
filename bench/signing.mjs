// 2. AK/SK signing throughput, in process, same inputs:
//   ours           signRequest() of the package (public API, in wasm), body given as the string
//   ours+stringify the same, with JSON.stringify(event) inside the timed call
//   official       the official SDK's own signer, AKSKSigner.sign() from
//                  @huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js, called directly with the
//                  request shape its HcClient builds (endpoint, method, headers, data = the event
//                  object, which it JSON.stringifies itself to hash the payload)
// Before timing, both sign the same request at the same fixed date and must produce the same
// Authorization (SDK-HMAC-SHA256 over content-type;host;x-project-id;x-sdk-date). The timed
// calls take the current time, as real calls do. A small event and a 1 MiB one.
// No forced GC between batches: a gc() call costs the official signer (moment, lodash) half its
// throughput for the next few thousand calls, which is not its steady state.
// Run alone: node bench/signing.mjs
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { KEYS, PROJECT, QUICK, emit, figure, importPackage, invokePath, log, median, packageProject, ratios, turnOrders } from "./common.mjs";

const require = createRequire(import.meta.url);
const { AKSKSigner } = require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js");
const { BasicCredentials } = require("@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js");

const REPEATS = QUICK ? 3 : 7;
const URL_ = "http://127.0.0.1:8787" + invokePath("echo");
const SIZES = {
  small: {
    label: "small body",
    event: { name: "world", id: 42, tags: ["a", "b"], nested: { ok: true } },
    batch: QUICK ? 2000 : 20000,
    warmup: 10000, // JIT warm-up of each signer before the timed batches
  },
  "1mb": {
    label: "1 MiB body",
    // {"data":"xxx…"}: exactly 1 MiB of JSON
    event: { data: "x".repeat(1024 * 1024 - 11) },
    batch: QUICK ? 5 : 40,
    warmup: 5,
  },
};

function signers(mod, event) {
  const body = JSON.stringify(event);
  const headers = { "Content-Type": "application/json", "X-Project-Id": PROJECT };
  const creds = { accessKey: KEYS.accessKey, secretKey: KEYS.secretKey };
  const ours = { method: "POST", url: URL_, headers, body };
  const cred = new BasicCredentials().withAk(KEYS.accessKey).withSk(KEYS.secretKey).withProjectId(PROJECT);
  const officialRequest = (extra = {}) => ({
    endpoint: URL_,
    method: "POST",
    headers: { "X-Project-Id": PROJECT, "content-type": "application/json", ...extra },
    data: event,
    queryParams: {},
  });
  const officialTimed = officialRequest();
  return {
    verify() {
      const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
      const a = mod.signRequest(ours, creds, { date }).Authorization;
      const b = AKSKSigner.sign(officialRequest({ "X-Sdk-Date": "20240102T030405Z" }), cred).Authorization;
      return { ours: a, official: b, same: a === b, bodyBytes: Buffer.byteLength(body) };
    },
    fns: {
      ours: { label: "functiongraph-client signRequest (wasm)", kind: "ours", fn: () => mod.signRequest(ours, creds) },
      ours_stringify: {
        label: "functiongraph-client signRequest + JSON.stringify",
        kind: "ours",
        fn: () => mod.signRequest({ method: "POST", url: URL_, headers, body: JSON.stringify(event) }, creds),
      },
      official: { label: "official SDK AKSKSigner.sign", kind: "peer", fn: () => AKSKSigner.sign(officialTimed, cred) },
    },
  };
}

function opsPerSecond(fn, n) {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += fn().Authorization.length;
  const ms = performance.now() - t0;
  if (sink === 0) throw new Error("no signature");
  return (n / ms) * 1000;
}

export async function run() {
  const project = packageProject();
  try {
    const mod = await importPackage(project.dir);
    const figures = [];
    const verification = {};
    const section = "AK/SK signing";
    for (const [size, spec] of Object.entries(SIZES)) {
      const s = signers(mod, spec.event);
      const v = s.verify();
      verification[size] = { same: v.same, bodyBytes: v.bodyBytes, ours: v.ours.replace(/Signature=\w+/, "Signature=…" + v.ours.slice(-8)), official: v.official.replace(/Signature=\w+/, "Signature=…" + v.official.slice(-8)) };
      if (!v.same) log(`WARNING signing ${size}: the Authorization headers differ:\n  ours     ${v.ours}\n  official ${v.official}`);
      const names = Object.keys(s.fns);
      const data = Object.fromEntries(names.map((k) => [k, []]));
      for (const k of names) opsPerSecond(s.fns[k].fn, spec.warmup);
      const nextOrder = turnOrders(names);
      for (let r = 0; r < REPEATS; r++) {
        for (const k of nextOrder()) data[k].push(opsPerSecond(s.fns[k].fn, spec.batch));
      }
      log(`signing ${size}: ${names.map((k) => `${k} ${Math.round(median(data[k]))}/s`).join(", ")}`);
      const panel = `Signing, ${spec.label} (${v.bodyBytes.toLocaleString("en")} B): signatures/s, higher is better`;
      for (const k of names) {
        figures.push(figure({
          id: `signing.${size}.${k}`, section, label: `${s.fns[k].label}, ${spec.label}`, unit: "ops/s", better: "higher",
          runs: data[k], chart: { panel, bar: s.fns[k].label, kind: s.fns[k].kind },
        }));
      }
      const small = size === "small";
      figures.push(figure({
        id: `signing.${size}.ratio_ours_stringify_vs_official`, section,
        label: `${spec.label}: functiongraph-client (incl. JSON.stringify) / official signer, throughput`, unit: "×", better: "higher",
        runs: ratios(data.ours_stringify, data.official),
        target: small ? { op: ">=", value: 1, text: "≥ 1.00× (at least as fast as the official signer)" } : undefined,
        note: v.same ? undefined : "the two signers disagreed on the Authorization for this input",
      }));
      figures.push(figure({
        id: `signing.${size}.ratio_ours_vs_official`, section,
        label: `${spec.label}: functiongraph-client (body string given) / official signer, throughput`, unit: "×", better: "higher",
        runs: ratios(data.ours, data.official),
      }));
    }
    return {
      figures,
      details: {
        method: `Same request (POST ${invokePath("echo")}, Content-Type application/json, X-Project-Id, host 127.0.0.1:8787) signed by ` +
          "signRequest() and by the official SDK's AKSKSigner.sign(); both are first checked to give the same Authorization at a fixed date. " +
          `Timed calls use the current time. Throughput = batch / wall time, after a warm-up of each signer; ${REPEATS} repeats, in a fresh random order each repeat. ` +
          "The official signer is given the event object (it JSON.stringifies it to hash the payload, as its HcClient does); ours is " +
          "timed both with the body string given and with JSON.stringify(event) inside the timed call; the target uses the latter.",
        repeats: REPEATS,
        batches: Object.fromEntries(Object.entries(SIZES).map(([k, v]) => [k, v.batch])),
        warmupCalls: Object.fromEntries(Object.entries(SIZES).map(([k, v]) => [k, v.warmup])),
        verification,
      },
    };
  } finally {
    project.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) emit(await run());
