#pragma once
// The API benchmark's results: latency samples, the rows of the result tables (each
// figure next to its target and the upstream reference), the medians over several
// runs, and the errors the server answered with.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kcpp::bench {

class Latencies {
 public:
  void add(std::chrono::steady_clock::duration d);
  void addMs(double ms) { ms_.push_back(ms); }
  void merge(const Latencies& other);
  std::size_t size() const { return ms_.size(); }
  // Nearest-rank percentile in milliseconds (p in 0..100); NaN when empty.
  double percentileMs(double p) const;

 private:
  std::vector<double> ms_;
};

struct Target {
  enum class Kind { AtMost, AtLeast };
  Kind kind = Kind::AtMost;
  double limit = 0;
  std::string text;  // as printed: "≤ 20 ms"
  bool met(double v) const { return kind == Kind::AtMost ? v <= limit : v >= limit; }
};

// Throughput rows fill count/rate/p50/p99; figure rows fill value and unit. The target,
// if any, applies to `value` for figures, to `rate` or `p99Ms` (targetOnP99) otherwise.
struct Row {
  std::string name;
  std::optional<double> count;
  std::optional<double> rate;
  std::optional<double> p50Ms;
  std::optional<double> p99Ms;
  std::optional<double> serverCpuPct;  // CPU used during the case, % of one core
  std::optional<double> clientCpuPct;
  std::optional<double> value;
  std::string unit;
  long errors = 0;
  std::optional<Target> target;
  bool targetOnP99 = false;
  std::string upstream;  // the upstream kube-apiserver + etcd reference, if known
  std::string note;

  bool isFigure() const { return !unit.empty(); }
  std::optional<bool> met() const;
};

class Report {
 public:
  void add(Row row) { rows_.push_back(std::move(row)); }
  const std::vector<Row>& rows() const { return rows_; }

  // Per row (by name, in the first run's order) the median of each field over the
  // runs; errors are summed.
  static Report median(const std::vector<Report>& runs);

  std::string table(const std::string& title) const;
  std::string json(const std::map<std::string, std::string>& meta) const;

 private:
  std::vector<Row> rows_;
};

// The errors seen, grouped by case and kind, with a count and one example each.
class ErrorLog {
 public:
  void add(const std::string& kase, int status, const std::string& body);
  bool empty() const { return kinds_.empty(); }
  std::string summary() const;

 private:
  struct Kind {
    long count = 0;
    std::string example;
  };
  std::map<std::string, Kind> kinds_;
};

}  // namespace kcpp::bench
