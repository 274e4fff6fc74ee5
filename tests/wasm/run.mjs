// Runs the Rust client's wasm tests (tests/wasm/main.rs) in Node, then in Debian's
// headless Chromium, each against a fresh emulator and tests/wasm/stub.mjs on loopback.
// Their URLs reach the tests at compile time (FGS_TEST_ENDPOINT, FGS_TEST_STUB).
// `--node-only` skips Chromium.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { root, startEmulator } from "../js/harness.mjs";
import { startStub } from "./stub.mjs";

const args = ["test", "--target", "wasm32-unknown-unknown", "-p", "functiongraph-client", "--test", "wasm"];
const browser = {
  WASM_BINDGEN_USE_BROWSER: "1",
  CHROMEDRIVER: "/usr/bin/chromedriver",
  WASM_BINDGEN_TEST_WEBDRIVER_JSON: join(root, "tests/wasm/webdriver.json"),
};
const runs = [["Node", {}], ["Chromium", browser]].filter(([where]) => where === "Node" || !process.argv.includes("--node-only"));
let failed = false;
for (const [where, extra] of runs) {
  console.log(`wasm tests in ${where}`);
  const emulator = await startEmulator();
  const stub = await startStub();
  try {
    const env = { ...process.env, ...extra, FGS_TEST_ENDPOINT: emulator.url, FGS_TEST_STUB: stub.url };
    // Not spawnSync: the stub answers from this process's event loop.
    const child = spawn("cargo", args, { cwd: root, stdio: "inherit", env });
    failed = (await new Promise((resolve) => child.once("exit", resolve))) !== 0;
  } finally {
    await stub.close();
    await emulator.stop();
  }
  if (failed) break;
}
if (!failed) failed = !panicHookCheck();
process.exit(failed ? 1 : 0);

// examples/panic_hook.rs in Node: a panic after set_panic_hook() is written to
// console.error, with its message and place, before the trap ends the call.
function panicHookCheck() {
  console.log("the panic hook in Node");
  const run = (cmd, argv) => spawnSync(cmd, argv, { cwd: root, encoding: "utf8" });
  const steps = [
    ["cargo", ["build", "--example", "panic_hook", "--target", "wasm32-unknown-unknown"]],
    ["wasm-bindgen", ["--target", "nodejs", "--out-dir", "target/panic-hook",
      "target/wasm32-unknown-unknown/debug/examples/panic_hook.wasm"]],
  ];
  for (const [cmd, argv] of steps) {
    const r = run(cmd, argv);
    if (r.status !== 0) {
      console.error(`${cmd} failed:\n${r.stderr}`);
      return false;
    }
  }
  const r = run(process.execPath, ["-e", 'require("./target/panic-hook/panic_hook.js").panic_with("seen by the test")']);
  const said = r.stderr.indexOf("functiongraph-client: internal error (a bug: please report it with this message): " +
    "deliberate panic: seen by the test at examples/panic_hook.rs:");
  const trap = r.stderr.indexOf("RuntimeError: unreachable");
  const ok = r.status !== 0 && said >= 0 && trap > said && r.stderr.includes("cannot be used again");
  console.log(ok ? "ok: the message came before the trap" : `FAILED: exit ${r.status}, stderr:\n${r.stderr}`);
  return ok;
}
