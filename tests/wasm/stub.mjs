// A loopback server that answers the way the real service does where the emulator cannot
// be made to (tests/wasm/run.mjs starts it beside the emulator):
// - async-invocations of function `paged`: 250 records paged by offset, `next_marker` a
//   string, "0" on the last page (docs/service.md, "Listing pages");
// - invocations of a function named `flaky-*`: 503 with Retry-After: 0 on the first
//   request for that name, then a v1 answer;
// - invocations of `slow`: a v1 answer after 3 s (the emulator's `sleep` allows two at
//   a time, and the tests run side by side);
// - invocations of `moved`: 307 to the same stub's `/followed`, which would answer an
//   invocation: a client that follows the redirect succeeds there.
// CORS is open, for the tests in Chromium.
import { createServer } from "node:http";

const RECORDS = Array.from({ length: 250 }, (_, i) => ({
  request_id: `paged-${String(i).padStart(3, "0")}`,
  status: "SUCCESS",
  error_message: "",
  error_code: 0,
  start_time: "2026-01-01T00:00:00",
  end_time: "2026-01-01T00:00:01",
}));
const seen = new Set();

export async function startStub() {
  const server = createServer((req, res) => {
    const headers = {
      "access-control-allow-origin": "*",
      "access-control-allow-headers": "*",
      "access-control-allow-methods": "GET, POST",
      "content-type": "application/json",
    };
    if (req.method === "OPTIONS") {
      res.writeHead(204, headers);
      return res.end();
    }
    req.resume();
    req.on("end", () => {
      const url = new URL(req.url, "http://stub");
      const name = decodeURIComponent(url.pathname).split(":")[6];
      const send = (status, body, extra = {}) => {
        res.writeHead(status, { ...headers, ...extra });
        res.end(JSON.stringify(body));
      };
      if (url.pathname.endsWith("/async-invocations") && name === "paged") {
        const offset = Number(url.searchParams.get("marker") ?? 0);
        const limit = Number(url.searchParams.get("limit") ?? 100);
        const next = offset + limit < RECORDS.length ? String(offset + limit) : "0";
        return send(200, { invocations: RECORDS.slice(offset, offset + limit), count: RECORDS.length, next_marker: next });
      }
      if (url.pathname.endsWith("/invocations") && name?.startsWith("flaky-")) {
        if (!seen.has(name)) {
          seen.add(name);
          return send(503, { error_code: "FSS.0503", error_msg: "Service unavailable." }, { "retry-after": "0" });
        }
        return send(200, { request_id: "flaky", result: '{"ok":true}', log: "", status: 200 });
      }
      if (url.pathname.endsWith("/invocations") && name === "moved") {
        return send(307, {}, { location: `http://${req.headers.host}/followed?token=secret` });
      }
      if (url.pathname === "/followed") {
        return send(200, { request_id: "followed", result: "{}", log: "", status: 200 });
      }
      if (url.pathname.endsWith("/invocations") && name === "slow") {
        const timer = setTimeout(() => send(200, { request_id: "slow", result: "{}", log: "", status: 200 }), 3000);
        res.on("close", () => clearTimeout(timer));
        return;
      }
      send(404, { error_code: "FSS.0404", error_msg: "not in the stub" });
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
