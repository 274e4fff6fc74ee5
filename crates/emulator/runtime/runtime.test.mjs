// Protocol tests for runtime.js: each test spawns `node runtime.js` the way the emulator
// does (cwd = the function folder, the protocol on a socket at fd 3, fd 1 and fd 2 piped
// as log, an environment built from the config) and checks the newline-delimited JSON it
// answers with.
//
// Run: node --test crates/emulator/runtime/

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNTIME = fileURLToPath(new URL('./runtime.js', import.meta.url));
const FUNCTIONS = fileURLToPath(new URL('../../../examples/functions/', import.meta.url));
const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const LOG_LIMIT = 64 * 1024;
const REPLY_TYPES = new Set(['ready', 'init_error', 'result']);

/** A runtime process plus a reader that turns its fd 3 into protocol messages. */
class Worker {
  constructor(codeDir, fn) {
    this.codeDir = codeDir;
    this.fn = fn;
    this.rawLines = [];
    this.pending = [];
    this.waiters = [];
    this.stderr = '';
    this.stdout = '';
    this.child = spawn(process.execPath, [RUNTIME], {
      cwd: codeDir,
      env: workerEnv(fn, codeDir),
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.channel = this.child.stdio[3];
    // 'close' comes after the exit and after stdout/stderr have been read to the end.
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
    this.child.on('close', () => {
      this.closed = true;
      this.failWaiters(new Error(`worker exited; stderr: ${this.stderr}`));
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text) => { this.stderr += text; });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (text) => { this.stdout += text; });
    this.readChannel();
  }

  readChannel() {
    let partial = '';
    this.channel.setEncoding('utf8');
    this.channel.on('data', (text) => {
      partial += text;
      let newline;
      while ((newline = partial.indexOf('\n')) >= 0) {
        this.onLine(partial.slice(0, newline));
        partial = partial.slice(newline + 1);
      }
    });
    this.channel.on('end', () => { this.trailing = partial; });
  }

  onLine(line) {
    this.rawLines.push(line);
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      message = { type: 'corrupt', line };
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(message);
    else this.pending.push(message);
  }

  failWaiters(err) {
    for (const waiter of this.waiters.splice(0)) waiter.reject(err);
  }

  /** The next protocol message (or a rejection if none arrives in time). */
  next(timeoutMs = 5000) {
    if (this.pending.length) return Promise.resolve(this.pending.shift());
    if (this.closed) return Promise.reject(new Error('worker has exited'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  send(message) {
    this.channel.write(JSON.stringify(message) + '\n');
  }

  sendRaw(text) {
    this.channel.write(text);
  }

  init(handler = 'index.handler') {
    this.send({ type: 'init', handler, codeDir: this.codeDir, function: this.fn });
    return this.next();
  }

  invokeMessage(event, options = {}) {
    const id = options.id ?? crypto.randomUUID();
    return {
      type: 'invoke',
      id,
      event,
      deadlineMs: options.deadlineMs ?? Date.now() + this.fn.timeout * 1000,
      context: {
        requestId: id,
        version: 'latest',
        alias: options.alias ?? null,
        invokeType: options.invokeType ?? 'sync',
        traceId: `trace-${id}`,
      },
    };
  }

  /** Sends one invoke and returns its reply, checking the reply's shape and id. */
  async invoke(event, options = {}) {
    const message = this.invokeMessage(event, options);
    this.send(message);
    const reply = await this.next(options.timeoutMs);
    assertResultShape(reply, message.id);
    return reply;
  }

  /** Closes the socket, waits for the exit, and checks fd 3 held nothing but protocol lines. */
  async close() {
    this.channel.end();
    const exit = await this.exited;
    this.assertCleanChannel();
    return exit;
  }

  assertCleanChannel() {
    for (const line of this.rawLines) {
      const parsed = JSON.parse(line);
      assert.ok(REPLY_TYPES.has(parsed.type), `unexpected line on fd 3: ${line.slice(0, 200)}`);
    }
    assert.equal(this.trailing ?? '', '', 'fd 3 ended with a partial line');
  }

  kill() {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** The environment the emulator builds: user data, RUNTIME_* and little else. */
function workerEnv(fn, codeDir) {
  return {
    PATH: process.env.PATH,
    ...fn.userData,
    RUNTIME_FUNC_NAME: fn.name,
    RUNTIME_PACKAGE: fn.package,
    RUNTIME_FUNC_VERSION: fn.version,
    RUNTIME_PROJECT_ID: fn.projectId,
    RUNTIME_MEMORY: String(fn.memorySize),
    RUNTIME_TIMEOUT: String(fn.timeout),
    RUNTIME_CODE_ROOT: codeDir,
    RUNTIME_USERDATA: JSON.stringify(fn.userData),
  };
}

/** The init message's `function` object for a folder, as the emulator derives it. */
function functionSettings(dir, overrides = {}) {
  const file = path.join(dir, 'function.json');
  const spec = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  return {
    name: spec.name ?? path.basename(dir),
    package: spec.package ?? 'default',
    version: 'latest',
    alias: null,
    memorySize: spec.memory_size ?? 128,
    timeout: spec.timeout ?? 3,
    projectId: PROJECT_ID,
    region: 'cn-north-4',
    userData: spec.user_data ?? {},
    runtime: spec.runtime ?? 'Node.js20',
    ...overrides,
  };
}

function assertResultShape(reply, id) {
  assert.equal(reply.type, 'result', `expected a result, got ${JSON.stringify(reply).slice(0, 300)}`);
  assert.equal(reply.id, id);
  assert.equal(typeof reply.ok, 'boolean');
  assert.equal(typeof reply.log, 'string');
  assert.ok(Number.isInteger(reply.logDroppedBytes) && reply.logDroppedBytes >= 0);
  assert.equal(typeof reply.memoryUsedMb, 'number');
  assert.ok(reply.memoryUsedMb > 0);
  assert.equal(Math.round(reply.memoryUsedMb * 1000) / 1000, reply.memoryUsedMb, 'three decimals');
  if (reply.ok) {
    assert.ok('result' in reply);
    assert.ok(!('error' in reply));
  } else {
    assert.ok(!('result' in reply));
    assert.equal(typeof reply.error.errorMessage, 'string');
    assert.equal(typeof reply.error.errorType, 'string');
    assert.ok(Array.isArray(reply.error.stackTrace));
  }
}

const workers = [];

/** Starts a worker on a sample function (or fixture folder) and initialises it. */
async function start(dir, { handler = 'index.handler', fn = {} } = {}) {
  const worker = new Worker(dir, functionSettings(dir, fn));
  workers.push(worker);
  const ready = await worker.init(handler);
  return { worker, ready };
}

async function startReady(dir, options) {
  const { worker, ready } = await start(dir, options);
  assert.deepEqual(ready, { type: 'ready' });
  return worker;
}

const sample = (name) => path.join(FUNCTIONS, name);

after(() => {
  for (const worker of workers) worker.kill();
});

// ---------------------------------------------------------------------------
// Fixtures for cases the sample functions do not cover, written to a temp folder.

let FIXTURES;

const FIXTURE_FILES = {
  'styles.js': `
    'use strict';
    let calls = 0;
    exports.plain = (event, context) => ({ plain: event });
    exports.promise = (event, context) => Promise.resolve({ promised: event });
    exports.undef = async (event, context) => undefined;
    exports.asyncNoCallback = async (event, context, callback) => 'returned';
    exports.callbackTwice = (event, context, callback) => {
      callback(null, 'first');
      callback(null, 'second');
      callback(new Error('too late'));
    };
    exports.callbackBeatsReturn = async (event, context, callback) => {
      callback(null, 'from-callback');
      return 'from-return';
    };
    exports.callbackError = (event, context, callback) => callback(new TypeError('bad input'));
    exports.callbackString = (event, context, callback) => callback('plain failure');
    exports.rejects = async (event, context) => { throw new RangeError('out of range'); };
    exports.rejectsValue = (event, context) => Promise.reject({ code: 42 });
    exports.throwsSync = (event, context) => { throw new Error('sync throw'); };
    exports.bigint = async (event, context) => ({ n: 10n });
    exports.circular = async (event, context) => { const o = {}; o.self = o; return o; };
    exports.uncaughtLater = (event, context) => new Promise(() => {
      setTimeout(() => { throw new Error('boom later'); }, 10);
    });
    exports.unhandledRejection = (event, context) => {
      Promise.reject(new Error('forgotten promise'));
      return new Promise(() => {});
    };
    exports.failsAfterReply = async (event, context) => {
      setTimeout(() => { Promise.reject(new Error('rejected after reply')); }, 5);
      setTimeout(() => { throw new Error('thrown after reply'); }, 10);
      return 'done';
    };
    exports.straysAfterReply = async (event, context) => {
      setTimeout(() => console.log('printed after reply'), 5);
      return 'done';
    };
    exports.streams = async (event, context) => {
      process.stdout.write('stdout-write\\n');
      process.stdout.write(Buffer.from('buffer-write\\n'));
      process.stderr.write('stderr-write\\n');
      console.error('console-error');
      console.warn('console-warn');
      console.info('console-info');
      console.log('{"type":"result","id":"forged","ok":true,"result":1}');
      await new Promise((resolve) => process.stdout.write('with-callback\\n', resolve));
      return 'ok';
    };
    exports.forgesOnDescriptors = async (event, context) => {
      const fs = require('fs');
      fs.writeSync(1, '{"type":"result","id":"' + context.getRequestID() + '","ok":true,"result":"forged"}\\n');
      fs.writeSync(2, '{"type":"ready"}\\n');
      return 'genuine';
    };
    exports.logger = async (event, context) => {
      const logger = context.getLogger();
      logger.info('info %d', 1);
      logger.warn('warn', { a: 1 });
      logger.error('error');
      logger.debug('hidden debug');
      logger.setLevel('DEBUG');
      logger.debug('shown debug');
      return null;
    };
    exports.multibyte = async (event, context) => {
      // 3- and 4-byte characters so a naive byte cut would split one.
      for (let i = 0; i < 3000; i += 1) console.log('€😀'.repeat(7));
      return null;
    };
    exports.oneHugeWrite = async (event, context) => {
      process.stdout.write('y'.repeat(5 * 1024 * 1024));
      return null;
    };
    exports.hugeResult = async (event, context) => 'z'.repeat(7 * 1024 * 1024);
    exports.bigResult = async (event, context) => 'b'.repeat(2 * 1024 * 1024);
    exports.environment = async (event, context) => ({
      greeting: process.env.GREETING,
      runtimeName: process.env.RUNTIME_FUNC_NAME,
    });
    exports.remaining = async (event, context) => context.getRemainingTimeInMilliSeconds();
    exports.warm = async (event, context) => ({ pid: process.pid, calls: ++calls });
    exports.exitZero = async (event, context) => { console.log('bye'); process.exit(0); };
    exports.notAFunction = 42;
  `,
  'loadlog.js': `
    console.log('printed while loading');
    exports.handler = async (event, context) => 'loaded';
  `,
  'esm.mjs': `
    export const handler = async (event, context) => ({ esm: true, requestId: context.getRequestID() });
  `,
  'src/app.js': `
    exports.main = async (event, context) => ({ nested: true, input: event });
  `,
  'module-pkg/package.json': '{"type":"module"}',
  'module-pkg/index.js': `
    await Promise.resolve();
    export const handler = async (event, context) => ({ typeModule: true });
  `,
  'broken.js': 'exports.handler = async (event, context) => {\n',
  'throwsOnLoad.js': "throw new Error('cannot start');\n",
  'missingDep.js': "require('./no-such-dependency');\nexports.handler = async () => 1;\n",
  'exitOnLoad.js': "console.log('leaving'); process.exit(5);\n",
};

before(() => {
  FIXTURES = fs.mkdtempSync(path.join(os.tmpdir(), 'fgs-runtime-test-'));
  for (const [name, text] of Object.entries(FIXTURE_FILES)) {
    const file = path.join(FIXTURES, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
});

after(() => {
  if (FIXTURES) fs.rmSync(FIXTURES, { recursive: true, force: true });
});

const fixture = (exportName) => ({ handler: `styles.${exportName}`, fn: { name: 'fixture' } });

// ---------------------------------------------------------------------------
// Sample functions.

describe('sample functions', () => {
  test('hello answers in the HTTP-function shape and logs its greeting', async () => {
    const worker = await startReady(sample('hello'));
    const reply = await worker.invoke({ name: 'Ada' });
    assert.equal(reply.ok, true);
    assert.deepEqual(reply.result, {
      statusCode: 200,
      isBase64Encoded: false,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'hello Ada' }),
    });
    assert.equal(reply.log, 'Hello, World!\n');
    assert.equal(reply.logDroppedBytes, 0);

    const anonymous = await worker.invoke({});
    assert.equal(JSON.parse(anonymous.result.body).message, 'hello world');
    assert.equal((await worker.close()).code, 0);
  });

  test('echo returns any JSON event unchanged', async () => {
    const worker = await startReady(sample('echo'));
    const events = [
      { a: 1, nested: { list: [1, 'two', null, true] } },
      'a string with "quotes" and \n newline',
      42.5,
      null,
      [],
      { unicode: 'héllo 世界 😀', empty: '' },
    ];
    for (const event of events) {
      const reply = await worker.invoke(event);
      assert.equal(reply.ok, true);
      assert.deepEqual(reply.result, event);
      assert.equal(reply.log, '');
    }
    await worker.close();
  });

  test('context reports the function settings, the request and the user data', async () => {
    const worker = await startReady(sample('context'));
    const id = crypto.randomUUID();
    const deadlineMs = Date.now() + 3000;
    const reply = await worker.invoke({}, { id, deadlineMs });
    assert.equal(reply.ok, true);
    const { remainingTimeMs, ...rest } = reply.result;
    assert.deepEqual(rest, {
      requestId: id,
      functionName: 'context',
      package: 'default',
      version: 'latest',
      alias: '',
      memorySize: 128,
      cpuNumber: 300,
      timeout: 3,
      projectId: PROJECT_ID,
      userData: { fromContext: 'hi from user data', fromEnv: 'hi from user data' },
      credentials: {
        accessKey: '',
        secretKey: '',
        securityAccessKey: '',
        securitySecretKey: '',
        securityToken: '',
        token: '',
      },
    });
    assert.ok(remainingTimeMs > 0 && remainingTimeMs <= 3000, `remaining ${remainingTimeMs}`);
    assert.match(
      reply.log,
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ${id} INFO context requested for context\\n$`),
    );
    await worker.close();
  });

  test('context reports the alias the caller named', async () => {
    const worker = await startReady(sample('context'));
    const reply = await worker.invoke({}, { alias: 'prod' });
    assert.equal(reply.result.alias, 'prod');
    await worker.close();
  });

  test('callback-style handler answers through callback(null, data)', async () => {
    const worker = await startReady(sample('callback'));
    const reply = await worker.invoke({ k: 'v' });
    assert.equal(reply.ok, true);
    assert.deepEqual(reply.result, { style: 'callback', input: { k: 'v' } });
    await worker.close();
  });

  test('sleep waits the requested time', async () => {
    const worker = await startReady(sample('sleep'));
    const started = Date.now();
    const reply = await worker.invoke({ ms: 120 });
    assert.ok(Date.now() - started >= 115);
    assert.deepEqual(reply.result, { slept: 120 });
    assert.deepEqual((await worker.invoke({})).result, { slept: 100 });
    await worker.close();
  });

  test('fail reports the thrown error with the runtime prefix, type and user stack', async () => {
    const worker = await startReady(sample('fail'));
    const reply = await worker.invoke({ reason: 'testing' });
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorMessage, 'function invocation exception, error: intentional failure: testing');
    assert.equal(reply.error.errorType, 'Error');
    assert.ok(reply.error.stackTrace.length >= 1);
    assert.match(reply.error.stackTrace[0], /^at .*\(\.\/index\.js:\d+:\d+\)$/);
    assert.ok(reply.error.stackTrace.every((frame) => !frame.includes('runtime.js')));
    assert.ok(reply.log.startsWith('about to fail\n'));
    assert.match(reply.log, / ERROR function invocation exception, error: intentional failure: testing\n {4}at /);

    // The worker survives a failure.
    const again = await worker.invoke({});
    assert.equal(again.error.errorMessage, 'function invocation exception, error: intentional failure: none');
    await worker.close();
  });

  test('crash answers before the process exits with the handler\'s code', async () => {
    const worker = await startReady(sample('crash'));
    const reply = await worker.invoke({});
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorType, 'ProcessExitError');
    assert.match(reply.error.errorMessage, /process exited with code 3/);
    assert.ok(reply.log.startsWith('about to crash\n'));
    assert.deepEqual(await worker.exited, { code: 3, signal: null });
    worker.assertCleanChannel();
  });

  test('logs keeps every line when under the limit', async () => {
    const worker = await startReady(sample('logs'));
    const reply = await worker.invoke({});
    const lines = reply.log.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 10);
    assert.ok(lines.every((line, i) => line.length === 80 && line.startsWith(String(i + 1).padStart(6, '0'))));
    assert.deepEqual(reply.result, { lines: 10, width: 80 });
    await worker.close();
  });

  test('logs keeps the last 64 KiB and counts what it dropped', async () => {
    const worker = await startReady(sample('logs'));
    const reply = await worker.invoke({ lines: 5000, width: 100 });
    const total = 5000 * 101;
    assert.equal(Buffer.byteLength(reply.log), LOG_LIMIT);
    assert.equal(reply.logDroppedBytes, total - LOG_LIMIT);
    assert.ok(reply.log.endsWith('\n'));
    const lines = reply.log.slice(0, -1).split('\n');
    assert.ok(lines.at(-1).startsWith('005000 '));
    assert.ok(lines.at(-2).startsWith('004999 '));

    // The next invocation starts with an empty buffer.
    const small = await worker.invoke({ lines: 1 });
    assert.equal(small.logDroppedBytes, 0);
    assert.equal(small.log.split('\n').length, 2);
    await worker.close();
  });
});

// ---------------------------------------------------------------------------
// Handler styles and results.

describe('handler styles', () => {
  let worker;
  before(async () => {
    worker = await startReady(FIXTURES, fixture('plain'));
  });
  after(() => worker.close());

  test('a plain return value from a two-parameter handler', async () => {
    const reply = await worker.invoke({ x: 1 });
    assert.deepEqual(reply.result, { plain: { x: 1 } });
  });
});

/** Starts a worker on one fixture export and returns the reply to a single invoke. */
async function invokeFixture(exportName, event = {}, options = {}) {
  const worker = await startReady(FIXTURES, fixture(exportName));
  const reply = await worker.invoke(event, options);
  return { worker, reply };
}

describe('results', () => {
  test('a returned promise resolves to the result', async () => {
    const { worker, reply } = await invokeFixture('promise', [1]);
    assert.deepEqual(reply.result, { promised: [1] });
    await worker.close();
  });

  test('undefined becomes null', async () => {
    const { worker, reply } = await invokeFixture('undef');
    assert.equal(reply.ok, true);
    assert.equal(reply.result, null);
    await worker.close();
  });

  test('an async handler with a callback parameter may simply return', async () => {
    const { worker, reply } = await invokeFixture('asyncNoCallback');
    assert.equal(reply.result, 'returned');
    await worker.close();
  });

  test('the first callback wins; later calls are ignored', async () => {
    const { worker, reply } = await invokeFixture('callbackTwice');
    assert.equal(reply.ok, true);
    assert.equal(reply.result, 'first');
    // No second reply for the same invocation: the next line answers the next invoke.
    const next = await worker.invoke({});
    assert.equal(next.result, 'first');
    await worker.close();
  });

  test('a callback before the return value wins', async () => {
    const { worker, reply } = await invokeFixture('callbackBeatsReturn');
    assert.equal(reply.result, 'from-callback');
    await worker.close();
  });

  test('a 2 MiB result passes through intact', async () => {
    const { worker, reply } = await invokeFixture('bigResult');
    assert.equal(reply.result.length, 2 * 1024 * 1024);
    await worker.close();
  });

  test('a result over 6 MiB is refused', async () => {
    const { worker, reply } = await invokeFixture('hugeResult');
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorType, 'ResultTooLargeError');
    assert.match(reply.error.errorMessage, /exceeds the limit of 6291456/);
    await worker.close();
  });
});

describe('failures', () => {
  test('callback(err) fails with the service\'s "entry" prefix and no stack', async () => {
    const { worker, reply } = await invokeFixture('callbackError');
    assert.equal(reply.ok, false);
    assert.deepEqual(reply.error, {
      errorMessage: 'function entry exception, error: bad input',
      errorType: 'TypeError',
      stackTrace: [],
    });
    await worker.close();
  });

  test('callback with a non-Error value', async () => {
    const { worker, reply } = await invokeFixture('callbackString');
    assert.deepEqual(reply.error, {
      errorMessage: 'function entry exception, error: plain failure',
      errorType: 'UserFunctionError',
      stackTrace: [],
    });
    await worker.close();
  });

  test('a rejected promise fails with its error type and stack', async () => {
    const { worker, reply } = await invokeFixture('rejects');
    assert.equal(reply.error.errorMessage, 'function invocation exception, error: out of range');
    assert.equal(reply.error.errorType, 'RangeError');
    assert.match(reply.error.stackTrace[0], /\(\.\/styles\.js:\d+:\d+\)$/);
    await worker.close();
  });

  test('a rejection with a plain object', async () => {
    const { worker, reply } = await invokeFixture('rejectsValue');
    assert.deepEqual(reply.error, {
      errorMessage: 'function invocation exception, error: {"code":42}',
      errorType: 'UserFunctionError',
      stackTrace: [],
    });
    await worker.close();
  });

  test('a synchronous throw', async () => {
    const { worker, reply } = await invokeFixture('throwsSync');
    assert.equal(reply.error.errorMessage, 'function invocation exception, error: sync throw');
    assert.equal(reply.error.errorType, 'Error');
    await worker.close();
  });

  test('a BigInt result fails as a TypeError without killing the worker', async () => {
    const { worker, reply } = await invokeFixture('bigint');
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorType, 'TypeError');
    assert.match(reply.error.errorMessage, /^function result is invalid, error: .*BigInt/);
    assert.equal((await worker.invoke({})).error.errorType, 'TypeError');
    await worker.close();
  });

  test('a circular result fails as a TypeError', async () => {
    const { worker, reply } = await invokeFixture('circular');
    assert.equal(reply.error.errorType, 'TypeError');
    assert.match(reply.error.errorMessage, /^function result is invalid, error: Converting circular structure to JSON/);
    await worker.close();
  });

  test('an exception thrown later in a timer fails the invocation, not the worker', async () => {
    const { worker, reply } = await invokeFixture('uncaughtLater');
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorMessage, 'function invocation exception, error: boom later');
    assert.equal(worker.child.exitCode, null);
    await worker.close();
  });

  test('an unhandled rejection fails the invocation', async () => {
    const { worker, reply } = await invokeFixture('unhandledRejection');
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorMessage, 'function invocation exception, error: forgotten promise');
    await worker.close();
  });

  test('errors raised between invocations go to stderr and the worker keeps serving', async () => {
    const { worker, reply } = await invokeFixture('failsAfterReply');
    assert.equal(reply.result, 'done');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await worker.invoke({});
    assert.equal(next.ok, true);
    assert.equal((await worker.close()).code, 0);
    assert.match(worker.stderr, /unhandled rejection outside an invocation: .*rejected after reply/);
    assert.match(worker.stderr, /uncaught exception outside an invocation: .*thrown after reply/);
  });

  test('process.exit(0) in a handler still fails the invocation', async () => {
    const { worker, reply } = await invokeFixture('exitZero');
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorType, 'ProcessExitError');
    assert.ok(reply.log.startsWith('bye\n'));
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
  });
});

// ---------------------------------------------------------------------------
// Loading.

describe('init', () => {
  test('an .mjs handler is loaded with import()', async () => {
    const worker = await startReady(FIXTURES, { handler: 'esm.handler' });
    const reply = await worker.invoke({}, { id: 'esm-1' });
    assert.deepEqual(reply.result, { esm: true, requestId: 'esm-1' });
    await worker.close();
  });

  test('a .js ES module in a "type": "module" package (with top-level await)', async () => {
    const worker = await startReady(path.join(FIXTURES, 'module-pkg'));
    assert.deepEqual((await worker.invoke({})).result, { typeModule: true });
    await worker.close();
  });

  test('a nested handler path "src/app.main"', async () => {
    const worker = await startReady(FIXTURES, { handler: 'src/app.main' });
    assert.deepEqual((await worker.invoke(7)).result, { nested: true, input: 7 });
    await worker.close();
  });

  test('a missing module answers init_error, then every invoke with the same error', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'nothing.handler' });
    const error = {
      errorMessage: "function entry exception, error: not found module './nothing.js'",
      errorType: 'FunctionLoadError',
      stackTrace: [],
    };
    assert.deepEqual(ready, { type: 'init_error', error });
    for (let i = 0; i < 2; i += 1) {
      const reply = await worker.invoke({});
      assert.equal(reply.ok, false);
      assert.deepEqual(reply.error, error);
    }
    assert.equal((await worker.close()).code, 0);
  });

  test('a missing export answers FunctionConfigError', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'styles.nope' });
    assert.equal(ready.type, 'init_error');
    assert.deepEqual(ready.error, {
      errorMessage: "function entry exception, error: handler 'nope' not found in module './styles.js'",
      errorType: 'FunctionConfigError',
      stackTrace: [],
    });
    assert.equal((await worker.invoke({})).error.errorType, 'FunctionConfigError');
    await worker.close();
  });

  test('an export that is not a function answers FunctionConfigError', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'styles.notAFunction' });
    assert.equal(ready.error.errorType, 'FunctionConfigError');
    await worker.close();
  });

  test('a handler string without an export name', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'index' });
    assert.equal(ready.error.errorType, 'FunctionConfigError');
    assert.match(ready.error.errorMessage, /invalid handler 'index'/);
    await worker.close();
  });

  test('a syntax error names the file and line', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'broken.handler' });
    assert.equal(ready.type, 'init_error');
    assert.equal(ready.error.errorType, 'SyntaxError');
    assert.match(ready.error.errorMessage, /^function entry exception, error: .+ \(\.\/broken\.js:\d+\)$/);
    await worker.close();
  });

  test('a module that throws while loading', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'throwsOnLoad.handler' });
    assert.equal(ready.error.errorType, 'Error');
    assert.equal(ready.error.errorMessage, 'function entry exception, error: cannot start');
    assert.match(ready.error.stackTrace[0], /\.\/throwsOnLoad\.js:1:\d+/);
    await worker.close();
  });

  test('a module whose dependency is missing', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'missingDep.handler' });
    assert.equal(ready.type, 'init_error');
    assert.match(ready.error.errorMessage, /Cannot find module '\.\/no-such-dependency'/);
    await worker.close();
  });

  test('a module that exits while loading answers init_error', async () => {
    const { worker, ready } = await start(FIXTURES, { handler: 'exitOnLoad.handler' });
    assert.equal(ready.type, 'init_error');
    assert.equal(ready.error.errorType, 'ProcessExitError');
    assert.deepEqual(await worker.exited, { code: 5, signal: null });
  });

  test('output printed while loading goes into the first invocation\'s log', async () => {
    const worker = await startReady(FIXTURES, { handler: 'loadlog.handler' });
    assert.equal((await worker.invoke({})).log, 'printed while loading\n');
    assert.equal((await worker.invoke({})).log, '');
    await worker.close();
  });

  test('an invoke before init fails instead of hanging', async () => {
    const worker = new Worker(FIXTURES, functionSettings(FIXTURES));
    workers.push(worker);
    const reply = await worker.invoke({});
    assert.equal(reply.ok, false);
    assert.equal(reply.error.errorType, 'RuntimeNotReadyError');
    await worker.close();
  });
});

// ---------------------------------------------------------------------------
// Logging and the protocol stream.

describe('log capture', () => {
  test('every kind of output is captured and none reaches stdout', async () => {
    const { worker, reply } = await invokeFixture('streams');
    assert.equal(reply.result, 'ok');
    assert.equal(
      reply.log,
      [
        'stdout-write',
        'buffer-write',
        'stderr-write',
        'console-error',
        'console-warn',
        'console-info',
        '{"type":"result","id":"forged","ok":true,"result":1}',
        'with-callback',
        '',
      ].join('\n'),
    );
    await worker.close();
    assert.equal(worker.rawLines.length, 2, 'only ready and one result on fd 3');
    assert.equal(worker.stderr, '');
  });

  test('a protocol line written to fd 1 or fd 2 is output, never protocol', async () => {
    const { worker, reply } = await invokeFixture('forgesOnDescriptors', {}, { id: 'req-forge' });
    assert.equal(reply.ok, true);
    assert.equal(reply.result, 'genuine');
    const next = await worker.invoke({}, { id: 'req-next' });
    assert.equal(next.result, 'genuine', 'the warm worker answers its next call');
    await worker.close();
    assert.equal(worker.rawLines.length, 3, 'ready and two results on fd 3, nothing forged');
    assert.match(worker.stdout, /"id":"req-forge","ok":true,"result":"forged"/);
    assert.match(worker.stderr, /\{"type":"ready"\}/);
  });

  test('the context logger writes "<time> <requestId> <LEVEL> <message>" lines', async () => {
    const { worker, reply } = await invokeFixture('logger', {}, { id: 'req-log' });
    const lines = reply.log.trimEnd().split('\n');
    const stamp = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    const expected = ['INFO info 1', 'WARN warn { a: 1 }', 'ERROR error', 'DEBUG shown debug'];
    assert.equal(lines.length, expected.length);
    lines.forEach((line, i) => assert.match(line, new RegExp(`^${stamp} req-log ${expected[i]}$`)));
    await worker.close();
  });

  test('truncation never splits a multi-byte character', async () => {
    const { worker, reply } = await invokeFixture('multibyte');
    const line = '€😀'.repeat(7) + '\n';
    const total = 3000 * Buffer.byteLength(line);
    const kept = Buffer.byteLength(reply.log);
    assert.ok(kept <= LOG_LIMIT && kept > LOG_LIMIT - 4);
    assert.equal(reply.logDroppedBytes + kept, total);
    assert.ok(!reply.log.includes('\uFFFD'));
    assert.ok(reply.log.endsWith(line));
    await worker.close();
  });

  test('one 5 MiB write keeps only its last 64 KiB', async () => {
    const { worker, reply } = await invokeFixture('oneHugeWrite');
    assert.equal(reply.log, 'y'.repeat(LOG_LIMIT));
    assert.equal(reply.logDroppedBytes, 5 * 1024 * 1024 - LOG_LIMIT);
    await worker.close();
  });

  test('output after a reply is reported with the next invocation', async () => {
    const { worker, reply } = await invokeFixture('straysAfterReply');
    assert.equal(reply.log, '');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await worker.invoke({});
    assert.equal(next.log, 'printed after reply\n');
    await worker.close();
  });
});

describe('process and protocol', () => {
  test('sequential invocations reuse one warm process', async () => {
    const worker = await startReady(FIXTURES, fixture('warm'));
    for (let call = 1; call <= 5; call += 1) {
      const reply = await worker.invoke({});
      assert.deepEqual(reply.result, { pid: worker.child.pid, calls: call });
    }
    await worker.close();
  });

  test('invokes sent back to back are answered in order, one line each', async () => {
    const worker = await startReady(sample('echo'));
    const messages = Array.from({ length: 20 }, (_, i) => worker.invokeMessage({ i }));
    worker.sendRaw(messages.map((m) => JSON.stringify(m) + '\n').join(''));
    for (const message of messages) {
      const reply = await worker.next();
      assertResultShape(reply, message.id);
      assert.deepEqual(reply.result, message.event);
    }
    await worker.close();
    assert.equal(worker.rawLines.length, 21);
  });

  test('user data and RUNTIME_* variables are visible in process.env', async () => {
    const { worker, reply } = await invokeFixture('environment', {}, {});
    // No user data configured: GREETING is unset, so JSON drops the key.
    assert.deepEqual(reply.result, { runtimeName: 'fixture' });
    await worker.close();

    const withData = await startReady(FIXTURES, {
      handler: 'styles.environment',
      fn: { name: 'fixture', userData: { GREETING: 'hello env' } },
    });
    assert.deepEqual((await withData.invoke({})).result, { greeting: 'hello env', runtimeName: 'fixture' });
    await withData.close();
  });

  test('getRemainingTimeInMilliSeconds counts down to the deadline', async () => {
    const { worker, reply } = await invokeFixture('remaining', {}, { deadlineMs: Date.now() + 1500 });
    assert.ok(reply.result > 1000 && reply.result <= 1500, `remaining ${reply.result}`);
    const expired = await worker.invoke({}, { deadlineMs: Date.now() - 10 });
    assert.equal(expired.result, 0);
    await worker.close();
  });

  test('lines that are not protocol messages are reported on stderr and skipped', async () => {
    const worker = await startReady(sample('echo'));
    worker.sendRaw('this is not json\n\n{"type":"mystery"}\n');
    const reply = await worker.invoke('still here');
    assert.equal(reply.result, 'still here');
    await worker.close();
    assert.match(worker.stderr, /not JSON/);
    assert.match(worker.stderr, /unknown type "mystery"/);
  });

  test('closing the socket ends the worker with code 0', async () => {
    const worker = await startReady(sample('echo'));
    assert.deepEqual(await worker.close(), { code: 0, signal: null });
  });
});
