'use strict';
/*
 * FunctionGraph emulator: Node.js worker runtime.
 *
 * The emulator spawns `node runtime.js` (cwd = the function's folder) and keeps the
 * process warm, running one invocation at a time. It talks to us over a socket at fd 3,
 * with newline-delimited JSON, one object per line each way:
 *
 *   -> {"type":"init","handler":"index.handler","codeDir":"/abs","function":{...}}
 *   <- {"type":"ready"} | {"type":"init_error","error":{errorMessage,errorType,stackTrace}}
 *   -> {"type":"invoke","id":"…","event":…,"deadlineMs":…,"context":{requestId,…}}
 *   <- {"type":"result","id":"…","ok":true,"result":…,"log":"…","logDroppedBytes":n,"memoryUsedMb":x}
 *   <- {"type":"result","id":"…","ok":false,"error":{…},"log":"…","logDroppedBytes":n,"memoryUsedMb":x}
 *
 * fd 1 and fd 2 are log, as on the service; nothing there is read as protocol. What
 * user code prints through Node (console.*, process.stdout/stderr.write,
 * context.getLogger()) goes into a log buffer that keeps the last 64 KiB; output made
 * outside an invocation (module load, timers firing between calls) is kept and reported
 * with the next invocation. Writes straight to the descriptors (fs.writeSync(1, …)) reach
 * the emulator through the pipes, and it adds them to the invocation's log. Runtime
 * diagnostics (bad protocol lines, errors raised between invocations) go to fd 2.
 *
 * Error bodies follow the real FunctionGraph Node.js runtime: messages carry its
 * prefixes ("function invocation exception, error: …") and load failures are typed
 * FunctionLoadError / FunctionConfigError. `stackTrace` is always an array here (empty
 * where the service sends none) so the emulator sees one shape.
 *
 * Failures outside the handler's own promise chain: an uncaught exception or unhandled
 * rejection fails the invocation in flight (whichever it is) or, between invocations, is
 * reported on stderr. If the handler calls process.exit, the reply (ProcessExitError) is
 * written from the 'exit' event and the process then exits with the handler's code.
 * If the emulator closes the socket, the worker exits 0 at once.
 */

const fs = require('fs');
const net = require('net');
const path = require('path');
const readline = require('readline');
const util = require('util');
const { pathToFileURL } = require('url');

const LOG_LIMIT_BYTES = 64 * 1024;
// The service rejects sync responses over 6 MB; checking here keeps huge lines off the pipe.
const MAX_RESULT_BYTES = 6 * 1024 * 1024;
const ENTRY_PREFIX = 'function entry exception, error: ';
const INVOKE_PREFIX = 'function invocation exception, error: ';
const RESULT_PREFIX = 'function result is invalid, error: ';

/** Everything the worker knows; one worker serves one function, one call at a time. */
const state = {
  phase: 'waiting', // waiting → loading → ready | failed
  codeDir: null,
  fn: null, // function settings from the init message
  handler: null,
  initError: null,
  current: null, // the invocation in flight
  exiting: false,
};

// ---------------------------------------------------------------------------
// Raw output: fd 3 for the protocol, fd 2 for runtime diagnostics.

/** The protocol socket the emulator set up (never fd 1 or 2, which are log). */
const CHANNEL_FD = 3;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to `fd` synchronously (a reply must go out even from the 'exit'
 * event). Node has made the socket non-blocking, so a large reply can meet EAGAIN: wait
 * a moment and go on. */
function writeFully(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buf.length) {
    try {
      offset += fs.writeSync(fd, buf, offset, buf.length - offset);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(sleepCell, 0, 0, 1);
    }
  }
}

/** Sends one protocol line; if the emulator has gone away there is nobody to serve. */
function sendLine(line) {
  try {
    writeFully(CHANNEL_FD, line + '\n');
  } catch (err) {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  }
}

function send(message) {
  sendLine(JSON.stringify(message));
}

function diagnose(text) {
  try {
    writeFully(2, `[fgs-runtime] ${text}\n`);
  } catch {
    // stderr is gone too; nothing useful left to do with the message.
  }
}

// ---------------------------------------------------------------------------
// Log capture.

/** Index at or after `index` that starts a UTF-8 character (skips continuation bytes). */
function charStart(buf, index) {
  let i = index;
  while (i < buf.length && (buf[i] & 0xc0) === 0x80) i += 1;
  return i;
}

/** The tail of the log, bounded in bytes, plus how many bytes fell off the front. */
class LogBuffer {
  constructor(limit) {
    this.limit = limit;
    this.reset();
  }

