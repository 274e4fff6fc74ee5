// Runs the Rust client's wasm tests (tests/wasm/main.rs) in Node, then in Debian's
// headless Chromium, each against a fresh emulator and tests/wasm/stub.mjs on loopback.
// Their URLs reach the tests at compile time (FGS_TEST_ENDPOINT, FGS_TEST_STUB).
// `--node-only` skips Chromium.
import { spawn } from "node:child_process";
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
process.exit(failed ? 1 : 0);
