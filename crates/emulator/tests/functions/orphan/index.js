// Test fixture: starts `sleep 600` (in the instance's process group, as any child is)
// and returns its pid. With event.hang it then never returns, so the instance times out;
// with event.exitNow it logs the pid and calls process.exit during the call; with
// event.exitLater the process exits by itself from a timer after the answer.
const { spawn } = require("node:child_process");

exports.handler = async (event) => {
  const child = spawn("sleep", ["600"], { stdio: "ignore" });
  if (event.hang) await new Promise(() => {});
  if (event.exitNow) {
    console.log(`child ${child.pid}`);
    process.exit(0);
  }
  if (event.exitLater) setTimeout(() => process.exit(0), 20);
  return { child: child.pid };
};
