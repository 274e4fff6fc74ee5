// Test fixture: waits event.ms milliseconds, then names its process, so a test can tell
// whether two calls ran on the same warm instance.
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
  return { pid: process.pid };
};
