'use strict';
// Starts a grabkv-server (or, to check the tests' expectations, a real
// redis-server) on a free 127.0.0.1 port for one test file, and stops it.
//
// Which binary: $GRABKV_SERVER (required). A binary whose file name starts
// with "redis-server" is treated as real Redis 7.0: it gets an explicit free
// port (Redis 7.0's --port 0 means "no TCP"), and isRedis is true so tests of
// grabkv-only behaviour (GRAB.*, CLIENT SETINFO) skip with a printed reason.
//
// The server is always stopped: the test file's after() hook calls stop(),
// a process 'exit' handler SIGKILLs it if the hook never ran, and on Linux it
// is started through `setpriv --pdeathsig KILL` so that even a SIGKILLed test
// process (ctest timeout) does not leave it behind.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10000;

function serverPath() {
  const bin = process.env.GRABKV_SERVER;
  if (!bin) {
    throw new Error('set GRABKV_SERVER to the grabkv-server (or redis-server) binary');
  }
  return bin;
}

function isRealRedis(bin = serverPath()) {
  return path.basename(bin).startsWith('redis-server');
}

// A port that was free a moment ago (only used for real Redis).
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

let setprivOk;
function haveSetpriv() {
  if (setprivOk === undefined) {
    const r = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true']);
    setprivOk = r.status === 0;
  }
  return setprivOk;
}

async function startServer() {
  const bin = serverPath();
  const redis = isRealRedis(bin);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grabkv-node-'));
  const wantPort = redis ? await freePort() : 0;
  const args = ['--port', String(wantPort), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  if (redis) args.push('--daemonize', 'no', '--dir', dir, '--enable-debug-command', 'local');

  const [cmd, argv] = haveSetpriv()
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args]]
    : [bin, args];
  const child = spawn(cmd, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.on('exit', killOnExit);

  let log = '';
  const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
  const port = await new Promise((resolve, reject) => {
    let bound = redis ? wantPort : undefined;
    const timer = setTimeout(() => {
      reject(new Error(`${bin} not ready after ${READY_TIMEOUT_MS} ms; log:\n${log}`));
    }, READY_TIMEOUT_MS);
    const onData = (chunk) => {
      log += chunk;
      const m = /port=(\d+)/.exec(log);
      if (m && bound === undefined) bound = Number(m[1]);
      if (/Ready to accept connections/.test(log) && bound) {
        clearTimeout(timer);
        resolve(bound);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then(({ code, sig }) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited early (code ${code}, signal ${sig}); log:\n${log}`));
    });
  }).catch((e) => { killOnExit(); throw e; });

  async function stop() {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const r = await exited;
      clearTimeout(t);
      fs.rmSync(dir, { recursive: true, force: true });
      return r;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return exited;
  }

  return { host: HOST, port, isRedis: redis, bin, stop, log: () => log };
}

// One server for the calling test file: started before its tests and
// stopped with SIGTERM after them, when it must exit with status 0 (under
// ASan that also means no leaks). Returns the object startServer() resolves
// to, filled in once the `before` hook has run.
function serverForThisFile() {
  const { before, after } = require('node:test');
  const assert = require('node:assert/strict');
  const server = {};
  let started = false;
  before(async () => {
    Object.assign(server, await startServer());
    started = true;
  });
  after(async () => {
    if (!started) return;
    const { code, sig } = await server.stop();
    assert.equal(code, 0, `server exit: code ${code}, signal ${sig}; log:\n${server.log()}`);
  });
  return server;
}

// Resolves after ms milliseconds.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Keeps the "why" of a skip visible in the output: node:test prints the
// message of t.skip(msg) in its report, and this prints it on stderr too.
function skipWithReason(t, reason) {
  process.stderr.write(`SKIP ${t.fullName ?? t.name}: ${reason}\n`);
  t.skip(reason);
}

module.exports = { startServer, serverForThisFile, isRealRedis, sleep, skipWithReason, HOST };
