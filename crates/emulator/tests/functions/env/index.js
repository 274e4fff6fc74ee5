// Test fixture: the environment variables a handler can read.
exports.handler = async () => process.env;
