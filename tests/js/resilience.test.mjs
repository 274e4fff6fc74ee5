// Retries, timeouts, cancellation, hooks, and surviving bad answers, against a
// scripted loopback server that answers like the service (then misbehaves).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { KEYS, PROJECT, TOKEN, installPackage, json, scripted, urn } from "./harness.mjs";

let pkg, cleanup;
before(async () => ({ mod: pkg, cleanup } = await installPackage()));
after(() => cleanup?.());

const busy = (res) => json(res, 503, { error_code: "FSS.0503", error_msg: "Service unavailable." }, { "x-request-id": "req-503" });
const page = (ids, next) => ({
  invocations: ids.map((id) => ({ request_id: id, status: "SUCCESS", error_message: "", error_code: 0, start_time: "2026-01-01T00:00:00", end_time: "2026-01-01T00:00:01" })),
  count: ids.length,
  ...(next === undefined ? {} : { next_marker: next }),
});
const invoked = { request_id: "r-1", result: "{\"ok\":true}", log: "", status: 200 };

function clientFor(server, extra = {}) {
  return new pkg.FunctionGraphClient({
    projectId: PROJECT,
    endpoint: server.url,
    credentials: { token: TOKEN },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...extra,
  });
}

async function rejection(promise) {
  return promise.then((v) => assert.fail(`resolved with ${JSON.stringify(v)}`), (e) => e);
}

