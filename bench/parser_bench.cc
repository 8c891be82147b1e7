// Micro-benchmarks of the protocol layer: parsing the pipelined batch a
// benchmark client sends (16 x SET key:000001 value) and writing the replies
// to it. Compare runs of this binary, not absolute numbers across machines.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"

namespace grabkv::protocol {
namespace {

constexpr int kBatch = 16;

std::string SetBatch() {
  std::string s;
  for (int i = 0; i < kBatch; ++i)
    s += "*3\r\n$3\r\nSET\r\n$10\r\nkey:000001\r\n$5\r\nvalue\r\n";
  return s;
}

// Parses the whole batch from one read, as the server does after one read(2).
void BM_ParsePipelinedSet(benchmark::State& state) {
  const std::string batch = SetBatch();
  RespParser parser;
  for (auto _ : state) {
    std::string_view rest = batch;
    while (!rest.empty()) {
      if (parser.Parse(rest) != RespParser::Status::kCommand) {
        state.SkipWithError("parse failed");
        return;
      }
      benchmark::DoNotOptimize(parser.args().data());
      rest.remove_prefix(parser.consumed());
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * batch.size());
}
BENCHMARK(BM_ParsePipelinedSet);

// The same batch arriving in two reads split mid-command: measures the cost
// of resuming (no bytes are parsed twice).
void BM_ParsePipelinedSetSplitRead(benchmark::State& state) {
  const std::string batch = SetBatch();
  const size_t split = batch.size() / 2 + 7;
  RespParser parser;
  for (auto _ : state) {
    std::string_view all = batch;
    std::string_view rest = all.substr(0, split);
    size_t offset = 0;
    bool second = false;
    while (offset < all.size()) {
      RespParser::Status st = parser.Parse(rest);
      if (st == RespParser::Status::kCommand) {
        benchmark::DoNotOptimize(parser.args().data());
        offset += parser.consumed();
        rest = all.substr(offset, (second ? all.size() : split) - offset);
      } else if (st == RespParser::Status::kNeedMore && !second) {
        second = true;
        rest = all.substr(offset);
      } else {
        state.SkipWithError("parse failed");
        return;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ParsePipelinedSetSplitRead);

void BM_ParseInline(benchmark::State& state) {
  const std::string line = "SET key:000001 \"value with spaces\"\r\n";
  RespParser parser;
  for (auto _ : state) {
    if (parser.Parse(line) != RespParser::Status::kCommand) {
      state.SkipWithError("parse failed");
      return;
    }
    benchmark::DoNotOptimize(parser.args().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseInline);

// The replies to the SET batch: 16 x +OK into a reused output buffer.
void BM_ReplyOkBatch(benchmark::State& state) {
  std::string out;
  ReplyBuilder rb(&out);
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < kBatch; ++i) rb.Ok();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ReplyOkBatch);

// GET-style replies: bulk strings and integers.
void BM_ReplyBulkBatch(benchmark::State& state) {
  std::string out;
  ReplyBuilder rb(&out);
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < kBatch; ++i) {
      rb.Bulk("value");
      rb.Integer(123456 + i);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch * 2);
}
BENCHMARK(BM_ReplyBulkBatch);

void BM_ReplyDouble(benchmark::State& state) {
  std::string out;
  ReplyBuilder rb(&out);
  rb.set_resp3(state.range(0) != 0);
  for (auto _ : state) {
    out.clear();
    rb.Double(1.1);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ReplyDouble)->Arg(0)->Arg(1);

// A deferred-length array of N elements (ZRANGEBYSCORE-like), which pays one
// memmove of the elements when the header is inserted.
void BM_ReplyDeferredArray(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::string out;
  ReplyBuilder rb(&out);
  for (auto _ : state) {
    out.clear();
    size_t token = rb.DeferArray();
    for (int i = 0; i < n; ++i) rb.Bulk("member");
    rb.SetDeferredArray(token, n);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ReplyDeferredArray)->Arg(16)->Arg(1024);

}  // namespace
}  // namespace grabkv::protocol