  reset() {
    this.chunks = [];
    this.head = 0; // chunks before `head` are dropped; avoids O(n) shift() per line
    this.size = 0;
    this.dropped = 0;
  }

  append(text) {
    if (text.length === 0) return;
    let buf = Buffer.from(text, 'utf8');
    if (buf.length > this.limit) {
      // Everything already held falls off; copy the tail so the big buffer can be freed.
      this.dropped += this.size;
      this.chunks = [];
      this.head = 0;
      this.size = 0;
      const cut = charStart(buf, buf.length - this.limit);
      this.dropped += cut;
      buf = Buffer.from(buf.subarray(cut));
    }
    this.chunks.push(buf);
    this.size += buf.length;
    this.trim();
  }

  trim() {
    while (this.size > this.limit) {
      const first = this.chunks[this.head];
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.head += 1;
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        const cut = charStart(first, excess);
        this.chunks[this.head] = first.subarray(cut);
        this.size -= cut;
        this.dropped += cut;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Returns the captured text and dropped-byte count, and starts afresh. */
  take() {
    const live = this.head === 0 ? this.chunks : this.chunks.slice(this.head);
    const text = Buffer.concat(live, this.size).toString('utf8');
    const dropped = this.dropped;
    this.reset();
    return { text, dropped };
  }
}

const log = new LogBuffer(LOG_LIMIT_BYTES);

function chunkToText(chunk, encoding) {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
      typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8',
    );
  }
  return String(chunk);
}

/** A stream.write replacement that feeds the log buffer. */
function captureWrite(chunk, encoding, callback) {
  log.append(chunkToText(chunk, encoding));
  const done = typeof encoding === 'function' ? encoding : callback;
  if (typeof done === 'function') process.nextTick(done);
  return true;
}

function captureStdio() {
  process.stdout.write = captureWrite;
  process.stderr.write = captureWrite;
  // Opening process.stdout and process.stderr makes libuv set O_NONBLOCK on the pipes
  // behind fd 1 and fd 2, a flag every writer shares: a handler's fs.writeSync(1, …)
  // would then fail with EAGAIN whenever the pipe is full for a moment. The emulator
  // reads both pipes all the time, so blocking writes only wait for it, as with a
  // plain `node` whose output goes to a pipe.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream._handle && typeof stream._handle.setBlocking === 'function') {
      stream._handle.setBlocking(true);
    }
  }
}

/** context.getLogger(): `<ISO time> <requestId> <LEVEL> <message>` lines into the log. */
class Logger {
  constructor(requestId) {
    this.requestId = requestId;
    this.level = 'INFO';
  }

  /** Like the service's logger: DEBUG lines appear only after setLevel('DEBUG'). */
  setLevel(level) {
    if (Logger.ORDER.includes(level)) this.level = level;
  }

  write(level, args) {
    if (Logger.ORDER.indexOf(level) < Logger.ORDER.indexOf(this.level)) return;
    const message = util.format(...args);
    log.append(`${new Date().toISOString()} ${this.requestId} ${level} ${message}\n`);
  }

  debug(...args) { this.write('DEBUG', args); }
  info(...args) { this.write('INFO', args); }
  warn(...args) { this.write('WARN', args); }
  error(...args) { this.write('ERROR', args); }
}
Logger.ORDER = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

// ---------------------------------------------------------------------------
// Error bodies.

function isError(value) {
  return value instanceof Error || util.types.isNativeError(value);
}

function describe(value) {
  if (typeof value === 'string') return value;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // fall through to inspect
  }
  return util.inspect(value);
}

function errorName(err) {
  try {
    return typeof err.name === 'string' && err.name !== '' ? err.name : 'Error';
  } catch {
    return 'Error'; // a throwing `name` getter must not take the runtime down
  }
}

function errorMessageOf(err) {
  try {
    return String(err.message);
  } catch {
    return '';
  }
}

/** Rewrites absolute code paths to "./…", as the service does. */
function hideCodeDir(text) {
  if (!state.codeDir) return text;
  const dir = state.codeDir.replace(/\/+$/, '');
  return text
    .split(pathToFileURL(dir).href + '/').join('./')
    .split(dir + '/').join('./');
}

/** Stack frames up to the last one in the function's code, trimmed, paths hidden. */
function userFrames(err) {
  let stack;
  try {
    stack = String(err.stack || '');
  } catch {
    return [];
  }
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim());
  const dir = state.codeDir ? state.codeDir.replace(/\/+$/, '') : null;
  const dirUrl = dir ? pathToFileURL(dir).href : null;
  let last = -1;
  frames.forEach((frame, i) => {
    if (dir && (frame.includes(dir + '/') || frame.includes(dirUrl + '/'))) last = i;
  });
  return frames.slice(0, last + 1).map(hideCodeDir);
}

