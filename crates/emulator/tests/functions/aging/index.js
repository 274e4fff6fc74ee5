// Test fixture: holds its only instance for event.ms milliseconds.
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
  return "done";
};
