#include "kubelet/nodestatus/node_resources.h"

#include "api/validation/quantity.h"

namespace kcpp::kubelet::nodestatus {

using api::validation::Quantity;

namespace {

// A byte count as a BinarySI quantity ("16384000Ki", "1Gi", or plain bytes).
Quantity binaryBytes(std::uint64_t bytes) {
  // A sum keeps the format of its non-zero left side: start from 1Ki, not 0.
  const Quantity one = *Quantity::parse("1Ki");
  Quantity q = one;
  q += *Quantity::parse(std::to_string(bytes));
  q -= one;
  return q;
}

Quantity quantityAt(const json::object& resources, const std::string& name) {
  const json::value* v = resources.if_contains(name);
  if (!v) return Quantity{};
  return Quantity::fromJson(*v).value_or(Quantity{});
}

void subtract(Quantity& from, const std::map<std::string, std::string>& reserved, const std::string& name) {
  auto it = reserved.find(name);
  if (it == reserved.end()) return;
  if (auto q = Quantity::parse(it->second)) from -= *q;
}

}  // namespace

Result<std::map<std::string, std::string>> parseResourceList(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    std::string name = item.substr(0, eq);
    if (eq == std::string::npos) return makeError(Reason::BadRequest, "malformed pair '" + item + "', expect string=string");
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && name != "pid") {
      return makeError(Reason::BadRequest, "cannot reserve \"" + name + "\" resource");
    }
    auto q = Quantity::parse(item.substr(eq + 1));
    if (!q || q->negative()) {
      return makeError(Reason::BadRequest, "invalid quantity \"" + item.substr(eq + 1) + "\" for \"" + name + "\"");
    }
    out[name] = item.substr(eq + 1);
  }
  return out;
}

json::object nodeCapacity(const MachineInfo& machine, int maxPods) {
  json::object capacity{{"cpu", std::to_string(machine.cpus)},
                        {"memory", binaryBytes(machine.memoryBytes).string()},
                        {"ephemeral-storage", binaryBytes(machine.ephemeralStorageBytes).string()},
                        {"pods", std::to_string(maxPods)}};
  // Upstream reports every hugepage size the kernel offers, 0 when none are reserved.
  if (machine.hugepages.empty()) capacity["hugepages-2Mi"] = "0";
  for (const auto& [size, bytes] : machine.hugepages) capacity["hugepages-" + size] = binaryBytes(bytes).string();
  return capacity;
}

json::object nodeAllocatable(const json::object& capacity, const MachineInfo& machine,
                             const ResourceReservations& reservations) {
  json::object allocatable = capacity;
  for (const char* name : {"cpu", "memory", "ephemeral-storage"}) {
    // From the machine's byte counts, not the capacity's text: a plain byte count
    // parses back as DecimalSI, and the result must stay BinarySI as upstream's.
    std::string resource = name;
    Quantity q = resource == "memory"              ? binaryBytes(machine.memoryBytes)
                 : resource == "ephemeral-storage" ? binaryBytes(machine.ephemeralStorageBytes)
                                                   : quantityAt(capacity, name);
    subtract(q, reservations.kubeReserved, name);
    subtract(q, reservations.systemReserved, name);
    if (resource == "memory") {
      if (auto hard = Quantity::parse(reservations.evictionHardMemoryAvailable)) q -= *hard;
      for (const auto& [size, bytes] : machine.hugepages) q -= binaryBytes(bytes);
    } else if (resource == "ephemeral-storage") {
      auto reserve = static_cast<std::uint64_t>(static_cast<double>(machine.ephemeralStorageBytes) *
                                                reservations.evictionHardNodefsAvailable);
      q -= *Quantity::parse(std::to_string(reserve));
    }
    if (q.negative()) q = *Quantity::parse("0");
    allocatable[name] = q.string();
  }
  return allocatable;
}

}  // namespace kcpp::kubelet::nodestatus
