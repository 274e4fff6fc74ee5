// The package's declared shape (index.d.ts, read with the TypeScript compiler API) against
// what it really exports and returns: every exported class and function, every method of the
// client, private constructors, and the fields of every result and error object that a real
// call produces. The types are written by hand; this is what ties them to the runtime.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import ts from "typescript";

import { KEYS, PROJECT, TOKEN, installPackage, json, root, scripted, startEmulator, urn } from "./harness.mjs";

/** The declarations of a .d.ts: exported classes (members, private constructor), functions, interfaces. */
function declarations(file) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const exported = (node) => node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const memberName = (m) => (m.name && ts.isComputedPropertyName(m.name) ? m.name.expression.getText(source) : m.name?.getText(source));
  const out = { classes: {}, functions: [], interfaces: {} };
  for (const node of source.statements) {
    if (!exported(node)) continue;
    if (ts.isClassDeclaration(node)) {
      const cls = { methods: [], fields: {}, privateConstructor: false, extends: node.heritageClauses?.[0]?.types[0]?.expression.getText(source) };
      for (const m of node.members) {
        if (ts.isConstructorDeclaration(m)) cls.privateConstructor = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword) ?? false;
        else if (ts.isMethodDeclaration(m)) cls.methods.push(memberName(m));
        else if (ts.isPropertyDeclaration(m)) cls.fields[memberName(m)] = { optional: !!m.questionToken };
      }
      out.classes[node.name.text] = cls;
    } else if (ts.isFunctionDeclaration(node)) {
      out.functions.push(node.name.text);
    } else if (ts.isInterfaceDeclaration(node) && out.classes[node.name.text]) {
      // Merged into the class: its [Symbol.dispose], declared where the lib has the symbol.
      const bases = node.heritageClauses?.flatMap((h) => h.types.map((t) => t.expression.getText(source))) ?? [];
      assert.deepEqual(bases, ["DisposableWhereDeclared"], `interface ${node.name.text}`);
      out.classes[node.name.text].methods.push("Symbol.dispose");
    } else if (ts.isInterfaceDeclaration(node)) {
      const fields = {};
      for (const m of node.members) if (ts.isPropertySignature(m)) fields[memberName(m)] = { optional: !!m.questionToken };
      out.interfaces[node.name.text] = fields;
    }
  }
  return out;
}

/** A class's declared fields, with those of the classes it extends (within the file). */
function classFields(decl, name) {
  const cls = decl.classes[name];
  return { ...(cls.extends && decl.classes[cls.extends] ? classFields(decl, cls.extends) : {}), ...cls.fields };
}

/** `object`'s own keys against a declaration: every required one present, none undeclared. */
function assertShape(object, declared, what) {
  const keys = Object.keys(object);
  for (const [k, { optional }] of Object.entries(declared)) {
    if (!optional) assert.ok(keys.includes(k), `${what}: declared field ${k} is missing (has ${keys.join(", ")})`);
  }
  for (const k of keys) assert.ok(k in declared, `${what}: field ${k} is not declared`);
}

let pkg, cleanup, emulator, decl, bad;
before(async () => {
  ({ mod: pkg, cleanup } = await installPackage());
  emulator = await startEmulator();
  decl = declarations(join(root, "pkg/index.d.ts"));
  // Answers the client cannot use: a ResponseError.
  bad = await scripted((req, res) => json(res, 200, "[1, 2]"));
});
after(async () => {
  await bad?.close();
  await emulator?.stop();
  cleanup?.();
});

const client = (extra = {}) => new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: emulator.url, credentials: { token: TOKEN }, ...extra });
const rejection = (promise) => promise.then((v) => assert.fail(`resolved with ${JSON.stringify(v)}`), (e) => e);