function errorBody(prefix, errorType, message, stackTrace) {
  return { errorMessage: hideCodeDir(prefix + message), errorType, stackTrace };
}

/** A value the handler threw, rejected with, or raised asynchronously. */
function thrownError(value) {
  if (isError(value)) {
    return errorBody(INVOKE_PREFIX, errorName(value), errorMessageOf(value), userFrames(value));
  }
  return errorBody(INVOKE_PREFIX, 'UserFunctionError', describe(value), []);
}

/** A value passed as callback(err). The service reports these as "entry" errors, without a stack. */
function callbackError(value) {
  if (isError(value)) return errorBody(ENTRY_PREFIX, errorName(value), errorMessageOf(value), []);
  return errorBody(ENTRY_PREFIX, 'UserFunctionError', describe(value), []);
}

/** The handler (or module code, while loading) called process.exit. */
function exitError(prefix, code) {
  return errorBody(
    prefix,
    'ProcessExitError',
    `process exited with code ${code} before completing the request`,
    [],
  );
}

// ---------------------------------------------------------------------------
// Loading the handler.

class FunctionLoadError extends Error {}
FunctionLoadError.prototype.name = 'FunctionLoadError';
class FunctionConfigError extends Error {}
FunctionConfigError.prototype.name = 'FunctionConfigError';

/** "src/app.main" → { file: "src/app", exportName: "main" }. */
function parseHandler(handler) {
  const spec = typeof handler === 'string' ? handler : '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0 || dot === spec.length - 1) {
    throw new FunctionConfigError(`invalid handler '${spec}', expected 'file.export'`);
  }
  return { file: spec.slice(0, dot), exportName: spec.slice(dot + 1) };
}

function resolveModule(codeDir, file) {
  const base = path.resolve(codeDir, file);
  for (const ext of ['.js', '.cjs', '.mjs']) {
    if (fs.existsSync(base + ext)) return base + ext;
  }
  throw new FunctionLoadError(`not found module './${file}.js'`);
}

/** Loads CommonJS with require() and ES modules with import(). */
async function loadModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (err) {
    // A .js file in a "type": "module" package is an ES module; require() refuses it
    // before Node 20.19, and always when it uses top-level await.
    if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
      return import(pathToFileURL(file).href);
    }
    throw err;
  }
}

function pickExport(mod, exportName) {
  if (mod && typeof mod[exportName] === 'function') return mod[exportName];
  // import() of CommonJS puts module.exports on `default`.
  if (mod && mod.default && typeof mod.default[exportName] === 'function') {
    return mod.default[exportName];
  }
  return null;
}

/** The error body for a failure while resolving or loading the handler. */
function loadErrorBody(err) {
  if (err instanceof FunctionLoadError || err instanceof FunctionConfigError) {
    return errorBody(ENTRY_PREFIX, err.name, err.message, []);
  }
  if (!isError(err)) return errorBody(ENTRY_PREFIX, 'FunctionLoadError', describe(err), []);
  let message = errorMessageOf(err);
  if (err.name === 'SyntaxError') {
    // Node puts the failing file:line on the first stack line; the service appends it.
    const where = String(err.stack || '').split('\n')[0];
    if (where && where !== `${err.name}: ${message}`) message += ` (${where})`;
  }
  return errorBody(ENTRY_PREFIX, errorName(err), message, userFrames(err));
}

/** Sets RUNTIME_* and user data in process.env when the emulator has not. */
function fillEnvironment(fn, handler, codeDir) {
  const defaults = {
    RUNTIME_FUNC_NAME: fn.name,
    RUNTIME_PACKAGE: fn.package,
    RUNTIME_FUNC_VERSION: fn.version,
    RUNTIME_PROJECT_ID: fn.projectId,
    RUNTIME_MEMORY: fn.memorySize,
    RUNTIME_CPU: cpuOf(fn),
    RUNTIME_TIMEOUT: fn.timeout,
    RUNTIME_HANDLER: handler,
    RUNTIME_CODE_ROOT: codeDir,
    RUNTIME_USERDATA: JSON.stringify(fn.userData || {}),
  };
  const userData = fn.userData && typeof fn.userData === 'object' ? fn.userData : {};
  for (const [key, value] of Object.entries({ ...userData, ...defaults })) {
    if (process.env[key] === undefined && value !== undefined && value !== null) {
      process.env[key] = String(value);
    }
  }
}

/** CPU share in millicores. The function model documents 300 for 128 MB; scale from that. */
function cpuOf(fn) {
  if (Number.isFinite(fn.cpu)) return fn.cpu;
  return Math.round(((Number(fn.memorySize) || 128) * 300) / 128);
}

