// Test fixture: starts, through a shell that exits at once (a double fork), a Node.js
// process holding 320 MB of Buffers. Orphaned, it leaves the worker's process tree, yet
// it is part of the instance and its memory counts, as on the service. The handler waits
// until the memory is held, then for event.holdMs (default 10 s) before answering.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

exports.handler = async (event, context) => {
  const marker = path.join(os.tmpdir(), `fgs-stray-${context.getRequestID()}`);
  const holder =
    "const b=[];for(let i=0;i<40;i++)b.push(Buffer.alloc(8<<20,1));" +
    `require('fs').writeFileSync(${JSON.stringify(marker)},'');setTimeout(()=>{},20000)`;
  execFileSync("sh", ["-c", '(node -e "$0" >/dev/null 2>&1 &)', holder]);
  while (!fs.existsSync(marker)) await new Promise((r) => setTimeout(r, 10));
  fs.rmSync(marker, { force: true });
  await new Promise((r) => setTimeout(r, event.holdMs ?? 10000));
  return { escaped: true };
};