describe("retries", () => {
  test("listing is retried on 503 with backoff; the attempts are counted", async () => {
    const s = await scripted((req, res, n) => (n < 3 ? busy(res) : json(res, 200, page(["a"]))));
    const p = await clientFor(s).listAsyncInvocations(urn("echo"));
    assert.deepEqual(p.invocations.map((i) => i.requestId), ["a"]);
    assert.equal(s.requests.length, 3);
    // Two attempts allowed: the second 503 is final.
    const two = await scripted((req, res) => busy(res));
    const e = await rejection(clientFor(two, { retry: { maxAttempts: 2, baseDelayMs: 1 } }).listAsyncInvocations(urn("echo")));
    assert.equal(e.attempts, 2);
    assert.equal(two.requests.length, 2);
    await two.close();
    await s.close();
  });

  test("the error after the last attempt carries the attempt count and request id", async () => {
    const s = await scripted((req, res) => busy(res));
    const e = await rejection(clientFor(s).listAsyncInvocations(urn("echo")));
    assert.equal(e.name, "ServiceError");
    assert.equal(e.status, 503);
    assert.equal(e.attempts, 3);
    assert.equal(e.requestId, "req-503");
    assert.equal(s.requests.length, 3);
    const once = await rejection(clientFor(s).listAsyncInvocations(urn("echo"), { retry: false }));
    assert.equal(once.attempts, 1);
    await s.close();
  });

  test("invocations are not retried unless the caller opts in", async () => {
    const s = await scripted((req, res) => busy(res));
    const e = await rejection(clientFor(s).invoke(urn("echo"), {}));
    assert.equal(e.attempts, 1);
    assert.equal(s.requests.length, 1);
    const opted = await rejection(clientFor(s).invoke(urn("echo"), {}, { retry: true }));
    assert.equal(opted.attempts, 3);
    const viaClient = await rejection(
      clientFor(s, { retry: { baseDelayMs: 1, retryInvocations: true, maxAttempts: 2 } }).invokeAsync(urn("echo"), {}),
    );
    assert.equal(viaClient.attempts, 2);
    assert.equal(s.requests.length, 1 + 3 + 2);
    await s.close();
  });

  test("each attempt is signed afresh: a new X-Sdk-Date and a new signature", async (t) => {
    // Retry-After: 1 puts the second attempt at least a second later, and X-Sdk-Date has
    // one-second resolution: a re-sent first signature would repeat the date.
    const s = await scripted((req, res, n) =>
      n < 2 ? json(res, 503, { error_code: "FSS.0503", error_msg: "busy" }, { "retry-after": "1" }) : json(res, 200, page([])));
    t.after(() => s.close());
    await clientFor(s, { credentials: KEYS }).listAsyncInvocations(urn("echo"));
    assert.equal(s.requests.length, 2);
    for (const r of s.requests) assert.match(r.headers.authorization, /^SDK-HMAC-SHA256 Access=DEVACCESSKEYEXAMPLE0, /);
    const [first, second] = s.requests.map((r) => r.headers);
    const date = (h) => {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(h["x-sdk-date"]);
      assert.ok(m, h["x-sdk-date"]);
      return Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6]);
    };
    assert.ok(date(second) > date(first), `${first["x-sdk-date"]} then ${second["x-sdk-date"]}`);
    const signature = (h) => /Signature=([0-9a-f]{64})$/.exec(h.authorization)?.[1];
    assert.ok(signature(first) && signature(second));
    assert.notEqual(signature(first), signature(second));
  });

  test("maxDelayMs caps the backoff", async (t) => {
    const s = await scripted((req, res) => busy(res));
    t.after(() => s.close());
    // Full jitter over base 1000 ms doubling: the 9 waits would average ~255 s, and fit
    // in 5 s with negligible probability; capped at 20 ms they take at most 180 ms. The
    // call's 5 s timeout bounds the test (uncapped, it ends as a TimeoutError).
    const e = await rejection(
      clientFor(s, { retry: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 20 } })
        .listAsyncInvocations(urn("echo"), { timeoutMs: 5000 }),
    );
    assert.equal(e.name, "ServiceError", `${e.name}: ${e.message}`);
    assert.equal(e.attempts, 10);
    assert.equal(s.requests.length, 10);
  });

  test("Retry-After is honoured; a disabled function is not retried", async () => {
    const s = await scripted((req, res, n) =>
      n === 1
        ? json(res, 429, { error_code: "FSS.0429", error_msg: "Too many requests." }, { "retry-after": "1" })
        : json(res, 200, page([])),
    );
    await clientFor(s).listAsyncInvocations(urn("echo"));
    const gap = s.requests[1].at - s.requests[0].at;
    assert.ok(gap >= 950, `waited ${gap} ms for Retry-After: 1`);
    await s.close();
    const d = await scripted((req, res) => json(res, 429, { error_code: "FSS.0429", error_msg: "Function Disabled" }));
    const e = await rejection(clientFor(d).listAsyncInvocations(urn("echo")));
    assert.equal(e.attempts, 1);
    await d.close();
  });

  test("a reset connection is retried for listing and is a NetworkError in the end", async () => {
    const s = await scripted((req, res, n) => (n === 1 ? req.socket.destroy() : json(res, 200, page(["b"]))));
    const p = await clientFor(s).listAsyncInvocations(urn("echo"));
    assert.equal(p.invocations[0].requestId, "b");
    await s.close();
    const always = await scripted((req) => req.socket.destroy());
    const e = await rejection(clientFor(always).listAsyncInvocations(urn("echo")));
    assert.equal(e.name, "NetworkError");
    assert.equal(e.attempts, 3);
    await always.close();
  });

  test("abort ends a backoff at once; the timeout spans every attempt", async (t) => {
    // Retry-After: 10 makes the client wait 10 s before its second attempt: a call that
    // settles well within that, with one request sent, was ended during the backoff.
    const s = await scripted((req, res) =>
      json(res, 503, { error_code: "FSS.0503", error_msg: "busy" }, { "retry-after": "10" }));
    t.after(() => s.close());
    const controller = new AbortController();
    const started = Date.now();
    // Aborted once the first answer is in, i.e. during the backoff (not while it is sent).
    const c = clientFor(s, { onResponse: () => setTimeout(() => controller.abort("user cancelled"), 50) });
    const reason = await rejection(c.listAsyncInvocations(urn("echo"), { signal: controller.signal }));
    assert.equal(reason, "user cancelled");
    assert.equal(s.requests.length, 1);
    assert.ok(Date.now() - started < 5000, "did not sit out the 10 s Retry-After");
    const before = Date.now();
    const e = await rejection(clientFor(s).listAsyncInvocations(urn("echo"), { timeoutMs: 300 }));
    const measured = Date.now() - before;
    assert.equal(e.name, "TimeoutError");
    assert.equal(s.requests.length, 2, "the timeout ended the backoff: no second attempt");
    // elapsedMs is the time the call took: at least its timeout, at most what we measured.
    assert.ok(e.elapsedMs >= 290 && e.elapsedMs <= measured + 5, `${e.elapsedMs} (measured ${measured})`);
    assert.ok(measured < 5000, "did not sit out the 10 s Retry-After");
  });

  test("retry options are validated", async () => {
    for (const [retry, field] of [
      [{ maxAttempts: 0 }, "options.retry.maxAttempts"],
      [{ maxAttempts: 11 }, "options.retry.maxAttempts"],
      [{ baseDelayMs: -1 }, "options.retry.baseDelayMs"],
      ["often", "options.retry"],
    ]) {
      assert.throws(
        () => new pkg.FunctionGraphClient({ projectId: PROJECT, region: "cn-north-4", retry }),
        (e) => e.name === "ValidationError" && e.field === field,
      );
    }
  });
});

