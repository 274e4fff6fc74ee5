// The client's own AK/SK path (transport.rs: its header assembly and the endpoint's path
// prefix, not signRequest()) checked against the official Node SDK's signer
// (@huaweicloud/huaweicloud-sdk-core's AKSKSigner, installed for tests/compat): each request
// the client sends is signed again by the official signer from what arrived, and the two
// Authorization headers must be equal.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { KEYS, PROJECT, installPackage, json, root, scripted, urn } from "./harness.mjs";

const require = createRequire(join(root, "tests/compat/package.json"));
const { AKSKSigner } = require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js");
const { BasicCredentials } = require("@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js");

let pkg, cleanup, server;
before(async () => {
  ({ mod: pkg, cleanup } = await installPackage());
  server = await scripted((req, res) =>
    req.method === "GET"
      ? json(res, 200, { invocations: [], count: 0, next_marker: 0 })
      : json(res, 200, { request_id: "r", result: "{}", log: "", status: 200 }));
});
after(async () => {
  await server?.close();
  cleanup?.();
});

/** The official signer's Authorization for a request as it arrived at the server. */
function officialAuthorization(received, event) {
  const signed = /SignedHeaders=([^,]+),/.exec(received.headers.authorization)[1].split(";");
  const headers = {};
  // (The official signer adds its own date unless given one spelt "X-Sdk-Date".)
  for (const name of signed) if (name !== "host") headers[name === "x-sdk-date" ? "X-Sdk-Date" : name] = received.headers[name];
  const url = new URL(received.url, server.url);
  const cred = new BasicCredentials().withAk(KEYS.accessKey).withSk(KEYS.secretKey).withProjectId(PROJECT);
  return AKSKSigner.sign({
    // The path as the SDK holds it before sending (its signer encodes each segment itself).
    endpoint: `${url.origin}${decodeURIComponent(url.pathname)}`,
    method: received.method,
    headers,
    data: event,
    queryParams: Object.fromEntries(url.searchParams),
  }, cred).Authorization;
}

test("signed by the client through an endpoint with a path prefix, as the official signer signs", async () => {
  const client = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: `${server.url}/gateway/fgs/`, credentials: { ...KEYS } });
  const event = { name: "prefix", list: [1, "two"], nested: { ok: true }, text: "é✓" };
  await client.invoke(urn("echo"), event, { logType: "tail" });
  await client.listAsyncInvocations(urn("echo"), { limit: 5, status: "FAIL", requestId: "a b/c" });
  assert.equal(server.requests.length, 2);
  for (const [received, body] of [[server.requests[0], event], [server.requests[1], undefined]]) {
    assert.match(received.url, /^\/gateway\/fgs\/v2\//, "the prefix is sent");
    assert.match(received.headers.authorization, /^SDK-HMAC-SHA256 Access=DEVACCESSKEYEXAMPLE0, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    assert.equal(received.headers.authorization, officialAuthorization(received, body), `${received.method} ${received.url}`);
  }
  // A mutation the check must catch: the prefix left out of what is signed.
  const withoutPrefix = { ...server.requests[0], url: server.requests[0].url.replace("/gateway/fgs", "") };
  assert.notEqual(server.requests[0].headers.authorization, officialAuthorization(withoutPrefix, event));
});
