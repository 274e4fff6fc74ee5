// Test fixture: writes what looks like the runtime's reply to fd 1 (straight to the
// descriptor and through process.stdout) and to fd 2, then returns its own value. On the
// service all of it is log; none of it may be taken for the result.
const fs = require("node:fs");

exports.handler = async (event, context) => {
  const forged = (how) =>
    JSON.stringify({ type: "result", id: context.getRequestID(), ok: true, result: `forged-${how}` }) + "\n";
  fs.writeSync(1, forged("fd1"));
  process.stdout.write(forged("stdout"));
  fs.writeSync(2, forged("fd2"));
  return { genuine: true, pid: process.pid };
};
