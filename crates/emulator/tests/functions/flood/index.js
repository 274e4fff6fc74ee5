// Test fixture: writes event.mb megabytes of log in 1 KB lines, then answers.
exports.handler = async (event) => {
  const line = "x".repeat(1023);
  for (let i = 0; i < (event.mb ?? 5) * 1024; i++) console.log(line);
  return { logged: event.mb ?? 5 };
};
