'use strict';
// grabkv driven by node-redis (npm "redis"), the way applications use it.
// Every case runs twice: with node-redis's default protocol (RESP3 since
// node-redis 6: HELLO 3 on connect) and with `RESP: 2`. A last suite checks
// what only RESP3 gives: typed replies (maps, doubles), pub/sub pushes
// interleaved with ordinary replies on one connection, and client-side
// caching (clientSideCache: CLIENT TRACKING with invalidate pushes).
//
//   GRABKV_SERVER=/path/to/grabkv-server node --test node-redis.test.js
//   GRABKV_SERVER=/usr/bin/redis-server  node --test node-redis.test.js   # check the expectations

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const {
  createClient, createClientPool, defineScript, ErrorReply, WatchError, RESP_TYPES,
} = require('redis');
const { version: REDIS_PKG_VERSION } = require('redis/package.json');
const { version: CLIENT_VERSION } = require('@redis/client/package.json');
const { serverForThisFile, sleep, skipWithReason } = require('./lib/server');
const {
  parseInfo, parseFields, parseClientInfo, waitBlockedClients, collector, WRONGTYPE,
} = require('./lib/util');

// No case may hang the run: each fails after T.timeout.
const T = { timeout: 20000 };

const server = serverForThisFile();

// node-redis returns hashes as null-prototype objects; compare contents only.
const plain = (o) => ({ ...o });

// Whether this node-redis accepts `RESP: 3` (node-redis 5 and newer do).
function supportsResp3() {
  return Number(CLIENT_VERSION.split('.')[0]) >= 5;
}

const lockScript = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end",
  parseCommand(parser, key, token) {
    parser.pushKey(key);
    parser.push(token);
  },
  transformReply: undefined,
});