describe("index.d.ts against the runtime", () => {
  test("the declared classes and functions are exactly the runtime exports", () => {
    const declared = [...Object.keys(decl.classes), ...decl.functions].sort();
    assert.deepEqual(Object.keys(pkg).sort(), declared);
    for (const name of declared) assert.equal(typeof pkg[name], "function", name);
    // The checks below must have something to check.
    assert.ok(decl.classes.FunctionGraphClient.methods.length >= 11);
    assert.ok(Object.keys(decl.interfaces).length >= 10);
  });

  test("the client's methods are the declared ones", () => {
    const declared = decl.classes.FunctionGraphClient.methods;
    const proto = pkg.FunctionGraphClient.prototype;
    const runtime = [
      ...Object.getOwnPropertyNames(proto).filter((k) => k !== "constructor" && typeof proto[k] === "function"),
      ...Object.getOwnPropertySymbols(proto).map((s) => `[${s.description}]`),
    ];
    for (const m of declared) {
      const key = m === "Symbol.dispose" ? Symbol.dispose : m;
      assert.equal(typeof proto[key], "function", `declared method ${m} is missing`);
    }
    for (const m of runtime) {
      const name = m === `[${Symbol.dispose.description}]` ? "Symbol.dispose" : m;
      assert.ok(declared.includes(name) || name === "__destroy_into_raw", `runtime method ${m} is not declared`);
    }
  });

  test("private constructors cannot be called; the public one validates", () => {
    for (const [name, cls] of Object.entries(decl.classes)) {
      if (cls.privateConstructor) assert.throws(() => new pkg[name]({ requestId: "forged" }), TypeError, name);
    }
    assert.throws(() => new pkg.FunctionGraphClient({}), { name: "ValidationError" });
  });

  test("what invoke, invokeAsync and the listings resolve with has the declared fields", async () => {
    const c = client();
    const r = await c.invoke(urn("echo"), { shape: 1 });
    assert.ok(r instanceof pkg.InvokeResult);
    assertShape(r, classFields(decl, "InvokeResult"), "InvokeResult");
    assertShape(r.summary, decl.interfaces.InvokeSummary, "InvokeSummary");
    const failed = await c.invoke(urn("fail"), {});
    assertShape(failed.functionError, decl.interfaces.FunctionErrorInfo, "FunctionErrorInfo");
    const accepted = await c.invokeAsync(urn("echo"), {});
    assertShape(accepted, decl.interfaces.AsyncInvokeResult, "AsyncInvokeResult");
    const record = await c.waitForAsyncInvocation(urn("echo"), accepted.requestId, { intervalMs: 20 });
    assertShape(record, decl.interfaces.AsyncInvocation, "AsyncInvocation");
    const page = await c.listAsyncInvocations(urn("echo"), { limit: 1 });
    assertShape(page, decl.interfaces.AsyncInvocationPage, "AsyncInvocationPage");
    assertShape(page.invocations[0], decl.interfaces.AsyncInvocation, "AsyncInvocation (listed)");
    const signed = pkg.signRequest({ method: "GET", url: "https://example.com/x" }, KEYS);
    assert.ok(typeof signed.Authorization === "string" && typeof signed["X-Sdk-Date"] === "string");
  });

  test("every error class's declared fields are on a real error of it", async () => {
    const errors = {
      ServiceError: await rejection(client().invoke(urn("no-such-function"), {})),
      NetworkError: await rejection(client({ endpoint: "http://127.0.0.1:9", retry: false }).invoke(urn("echo"), {})),
      TimeoutError: await rejection(client().invoke(urn("sleep"), { ms: 2000 }, { timeoutMs: 50 })),
      ValidationError: await rejection(client().invoke("not-a-urn", {})),
      ResponseError: await rejection(client({ endpoint: bad.url }).invoke(urn("echo"), {})),
    };
    for (const [name, e] of Object.entries(errors)) {
      assert.equal(e.name, name, `${e}`);
      assert.ok(e instanceof pkg[name]);
      // Own fields, plus what Error gives (message, cause, stack) and name (non-enumerable).
      const declared = { ...classFields(decl, name), message: { optional: false }, cause: { optional: true }, stack: { optional: true } };
      for (const [k, { optional }] of Object.entries(declared)) if (!optional) assert.ok(k in e, `${name}.${k} is missing`);
      for (const k of Object.keys(e)) assert.ok(k in declared, `${name}.${k} is not declared`);
    }
  });
});