describe("hooks and debug", () => {
  test("onRequest/onResponse see every attempt with credentials redacted", async () => {
    const s = await scripted((req, res, n) => (n < 2 ? busy(res) : json(res, 200, page([]))));
    const seen = [];
    const securityToken = "session-token-secret-value";
    const c = clientFor(s, {
      credentials: { ...KEYS, securityToken },
      onRequest: (info) => seen.push(["request", info]),
      onResponse: (info) => {
        seen.push(["response", info]);
        throw new Error("a broken hook must not break the call");
      },
    });
    await c.listAsyncInvocations(urn("echo"), { limit: 5 });
    assert.deepEqual(seen.map(([k, i]) => `${k}:${i.attempt}`), ["request:1", "response:1", "request:2", "response:2"]);
    const [, req] = seen[0];
    assert.equal(req.method, "GET");
    assert.match(req.url, /async-invocations\?limit=5$/);
    // What actually went over the wire: exactly the signed query, nothing appended.
    assert.match(s.requests[0].url, /\/async-invocations\?limit=5$/);
    assert.equal(s.requests[0].url, new URL(req.url).pathname + new URL(req.url).search);
    assert.equal(req.headers.authorization, "[REDACTED]");
    assert.equal(req.headers["x-security-token"], "[REDACTED]");
    assert.equal(seen[1][1].status, 503);
    assert.equal(seen[3][1].status, 200);
    assert.ok(seen[3][1].durationMs >= 0);
    const everything = JSON.stringify(seen);
    assert.ok(!everything.includes(KEYS.secretKey) && !everything.includes(securityToken));
    assert.ok(!everything.includes("Signature="));
    await s.close();
  });

  test("onResponse reports a network failure as error, without a status", async (t) => {
    const s = await scripted((req) => req.socket.destroy());
    t.after(() => s.close());
    const seen = [];
    const e = await rejection(clientFor(s, { onResponse: (info) => seen.push(info) }).invoke(urn("echo"), {}));
    assert.equal(e.name, "NetworkError");
    assert.equal(seen.length, 1);
    const [info] = seen;
    assert.equal(info.attempt, 1);
    assert.equal(info.method, "POST");
    assert.match(info.url, /\/invocations$/);
    assert.ok(info.error !== undefined && info.error !== null, "error is set");
    assert.equal(info.status, undefined);
    assert.ok(info.durationMs >= 0);
  });

  test("debug logs the same redacted records with console.debug", async () => {
    const s = await scripted((req, res) => json(res, 200, invoked));
    const lines = [];
    const original = console.debug;
    console.debug = (...args) => lines.push(args);
    try {
      await clientFor(s, { debug: true }).invoke(urn("echo"), {});
    } finally {
      console.debug = original;
    }
    assert.equal(lines.length, 2);
    assert.match(lines[0][0], /request/);
    assert.equal(lines[0][1].headers["x-auth-token"], "[REDACTED]");
    assert.ok(!JSON.stringify(lines).includes(TOKEN));
    await s.close();
  });
});

