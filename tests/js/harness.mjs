// Shared by the Node tests: the packed package installed into a throwaway project
// (so `exports` resolution is what a user gets), and a real emulator on a free port.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const PROJECT = "0123456789abcdef0123456789abcdef";
export const TOKEN = "dev-token";
export const KEYS = { accessKey: "DEVACCESSKEYEXAMPLE0", secretKey: "dev-secret-key-example" };
export const urn = (name, qualifier = "latest") =>
  `urn:fss:cn-north-4:${PROJECT}:function:default:${name}${qualifier ? ":" + qualifier : ""}`;

/** `npm pack`s pkg/ and installs the tarball into a new project; returns the module and the project. */
export async function installPackage() {
  const dir = mkdtempSync(join(tmpdir(), "fgs-client-test-"));
  const tarball = execFileSync("npm", ["pack", join(root, "pkg"), "--pack-destination", dir, "--silent"], {
    encoding: "utf8",
  }).trim().split("\n").pop();
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", "--silent", join(dir, tarball)], { cwd: dir });
  writeFileSync(join(dir, "load.mjs"), 'export * from "functiongraph-client";\n');
  const mod = await import(pathToFileURL(join(dir, "load.mjs")).href);
  return { mod, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts target/debug/fgs-emulator on a free loopback port. */
export async function startEmulator(extraArgs = []) {
  const data = mkdtempSync(join(tmpdir(), "fgs-emulator-data-"));
  const bin = process.env.FGS_EMULATOR ?? join(root, "target/debug/fgs-emulator");
  const child = spawn(
    bin,
    ["--listen", "127.0.0.1:0", "--functions", join(root, "examples/functions"), "--data", data, ...extraArgs],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start in 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line.replace(/^listening on /, ""));
    });
  });
  lines.on("line", () => {}); // keep draining the banner
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Polls until `fn` returns a truthy value (bounded). */
export async function eventually(fn, { timeoutMs = 10_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A loopback server answering with `script(req, res, n)` for the n-th request (1-based);
 * `requests` records what arrived (method, url, headers, body, and when).
 */
export async function scripted(script) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body, at: Date.now() });
      script(req, res, requests.length);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Answers `res` with `body` (an object, or JSON text as is). */
export const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};
