// What the platform can do to a call: a mocked or polyfilled `fetch` (the common unit-test
// pattern), one that throws instead of rejecting, one that rejects with something that is
// not an Error, a Response of another realm. Each is a typed rejection that says what
// happened; the call settles, and the same client works once `fetch` is real again.
// (Before patches/gloo-net, the first was a wasm trap: `RuntimeError: unreachable`, and
// the call's promise never settled.)
import assert from "node:assert/strict";
import vm from "node:vm";
import { after, before, describe, test } from "node:test";

import { PROJECT, TOKEN, installPackage, json, scripted, urn } from "./harness.mjs";

let pkg, cleanup, server;
before(async () => {
  ({ mod: pkg, cleanup } = await installPackage());
  server = await scripted((req, res) => json(res, 200, { request_id: "r-1", result: "{\"ok\":true}", log: "", status: 200 }));
});
after(async () => {
  await server?.close();
  cleanup?.();
});

const realFetch = globalThis.fetch;

/** Runs `call` with `globalThis.fetch` replaced by `fake`, restoring it whatever happens. */
async function withFetch(fake, call) {
  globalThis.fetch = fake;
  try {
    return await call();
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** The call's rejection, or a failure if it resolves or does not settle within 5 s. */
async function settledRejection(promise) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("the call did not settle in 5 s")), 5000);
  });
  try {
    return await Promise.race([promise.then((v) => assert.fail(`resolved with ${JSON.stringify(v)}`), (e) => e), limit]);
  } finally {
    clearTimeout(timer);
  }
}

const fakes = {
  "resolves with a plain object (a hand-written mock)": async () => ({
    ok: true, status: 200, headers: new Headers({ "content-type": "application/json" }),
    text: async () => "{\"request_id\":\"m\",\"result\":\"{}\",\"log\":\"\",\"status\":200}",
    json: async () => ({ request_id: "m", result: "{}", log: "", status: 200 }),
  }),
  // What a Response of another realm looks like from here: named Response, not ours.
  "resolves with a 'Response' made in another realm (node:vm)": async () =>
    vm.runInNewContext("class Response { constructor() { this.ok = true; this.status = 200; } }; new Response()"),
  "resolves with undefined (a mock with no return)": async () => undefined,
  "throws synchronously": () => {
    throw new TypeError("fetch is not ready");
  },
  "rejects with a string": async () => {
    throw "offline"; // eslint-disable-line no-throw-literal
  },
  "rejects with a plain object": () => Promise.reject({ code: "EMOCK" }),
};

describe("a fetch that is not the platform's", () => {
  for (const [what, fake] of Object.entries(fakes)) {
    test(`${what}: a NetworkError, the call settles, the client keeps working`, async () => {
      const client = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: server.url, credentials: { token: TOKEN } });
      const e = await withFetch(fake, () => settledRejection(client.invoke(urn("echo"), {})));
      assert.equal(e.name, "NetworkError", `${e?.name}: ${e?.message}`);
      assert.ok(e instanceof pkg.NetworkError);
      assert.match(e.message, /^network error: POST http:\/\/127\.0\.0\.1:\d+\/v2\/.+\/invocations: .+/);
      if (what.startsWith("resolves")) assert.match(e.message, /fetch resolved with something that is not a Response/);
      if (what === "throws synchronously") assert.match(e.message, /fetch is not ready/);
      assert.ok(!e.message.includes(TOKEN), "no secret in the message");
      // The same client, and the module, still work.
      const r = await client.invoke(urn("echo"), {});
      assert.equal(r.status, 200);
      assert.equal(r.result, "{\"ok\":true}");
    });
  }
});
