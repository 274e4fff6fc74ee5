// The error classes recognise the package's own errors by their brand (a registered
// symbol), never by `name`: the platform's and other libraries' errors of the same name are
// not ours, and ours are recognised by a second installed copy of the package.
import assert from "node:assert/strict";
import vm from "node:vm";
import { after, before, test } from "node:test";

import { PROJECT, TOKEN, installPackage, urn } from "./harness.mjs";

let first, second;
before(async () => {
  first = await installPackage();
  second = await installPackage();
});
after(() => {
  first?.cleanup();
  second?.cleanup();
});

const CLASSES = ["ServiceError", "NetworkError", "TimeoutError", "ValidationError", "ResponseError"];

/** A ValidationError and a NetworkError made by the package (no request reaches anyone). */
async function ownErrors(mod) {
  const validation = (() => {
    try {
      new mod.FunctionGraphClient({ projectId: "", endpoint: "http://127.0.0.1:9" });
    } catch (e) {
      return e;
    }
  })();
  const client = new mod.FunctionGraphClient({ projectId: PROJECT, endpoint: "http://127.0.0.1:9", credentials: { token: TOKEN }, retry: false });
  const network = await client.invoke(urn("echo"), {}).then(() => assert.fail("resolved"), (e) => e);
  return { validation, network };
}

test("errors of the same name that are not the package's are not taken for its own", () => {
  const { mod } = first;
  const strangers = [
    new DOMException("signal timed out", "TimeoutError"), // what AbortSignal.timeout() aborts with
    new DOMException("x", "NetworkError"),
    Object.assign(new Error("Mongoose says no"), { name: "ValidationError" }),
    { name: "ServiceError", message: "" },
    { name: "ResponseError", message: "x", status: 200 },
    Object.create(mod.ServiceError.prototype), // the right prototype, never constructed
    new Proxy({}, { getOwnPropertyDescriptor() { throw new Error("trap"); } }),
    null,
    "ServiceError",
  ];
  for (const value of strangers) {
    assert.equal(mod.isFunctionGraphError(value), false, String(value?.name ?? value));
    assert.equal(value instanceof mod.FunctionGraphError, false, String(value?.name ?? value));
    for (const name of CLASSES) assert.equal(value instanceof mod[name], false, `${value?.name} instanceof ${name}`);
  }
});

test("the package's errors are recognised by their own class only, and by a second installed copy", async () => {
  const { validation, network } = await ownErrors(first.mod);
  assert.equal(validation.name, "ValidationError");
  assert.equal(network.name, "NetworkError");
  for (const mod of [first.mod, second.mod]) {
    assert.notEqual(mod, first.mod === mod ? second.mod : first.mod);
    assert.ok(validation instanceof mod.ValidationError);
    assert.ok(validation instanceof mod.FunctionGraphError);
    assert.ok(mod.isFunctionGraphError(validation));
    assert.ok(network instanceof mod.NetworkError);
    assert.equal(validation instanceof mod.NetworkError, false);
    assert.equal(network instanceof mod.ServiceError, false);
  }
  assert.notEqual(first.mod.ValidationError, second.mod.ValidationError, "two copies of the class");
  // Made in another realm, with a brand of the same registered symbol: still ours.
  const foreign = vm.runInNewContext(
    "const e = new Error('x'); Object.defineProperty(e, Symbol.for('functiongraph-client.error'), { value: 'TimeoutError' }); e",
  );
  assert.ok(foreign instanceof first.mod.TimeoutError);
  assert.ok(first.mod.isFunctionGraphError(foreign));
  // The brand is not enumerable: it does not show in logs or JSON.
  assert.deepEqual(Object.keys(validation).sort(), ["field"]);
});

test("an AbortSignal.timeout() abort rejects with the platform's DOMException, which is not a TimeoutError of ours", async () => {
  const { mod } = first;
  const client = new mod.FunctionGraphClient({ projectId: PROJECT, endpoint: "http://127.0.0.1:9", credentials: { token: TOKEN } });
  const signal = AbortSignal.timeout(0);
  await new Promise((r) => setTimeout(r, 20));
  const e = await client.invoke(urn("echo"), {}, { signal }).then(() => assert.fail("resolved"), (x) => x);
  assert.equal(e, signal.reason, "the signal's own reason, unchanged");
  assert.equal(e.name, "TimeoutError");
  assert.equal(e instanceof mod.TimeoutError, false);
  assert.equal(mod.isFunctionGraphError(e), false);
});
