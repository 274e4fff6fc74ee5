// Test fixture: writes event.kb kilobytes (default 1024) straight to fd 1 and to fd 2 in
// 1 KB lines, far more than a pipe buffer holds, then answers. A handler's direct writes
// must wait for the reader, never fail.
const fs = require("node:fs");

exports.handler = async (event) => {
  const line = "y".repeat(1023) + "\n";
  const kb = event.kb ?? 1024;
  for (let i = 0; i < kb; i++) fs.writeSync(i % 2 === 0 ? 1 : 2, line);
  // Last on both: the two pipes are read one after the other, so either may end the log.
  fs.writeSync(1, "gush-done\n");
  fs.writeSync(2, "gush-done\n");
  return { wrote: kb };
};