describe("bad answers", () => {
  const cases = [
    ["an HTML 502 page", (res) => { res.writeHead(502, { "content-type": "text/html" }); res.end("<html><body><h1>502 Bad Gateway</h1></body></html>"); },
      (e) => e.name === "ServiceError" && e.status === 502 && e.errorCode === "" && /Bad Gateway/.test(e.errorMsg)],
    ["an empty 200", (res) => { res.writeHead(200); res.end(); }, (e) => e.name === "ResponseError" && e.status === 200],
    ["truncated JSON", (res) => json(res, 200, '{"request_id":"r","result":"{\\"a'), (e) => e.name === "ResponseError" && e.body.startsWith("{")],
    ["wrong field types", (res) => json(res, 200, { request_id: "r", result: "x", status: "fine", log: 5 }), (e) => e.name === "ResponseError"],
    ["a 200 without the fields", (res) => json(res, 200, { something: "else" }), (e) => e.name === "ResponseError" && /result/.test(e.message)],
    ["a JSON array", (res) => json(res, 200, "[1,2,3]"), (e) => e.name === "ResponseError"],
    ["an empty 500", (res) => { res.writeHead(500); res.end(); }, (e) => e.name === "ServiceError" && e.status === 500 && e.errorMsg === "(empty body)"],
    ["a huge non-JSON body", (res) => { res.writeHead(200); res.end("x".repeat(8 * 1024 * 1024)); },
      (e) => e.name === "ResponseError" && e.body.length === 1024],
    ["a connection reset", (res) => res.socket.destroy(), (e) => e.name === "NetworkError" && e.cause !== undefined],
  ];
  for (const [name, answer, check] of cases) {
    test(`${name} gives a typed error, and the client keeps working`, async () => {
      let broken = true;
      const s = await scripted((req, res) => (broken ? answer(res) : json(res, 200, invoked)));
      const c = clientFor(s);
      const e = await rejection(c.invoke(urn("echo"), {}));
      assert.ok(pkg.isFunctionGraphError(e), `${e}`);
      assert.ok(check(e), `${name}: ${e.name} ${e.message}`);
      broken = false;
      assert.deepEqual((await c.invoke(urn("echo"), {})).json(), { ok: true });
      await s.close();
    });
  }

  test("invalid UTF-8 in the body is decoded with replacement characters, not a trap", async () => {
    const s = await scripted((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(Buffer.concat([Buffer.from('{"request_id":"r","result":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b","log":"","status":200}')]));
    });
    const r = await clientFor(s).invoke(urn("echo"), {});
    assert.equal(r.result, "a\uFFFD\uFFFDb");
    await s.close();
  });

  test("a v0 log header is Base64 of UTF-8: invalid bytes become replacement characters; not Base64, an empty log", async () => {
    for (const [header, log] of [
      [Buffer.from("é ok").toString("base64"), "é ok"],
      [Buffer.from([0x6f, 0x6b, 0x20, 0xff, 0xfe, 0x20, 0xc3]).toString("base64"), "ok \uFFFD\uFFFD \uFFFD"],
      ["not base64!", ""],
    ]) {
      const s = await scripted((req, res) => {
        res.writeHead(200, { "content-type": "application/json", "x-cff-request-id": "r", "x-cff-function-log": header });
        res.end('{"ok":true}');
      });
      const r = await clientFor(s).invoke(urn("echo"), {}, { requestVersion: "v0", logType: "tail" });
      assert.equal(r.log, log, header);
      assert.deepEqual(r.json(), { ok: true });
      await s.close();
    }
  });

  test("malformed listing records are refused as a whole", async () => {
    for (const body of [
      { invocations: "nope" },
      { invocations: [{ request_id: "a", status: "WEIRD" }] },
      { invocations: [{ status: "SUCCESS" }] },
      { invocations: [], count: "many" },
    ]) {
      const s = await scripted((req, res) => json(res, 200, body));
      const e = await rejection(clientFor(s).listAsyncInvocations(urn("echo"), { retry: false }));
      assert.equal(e.name, "ResponseError", JSON.stringify(body));
      await s.close();
    }
  });

  test("a response that never ends is a TimeoutError", async () => {
    const s = await scripted((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"request_id":"r",');
    });
    const e = await rejection(clientFor(s).invoke(urn("echo"), {}, { timeoutMs: 300 }));
    assert.equal(e.name, "TimeoutError");
    assert.equal(e.timeoutMs, 300);
    await s.close();
  });

  test("no unhandled rejections along the way", async () => {
    const unhandled = [];
    const onUnhandled = (r) => unhandled.push(r);
    process.on("unhandledRejection", onUnhandled);
    const s = await scripted((req, res) => req.socket.destroy());
    await rejection(clientFor(s).invoke(urn("echo"), {}));
    await rejection(clientFor(s).listAsyncInvocations(urn("echo"), { timeoutMs: 100 }));
    await new Promise((r) => setTimeout(r, 50));
    process.off("unhandledRejection", onUnhandled);
    assert.deepEqual(unhandled, []);
    await s.close();
  });
});