async function init(message) {
  if (state.phase !== 'waiting') {
    diagnose('ignoring a second init message');
    return;
  }
  state.phase = 'loading';
  state.codeDir = path.resolve(typeof message.codeDir === 'string' ? message.codeDir : process.cwd());
  state.fn = message.function && typeof message.function === 'object' ? message.function : {};
  fillEnvironment(state.fn, message.handler, state.codeDir);

  try {
    const { file, exportName } = parseHandler(message.handler);
    const modulePath = resolveModule(state.codeDir, file);
    const handler = pickExport(await loadModule(modulePath), exportName);
    if (!handler) {
      const where = hideCodeDir(modulePath);
      throw new FunctionConfigError(`handler '${exportName}' not found in module '${where}'`);
    }
    state.handler = handler;
    state.phase = 'ready';
    send({ type: 'ready' });
  } catch (err) {
    state.initError = loadErrorBody(err);
    state.phase = 'failed';
    send({ type: 'init_error', error: state.initError });
  }
}

// ---------------------------------------------------------------------------
// The context object (FunctionGraph Node.js programming model).

class Context {
  constructor(fn, invoke, logger) {
    const ctx = invoke.context && typeof invoke.context === 'object' ? invoke.context : {};
    this._fn = fn;
    this._requestId = String(ctx.requestId || invoke.id || '');
    this._version = String(ctx.version || fn.version || 'latest');
    this._alias = ctx.alias || fn.alias || '';
    this._deadlineMs = Number.isFinite(invoke.deadlineMs)
      ? invoke.deadlineMs
      : Date.now() + (Number(fn.timeout) || 3) * 1000;
    this._logger = logger;
    this._userData = fn.userData && typeof fn.userData === 'object' ? fn.userData : {};
  }

  getRequestID() { return this._requestId; }
  getRemainingTimeInMilliSeconds() { return Math.max(0, this._deadlineMs - Date.now()); }
  // The emulator never hands out credentials; an agency-less function gets "" too.
  getAccessKey() { return ''; }
  getSecretKey() { return ''; }
  getSecurityAccessKey() { return ''; }
  getSecuritySecretKey() { return ''; }
  getSecurityToken() { return ''; }
  getToken() { return ''; }
  getUserData(key) { return Object.hasOwn(this._userData, key) ? this._userData[key] : undefined; }
  getFunctionName() { return String(this._fn.name || ''); }
  getRunningTimeInSeconds() { return Number(this._fn.timeout) || 3; }
  getVersion() { return this._version; }
  getMemorySize() { return Number(this._fn.memorySize) || 128; }
  getCPUNumber() { return cpuOf(this._fn); }
  getPackage() { return String(this._fn.package || 'default'); }
  getProjectID() { return String(this._fn.projectId || ''); }
  getAlias() { return this._alias === null ? '' : String(this._alias); }
  getLogger() { return this._logger; }
  // FunctionFlow (workflow) callbacks: never set outside a workflow.
  getWorkflowID() { return ''; }
  getWorkflowRunID() { return ''; }
  getWorkflowStateID() { return ''; }
}

// ---------------------------------------------------------------------------
// Invocations.

function memoryUsedMb() {
  const rss = process.memoryUsage.rss ? process.memoryUsage.rss() : process.memoryUsage().rss;
  return Math.round((rss / 1048576) * 1000) / 1000;
}

/** JSON text of the result, or the error body that replaces it. */
function serializeResult(value) {
  let json;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    // BigInt and cycles throw TypeError; a throwing toJSON can throw anything.
    if (!isError(err)) return { error: errorBody(RESULT_PREFIX, 'TypeError', describe(err), []) };
    return { error: errorBody(RESULT_PREFIX, errorName(err), errorMessageOf(err), []) };
  }
  if (json === undefined) return { json: 'null' };
  const size = Buffer.byteLength(json, 'utf8');
  if (size > MAX_RESULT_BYTES) {
    // Worded like the service's "return value too large" error.
    const message = 'the return value of the function exceeds the maximum allowed limit: ' +
      `response body size ${size} exceeds the limit of ${MAX_RESULT_BYTES}`;
    return { error: errorBody('', 'ResultTooLargeError', message, []) };
  }
  return { json };
}

