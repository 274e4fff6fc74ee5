// Test fixture: waits event.ms milliseconds, then appends event.id to event.path. A run
// that a cancel stopped never gets that far, so the file names the runs that went on.
const fs = require("node:fs");

exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
  fs.appendFileSync(event.path, `${event.id}\n`);
  return { marked: event.id };
};