function makeSuite(RESP) {
  const clients = [];
  // A connected, ready client; closed in after().
  async function connect(opts = {}) {
    const c = createClient({
      socket: { host: server.host, port: server.port, reconnectStrategy: false },
      RESP,
      scripts: { releaseLock: lockScript },
      ...opts,
    });
    c.on('error', () => {}); // surfaced through the rejected commands instead
    clients.push(c);
    await c.connect();
    return c;
  }
  let r;

  before(async () => { r = await connect(); });
  beforeEach(async () => { await r.flushAll(); });
  after(async () => {
    for (const c of clients) if (c.isOpen) c.destroy();
  });

  it('connects, runs its handshake, and is ready', T, async () => {
    await r.configResetStat();
    const c = await connect({ name: 'node-redis-app' });
    assert.equal(c.isReady, true);
    assert.equal(await c.ping(), 'PONG');
    const info = await c.clientInfo();
    assert.equal(info.resp, RESP);
    assert.equal(info.name, 'node-redis-app');
    assert.equal(await c.clientGetName(), 'node-redis-app');
    // The handshake: HELLO 3 SETNAME (RESP3) or CLIENT SETNAME (RESP2), then
    // CLIENT SETINFO LIB-VER/LIB-NAME (Redis 7.2) and, with RESP3,
    // CLIENT MAINT_NOTIFICATIONS (Redis Enterprise); the client ignores
    // errors from the last two.
    const stats = parseInfo(await r.info('commandstats'));
    const errors = parseInfo(await r.info('errorstats'));
    if (RESP === 3) {
      assert.equal(parseFields(stats.cmdstat_hello).calls, '1');
      assert.equal(stats['cmdstat_client|setname'], undefined);
    } else {
      assert.equal(stats.cmdstat_hello, undefined);
      assert.equal(parseFields(stats['cmdstat_client|setname']).calls, '1');
    }
    const maintErrors = RESP === 3 ? 1 : 0; // unknown subcommand on both servers
    if (server.isRedis) {
      assert.equal(stats['cmdstat_client|setinfo'], undefined);
      assert.equal(parseFields(errors.errorstat_ERR).count, String(2 + maintErrors));
    } else {
      assert.equal(parseFields(stats['cmdstat_client|setinfo']).calls, '2');
      assert.equal(parseFields(stats['cmdstat_client|setinfo']).failed_calls, '0');
      assert.equal(errors.errorstat_ERR && parseFields(errors.errorstat_ERR).count,
        maintErrors ? String(maintErrors) : undefined);
    }
    const serverInfo = parseInfo(await c.info('server'));
    assert.equal(Number(serverInfo.tcp_port), server.port);
  });

  it('strings', T, async () => {
    assert.equal(await r.set('s', 'hello'), 'OK');
    assert.equal(await r.get('s'), 'hello');
    assert.equal(await r.get('missing'), null);
    assert.equal(await r.append('s', ' world'), 11);
    assert.equal(await r.strLen('s'), 11);
    assert.equal(await r.getRange('s', 0, 4), 'hello');
    assert.equal(await r.setRange('s', 6, 'WORLD'), 11);
    assert.equal(await r.get('s'), 'hello WORLD');
    assert.equal(await r.set('s', 'x', { NX: true }), null);
    assert.equal(await r.set('s', 'v2', { GET: true }), 'hello WORLD');
    assert.equal(await r.setNX('n', '10'), 1);
    assert.equal(await r.incr('n'), 11);
    assert.equal(await r.incrBy('n', 5), 16);
    assert.equal(await r.decrBy('n', 20), -4);
    assert.equal(await r.incrByFloat('n', 1.5), '-2.5');
    assert.equal(await r.mSet({ a: '1', b: '2', c: '3' }), 'OK');
    assert.deepEqual(await r.mGet(['a', 'nope', 'c']), ['1', null, '3']);
    assert.equal(await r.mSetNX({ a: 'x', z: 'y' }), 0);
    assert.equal(await r.getDel('a'), '1');
    assert.equal(await r.exists(['a', 'b', 'c']), 2);
    assert.equal(await r.del(['b', 'c', 'nope']), 2);
    // Binary-safe values (Buffer in, Buffer out with a type mapping), UTF-8.
    const bin = Buffer.from([0, 255, 13, 10, 36, 42, 1]);
    assert.equal(await r.set(bin, bin), 'OK');
    const asBuffers = r.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    assert.deepEqual(await asBuffers.get(bin), bin);
    assert.equal(await r.set('ключ', '值 🎁'), 'OK');
    assert.equal(await r.get('ключ'), '值 🎁');
    const big = 'x'.repeat(1 << 20);
    assert.equal(await r.set('big', big), 'OK');
    assert.equal(await r.get('big'), big);
    await assert.rejects(r.incr('s'), (e) => e instanceof ErrorReply &&
      e.message === 'ERR value is not an integer or out of range');
  });

  it('expiry', T, async () => {
    assert.equal(await r.set('e', 'v', { EX: 100 }), 'OK');
    const ttl = await r.ttl('e');
    assert.ok(ttl > 98 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await r.pExpire('e', 5000), 1);
    const pttl = await r.pTTL('e');
    assert.ok(pttl > 4000 && pttl <= 5000, `pttl ${pttl}`);
    assert.equal(await r.expire('e', 100, 'GT'), 1);
    assert.equal(await r.expire('e', 50, 'GT'), 0);
    assert.equal(await r.persist('e'), 1);
    assert.equal(await r.ttl('e'), -1);
    assert.equal(await r.ttl('nokey'), -2);
    const at = Math.floor(Date.now() / 1000) + 1000;
    assert.equal(await r.expireAt('e', at), 1);
    assert.equal(await r.expireTime('e'), at);
    assert.equal(await r.set('gone', 'v', { PX: 50 }), 'OK');
    assert.equal(await r.pSetEx('gone2', 50, 'v'), 'OK');
    await sleep(120);
    assert.equal(await r.get('gone'), null);
    assert.equal(await r.exists(['gone', 'gone2']), 0);
    assert.equal(await r.getEx('e', { type: 'PX', value: 10 }), 'v');
    await sleep(50);
    assert.equal(await r.get('e'), null);
  });

  it('lists', T, async () => {
    assert.equal(await r.rPush('l', ['a', 'b', 'c']), 3);
    assert.equal(await r.lPush('l', 'z'), 4);
    assert.deepEqual(await r.lRange('l', 0, -1), ['z', 'a', 'b', 'c']);
    assert.equal(await r.lLen('l'), 4);
    assert.equal(await r.lIndex('l', -1), 'c');
    assert.equal(await r.lPos('l', 'b'), 2);
    assert.equal(await r.lInsert('l', 'BEFORE', 'b', 'a2'), 5);
    assert.equal(await r.lSet('l', 0, 'Z'), 'OK');
    assert.equal(await r.lPop('l'), 'Z');
    assert.deepEqual(await r.rPopCount('l', 2), ['c', 'b']);
    assert.equal(await r.lMove('l', 'l2', 'LEFT', 'RIGHT'), 'a');
    assert.deepEqual(await r.lRange('l2', 0, -1), ['a']);
    assert.equal(await r.rPush('r', ['x', 'y', 'x', 'x']), 4);
    assert.equal(await r.lRem('r', -2, 'x'), 2);
    assert.deepEqual(await r.lRange('r', 0, -1), ['x', 'y']);
    assert.equal(await r.lTrim('r', 1, 1), 'OK');
    assert.deepEqual(await r.lmPop(['none', 'r'], 'LEFT'), ['r', ['y']]);
    assert.equal(await r.exists('r'), 0);
    assert.equal(await r.lPop('r'), null);
  });

  it('BLPOP wakes up when a second connection pushes', T, async () => {
    const blocker = await connect();
    const pusher = await connect();
    const popped = blocker.blPop(['queue', 'queue2'], 5);
    await waitBlockedClients((s) => r.info(s), 1);
    assert.equal(await pusher.rPush('queue2', ['job-1', 'job-2']), 2);
    assert.deepEqual(plain(await popped), { key: 'queue2', element: 'job-1' });
    assert.deepEqual(await pusher.lRange('queue2', 0, -1), ['job-2']);
    const moved = blocker.blMove('jobs', 'processing', 'LEFT', 'RIGHT', 5);
    await waitBlockedClients((s) => r.info(s), 1);
    await pusher.lPush('jobs', 'job-3');
    assert.equal(await moved, 'job-3');
    assert.deepEqual(await r.lRange('processing', 0, -1), ['job-3']);
    const t0 = Date.now();
    assert.equal(await blocker.blPop('empty', 0.2), null);
    assert.ok(Date.now() - t0 >= 150, 'blocked for about the timeout');
    await waitBlockedClients((s) => r.info(s), 0);
  });

  it('hashes', T, async () => {
    assert.equal(await r.hSet('h', { name: 'alice', visits: '1' }), 2);
    assert.equal(await r.hSet('h', { name: 'bob', lang: 'js' }), 1);
    assert.deepEqual(plain(await r.hGetAll('h')), { name: 'bob', visits: '1', lang: 'js' });
    assert.deepEqual(plain(await r.hGetAll('nohash')), {});
    assert.equal(await r.hGet('h', 'name'), 'bob');
    assert.deepEqual(await r.hmGet('h', ['name', 'nope', 'lang']), ['bob', null, 'js']);
    assert.equal(await r.hIncrBy('h', 'visits', 10), 11);
    assert.equal(await r.hIncrByFloat('h', 'score', 2.5), '2.5');
    assert.equal(await r.hExists('h', 'lang'), 1);
    assert.equal(await r.hSetNX('h', 'lang', 'c'), 0);
    assert.equal(await r.hDel('h', ['lang', 'nope']), 1);
    assert.equal(await r.hLen('h'), 3);
    assert.deepEqual((await r.hKeys('h')).sort(), ['name', 'score', 'visits']);
    assert.deepEqual((await r.hVals('h')).sort(), ['11', '2.5', 'bob']);
  });

  it('sets', T, async () => {
    assert.equal(await r.sAdd('s1', ['a', 'b', 'c', 'a']), 3);
    assert.equal(await r.sAdd('s2', ['b', 'c', 'd']), 3);
    assert.deepEqual((await r.sMembers('s1')).sort(), ['a', 'b', 'c']);
    assert.equal(await r.sIsMember('s1', 'a'), 1);
    assert.deepEqual(await r.smIsMember('s1', ['a', 'z']), [1, 0]);
    assert.deepEqual((await r.sInter(['s1', 's2'])).sort(), ['b', 'c']);
    assert.deepEqual((await r.sUnion(['s1', 's2'])).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await r.sDiff(['s1', 's2']), ['a']);
    assert.equal(await r.sInterCard(['s1', 's2']), 2);
    assert.equal(await r.sInterStore('s3', ['s1', 's2']), 2);
    assert.equal(await r.sCard('s3'), 2);
    assert.equal(await r.sMove('s1', 's2', 'a'), 1);
    assert.equal(await r.sRem('s2', ['a', 'zz']), 1);
    assert.deepEqual((await r.sPopCount('s2', 10)).sort(), ['b', 'c', 'd']);
    assert.equal(await r.exists('s2'), 0);
    // RESP3 sends SMEMBERS as a set frame; node-redis maps it to an array.
    assert.equal(await r.sAdd('ints', ['3', '1', '2']), 3);
    assert.deepEqual((await r.sMembers('ints')).sort(), ['1', '2', '3']);
  });

  it('sorted sets with scores', T, async () => {
    assert.equal(await r.zAdd('z', [
      { score: 3, value: 'c' }, { score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 1.5, value: 'a2' },
    ]), 4);
    assert.deepEqual((await r.zRangeWithScores('z', 0, -1)).map(plain), [
      { value: 'a', score: 1 }, { value: 'a2', score: 1.5 }, { value: 'b', score: 2 }, { value: 'c', score: 3 },
    ]);
    assert.deepEqual(await r.zRange('z', 0, 1), ['a', 'a2']);
    assert.deepEqual(await r.zRange('z', '(1', '+inf', { BY: 'SCORE', LIMIT: { offset: 0, count: 2 } }), ['a2', 'b']);
    assert.deepEqual(await r.zRange('z', 0, 0, { REV: true }), ['c']);
    assert.equal(await r.zScore('z', 'a2'), 1.5);
    assert.equal(await r.zScore('z', 'nope'), null);
    assert.deepEqual(await r.zmScore('z', ['a', 'nope']), [1, null]);
    assert.equal(await r.zIncrBy('z', 0.25, 'c'), 3.25);
    assert.equal(await r.zRank('z', 'b'), 2);
    assert.equal(await r.zCount('z', '-inf', '(2'), 2);
    assert.equal(await r.zAdd('z', [{ score: 10, value: 'a' }, { score: 5, value: 'new' }], { XX: true, CH: true }), 1);
    assert.equal(await r.zAddIncr('z', [{ score: 1, value: 'a' }]), 11);
    assert.equal(await r.zAdd('z', [{ score: -Infinity, value: 'low' }, { score: Infinity, value: 'high' }]), 2);
    assert.equal(await r.zScore('z', 'high'), Infinity);
    assert.equal(await r.zScore('z', 'low'), -Infinity);
    assert.deepEqual(plain(await r.zPopMin('z')), { value: 'low', score: -Infinity });
    assert.deepEqual((await r.zPopMinCount('z', 2)).map(plain), [{ value: 'a2', score: 1.5 }, { value: 'b', score: 2 }]);
    assert.deepEqual(plain(await r.zPopMax('z')), { value: 'high', score: Infinity });
    assert.deepEqual((await r.zRangeWithScores('z', 0, -1)).map(plain), [{ value: 'c', score: 3.25 }, { value: 'a', score: 11 }]);
    assert.equal(await r.zPopMin('nozset'), null);
    const mp = await r.zmPop('z', 'MAX', { COUNT: 5 });
    assert.equal(mp.key, 'z');
    assert.deepEqual(mp.members.map(plain), [{ value: 'a', score: 11 }, { value: 'c', score: 3.25 }]);
    assert.equal(await r.exists('z'), 0);
  });

  it('BZPOPMIN wakes up when a second connection adds', T, async () => {
    const blocker = await connect();
    const popped = blocker.bzPopMin('envelopes', 5);
    await waitBlockedClients((s) => r.info(s), 1);
    assert.equal(await r.zAdd('envelopes', [{ score: 20, value: 'e20' }, { score: 7, value: 'e7' }]), 2);
    assert.deepEqual(plain(await popped), { key: 'envelopes', value: 'e7', score: 7 });
    assert.equal(await blocker.bzPopMin('nothing', 0.05), null);
  });

  it('pipelines: execAsPipeline and implicit pipelining', T, async () => {
    const res = await r.multi()
      .set('p', '1')
      .incr('p')
      .get('p')
      .hSet('ph', { f: 'v' })
      .hGetAll('ph')
      .execAsPipeline();
    assert.equal(res.length, 5);
    assert.deepEqual(res.slice(0, 4), ['OK', 2, '2', 1]);
    assert.deepEqual(plain(res[4]), { f: 'v' });
    // An error in the middle does not stop the rest (node-redis rejects the
    // batch with the first error, after every command has run).
    await r.set('str', 'text');
    await assert.rejects(r.multi().incr('p').incr('str').incr('p').execAsPipeline(),
      (e) => e instanceof ErrorReply && e.message === 'ERR value is not an integer or out of range');
    assert.equal(await r.get('p'), '4');
    // Commands issued in the same tick are written together (auto-pipelining).
    const many = await Promise.all(Array.from({ length: 2000 }, (_, i) => r.rPush('plist', `v${i}`)));
    assert.deepEqual(many, Array.from({ length: 2000 }, (_, i) => i + 1));
    assert.equal(await r.lIndex('plist', 1999), 'v1999');
  });

  it('concurrent clients: INCR from 5 connections never loses an update', T, async () => {
    const cs = await Promise.all([1, 2, 3, 4, 5].map(() => connect()));
    await Promise.all(cs.map((c) => Promise.all(Array.from({ length: 400 }, () => c.incr('counter')))));
    assert.equal(await r.get('counter'), '2000');
  });

  it('MULTI/EXEC, and WATCH conflicts', T, async () => {
    assert.deepEqual(await r.multi().set('m', '5').incrBy('m', 3).get('m').exec(), ['OK', 8, '8']);
    // A runtime error inside EXEC fails only its own command.
    await r.lPush('alist', 'x');
    await assert.rejects(r.multi().incr('m').incr('alist').incr('m').exec(), (e) => {
      assert.deepEqual(e.errorIndexes, [1]);
      assert.deepEqual([e.replies[0], e.replies[1].message, e.replies[2]], [9, WRONGTYPE, 10]);
      return true;
    });
    // A queue-time error aborts the whole transaction.
    await assert.rejects(r.multi().set('never', '1').addCommand(['NOSUCHCMD', 'a']).exec(), (e) => {
      assert.equal(e.message, "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ");
      return true;
    });
    assert.equal(await r.exists('never'), 0);
    assert.equal(await r.ping(), 'PONG'); // the connection is still in sync

    // Flash sale: WATCH stock, GET, MULTI, SET, EXEC; another client writes in between.
    const buyer = await connect();
    const other = await connect();
    await r.set('stock', '10');
    assert.equal(await buyer.watch('stock'), 'OK');
    const seen = Number(await buyer.get('stock'));
    assert.equal(await other.decr('stock'), 9);
    await assert.rejects(buyer.multi().set('stock', String(seen - 1)).exec(), WatchError);
    assert.equal(await r.get('stock'), '9');
    await buyer.watch('stock');
    const seen2 = Number(await buyer.get('stock'));
    assert.deepEqual(await buyer.multi().set('stock', String(seen2 - 1)).exec(), ['OK']);
    assert.equal(await r.get('stock'), '8');
    await buyer.watch('stock');
    await other.set('stock', '100');
    await buyer.unwatch();
    assert.deepEqual(await buyer.multi().get('stock').exec(), ['100']);
    // A watched key that expires before EXEC fails it (Redis 7 rule).
    await r.set('lock', 'me', { PX: 50 });
    await buyer.watch('lock');
    await sleep(100);
    await assert.rejects(buyer.multi().set('x', '1').exec(), WatchError);
  });

  it('Lua: EVAL, EVALSHA, and a defineScript script', T, async () => {
    assert.deepEqual(
      await r.eval("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1, redis.call('set', KEYS[1], ARGV[1]).ok}",
        { keys: ['lk'], arguments: ['val', '41'] }),
      ['lk', 'val', 42, 'OK']);
    assert.equal(await r.get('lk'), 'val');
    assert.equal(await r.eval('return nil'), null);
    await assert.rejects(r.eval("return {err='MY custom'}"), { message: 'MY custom' });
    // node-redis sends EVALSHA first and falls back to EVAL on NOSCRIPT.
    await r.scriptFlush();
    await r.configResetStat();
    await r.set('lock:a', 'token-1');
    assert.equal(await r.releaseLock('lock:a', 'token-2'), 0); // EVALSHA -> NOSCRIPT -> EVAL
    assert.equal(await r.releaseLock('lock:a', 'token-1'), 1); // EVALSHA
    assert.equal(await r.exists('lock:a'), 0);
    const stats = parseInfo(await r.info('commandstats'));
    assert.equal(parseFields(stats.cmdstat_evalsha).calls, '2');
    assert.equal(parseFields(stats.cmdstat_evalsha).failed_calls, '1');
    assert.equal(parseFields(stats.cmdstat_eval).calls, '1');
    const sha = await r.scriptLoad("return 'x'");
    assert.deepEqual(await r.scriptExists([sha, lockScript.SHA1, '0'.repeat(40)]), [1, 1, 0]);
    assert.equal(await r.evalSha(sha), 'x');
    await assert.rejects(r.evalSha('0'.repeat(40)), { message: 'NOSCRIPT No matching script. Please use EVAL.' });
    await r.lPush('lst', 'x');
    await assert.rejects(r.eval("return redis.call('get', KEYS[1])", { keys: ['lst'] }), (e) => {
      assert.match(e.message, /^WRONGTYPE Operation against a key holding the wrong kind of value script: [0-9a-f]{40}, on @user_script:1\.$/);
      return true;
    });
  });

  it('pub/sub: SUBSCRIBE and PSUBSCRIBE deliver messages', T, async () => {
    const sub = r.duplicate();
    sub.on('error', () => {});
    clients.push(sub);
    await sub.connect();
    const msgs = collector(3);
    const pmsgs = collector(2);
    await sub.subscribe(['news', 'alerts'], (message, channel) => msgs.push([channel, message]));
    await sub.pSubscribe('orders.*', (message, channel) => pmsgs.push([channel, message]));
    assert.deepEqual(plain(await r.pubSubNumSub(['news', 'nobody'])), { news: 1, nobody: 0 });
    assert.equal(await r.pubSubNumPat(), 1);
    assert.deepEqual((await r.pubSubChannels()).sort(), ['alerts', 'news']);
    assert.equal(await r.publish('news', 'hello'), 1);
    assert.equal(await r.publish('orders.eu', 'o-1'), 1);
    assert.equal(await r.publish('alerts', 'fire\r\n🔥'), 1);
    assert.equal(await r.publish('nobody', 'x'), 0);
    assert.equal(await r.publish('orders.us', 'o-2'), 1);
    assert.equal(await r.publish('news', 'bye'), 1);
    assert.deepEqual(await msgs.done, [['news', 'hello'], ['alerts', 'fire\r\n🔥'], ['news', 'bye']]);
    assert.deepEqual(await pmsgs.done, [['orders.eu', 'o-1'], ['orders.us', 'o-2']]);
    await sub.unsubscribe('news');
    assert.equal(await r.publish('news', 'unheard'), 0);
    await sub.unsubscribe();
    await sub.pUnsubscribe();
    assert.equal(await r.pubSubNumPat(), 0);
    assert.deepEqual(await r.pubSubChannels(), []);
    // Out of subscriber mode, ordinary commands work again on that connection.
    // (String(): node-redis 6.3.1 with RESP2 keeps returning Buffers after the
    // last UNSUBSCRIBE, against real Redis too.)
    assert.equal(String(await sub.set('after', 'sub')), 'OK');
    assert.equal(String(await sub.get('after')), 'sub');
  });

  it('SCAN iterators return every key', T, async () => {
    await r.multi().mSet(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`scan:${i}`, String(i)])))
      .mSet(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`other:${i}`, String(i)])))
      .execAsPipeline();
    async function collect(it) {
      const seen = new Set();
      for await (const batch of it) for (const k of batch) seen.add(typeof k === 'string' ? k : k.value ?? k.field);
      return seen;
    }
    const want = Array.from({ length: 1000 }, (_, i) => `scan:${i}`).sort();
    assert.deepEqual([...await collect(r.scanIterator({ MATCH: 'scan:*', COUNT: 100 }))].sort(), want);
    assert.equal((await collect(r.scanIterator({ COUNT: 37 }))).size, 1050);
    assert.equal((await collect(r.scanIterator({ TYPE: 'hash' }))).size, 0);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => Promise.all([
      r.hSet('bigh', `f${i}`, `v${i}`), r.sAdd('bigs', `m${i}`), r.zAdd('bigz', { score: i, value: `z${i}` }),
    ])));
    const fields = new Map();
    for await (const entries of r.hScanIterator('bigh', { COUNT: 50 })) {
      for (const { field, value } of entries) fields.set(field, value);
    }
    assert.equal(fields.size, 1000);
    for (let i = 0; i < 1000; i++) assert.equal(fields.get(`f${i}`), `v${i}`);
    assert.equal((await collect(r.sScanIterator('bigs', { MATCH: 'm1*' }))).size, 111);
    const zs = new Map();
    for await (const members of r.zScanIterator('bigz')) for (const { value, score } of members) zs.set(value, score);
    assert.equal(zs.size, 1000);
    assert.equal(zs.get('z999'), 999);
  });

  it('error replies carry Redis\'s exact messages', T, async () => {
    await r.rPush('mylist', 'a');
    for (const p of [r.get('mylist'), r.hGet('mylist', 'f'), r.zAdd('mylist', { score: 1, value: 'a' })]) {
      await assert.rejects(p, (e) => e instanceof ErrorReply && e.message === WRONGTYPE);
    }
    await assert.rejects(r.sendCommand(['GET']), { message: "ERR wrong number of arguments for 'get' command" });
    await assert.rejects(r.sendCommand(['NOPE', 'x', 'y']),
      { message: "ERR unknown command 'NOPE', with args beginning with: 'x' 'y' " });
    await assert.rejects(r.sendCommand(['ZADD', 'zz', 'notanumber', 'm']), { message: 'ERR value is not a valid float' });
    await assert.rejects(r.set('k', 'v', { EX: 0 }), { message: "ERR invalid expire time in 'set' command" });
    assert.equal(await r.lPop('mylist'), 'a');
  });

  it('SELECT through the database option keeps databases apart', T, async () => {
    const db3 = await connect({ database: 3 });
    await db3.set('k', 'in-3');
    assert.equal(await r.get('k'), null);
    assert.equal(await db3.get('k'), 'in-3');
    assert.equal((await db3.clientInfo()).db, 3);
    assert.equal(await db3.move('k', 0), 1);
    assert.equal(await r.get('k'), 'in-3');
  });

  it('requirepass: the password goes with HELLO (RESP3) or AUTH (RESP2)', T, async () => {
    assert.equal(await r.configSet('requirepass', 's3cret'), 'OK');
    try {
      const ok = await connect({ password: 's3cret' });
      assert.equal(await ok.ping(), 'PONG');
      assert.equal((await ok.clientInfo()).resp, RESP);
      await assert.rejects(connect({ password: 'nope' }),
        { message: 'WRONGPASS invalid username-password pair or user is disabled.' });
      if (RESP === 3) {
        await assert.rejects(connect(), {
          message: 'NOAUTH HELLO must be called with the client already authenticated, otherwise the ' +
            'HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP ' +
            'protocol version at the same time',
        });
      } else {
        const none = await connect();
        await assert.rejects(none.get('k'), { message: 'NOAUTH Authentication required.' });
        assert.equal(await none.auth({ password: 's3cret' }), 'OK');
        assert.equal(await none.get('k'), null);
      }
    } finally {
      assert.equal(await r.configSet('requirepass', ''), 'OK');
    }
  });

  it('reconnects and resubscribes after CLIENT KILL', T, async () => {
    const sub = await connect({
      socket: { host: server.host, port: server.port, reconnectStrategy: () => 20 },
    });
    const got = collector(2);
    await sub.subscribe('jobs', (m, ch) => got.push([ch, m]));
    await sub.pSubscribe('evt.*', (m, ch) => got.push([ch, m]));
    const ready = new Promise((res) => sub.once('ready', res));
    assert.equal(await r.clientKill({ filter: 'TYPE', type: 'pubsub' }), 1);
    await ready;
    for (let i = 0; i < 100 && (await r.pubSubNumPat()) !== 1; i++) await sleep(10);
    for (let i = 0; i < 100 && plain(await r.pubSubNumSub('jobs')).jobs !== 1; i++) await sleep(10);
    assert.equal(await r.publish('jobs', 'j1'), 1);
    assert.equal(await r.publish('evt.x', 'e1'), 1);
    assert.deepEqual(await got.done, [['jobs', 'j1'], ['evt.x', 'e1']]);
    sub.destroy();
  });

  it('a URL with a database number, and a client pool', T, async () => {
    const c = await connect({ url: `redis://${server.host}:${server.port}/2` });
    await c.set('where', 'db2');
    assert.equal((await c.clientInfo()).db, 2);
    assert.equal(await r.get('where'), null);
    const pool = createClientPool({
      socket: { host: server.host, port: server.port, reconnectStrategy: false }, RESP,
    }, { minimum: 2, maximum: 4 });
    pool.on('error', () => {});
    await pool.connect();
    try {
      const n = await Promise.all(Array.from({ length: 200 }, () => pool.incr('pooled')));
      assert.deepEqual(n.sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
      // A WATCH transaction on one pooled connection, as the pool is meant for.
      const res = await pool.execute(async (client) => {
        await client.watch('pooled');
        const v = Number(await client.get('pooled'));
        return client.multi().set('pooled', String(v * 2)).exec();
      });
      assert.deepEqual(res, ['OK']);
      assert.equal(await r.get('pooled'), '400');
      assert.ok(pool.totalClients >= 2 && pool.totalClients <= 4);
    } finally {
      await pool.close();
    }
  });

  it('GRAB.POP through sendCommand: idempotent coupon issuing', T, async (t) => {
    if (server.isRedis) return skipWithReason(t, 'GRAB.* are grabkv commands, not in Redis');
    assert.equal(await r.rPush('coupons:gold', ['C-1001', 'C-1002', 'C-1003']), 3);
    const pop = (user) => r.sendCommand(['GRAB.POP', 'coupons:gold', 'claims:gold', user, 'OUTBOX', 'issued:gold']);
    assert.equal(await pop('alice'), 'C-1001');
    assert.equal(await pop('alice'), 'C-1001');
    assert.equal(await pop('bob'), 'C-1002');
    assert.equal(await pop('carol'), 'C-1003');
    assert.equal(await pop('dave'), null);
    assert.deepEqual(plain(await r.hGetAll('claims:gold')), { alice: 'C-1001', bob: 'C-1002', carol: 'C-1003' });
    const outbox = (await r.lRange('issued:gold', 0, -1)).map((j) => JSON.parse(j));
    assert.deepEqual(outbox.map(({ op, user, item }) => [op, user, item]),
      [['pop', 'alice', 'C-1001'], ['pop', 'bob', 'C-1002'], ['pop', 'carol', 'C-1003']]);
    // GRAB.SPLIT: shares of 1000 that add up, each >= 1, pushed to the list.
    const shares = await r.sendCommand(['GRAB.SPLIT', 'envelope:42', '1000', '5', 'SEED', '7']);
    assert.equal(shares.length, 5);
    assert.equal(shares.reduce((a, b) => a + b, 0), 1000);
    assert.deepEqual(await r.lRange('envelope:42', 0, -1), shares.map(String));
    assert.deepEqual(await r.multi().addCommand(['GRAB.POP', 'envelope:42', 'grabbed:42', 'bob']).exec(), [String(shares[0])]);
  });
}