describe("iteration", () => {
  // The real service pages by offset and ends a listing with a short page, a next_marker of
  // 0 (or "0"), or the marker it was sent (docs/service.md, "Listing pages"): a page shorter than
  // `limit` is the last, so these pages are full for the limit asked.
  test("asyncInvocations follows markers, honours maxItems, and refuses a marker that comes back", async () => {
    const pages = { "": page(["a", "b"], 10), 10: page(["c", "d"], 20), 20: page(["e"]) };
    const s = await scripted((req, res) => json(res, 200, pages[new URL(req.url, s.url).searchParams.get("marker") ?? ""]));
    const c = clientFor(s);
    const all = [];
    for await (const inv of c.asyncInvocations(urn("echo"), { limit: 2 })) all.push(inv.requestId);
    assert.deepEqual(all, ["a", "b", "c", "d", "e"]);
    const some = [];
    for await (const inv of c.asyncInvocations(urn("echo"), { limit: 2, maxItems: 3 })) some.push(inv.requestId);
    assert.deepEqual(some, ["a", "b", "c"]);
    assert.equal(s.requests.length, 3 + 2, "maxItems stops fetching");
    await s.close();

    // 7 → 8 → 7: a cycle, not the marker just sent; stopping beats looping for ever.
    // (Each page names its record after its marker: the pager yields a request id once.)
    const loop = await scripted((req, res) => {
      const marker = new URL(req.url, "http://h").searchParams.get("marker");
      json(res, 200, page([`x${marker ?? 0}`], marker === "7" ? 8 : 7));
    });
    const seen = [];
    const e = await rejection((async () => {
      for await (const inv of clientFor(loop).asyncInvocations(urn("echo"), { limit: 1 })) seen.push(inv.requestId);
    })());
    assert.equal(e.name, "ResponseError");
    assert.match(e.message, /twice/);
    assert.deepEqual(seen, ["x0", "x7", "x8"]);
    await loop.close();
    await assert.rejects(
      (async () => { for await (const _ of clientFor(loop).asyncInvocations(urn("echo"), { maxItems: -1 })); })(),
      (err) => err.name === "ValidationError" && err.field === "query.maxItems",
    );
  });

  test("paging a service that answers the real way yields every record once", async (t) => {
    // 250 records by offset, limit 100; next_marker as a string, "0" on the last page.
    const ids = Array.from({ length: 250 }, (_, i) => `r${i}`);
    const s = await scripted((req, res) => {
      const q = new URL(req.url, "http://h").searchParams;
      const offset = Number(q.get("marker") ?? 0);
      const limit = Number(q.get("limit") ?? 100);
      const slice = ids.slice(offset, offset + limit);
      const next = offset + limit < ids.length ? String(offset + limit) : "0";
      json(res, 200, { ...page(slice), count: ids.length, next_marker: next });
    });
    t.after(() => s.close());
    const got = [];
    for await (const inv of clientFor(s).asyncInvocations(urn("echo"), { limit: 100 })) got.push(inv.requestId);
    assert.deepEqual(got, ids);
    assert.deepEqual(s.requests.map((r) => new URL(r.url, "http://h").searchParams.get("marker")), [null, "100", "200"]);
    // A page's own nextMarker: a string to pass on, null at the end.
    const c = clientFor(s);
    assert.equal((await c.listAsyncInvocations(urn("echo"), { limit: 100 })).nextMarker, "100");
    assert.equal((await c.listAsyncInvocations(urn("echo"), { limit: 100, marker: "200" })).nextMarker, null);
    // A service that sends back the marker it was sent, or a short page with a marker, has no more.
    // Offsets shift when a record is accepted between two pages (newest first): the next
    // page then repeats the last record of the one before. Each record still comes once.
    let shifted = ids;
    const growing = await scripted((req, res) => {
      const q = new URL(req.url, "http://h").searchParams;
      const offset = Number(q.get("marker") ?? 0);
      const slice = shifted.slice(offset, offset + 100);
      const next = offset + 100 < shifted.length ? offset + 100 : 0;
      json(res, 200, { ...page(slice), count: shifted.length, next_marker: next });
      shifted = [`new${offset}`, ...shifted];
    });
    t.after(() => growing.close());
    const walked = [];
    for await (const inv of clientFor(growing).asyncInvocations(urn("echo"), { limit: 100 })) walked.push(inv.requestId);
    assert.deepEqual(walked, ids, "no record twice, none of those listed at the start missed");
    assert.equal(growing.requests.length, 3);
    const same = await scripted((req, res) =>
      json(res, 200, { ...page(["y"]), next_marker: Number(new URL(req.url, "http://h").searchParams.get("marker") ?? 0) || 5 }));
    t.after(() => same.close());
    const once = [];
    for await (const inv of clientFor(same).asyncInvocations(urn("echo"), { limit: 1, marker: 5 })) once.push(inv.requestId);
    assert.deepEqual(once, ["y"]);
    const short = [];
    for await (const inv of clientFor(same).asyncInvocations(urn("echo"), { limit: 2 })) short.push(inv.requestId);
    assert.deepEqual(short, ["y"]);
  });
});

