// Test fixture: reports how the emulator resolved the URN's qualifier.
exports.handler = async (event, context) => ({
  version: context.getVersion(),
  alias: context.getAlias ? context.getAlias() : undefined,
});
