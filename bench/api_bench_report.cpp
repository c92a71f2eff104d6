#include "api_bench_report.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace kcpp::bench {

namespace json = boost::json;

namespace {

double medianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The median of one optional field over the rows that have it.
std::optional<double> medianField(const std::vector<const Row*>& rows,
                                  std::optional<double> Row::*field) {
  std::vector<double> values;
  for (const Row* r : rows) {
    if (r->*field) values.push_back(*(r->*field));
  }
  if (values.empty()) return std::nullopt;
  return medianOf(std::move(values));
}

Row medianRow(const std::vector<const Row*>& rows) {
  Row out = *rows.front();
  for (auto field : {&Row::count, &Row::rate, &Row::p50Ms, &Row::p99Ms, &Row::value,
                     &Row::serverCpuPct, &Row::clientCpuPct}) {
    out.*field = medianField(rows, field);
  }
  out.errors = 0;
  for (const Row* r : rows) out.errors += r->errors;
  return out;
}

std::string num(const std::optional<double>& v, int decimals) {
  if (!v || std::isnan(*v)) return "-";
  return fmt::format("{:.{}f}", *v, decimals);
}

std::string verdict(const Row& r) {
  auto met = r.met();
  if (!met) return "";
  return *met ? "ok" : "MISS";
}

int valueDecimals(const Row& r) {
  if (!r.value) return 0;
  double v = std::fabs(*r.value);
  return v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3;
}

std::string cpu(const Row& r) {
  if (!r.serverCpuPct && !r.clientCpuPct) return "";
  return num(r.serverCpuPct, 0) + "/" + num(r.clientCpuPct, 0);
}

std::string throughputTable(const std::vector<Row>& rows) {
  if (std::all_of(rows.begin(), rows.end(), [](const Row& r) { return r.isFigure(); })) return "";
  constexpr const char* kLine = "{:<48} {:>8} {:>10} {:>8} {:>8} {:>6} {:>9}  {:<14} {:<4}  {}\n";
  std::string out = fmt::format(kLine, "case", "ops", "ops/s", "p50 ms", "p99 ms", "errors",
                                "cpu% s/c", "target", "met", "upstream");
  for (const Row& r : rows) {
    if (r.isFigure()) continue;
    out += fmt::format(kLine, r.name, num(r.count, 0), num(r.rate, 1), num(r.p50Ms, 2),
                       num(r.p99Ms, 2), r.errors, cpu(r), r.target ? r.target->text : "",
                       verdict(r), r.upstream);
  }
  return out;
}

std::string figureTable(const std::vector<Row>& rows) {
  constexpr const char* kLine = "{:<66} {:>10} {:<5}  {:<14} {:<4}  {}\n";
  std::string out = fmt::format(kLine, "figure", "value", "", "target", "met", "upstream");
  for (const Row& r : rows) {
    if (!r.isFigure()) continue;
    std::string name = r.note.empty() ? r.name : r.name + " (" + r.note + ")";
    out += fmt::format(kLine, name,
                       num(r.value, valueDecimals(r)), r.unit,
                       r.target ? r.target->text : "", verdict(r), r.upstream);
  }
  return out;
}

json::value optionalJson(const std::optional<double>& v) {
  if (!v || std::isnan(*v)) return nullptr;
  return *v;
}

json::object rowJson(const Row& r) {
  json::object o;
  o["name"] = r.name;
  if (r.isFigure()) {
    o["value"] = optionalJson(r.value);
    o["unit"] = r.unit;
  } else {
    o["ops"] = optionalJson(r.count);
    o["opsPerSecond"] = optionalJson(r.rate);
    o["p50Ms"] = optionalJson(r.p50Ms);
    o["p99Ms"] = optionalJson(r.p99Ms);
    o["serverCpuPercent"] = optionalJson(r.serverCpuPct);
    o["clientCpuPercent"] = optionalJson(r.clientCpuPct);
  }
  o["errors"] = r.errors;
  if (r.target) o["target"] = r.target->text;
  if (auto met = r.met()) o["met"] = *met;
  if (!r.upstream.empty()) o["upstream"] = r.upstream;
  if (!r.note.empty()) o["note"] = r.note;
  return o;
}

std::string statusReason(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  const json::value* reason = v.get_object().if_contains("reason");
  return reason && reason->is_string() ? std::string(reason->get_string()) : "";
}

}  // namespace

void Latencies::add(std::chrono::steady_clock::duration d) {
  ms_.push_back(std::chrono::duration<double, std::milli>(d).count());
}

void Latencies::merge(const Latencies& other) {
  ms_.insert(ms_.end(), other.ms_.begin(), other.ms_.end());
}

double Latencies::percentileMs(double p) const {
  if (ms_.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v = ms_;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  std::size_t index = std::clamp<std::size_t>(rank, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(index), v.end());
  return v[index];
}

std::optional<bool> Row::met() const {
  if (!target) return std::nullopt;
  std::optional<double> v = isFigure() ? value : targetOnP99 ? p99Ms : rate;
  if (!v || std::isnan(*v)) return false;
  return target->met(*v);
}

Report Report::median(const std::vector<Report>& runs) {
  Report out;
  if (runs.empty()) return out;
  for (const Row& first : runs.front().rows()) {
    std::vector<const Row*> same;
    for (const Report& run : runs) {
      for (const Row& r : run.rows()) {
        if (r.name == first.name) same.push_back(&r);
      }
    }
    out.add(medianRow(same));
  }
  return out;
}

std::string Report::table(const std::string& title) const {
  return title + "\n\n" + throughputTable(rows_) + "\n" + figureTable(rows_);
}

std::string Report::json(const std::map<std::string, std::string>& meta) const {
  json::object doc;
  json::object m;
  for (const auto& [k, v] : meta) m[k] = v;
  doc["meta"] = std::move(m);
  json::array rows;
  for (const Row& r : rows_) rows.push_back(rowJson(r));
  doc["results"] = std::move(rows);
  return json::serialize(doc) + "\n";
}

void ErrorLog::add(const std::string& kase, int status, const std::string& body) {
  std::string key = kase + ": ";
  if (status == 0) {
    key += "transport error: " + body;
  } else {
    key += "HTTP " + std::to_string(status) + " " + statusReason(body);
  }
  Kind& kind = kinds_[key];
  if (kind.count++ == 0) kind.example = body.substr(0, 400);
}

std::string ErrorLog::summary() const {
  std::string out;
  for (const auto& [key, kind] : kinds_) {
    out += fmt::format("  {} x{}\n", key, kind.count);
    if (!kind.example.empty() && key.find("transport error") == std::string::npos) {
      out += "      e.g. " + kind.example + "\n";
    }
  }
  return out;
}

}  // namespace kcpp::bench
