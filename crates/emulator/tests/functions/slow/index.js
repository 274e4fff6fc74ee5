// Test fixture: waits event.ms milliseconds; with timeout 1s and concurrency 1 it
// exercises the timeout and the throttling paths quickly.
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
  return { waited: event.ms ?? 0 };
};
