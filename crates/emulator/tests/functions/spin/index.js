// Test fixture: blocks the event loop forever; only killing the process stops it.
exports.handler = () => {
  for (;;) {}
};
