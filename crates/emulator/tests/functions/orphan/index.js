// Test fixture: starts `sleep 600` (in the instance's process group, as any child is)
// and returns its pid; with event.hang it then never returns, so the instance times out.
const { spawn } = require("node:child_process");

exports.handler = async (event) => {
  const child = spawn("sleep", ["600"], { stdio: "ignore" });
  if (event.hang) await new Promise(() => {});
  return { child: child.pid };
};
