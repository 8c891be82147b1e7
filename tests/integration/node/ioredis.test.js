'use strict';
// grabkv driven by ioredis, the way applications use it. Every case runs
// twice: with ioredis's default protocol (RESP3 since ioredis 6: HELLO 3 on
// connect, replies in RESP2 shapes by default) and with `protocol: 2`.
//
//   GRABKV_SERVER=/path/to/grabkv-server node --test ioredis.test.js
//   GRABKV_SERVER=/usr/bin/redis-server  node --test ioredis.test.js   # check the expectations

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const Redis = require('ioredis');
const { version: IOREDIS_VERSION } = require('ioredis/package.json');
const { serverForThisFile, sleep, skipWithReason } = require('./lib/server');
const {
  parseInfo, parseFields, parseClientInfo, waitBlockedClients, collector, WRONGTYPE,
} = require('./lib/util');

// No case may hang the run: each fails after T.timeout.
const T = { timeout: 20000 };

const server = serverForThisFile();

for (const protocol of [3, 2]) {
  describe(`ioredis ${IOREDIS_VERSION} RESP${protocol}`, () => {
    const clients = [];
    // A connected, ready client; closed in after().
    async function connect(opts = {}) {
      const c = new Redis({
        host: server.host,
        port: server.port,
        protocol,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null, // a dropped connection fails the test, no silent retry
        ...opts,
      });
      c.on('error', () => {}); // surfaced through the rejected commands instead
      clients.push(c);
      await c.connect();
      return c;
    }
    let r;

    before(async () => { r = await connect(); });
    beforeEach(async () => { await r.flushall(); });
    after(async () => {
      for (const c of clients) c.disconnect();
    });

    it('connects, passes the INFO ready check, and sees its own handshake', T, async () => {
      await r.config('RESETSTAT');
      const c = await connect({ connectionName: 'node-ioredis' });
      assert.equal(c.status, 'ready');
      // The handshake: HELLO 3 (RESP3 only), CLIENT SETNAME, then the INFO ready check.
      const stats = parseInfo(await r.info('commandstats'));
      assert.equal(parseFields(stats.cmdstat_info).calls, '1');
      assert.equal(parseFields(stats['cmdstat_client|setname']).calls, '1');
      assert.equal(stats.cmdstat_hello && parseFields(stats.cmdstat_hello).calls, protocol === 3 ? '1' : undefined);
      const serverInfo = parseInfo(await c.info('server'));
      assert.match(serverInfo.redis_version, /^\d+\.\d+\.\d+$/);
      assert.equal(Number(serverInfo.tcp_port), server.port);
      assert.equal(await c.ping(), 'PONG');
      assert.equal(await c.ping('hi'), 'hi');
      const info = parseClientInfo(await c.client('INFO'));
      assert.equal(info.name, 'node-ioredis');
      assert.equal(info.resp, String(protocol));
      assert.equal(await c.client('GETNAME'), 'node-ioredis');
      assert.equal(await c.echo('x\r\ny'), 'x\r\ny');
    });

    it('the handshake\'s CLIENT SETINFO is accepted (Redis 7.2 command)', T, async () => {
      await r.config('RESETSTAT');
      const c = await connect();
      assert.equal(await c.ping(), 'PONG');
      const stats = parseInfo(await r.info('commandstats'));
      const errors = parseInfo(await r.info('errorstats'));
      if (server.isRedis) {
        // Redis 7.0 rejects the subcommand; ioredis ignores that error.
        assert.equal(stats['cmdstat_client|setinfo'], undefined);
        assert.equal(parseFields(errors.errorstat_ERR).count, '2');
      } else {
        // grabkv accepts it as Redis 7.2 does (LIB-VER and LIB-NAME).
        const setinfo = parseFields(stats['cmdstat_client|setinfo']);
        assert.equal(setinfo.calls, '2');
        assert.equal(setinfo.failed_calls, '0');
        assert.equal(errors.errorstat_ERR, undefined);
      }
    });

    it('strings', T, async () => {
      assert.equal(await r.set('s', 'hello'), 'OK');
      assert.equal(await r.get('s'), 'hello');
      assert.equal(await r.get('missing'), null);
      assert.equal(await r.append('s', ' world'), 11);
      assert.equal(await r.strlen('s'), 11);
      assert.equal(await r.getrange('s', 0, 4), 'hello');
      assert.equal(await r.setrange('s', 6, 'WORLD'), 11);
      assert.equal(await r.get('s'), 'hello WORLD');
      assert.equal(await r.set('s', 'x', 'NX'), null);
      assert.equal(await r.set('s', 'v2', 'GET'), 'hello WORLD');
      assert.equal(await r.setnx('n', '10'), 1);
      assert.equal(await r.incr('n'), 11);
      assert.equal(await r.incrby('n', 5), 16);
      assert.equal(await r.decrby('n', 20), -4);
      assert.equal(await r.incrbyfloat('n', '1.5'), '-2.5');
      assert.equal(await r.incrbyfloat('f', '10.5'), '10.5');
      assert.equal(await r.mset({ a: '1', b: '2', c: '3' }), 'OK');
      assert.deepEqual(await r.mget('a', 'nope', 'c'), ['1', null, '3']);
      assert.equal(await r.msetnx('a', 'x', 'z', 'y'), 0);
      assert.equal(await r.getdel('a'), '1');
      assert.equal(await r.exists('a', 'b', 'c'), 2);
      assert.equal(await r.del('b', 'c', 'nope'), 2);
      // Binary-safe keys and values, and UTF-8.
      const bin = Buffer.from([0, 255, 13, 10, 36, 42, 1]);
      assert.equal(await r.set(bin, bin), 'OK');
      assert.deepEqual(await r.getBuffer(bin), bin);
      assert.equal(await r.set('ключ', '值 🎁'), 'OK');
      assert.equal(await r.get('ключ'), '值 🎁');
      const big = 'x'.repeat(1 << 20);
      assert.equal(await r.set('big', big), 'OK');
      assert.equal(await r.get('big'), big);
      await assert.rejects(r.incr('s'), { name: 'ReplyError', message: 'ERR value is not an integer or out of range' });
    });

    it('expiry', T, async () => {
      assert.equal(await r.set('e', 'v', 'EX', 100), 'OK');
      const ttl = await r.ttl('e');
      assert.ok(ttl > 98 && ttl <= 100, `ttl ${ttl}`);
      assert.equal(await r.pexpire('e', 5000), 1);
      const pttl = await r.pttl('e');
      assert.ok(pttl > 4000 && pttl <= 5000, `pttl ${pttl}`);
      assert.equal(await r.expire('e', 100, 'GT'), 1);
      assert.equal(await r.expire('e', 50, 'GT'), 0);
      assert.equal(await r.persist('e'), 1);
      assert.equal(await r.ttl('e'), -1);
      assert.equal(await r.ttl('nokey'), -2);
      assert.equal(await r.setex('short', 100, 'v'), 'OK');
      assert.equal(await r.set('short', 'v2', 'KEEPTTL'), 'OK');
      assert.ok((await r.ttl('short')) > 0);
      const at = Math.floor(Date.now() / 1000) + 1000;
      assert.equal(await r.expireat('e', at), 1);
      assert.equal(await r.expiretime('e'), at);
      // Really expires.
      assert.equal(await r.set('gone', 'v', 'PX', 50), 'OK');
      assert.equal(await r.psetex('gone2', 50, 'v'), 'OK');
      await sleep(120);
      assert.equal(await r.get('gone'), null);
      assert.equal(await r.exists('gone', 'gone2'), 0);
      assert.equal(await r.getex('e', 'PX', 10), 'v');
      await sleep(50);
      assert.equal(await r.get('e'), null);
    });

    it('lists', T, async () => {
      assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
      assert.equal(await r.lpush('l', 'z'), 4);
      assert.deepEqual(await r.lrange('l', 0, -1), ['z', 'a', 'b', 'c']);
      assert.equal(await r.llen('l'), 4);
      assert.equal(await r.lindex('l', -1), 'c');
      assert.equal(await r.lpos('l', 'b'), 2);
      assert.equal(await r.linsert('l', 'BEFORE', 'b', 'a2'), 5);
      assert.equal(await r.lset('l', 0, 'Z'), 'OK');
      assert.equal(await r.lpop('l'), 'Z');
      assert.deepEqual(await r.rpop('l', 2), ['c', 'b']);
      assert.equal(await r.lmove('l', 'l2', 'LEFT', 'RIGHT'), 'a');
      assert.deepEqual(await r.lrange('l2', 0, -1), ['a']);
      assert.equal(await r.rpush('r', 'x', 'y', 'x', 'x'), 4);
      assert.equal(await r.lrem('r', -2, 'x'), 2);
      assert.deepEqual(await r.lrange('r', 0, -1), ['x', 'y']);
      assert.equal(await r.ltrim('r', 1, 1), 'OK');
      assert.deepEqual(await r.lrange('r', 0, -1), ['y']);
      assert.deepEqual(await r.lmpop(2, 'none', 'r', 'LEFT'), ['r', ['y']]);
      assert.equal(await r.exists('r'), 0);
      assert.equal(await r.lpop('r'), null);
    });

    it('BLPOP wakes up when a second connection pushes', T, async () => {
      const blocker = await connect();
      const pusher = await connect();
      const popped = blocker.blpop('queue', 'queue2', 5);
      await waitBlockedClients((s) => r.info(s), 1);
      assert.equal(await pusher.rpush('queue2', 'job-1', 'job-2'), 2);
      assert.deepEqual(await popped, ['queue2', 'job-1']);
      assert.deepEqual(await pusher.lrange('queue2', 0, -1), ['job-2']);
      // BRPOPLPUSH / BLMOVE: the reliable-queue pattern.
      const moved = blocker.blmove('jobs', 'processing', 'LEFT', 'RIGHT', 5);
      await waitBlockedClients((s) => r.info(s), 1);
      await pusher.lpush('jobs', 'job-3');
      assert.equal(await moved, 'job-3');
      assert.deepEqual(await r.lrange('processing', 0, -1), ['job-3']);
      // Timeout: nil after the (fractional) timeout.
      const t0 = Date.now();
      assert.equal(await blocker.blpop('empty', 0.2), null);
      assert.ok(Date.now() - t0 >= 150, 'blocked for about the timeout');
      await waitBlockedClients((s) => r.info(s), 0);
    });

    it('hashes', T, async () => {
      assert.equal(await r.hset('h', { name: 'alice', visits: '1' }), 2);
      assert.equal(await r.hset('h', 'name', 'bob', 'lang', 'js'), 1);
      assert.deepEqual(await r.hgetall('h'), { name: 'bob', visits: '1', lang: 'js' });
      assert.deepEqual(await r.hgetall('nohash'), {});
      assert.equal(await r.hget('h', 'name'), 'bob');
      assert.deepEqual(await r.hmget('h', 'name', 'nope', 'lang'), ['bob', null, 'js']);
      assert.equal(await r.hincrby('h', 'visits', 10), 11);
      assert.equal(await r.hincrbyfloat('h', 'score', '2.5'), '2.5');
      assert.equal(await r.hexists('h', 'lang'), 1);
      assert.equal(await r.hsetnx('h', 'lang', 'c'), 0);
      assert.equal(await r.hdel('h', 'lang', 'nope'), 1);
      assert.equal(await r.hlen('h'), 3);
      assert.deepEqual((await r.hkeys('h')).sort(), ['name', 'score', 'visits']);
      assert.deepEqual((await r.hvals('h')).sort(), ['11', '2.5', 'bob']);
      assert.equal(await r.hstrlen('h', 'name'), 3);
    });

    it('sets', T, async () => {
      assert.equal(await r.sadd('s1', 'a', 'b', 'c', 'a'), 3);
      assert.equal(await r.sadd('s2', 'b', 'c', 'd'), 3);
      assert.deepEqual((await r.smembers('s1')).sort(), ['a', 'b', 'c']);
      assert.equal(await r.sismember('s1', 'a'), 1);
      assert.deepEqual(await r.smismember('s1', 'a', 'z'), [1, 0]);
      assert.deepEqual((await r.sinter('s1', 's2')).sort(), ['b', 'c']);
      assert.deepEqual((await r.sunion('s1', 's2')).sort(), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await r.sdiff('s1', 's2'), ['a']);
      assert.equal(await r.sintercard(2, 's1', 's2'), 2);
      assert.equal(await r.sinterstore('s3', 's1', 's2'), 2);
      assert.equal(await r.scard('s3'), 2);
      assert.equal(await r.smove('s1', 's2', 'a'), 1);
      assert.equal(await r.srem('s2', 'a', 'zz'), 1);
      const popped = await r.spop('s2', 10);
      assert.deepEqual(popped.sort(), ['b', 'c', 'd']);
      assert.equal(await r.exists('s2'), 0);
      // Integer members (intset encoding in Redis) come back as strings.
      assert.equal(await r.sadd('ints', 3, 1, 2), 3);
      assert.deepEqual((await r.smembers('ints')).sort(), ['1', '2', '3']);
    });

    it('sorted sets with scores', T, async () => {
      assert.equal(await r.zadd('z', 3, 'c', 1, 'a', 2, 'b', '1.5', 'a2'), 4);
      assert.deepEqual(await r.zrange('z', 0, -1, 'WITHSCORES'),
        ['a', '1', 'a2', '1.5', 'b', '2', 'c', '3']);
      assert.deepEqual(await r.zrange('z', 0, 1), ['a', 'a2']);
      assert.deepEqual(await r.zrange('z', '(1', '+inf', 'BYSCORE', 'LIMIT', 0, 2), ['a2', 'b']);
      assert.deepEqual(await r.zrevrange('z', 0, 0, 'WITHSCORES'), ['c', '3']);
      assert.equal(await r.zscore('z', 'a2'), '1.5');
      assert.equal(await r.zscore('z', 'nope'), null);
      assert.deepEqual(await r.zmscore('z', 'a', 'nope'), ['1', null]);
      assert.equal(await r.zincrby('z', '0.25', 'c'), '3.25');
      assert.equal(await r.zrank('z', 'b'), 2);
      assert.equal(await r.zcount('z', '-inf', '(2'), 2);
      assert.equal(await r.zadd('z', 'XX', 'CH', 10, 'a', 5, 'new'), 1);
      assert.equal(await r.zadd('z', 'INCR', 1, 'a'), '11');
      assert.equal(await r.zadd('z', '-inf', 'low', '+inf', 'high'), 2);
      assert.equal(await r.zscore('z', 'high'), 'inf');
      assert.equal(await r.zscore('z', 'low'), '-inf');
      assert.deepEqual(await r.zpopmin('z'), ['low', '-inf']);
      assert.deepEqual(await r.zpopmin('z', 2), ['a2', '1.5', 'b', '2']);
      assert.deepEqual(await r.zpopmax('z'), ['high', 'inf']);
      assert.deepEqual(await r.zrange('z', 0, -1, 'WITHSCORES'), ['c', '3.25', 'a', '11']);
      assert.deepEqual(await r.zpopmin('nozset'), []);
      // ZMPOP: [key, [[member, score], ...]]
      assert.deepEqual(await r.zmpop(1, 'z', 'MAX', 'COUNT', 5), ['z', [['a', '11'], ['c', '3.25']]]);
      assert.equal(await r.exists('z'), 0);
    });

    it('BZPOPMIN wakes up when a second connection adds', T, async () => {
      const blocker = await connect();
      const popped = blocker.bzpopmin('envelopes', 5);
      await waitBlockedClients((s) => r.info(s), 1);
      assert.equal(await r.zadd('envelopes', 20, 'e20', 7, 'e7'), 2);
      assert.deepEqual(await popped, ['envelopes', 'e7', '7']);
      assert.equal(await blocker.bzpopmin('nothing', 0.05), null);
    });

    it('pipelines', T, async () => {
      await r.set('str', 'text');
      const res = await r.pipeline()
        .set('p', '1')
        .incr('p')
        .incr('str') // an error in the middle does not stop the rest
        .get('p')
        .hset('ph', 'f', 'v')
        .hgetall('ph')
        .exec();
      assert.equal(res.length, 6);
      assert.deepEqual(res[0], [null, 'OK']);
      assert.deepEqual(res[1], [null, 2]);
      assert.ok(res[2][0] instanceof Error);
      assert.equal(res[2][0].message, 'ERR value is not an integer or out of range');
      assert.deepEqual(res[3], [null, '2']);
      assert.deepEqual(res[4], [null, 1]);
      assert.deepEqual(res[5], [null, { f: 'v' }]);
      // A large pipeline, all replies in order.
      const p = r.pipeline();
      for (let i = 0; i < 2000; i++) p.rpush('plist', `v${i}`);
      const many = await p.exec();
      assert.deepEqual(many.map(([e, n]) => (e ? e.message : n)), Array.from({ length: 2000 }, (_, i) => i + 1));
      assert.equal(await r.lindex('plist', 1999), 'v1999');
    });

    it('concurrent clients: INCR from 5 connections never loses an update', T, async () => {
      const cs = await Promise.all([1, 2, 3, 4, 5].map(() => connect()));
      await Promise.all(cs.map(async (c) => {
        const ps = [];
        for (let i = 0; i < 400; i++) ps.push(c.incr('counter'));
        await Promise.all(ps);
      }));
      assert.equal(await r.get('counter'), '2000');
    });

    it('MULTI/EXEC, and WATCH conflicts', T, async () => {
      const res = await r.multi().set('m', '5').incrby('m', 3).get('m').exec();
      assert.deepEqual(res, [[null, 'OK'], [null, 8], [null, '8']]);
      // A runtime error inside EXEC fails only its own command.
      await r.lpush('alist', 'x');
      const mixed = await r.multi().incr('m').incr('alist').incr('m').exec();
      assert.deepEqual(mixed[0], [null, 9]);
      assert.equal(mixed[1][0].message, WRONGTYPE);
      assert.deepEqual(mixed[2], [null, 10]);
      // A queue-time error aborts the whole transaction.
      await assert.rejects(r.multi().set('never', '1').call('NOSUCHCMD', 'a').exec(), (e) => {
        assert.equal(e.message, 'EXECABORT Transaction discarded because of previous errors.');
        assert.match(e.previousErrors[0].message, /^ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' $/);
        return true;
      });
      assert.equal(await r.exists('never'), 0);

      // Flash sale: WATCH stock, GET, MULTI, SET, EXEC; another client writes in between.
      const buyer = await connect();
      const other = await connect();
      await r.set('stock', '10');
      assert.equal(await buyer.watch('stock'), 'OK');
      const seen = Number(await buyer.get('stock'));
      assert.equal(await other.decr('stock'), 9);
      assert.equal(await buyer.multi().set('stock', String(seen - 1)).exec(), null);
      assert.equal(await r.get('stock'), '9');
      // Without interference the same transaction commits.
      await buyer.watch('stock');
      const seen2 = Number(await buyer.get('stock'));
      assert.deepEqual(await buyer.multi().set('stock', String(seen2 - 1)).exec(), [[null, 'OK']]);
      assert.equal(await r.get('stock'), '8');
      // UNWATCH forgets the watch.
      await buyer.watch('stock');
      await other.set('stock', '100');
      await buyer.unwatch();
      assert.deepEqual(await buyer.multi().get('stock').exec(), [[null, '100']]);
      // A watched key that expires before EXEC fails it (Redis 7 rule).
      await r.set('lock', 'me', 'PX', 50);
      await buyer.watch('lock');
      await sleep(100);
      assert.equal(await buyer.multi().set('x', '1').exec(), null);
    });

    it('Lua: EVAL, and EVALSHA through defineCommand', T, async () => {
      assert.deepEqual(
        await r.eval("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1, redis.call('set', KEYS[1], ARGV[1]).ok}",
          1, 'lk', 'val', '41'),
        ['lk', 'val', 42, 'OK']);
      assert.equal(await r.get('lk'), 'val');
      assert.equal(await r.eval('return nil', 0), null);
      assert.equal(await r.eval('return 3.9', 0), 3); // Lua numbers truncate to integers
      assert.equal(await r.eval("return {err='MY custom'}", 0).catch((e) => e.message), 'MY custom');

      // The lock release script of the design notes, as an ioredis custom command.
      r.defineCommand('releaseLock', {
        numberOfKeys: 1,
        lua: "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end",
      });
      // ioredis sends EVAL the first time on a connection and EVALSHA after
      // that; on NOSCRIPT (script cache flushed) it falls back to EVAL.
      await r.config('RESETSTAT');
      await r.set('lock:a', 'token-1');
      assert.equal(await r.releaseLock('lock:a', 'token-2'), 0); // EVAL
      assert.equal(await r.releaseLock('lock:a', 'token-1'), 1); // EVALSHA
      assert.equal(await r.exists('lock:a'), 0);
      await r.set('lock:a', 'token-3');
      assert.equal(await r.script('FLUSH'), 'OK');
      assert.equal(await r.releaseLock('lock:a', 'token-3'), 1); // EVALSHA -> NOSCRIPT -> EVAL
      assert.equal(await r.exists('lock:a'), 0);
      const stats = parseInfo(await r.info('commandstats'));
      const evalsha = parseFields(stats.cmdstat_evalsha);
      const evalc = parseFields(stats.cmdstat_eval);
      assert.equal(evalc.calls, '2');
      assert.equal(evalsha.calls, '2');
      assert.equal(evalsha.failed_calls, '1'); // the NOSCRIPT one
      const sha = await r.script('LOAD', "return 'x'");
      assert.deepEqual(await r.script('EXISTS', sha, '0'.repeat(40)), [1, 0]);
      assert.equal(await r.evalsha(sha, 0), 'x');
      await assert.rejects(r.evalsha('0'.repeat(40), 0),
        { message: 'NOSCRIPT No matching script. Please use EVAL.' });
      // An error raised by redis.call inside the script.
      await r.lpush('lst', 'x');
      await assert.rejects(r.eval("return redis.call('get', KEYS[1])", 1, 'lst'), (e) => {
        assert.match(e.message, /^WRONGTYPE Operation against a key holding the wrong kind of value script: [0-9a-f]{40}, on @user_script:1\.$/);
        return true;
      });
    });

    it('pub/sub: SUBSCRIBE and PSUBSCRIBE deliver messages', T, async () => {
      const sub = await connect();
      const msgs = collector(3);
      const pmsgs = collector(2);
      sub.on('message', (ch, m) => msgs.push([ch, m]));
      sub.on('pmessage', (pat, ch, m) => pmsgs.push([pat, ch, m]));
      assert.equal(await sub.subscribe('news', 'alerts'), 2);
      assert.equal(await sub.psubscribe('orders.*'), 3);
      assert.deepEqual(await r.pubsub('NUMSUB', 'news', 'nobody'), ['news', 1, 'nobody', 0]);
      assert.equal(await r.pubsub('NUMPAT'), 1);
      assert.deepEqual((await r.pubsub('CHANNELS')).sort(), ['alerts', 'news']);
      assert.equal(await r.publish('news', 'hello'), 1);
      assert.equal(await r.publish('orders.eu', 'o-1'), 1);
      assert.equal(await r.publish('alerts', 'fire\r\n🔥'), 1);
      assert.equal(await r.publish('nobody', 'x'), 0);
      assert.equal(await r.publish('orders.us', 'o-2'), 1);
      assert.equal(await r.publish('news', 'bye'), 1);
      assert.deepEqual(await msgs.done, [['news', 'hello'], ['alerts', 'fire\r\n🔥'], ['news', 'bye']]);
      assert.deepEqual(await pmsgs.done, [['orders.*', 'orders.eu', 'o-1'], ['orders.*', 'orders.us', 'o-2']]);
      assert.equal(await sub.unsubscribe('news'), 2);
      assert.equal(await r.publish('news', 'unheard'), 0);
      // (ioredis resolves an argument-less UNSUBSCRIBE only once the reply
      // count reaches 0, so the pattern goes first.)
      assert.equal(await sub.punsubscribe('orders.*'), 1);
      assert.equal(await sub.unsubscribe(), 0);
      // Out of subscriber mode, ordinary commands work again on that connection.
      assert.equal(await sub.set('after', 'sub'), 'OK');
      assert.equal(await sub.get('after'), 'sub');
    });

    it('SCAN streams return every key', T, async () => {
      const p = r.pipeline();
      for (let i = 0; i < 1000; i++) p.set(`scan:${i}`, i);
      for (let i = 0; i < 50; i++) p.set(`other:${i}`, i);
      await p.exec();
      async function collect(stream) {
        const seen = new Set();
        for await (const batch of stream) for (const k of batch) seen.add(k);
        return seen;
      }
      const want = Array.from({ length: 1000 }, (_, i) => `scan:${i}`).sort();
      const keys = await collect(r.scanStream({ match: 'scan:*', count: 100 }));
      assert.deepEqual([...keys].sort(), want);
      const all = await collect(r.scanStream({ count: 37 }));
      assert.equal(all.size, 1050);
      // Collection scans: a 1000-field hash, set and sorted set.
      const q = r.pipeline();
      for (let i = 0; i < 1000; i++) {
        q.hset('bigh', `f${i}`, `v${i}`);
        q.sadd('bigs', `m${i}`);
        q.zadd('bigz', i, `z${i}`);
      }
      await q.exec();
      const fields = new Map();
      for await (const batch of r.hscanStream('bigh', { count: 50 })) {
        for (let i = 0; i < batch.length; i += 2) fields.set(batch[i], batch[i + 1]);
      }
      assert.equal(fields.size, 1000);
      for (let i = 0; i < 1000; i++) assert.equal(fields.get(`f${i}`), `v${i}`);
      const members = await collect(r.sscanStream('bigs', { match: 'm1*' }));
      assert.equal(members.size, 111); // m1, m10-m19, m100-m199
      const zs = new Map();
      for await (const batch of r.zscanStream('bigz')) {
        for (let i = 0; i < batch.length; i += 2) zs.set(batch[i], batch[i + 1]);
      }
      assert.equal(zs.size, 1000);
      assert.equal(zs.get('z999'), '999');
    });

    it('error replies carry Redis\'s exact messages', T, async () => {
      await r.rpush('mylist', 'a');
      await assert.rejects(r.get('mylist'), { name: 'ReplyError', message: WRONGTYPE });
      await assert.rejects(r.hget('mylist', 'f'), { message: WRONGTYPE });
      await assert.rejects(r.zadd('mylist', 1, 'a'), { message: WRONGTYPE });
      await assert.rejects(r.call('GET'), { message: "ERR wrong number of arguments for 'get' command" });
      await assert.rejects(r.call('NOPE', 'x', 'y'),
        { message: "ERR unknown command 'NOPE', with args beginning with: 'x' 'y' " });
      await assert.rejects(r.zadd('zz', 'notanumber', 'm'), { message: 'ERR value is not a valid float' });
      await assert.rejects(r.set('k', 'v', 'EX', 0), { message: "ERR invalid expire time in 'set' command" });
      await assert.rejects(r.config('SET', 'nonexistent-param', '1'),
        { message: "ERR Unknown option or number of arguments for CONFIG SET - 'nonexistent-param'" });
      // The connection is still fine afterwards.
      assert.equal(await r.lpop('mylist'), 'a');
    });

    it('SELECT through the db option keeps databases apart', T, async () => {
      const db3 = await connect({ db: 3 });
      await db3.set('k', 'in-3');
      assert.equal(await r.get('k'), null);
      assert.equal(await db3.get('k'), 'in-3');
      assert.equal(parseClientInfo(await db3.client('INFO')).db, '3');
      assert.equal(await db3.move('k', 0), 1);
      assert.equal(await r.get('k'), 'in-3');
    });

    it('keys: TYPE, RENAME, COPY, DBSIZE, RANDOMKEY, OBJECT', T, async () => {
      await r.mset('a', '1', 'b', '2');
      await r.lpush('l', 'x');
      assert.equal(await r.type('a'), 'string');
      assert.equal(await r.type('l'), 'list');
      assert.equal(await r.type('none'), 'none');
      assert.equal(await r.dbsize(), 3);
      assert.ok(['a', 'b', 'l'].includes(await r.randomkey()));
      assert.equal(await r.rename('a', 'a2'), 'OK');
      assert.equal(await r.renamenx('a2', 'b'), 0);
      assert.equal(await r.copy('l', 'l2'), 1);
      assert.deepEqual(await r.lrange('l2', 0, -1), ['x']);
      assert.deepEqual((await r.keys('*')).sort(), ['a2', 'b', 'l', 'l2']);
      assert.equal(await r.object('ENCODING', 'b'), 'int');
      assert.equal(await r.unlink('a2', 'b'), 2);
      await assert.rejects(r.rename('nosuch', 'x'), { message: 'ERR no such key' });
    });

    it('enableAutoPipelining batches concurrent commands correctly', T, async () => {
      const ap = await connect({ enableAutoPipelining: true });
      const replies = await Promise.all(Array.from({ length: 500 }, (_, i) =>
        (i % 2 ? ap.incr('ap:n') : ap.set(`ap:${i}`, `v${i}`))));
      for (let i = 0; i < 500; i++) assert.equal(replies[i], i % 2 ? (i + 1) / 2 : 'OK');
      const got = await Promise.all(Array.from({ length: 250 }, (_, j) => ap.get(`ap:${2 * j}`)));
      assert.deepEqual(got, Array.from({ length: 250 }, (_, j) => `v${2 * j}`));
      assert.ok(ap.autoPipelineQueueSize === 0);
    });

    it('requirepass: HELLO/AUTH with the password, NOAUTH and WRONGPASS otherwise', T, async () => {
      assert.equal(await r.config('SET', 'requirepass', 's3cret'), 'OK');
      try {
        const ok = await connect({ password: 's3cret' });
        assert.equal(await ok.ping(), 'PONG');
        assert.equal(parseClientInfo(await ok.client('INFO')).resp, String(protocol));
        const wrong = new Redis({
          host: server.host, port: server.port, protocol, password: 'nope',
          lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
        });
        const wrongErrors = [];
        wrong.on('error', (e) => wrongErrors.push(e.message));
        clients.push(wrong);
        // The handshake's error is emitted; connect() then fails as closed.
        await assert.rejects(wrong.connect());
        assert.deepEqual(wrongErrors, ['WRONGPASS invalid username-password pair or user is disabled.']);
        const none = new Redis({
          host: server.host, port: server.port, protocol, enableReadyCheck: false,
          lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
        });
        const noneErrors = [];
        none.on('error', (e) => noneErrors.push(e.message));
        clients.push(none);
        if (protocol === 3) {
          // HELLO 3 without AUTH is refused, and the client gives up.
          await assert.rejects(none.connect());
          assert.deepEqual(noneErrors, ['NOAUTH HELLO must be called with the client already authenticated, ' +
            'otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and ' +
            'select the RESP protocol version at the same time']);
        } else {
          await none.connect();
          await assert.rejects(none.get('k'), { message: 'NOAUTH Authentication required.' });
          assert.equal(await none.auth('s3cret'), 'OK');
          assert.equal(await none.get('k'), null);
        }
      } finally {
        assert.equal(await r.config('SET', 'requirepass', ''), 'OK');
      }
    });

    it('reconnects and resubscribes after CLIENT KILL', T, async () => {
      const sub = await connect({ retryStrategy: () => 20 });
      const got = collector(2);
      sub.on('message', (ch, m) => got.push([ch, m]));
      sub.on('pmessage', (p, ch, m) => got.push([ch, m]));
      await sub.subscribe('jobs');
      await sub.psubscribe('evt.*');
      const ready = new Promise((res) => sub.once('ready', res));
      assert.equal(await r.client('KILL', 'TYPE', 'pubsub'), 1);
      await ready; // reconnected; ioredis resubscribes before it reports ready
      for (let i = 0; i < 100 && (await r.pubsub('NUMPAT')) !== 1; i++) await sleep(10);
      assert.deepEqual(await r.pubsub('NUMSUB', 'jobs'), ['jobs', 1]);
      assert.equal(await r.publish('jobs', 'j1'), 1);
      assert.equal(await r.publish('evt.x', 'e1'), 1);
      assert.deepEqual(await got.done, [['jobs', 'j1'], ['evt.x', 'e1']]);
      sub.disconnect();
    });

    it('GRAB.POP through call(): idempotent coupon issuing', T, async (t) => {
      if (server.isRedis) return skipWithReason(t, 'GRAB.* are grabkv commands, not in Redis');
      assert.equal(await r.rpush('coupons:gold', 'C-1001', 'C-1002', 'C-1003'), 3);
      const pop = (user) => r.call('GRAB.POP', 'coupons:gold', 'claims:gold', user, 'OUTBOX', 'issued:gold');
      assert.equal(await pop('alice'), 'C-1001');
      assert.equal(await pop('alice'), 'C-1001'); // retry after a lost reply
      assert.equal(await pop('bob'), 'C-1002');
      assert.equal(await pop('carol'), 'C-1003');
      assert.equal(await pop('dave'), null); // sold out
      assert.deepEqual(await r.hgetall('claims:gold'), { alice: 'C-1001', bob: 'C-1002', carol: 'C-1003' });
      assert.equal(await r.exists('coupons:gold'), 0);
      const outbox = (await r.lrange('issued:gold', 0, -1)).map((j) => JSON.parse(j));
      assert.deepEqual(outbox.map(({ op, stock, user, item }) => [op, stock, user, item]), [
        ['pop', 'coupons:gold', 'alice', 'C-1001'],
        ['pop', 'coupons:gold', 'bob', 'C-1002'],
        ['pop', 'coupons:gold', 'carol', 'C-1003'],
      ]);
      assert.equal(await r.call('GRAB.UNDO', 'coupons:gold', 'claims:gold', 'bob'), 'C-1002');
      assert.deepEqual(await r.lrange('coupons:gold', 0, -1), ['C-1002']);
      await r.set('stock:phone', '2');
      assert.equal(await r.call('GRAB.TAKE', 'stock:phone', 'buyers:phone', 'carol'), 1);
      assert.equal(await r.call('GRAB.TAKE', 'stock:phone', 'buyers:phone', 'carol'), 1);
      assert.equal(await r.get('stock:phone'), '1');
      await assert.rejects(r.call('GRAB.POP', 'stock:phone', 'c', 'u'), { message: WRONGTYPE });
    });
  });
}

describe(`ioredis ${IOREDIS_VERSION} RESP3 with replyMapping "resp3"`, () => {
  let r;
  before(async () => {
    r = new Redis({
      host: server.host, port: server.port, protocol: 3, replyMapping: 'resp3',
      lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
    });
    r.on('error', () => {});
    await r.connect();
    await r.flushall();
  });
  after(() => r.disconnect());

  it('maps, doubles and the HELLO reply arrive as RESP3 types', T, async () => {
    const hello = await r.hello(3);
    assert.equal(hello.proto, 3);
    assert.equal(hello.server, 'redis');
    assert.equal(typeof hello.id, 'number');
    assert.equal(parseClientInfo(await r.client('INFO')).resp, '3');
    await r.zadd('z', '1.5', 'a', '+inf', 'b');
    assert.equal(await r.zscore('z', 'a'), 1.5);
    assert.equal(await r.zscore('z', 'b'), Infinity);
    await r.hset('h', 'f1', 'v1', 'f2', 'v2');
    assert.deepEqual({ ...(await r.call('HGETALL', 'h')) }, { f1: 'v1', f2: 'v2' });
    const cfg = await r.config('GET', 'maxmemory-policy');
    assert.deepEqual({ ...cfg }, { 'maxmemory-policy': 'noeviction' });
    assert.deepEqual(await r.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), [['a', 1.5], ['b', Infinity]]);
  });
});