describe(`node-redis ${REDIS_PKG_VERSION} RESP3 (default)`, () => makeSuite(3));
describe(`node-redis ${REDIS_PKG_VERSION} RESP2`, () => makeSuite(2));

describe(`node-redis ${REDIS_PKG_VERSION} RESP3 types and pushes`, () => {
  let r;
  before(async (t) => {
    if (!supportsResp3()) return;
    r = createClient({ socket: { host: server.host, port: server.port, reconnectStrategy: false }, RESP: 3 });
    r.on('error', () => {});
    await r.connect();
    await r.flushAll();
  });
  after(() => { if (r?.isOpen) r.destroy(); });

  it('HELLO, maps and doubles arrive typed', T, async (t) => {
    if (!supportsResp3()) return skipWithReason(t, `@redis/client ${CLIENT_VERSION} has no RESP: 3 (needs 5+)`);
    const hello = plain(await r.hello());
    assert.equal(hello.proto, 3);
    assert.equal(hello.server, 'redis');
    assert.equal(hello.mode, 'standalone');
    assert.equal(hello.role, 'master');
    await r.hSet('h', { f1: 'v1', f2: 'v2' });
    await r.zAdd('z', [{ score: 1.5, value: 'a' }, { score: Infinity, value: 'b' }]);
    // Raw replies, no command transform: a map is an object, a double a number.
    assert.deepEqual(plain(await r.sendCommand(['HGETALL', 'h'])), { f1: 'v1', f2: 'v2' });
    assert.equal(await r.sendCommand(['ZSCORE', 'z', 'a']), 1.5);
    assert.equal(await r.sendCommand(['ZSCORE', 'z', 'b']), Infinity);
    assert.deepEqual(await r.sendCommand(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']), [['a', 1.5], ['b', Infinity]]);
    assert.equal(await r.sendCommand(['INCRBYFLOAT', 'f', '1.5']), '1.5'); // a bulk string even in RESP3
    const asMap = r.withTypeMapping({ [RESP_TYPES.MAP]: Map });
    const m = await asMap.sendCommand(['CONFIG', 'GET', 'maxmemory-policy']);
    assert.ok(m instanceof Map);
    assert.equal(m.get('maxmemory-policy'), 'noeviction');
    assert.equal(await r.sendCommand(['EXISTS', 'h']), 1);
    assert.equal(await r.sendCommand(['GET', 'nokey']), null);
  });

  it('client-side caching: cached reads, invalidated by another client\'s write', T, async (t) => {
    if (!supportsResp3()) return skipWithReason(t, `@redis/client ${CLIENT_VERSION} has no RESP: 3 (needs 5+)`);
    // node-redis's clientSideCache (RESP3 only) sends CLIENT TRACKING ON and
    // drops a key from its cache when the server's invalidate push arrives.
    const csc = createClient({
      socket: { host: server.host, port: server.port, reconnectStrategy: false },
      RESP: 3,
      clientSideCache: { ttl: 0, maxEntries: 0 },
    });
    csc.on('error', () => {});
    await csc.connect();
    const cache = csc.clientSideCache;
    const waitEmpty = async () => {
      for (let i = 0; i < 200 && cache.size() > 0; i++) await sleep(10);
      assert.equal(cache.size(), 0, 'the invalidation reached the cache');
    };
    try {
      await r.set('cached', 'v1');
      assert.equal(await csc.get('cached'), 'v1');
      assert.equal(await csc.get('cached'), 'v1');
      assert.equal(cache.stats().missCount, 1);
      assert.equal(cache.stats().hitCount, 1);
      const info = parseClientInfo(await csc.sendCommand(['CLIENT', 'INFO']));
      assert.equal(info.flags, 't');
      assert.equal(info.redir, '0');
      assert.equal(await r.set('cached', 'v2'), 'OK');
      await waitEmpty();
      assert.equal(await csc.get('cached'), 'v2');
      assert.equal(cache.stats().missCount, 2);
      // A flush invalidates everything (a null key).
      await csc.get('cached');
      assert.equal(cache.size(), 1);
      await r.flushAll();
      await waitEmpty();
      assert.equal(await csc.get('cached'), null);
      const stats = parseInfo(await r.sendCommand(['INFO', 'stats']));
      assert.equal(stats.tracking_total_keys, '1');
    } finally {
      csc.destroy();
    }
  });

  it('one connection subscribes and keeps running commands (push frames)', T, async (t) => {
    if (!supportsResp3()) return skipWithReason(t, `@redis/client ${CLIENT_VERSION} has no RESP: 3 (needs 5+)`);
    const pub = r.duplicate();
    pub.on('error', () => {});
    await pub.connect();
    try {
      const got = collector(2);
      await r.subscribe('chat', (message, channel) => got.push([channel, message]));
      await r.pSubscribe('chat.*', (message, channel) => got.push([channel, message]));
      // Ordinary commands on the subscribed connection: RESP3 allows it.
      assert.equal(await r.set('k', 'v'), 'OK');
      const [published, value] = await Promise.all([pub.publish('chat', 'hi'), r.get('k')]);
      assert.equal(published, 1);
      assert.equal(value, 'v');
      assert.equal(await pub.publish('chat.room1', 'yo'), 1);
      assert.deepEqual(await got.done, [['chat', 'hi'], ['chat.room1', 'yo']]);
      const info = parseClientInfo(await r.sendCommand(['CLIENT', 'INFO']));
      assert.equal(info.sub, '1');
      assert.equal(info.psub, '1');
      await r.unsubscribe('chat');
      await r.pUnsubscribe('chat.*');
      assert.equal(await pub.publish('chat', 'unheard'), 0);
      assert.equal(await r.get('k'), 'v');
    } finally {
      pub.destroy();
    }
  });
});