describe("redirects", () => {
  // Following a redirect would send the token (or the signed headers, security token
  // included) and the event to whatever host the answer names: a 3xx is an error instead.
  test("no redirect is followed, with a token or AK/SK: a ResponseError names the status and the place", async (t) => {
    const elsewhere = await scripted((req, res) => json(res, 200, invoked));
    t.after(() => elsewhere.close());
    const target = `${elsewhere.url}/v2/${PROJECT}/fgs/functions/x/invocations?token=secret-in-query`;
    const securityToken = "session-token-secret-value";
    for (const status of [301, 302, 303, 307, 308]) {
      const redirecting = await scripted((req, res) => {
        res.writeHead(status, { location: target });
        res.end();
      });
      t.after(() => redirecting.close());
      for (const credentials of [{ token: TOKEN }, { ...KEYS, securityToken }]) {
        const c = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: redirecting.url, credentials });
        for (const call of [() => c.invoke(urn("echo"), { secret: "event" }), () => c.listAsyncInvocations(urn("echo"))]) {
          const e = await rejection(call());
          assert.equal(e.name, "ResponseError", `${e}`);
          assert.equal(e.status, status);
          assert.equal(e.attempts, 1, "a redirect is not retried");
          assert.match(e.message, new RegExp(`redirect \\(HTTP ${status}\\) to ${elsewhere.url}/v2/`));
          const everything = JSON.stringify({ ...e, message: e.message, stack: e.stack });
          for (const secret of [TOKEN, KEYS.secretKey, securityToken, "secret-in-query"]) assert.ok(!everything.includes(secret), secret);
        }
      }
      assert.equal(redirecting.requests.length, 4);
    }
    assert.equal(elsewhere.requests.length, 0, "nothing reached the other origin");
  });
});

