'use strict';

// Kills its own worker mid-invocation; the emulator must answer and start a fresh one.
exports.handler = async (event, context) => {
  console.log('about to crash');
  process.exit(3);
};
