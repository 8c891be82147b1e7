'use strict';
// Small helpers shared by the client test files (no client library here:
// each helper takes a function that runs one command and returns its reply).

const { sleep } = require('./server');

// INFO text -> { field: value } (sections merged).
function parseInfo(text) {
  const out = {};
  for (const line of String(text).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

// "a=1,b=2" -> { a: '1', b: '2' } (INFO commandstats values).
function parseFields(s) {
  const out = {};
  for (const kv of String(s).split(',')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

// CLIENT INFO line -> { id: '..', addr: '..', resp: '3', ... }.
function parseClientInfo(line) {
  const out = {};
  for (const kv of String(line).trim().split(' ')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

// Waits until INFO clients reports `n` blocked clients: a blocking command
// sent by another connection is then really parked in the server, so a push
// made after this returns wakes it (rather than racing with it).
async function waitBlockedClients(info, n, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fields = parseInfo(await info('clients'));
    if (Number(fields.blocked_clients) === n) return;
    if (Date.now() > deadline) {
      throw new Error(`blocked_clients stayed ${fields.blocked_clients}, wanted ${n}`);
    }
    await sleep(10);
  }
}

// Resolves with the first `count` values passed to the returned `push`, or
// rejects after timeoutMs (a lost pub/sub message fails instead of hanging).
function collector(count, timeoutMs = 5000) {
  const got = [];
  let resolve;
  let reject;
  const done = new Promise((res, rej) => { resolve = res; reject = rej; });
  const timer = setTimeout(
    () => reject(new Error(`got ${got.length} of ${count}: ${JSON.stringify(got)}`)), timeoutMs);
  return {
    push(v) {
      got.push(v);
      if (got.length === count) { clearTimeout(timer); resolve(got); }
    },
    done,
  };
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

module.exports = { parseInfo, parseFields, parseClientInfo, waitBlockedClients, collector, WRONGTYPE };