describe("response size", () => {
  test("a never-ending body stops at maxResponseBytes, with bounded memory", async (t) => {
    // 1 MiB chunks for as long as the client reads (bounded: 2,000 chunks at most).
    const chunk = Buffer.alloc(1024 * 1024, "x");
    const s = await scripted((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      let sent = 0;
      const more = () => {
        while (sent < 2000 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return res.once("drain", more);
        }
        res.end();
      };
      more();
    });
    t.after(() => s.close());
    const before = process.memoryUsage().rss;
    const c = clientFor(s, { maxResponseBytes: 4 * 1024 * 1024 });
    for (let i = 0; i < 5; i++) {
      const e = await rejection(c.invoke(urn("echo"), {}, { timeoutMs: 30_000 }));
      assert.equal(e.name, "ResponseError", `${e}`);
      assert.match(e.message, /larger than maxResponseBytes \(4194304 bytes\)/);
      assert.equal(e.status, 200);
    }
    const grown = process.memoryUsage().rss - before;
    // The figure: five never-ending answers cost under 64 MB (without the cap, each would
    // grow until the timeout: the issue saw 7.4 GB).
    console.log(`rss grew by ${(grown / 1048576).toFixed(1)} MB over 5 never-ending answers`);
    assert.ok(grown < 64 * 1024 * 1024, `rss grew by ${grown} bytes`);
  });

  test("a Content-Length over the cap is refused before the body is read; the default cap reads 8 MB", async (t) => {
    const big = "y".repeat(3 * 1024 * 1024);
    const s = await scripted((req, res) => json(res, 200, { request_id: "r", result: big, log: "", status: 200 }));
    t.after(() => s.close());
    const e = await rejection(clientFor(s, { maxResponseBytes: 1024 * 1024 }).invoke(urn("echo"), {}));
    assert.equal(e.name, "ResponseError");
    assert.match(e.message, /maxResponseBytes \(1048576 bytes\)/);
    assert.equal((await clientFor(s).invoke(urn("echo"), {})).result.length, big.length);
    for (const bad of [0, -1, 1.5, "big"]) {
      assert.throws(() => clientFor(s, { maxResponseBytes: bad }), { name: "ValidationError", field: "options.maxResponseBytes" });
    }
  });
});

describe("secrets the server echoes", () => {
  test("are scrubbed from errors: ServiceError, ResponseError, whatever the answer", async (t) => {
    const securityToken = "session-token-secret-value";
    // Echoes what it got back in each kind of answer the client turns into an error.
    const s = await scripted((req, res) => {
      const echoed = `${req.headers["x-auth-token"] ?? ""} ${req.headers["x-security-token"] ?? ""}`;
      const kind = new URL(req.url, "http://h").pathname.includes(":function:default:json-error:") ? "json" : req.url.includes("text-error") ? "text" : "bad";
      if (kind === "json") json(res, 400, { error_code: `E ${echoed}`, error_msg: `you sent ${echoed}` });
      else if (kind === "text") { res.writeHead(500); res.end(`upstream said ${echoed}`); }
      else json(res, 200, { request_id: "r", result: 5, status: `weird ${echoed}` });
    });
    t.after(() => s.close());
    for (const credentials of [{ token: "a-token-secret-value" }, { ...KEYS, securityToken }]) {
      const c = clientFor(s, { credentials, retry: false });
      for (const name of ["json-error", "text-error", "bad-answer"]) {
        const e = await rejection(c.invoke(urn(name), {}));
        assert.ok(["ServiceError", "ResponseError"].includes(e.name), `${e}`);
        const everything = JSON.stringify({ ...e, message: e.message, stack: e.stack });
        for (const secret of ["a-token-secret-value", securityToken, KEYS.secretKey]) {
          assert.ok(!everything.includes(secret), `${name}: ${everything}`);
        }
        assert.match(everything, /\[REDACTED\]/, name);
      }
    }
  });

  test("only what the server said is scrubbed: a short secret leaves the client's own words whole", async (t) => {
    // A token of one letter appears in every English sentence: scrubbing the whole message
    // read "[REDACTED]he body is no[REDACTED] JSON". The server's words are still scrubbed.
    const s = await scripted((req, res) => {
      if (req.url.includes("not-json")) { res.writeHead(200, { "content-type": "text/plain" }); res.end("total outage"); }
      else json(res, 400, { error_code: "FSS.0400", error_msg: "bad request to the function" });
    });
    t.after(() => s.close());
    const c = clientFor(s, { credentials: { token: "t" }, retry: false });
    const e = await rejection(c.invoke(urn("not-json"), {}));
    assert.equal(e.name, "ResponseError");
    assert.equal(e.message, "unexpected answer from the service (HTTP 200): the body is not JSON");
    assert.equal(e.body, "[REDACTED]o[REDACTED]al ou[REDACTED]age");
    const se = await rejection(c.invoke(urn("json-error"), {}));
    assert.equal(se.name, "ServiceError");
    assert.equal(se.errorCode, "FSS.0400");
    assert.equal(se.errorMsg, "bad reques[REDACTED] [REDACTED]o [REDACTED]he func[REDACTED]ion");
    assert.match(se.message, /^FSS\.0400: bad reques\[REDACTED\] .* \(HTTP 400\)$/);
  });
});
