#include "scheduler/framework/resources.h"

#include <algorithm>

#include "api/validation/quantity.h"

namespace kcpp::scheduler {

namespace json = boost::json;
using api::validation::Quantity;

void Resources::add(const Resources& o) {
  milliCpu += o.milliCpu;
  memory += o.memory;
  ephemeralStorage += o.ephemeralStorage;
  allowedPods += o.allowedPods;
  for (const auto& [k, v] : o.scalar) scalar[k] += v;
}

void Resources::subtract(const Resources& o) {
  milliCpu -= o.milliCpu;
  memory -= o.memory;
  ephemeralStorage -= o.ephemeralStorage;
  allowedPods -= o.allowedPods;
  for (const auto& [k, v] : o.scalar) scalar[k] -= v;
}

void Resources::setMax(const Resources& o) {
  milliCpu = std::max(milliCpu, o.milliCpu);
  memory = std::max(memory, o.memory);
  ephemeralStorage = std::max(ephemeralStorage, o.ephemeralStorage);
  allowedPods = std::max(allowedPods, o.allowedPods);
  for (const auto& [k, v] : o.scalar) scalar[k] = std::max(scalar[k], v);
}

std::int64_t Resources::get(const std::string& name) const {
  if (name == "cpu") return milliCpu;
  if (name == "memory") return memory;
  if (name == "ephemeral-storage") return ephemeralStorage;
  if (name == "pods") return allowedPods;
  auto it = scalar.find(name);
  return it == scalar.end() ? 0 : it->second;
}

Resources parseResourceList(const json::object* list) {
  Resources out;
  if (!list) return out;
  for (const auto& kv : *list) {
    auto q = Quantity::fromJson(kv.value());
    if (!q) continue;
    std::string_view name = kv.key();
    if (name == "cpu") out.milliCpu = q->milliValue();
    else if (name == "memory") out.memory = q->value();
    else if (name == "ephemeral-storage") out.ephemeralStorage = q->value();
    else if (name == "pods") out.allowedPods = q->value();
    else out.scalar[std::string(name)] = q->value();
  }
  return out;
}

}  // namespace kcpp::scheduler
