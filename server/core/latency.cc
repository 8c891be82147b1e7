#include "server/core/latency.h"

#include <cmath>
#include <cstdio>

namespace grabkv::server {

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const double p = percentile < 100.0 ? percentile : 100.0;
  int64_t wanted = static_cast<int64_t>(p / 100 * static_cast<double>(total_) + 0.5);
  if (wanted < 1) wanted = 1;
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= static_cast<uint64_t>(wanted)) {
      // HdrHistogram answers the lowest equivalent value for 0, else the highest.
      if (percentile == 0.0) return i == 0 ? 0 : HighestIn(i - 1) + 1;
      return HighestIn(i);
    }
  }
  return 0;
}

std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::Cumulative() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  uint64_t cumulative = 0, reported = 0;
  int i = 0;
  for (int64_t level = 1024; reported < total_; level *= 2) {
    const int top = Index(level);
    for (; i <= top && i < kBuckets; ++i) cumulative += counts_[i];
    if (cumulative > reported) {
      out.emplace_back(HighestIn(top) / 1000, cumulative);
      reported = cumulative;
    }
  }
  return out;
}

namespace {

std::string CutArg(std::string_view a) {
  if (a.size() <= Slowlog::kMaxArgLen) return std::string(a);
  std::string s(a.substr(0, Slowlog::kMaxArgLen));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "... (%zu more bytes)", a.size() - Slowlog::kMaxArgLen);
  s += buf;
  return s;
}

}  // namespace

void Slowlog::Push(std::span<const std::string_view> args, int64_t duration_us, int64_t now_s,
                   std::string_view addr, std::string_view name, int64_t max_len,
                   uint64_t redacted) {
  SlowlogEntry e{next_id_++, now_s, duration_us, {}, std::string(addr), std::string(name)};
  const size_t n = args.size() > kMaxArgs ? kMaxArgs : args.size();
  e.args.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i == kMaxArgs - 1 && args.size() > kMaxArgs) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "... (%zu more arguments)", args.size() - kMaxArgs + 1);
      e.args.emplace_back(buf);
    } else if (i < 64 && (redacted >> i) & 1) {
      e.args.emplace_back("(redacted)");
    } else {
      e.args.push_back(CutArg(args[i]));
    }
  }
  entries_.push_front(std::move(e));
  Trim(max_len);
}

void Slowlog::Trim(int64_t max_len) {
  while (static_cast<int64_t>(entries_.size()) > max_len) entries_.pop_back();
}

std::vector<LatencyMonitor::Sample> LatencyMonitor::Series::Ordered() const {
  std::vector<Sample> out;
  for (int j = 0; j < kSamples; ++j) {
    const Sample& s = samples[(next + j) % kSamples];
    if (s.time_s != 0) out.push_back(s);
  }
  return out;
}

void LatencyMonitor::AddSample(std::string_view event, int64_t latency_ms, int64_t now_s) {
  Series& ts = events_[std::string(event)];
  const uint32_t ms = static_cast<uint32_t>(latency_ms);
  if (ms > ts.max_ms) ts.max_ms = ms;
  // One sample per second: the largest of that second.
  Sample& prev = ts.samples[(ts.next + kSamples - 1) % kSamples];
  if (prev.time_s == now_s) {
    if (ms > prev.latency_ms) prev.latency_ms = ms;
    return;
  }
  ts.samples[ts.next] = {now_s, ms};
  ts.next = (ts.next + 1) % kSamples;
}

namespace {

// Rendered as Redis's sparkline with fill: each column is a sample, its
// height in 4 rows of 3 steps ('_', 'o', '#', with '|' below a full step),
// then the labels written downwards one character per row.
void RenderRange(std::string* out, const std::vector<std::pair<uint32_t, std::string>>& seq,
                 double min, double max, size_t offset, size_t len) {
  constexpr int kRows = 4;
  constexpr const char kFill[] = "_o#";
  constexpr int kSteps = 3 * kRows;
  double range = max - min;
  if (range == 0) range = 1;
  std::string line;
  for (int row = 0;; ++row) {
    bool more = false;
    line.assign(len, ' ');
    for (size_t j = 0; j < len; ++j) {
      const auto& [value, label] = seq[offset + j];
      if (row < kRows) {
        more = true;
        int step = static_cast<int>((static_cast<double>(value) - min) * kSteps / range);
        if (step < 0) step = 0;
        if (step >= kSteps) step = kSteps - 1;
        const int k = step - (kRows - row - 1) * 3;
        if (k >= 0 && k < 3) {
          line[j] = kFill[k];
        } else if (k >= 3) {
          line[j] = '|';
        }
      } else if (row == kRows) {
        more = true;  // one empty row above the labels
        break;
      } else {
        const size_t at = static_cast<size_t>(row - kRows - 1);
        if (at < label.size()) {
          more = true;
          line[j] = label[at];
        }
      }
    }
    if (!more) break;
    out->append(line);
    out->push_back('\n');
  }
}

}  // namespace

std::string LatencyGraph(std::string_view event, const LatencyMonitor::Series& series,
                         int64_t now_s) {
  std::vector<std::pair<uint32_t, std::string>> seq;
  uint32_t lo = 0, hi = 0;
  for (const LatencyMonitor::Sample& s : series.Ordered()) {
    if (seq.empty()) {
      lo = hi = s.latency_ms;
    } else {
      if (s.latency_ms > hi) hi = s.latency_ms;
      if (s.latency_ms < lo) lo = s.latency_ms;
    }
    const int64_t ago = now_s - s.time_s;
    char buf[64];
    if (ago < 60) {
      std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(ago));
    } else if (ago < 3600) {
      std::snprintf(buf, sizeof(buf), "%lldm", static_cast<long long>(ago / 60));
    } else if (ago < 86400) {
      std::snprintf(buf, sizeof(buf), "%lldh", static_cast<long long>(ago / 3600));
    } else {
      std::snprintf(buf, sizeof(buf), "%lldd", static_cast<long long>(ago / 86400));
    }
    seq.emplace_back(s.latency_ms, buf);
  }
  std::string out(event);
  char buf[160];
  std::snprintf(buf, sizeof(buf), " - high %u ms, low %u ms (all time high %u ms)\n", hi, lo,
                series.max_ms);
  out += buf;
  out.append(80, '-');
  out.push_back('\n');
  constexpr size_t kCols = 80;
  for (size_t j = 0; j < seq.size(); j += kCols) {
    if (j != 0) out.push_back('\n');
    RenderRange(&out, seq, lo, hi, j, std::min(kCols, seq.size() - j));
  }
  return out;
}

}  // namespace grabkv::server
