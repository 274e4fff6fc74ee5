'use strict';

// Benchmarks measure the emulator, not this handler: return the event untouched.
// Two parameters, because the FunctionGraph runtime rejects handlers with fewer.
exports.handler = async (event, context) => event;
