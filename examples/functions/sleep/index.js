'use strict';

// Holds an instance for event.ms milliseconds: with concurrency 2 and timeout 3 s this
// drives the emulator's throttling (429) and timeout paths.
exports.handler = async (event, context) => {
  const requested = Number(event && event.ms);
  const ms = Number.isFinite(requested) && requested >= 0 ? requested : 100;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { slept: ms };
};
