// Test fixture: holds event.mb megabytes (default 320) of filled Buffers. Buffers live
// outside V8's heap, so --max-old-space-size never stops this; only a cap on the
// instance's resident memory does, as on the service.
const hold = [];

exports.handler = async (event) => {
  const chunks = Math.ceil((event.mb ?? 320) / 8);
  for (let i = 0; i < chunks; i++) {
    hold.push(Buffer.alloc(8 << 20, i + 1));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { heldMb: hold.length * 8, rssMb: Math.round(process.memoryUsage.rss() / 1048576) };
};
