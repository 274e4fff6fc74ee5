// A trivial loopback stand-in for FunctionGraph's sync invoke: every request is answered
// 200 with the service's v1 wrapper and headers, after its body has been read. It runs in
// its own process (forked by common.mjs startResponder) and reports over IPC:
//   { port }                      once listening on 127.0.0.1
//   { arrival: "cold-…", t }      when a request for a function named cold-… arrives
//                                 (t = process.hrtime.bigint(), CLOCK_MONOTONIC, as a string)
import { createServer } from "node:http";

const prefix = `${process.pid.toString(16).padStart(8, "0")}-0000-4000-8000-`;
let n = 0;

const server = createServer((req, res) => {
  const t = process.hrtime.bigint();
  if (req.url.includes("cold-")) {
    let path = req.url;
    try {
      path = decodeURIComponent(path);
    } catch {}
    const m = /:function:default:(cold-[A-Za-z0-9-]+)/.exec(path);
    if (m) process.send?.({ arrival: m[1], t: t.toString() });
  }
  req.resume();
  req.on("end", () => {
    const id = prefix + (++n).toString(16).padStart(12, "0");
    const body = `{"request_id":"${id}","result":"{}","log":"","status":200}`;
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
      "X-Cff-Request-Id": id,
      "X-Cff-Invoke-Summary": '{"duration":0.1,"billingDuration":1,"memorySize":128,"memoryUsed":30}',
      "X-Cff-Billing-Duration": "1",
      "X-Func-Err-Code": "0",
      "X-Is-Func-Err": "false",
      "X-Cff-Response-Version": "v1",
      "X-Request-Id": id,
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
// The parent going away (or SIGTERM) ends the responder.
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