/** Writes the reply line. Built by hand so a big result is stringified only once. */
function reply(invocation, outcome) {
  let resultJson = null;
  let error = outcome.error;
  if (!error) {
    const serialized = serializeResult(outcome.value);
    resultJson = serialized.json;
    error = serialized.error;
  }
  if (error) {
    // The service writes the failure into the function's log as well.
    const stack = error.stackTrace.map((frame) => `\n    ${frame}`).join('');
    invocation.logger.error(error.errorMessage + stack);
  }
  const captured = log.take();
  const payload = error ? `"ok":false,"error":${JSON.stringify(error)}` : `"ok":true,"result":${resultJson}`;
  sendLine(
    `{"type":"result","id":${JSON.stringify(invocation.id)},${payload}` +
      `,"log":${JSON.stringify(captured.text)},"logDroppedBytes":${captured.dropped}` +
      `,"memoryUsedMb":${memoryUsedMb()}}`,
  );
}

/** Runs the handler; resolves once the single reply for this invocation is written. */
function invoke(message) {
  return new Promise((resolve) => {
    const id = typeof message.id === 'string' ? message.id : null;
    const requestId = (message.context && message.context.requestId) || id || '';
    const invocation = { id, logger: new Logger(requestId), settled: false };
    invocation.finish = (outcome) => {
      if (invocation.settled) return; // first of callback/return/error wins
      invocation.settled = true;
      state.current = null;
      try {
        reply(invocation, outcome);
      } finally {
        resolve(); // never leave the queue stuck, even if the reply could not be written
      }
    };

    if (state.phase !== 'ready') {
      const error = state.initError ||
        errorBody(ENTRY_PREFIX, 'RuntimeNotReadyError', 'the runtime received no init message', []);
      invocation.finish({ error });
      return;
    }
    state.current = invocation;
    callHandler(invocation, message);
  });
}

function callHandler(invocation, message) {
  const handler = state.handler;
  const context = new Context(state.fn, message, invocation.logger);
  const event = message.event === undefined ? null : message.event;
  // Callback style is detected by arity, as the service does.
  const callback = (err, value) => {
    if (err) invocation.finish({ error: callbackError(err) });
    else invocation.finish({ value });
  };
  let returned;
  try {
    returned = handler.length >= 3 ? handler(event, context, callback) : handler(event, context);
  } catch (err) {
    invocation.finish({ error: thrownError(err) });
    return;
  }
  if (returned && typeof returned.then === 'function') {
    Promise.resolve(returned).then(
      (value) => invocation.finish({ value }),
      (err) => invocation.finish({ error: thrownError(err) }),
    );
  } else if (handler.length < 3) {
    invocation.finish({ value: returned });
  }
  // A callback-style handler with a plain return value completes when it calls back.
}

// ---------------------------------------------------------------------------
// Process-level failures.

function onAsyncFailure(kind, err) {
  const invocation = state.current;
  if (invocation) {
    invocation.finish({ error: thrownError(err) });
    return;
  }
  const text = isError(err) ? String(err.stack || err) : describe(err);
  diagnose(`${kind} outside an invocation: ${text}`);
}

function onExit(code) {
  if (state.exiting) return; // our own shutdown: nobody is listening for replies
  if (state.current) {
    state.current.finish({ error: exitError(INVOKE_PREFIX, code) });
  } else if (state.phase === 'loading') {
    send({ type: 'init_error', error: exitError(ENTRY_PREFIX, code) });
  }
}

// ---------------------------------------------------------------------------
// The message loop.

let queue = Promise.resolve();

function dispatch(line) {
  if (line.trim() === '') return;
  let message;
  try {
    message = JSON.parse(line);
  } catch (err) {
    diagnose(`ignoring a line that is not JSON: ${err.message}`);
    return;
  }
  const type = message && message.type;
  if (type !== 'init' && type !== 'invoke') {
    diagnose(`ignoring a message of unknown type ${JSON.stringify(type)}`);
    return;
  }
  // One thing at a time: invokes wait for init and for each other.
  queue = queue
    .then(() => (type === 'init' ? init(message) : invoke(message)))
    .catch((err) => diagnose(`internal error: ${err && err.stack ? err.stack : err}`));
}

function main() {
  captureStdio();
  process.on('uncaughtException', (err) => onAsyncFailure('uncaught exception', err));
  process.on('unhandledRejection', (reason) => onAsyncFailure('unhandled rejection', reason));
  process.on('exit', onExit);

  let channel;
  try {
    channel = new net.Socket({ fd: CHANNEL_FD, readable: true, writable: false });
  } catch (err) {
    diagnose(`no protocol socket at fd ${CHANNEL_FD}: ${err.message}`);
    process.exit(1);
  }
  const input = readline.createInterface({ input: channel, crlfDelay: Infinity });
  input.on('line', dispatch);
  input.on('close', () => {
    state.exiting = true;
    process.exit(0);
  });
}

main();
