// Test fixture: the answer goes out, then a leftover timer ends the process, as a
// buggy handler can. The next call must get a fresh instance, not the dead one.
exports.handler = async () => {
  setTimeout(() => process.exit(0), 20);
  return { pid: process.pid };
};
