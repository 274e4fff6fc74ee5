'use strict';

// Node.js 6-style handler: three parameters, so the runtime waits for callback(err, data).
// The answer comes from a later tick to show the runtime does not need it synchronously.
exports.handler = function (event, context, callback) {
  setImmediate(() => callback(null, { style: 'callback', input: event }));
};
