'use strict';

// Reports everything the context object offers, so tests can compare it with the config.
exports.handler = async (event, context) => {
  context.getLogger().info('context requested for', context.getFunctionName());
  return {
    requestId: context.getRequestID(),
    functionName: context.getFunctionName(),
    package: context.getPackage(),
    version: context.getVersion(),
    alias: context.getAlias(),
    memorySize: context.getMemorySize(),
    cpuNumber: context.getCPUNumber(),
    timeout: context.getRunningTimeInSeconds(),
    projectId: context.getProjectID(),
    remainingTimeMs: context.getRemainingTimeInMilliSeconds(),
    userData: {
      fromContext: context.getUserData('GREETING'),
      fromEnv: process.env.GREETING,
    },
    // Always empty in the emulator: it has no agency to take credentials from.
    credentials: {
      accessKey: context.getAccessKey(),
      secretKey: context.getSecretKey(),
      securityAccessKey: context.getSecurityAccessKey(),
      securitySecretKey: context.getSecuritySecretKey(),
      securityToken: context.getSecurityToken(),
      token: context.getToken(),
    },
  };
};
