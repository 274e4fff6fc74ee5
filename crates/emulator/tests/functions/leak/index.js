// Test fixture: keeps every allocation reachable until V8's heap limit (memory_size)
// ends the process.
const hoard = [];
exports.handler = async () => {
  for (;;) hoard.push(new Array(1 << 16).fill(hoard.length));
};
