#include "kubelet/nodestatus/machine_info.h"

#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace kcpp::kubelet::nodestatus {

namespace fs = std::filesystem;

namespace {

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string trimmed(std::string text) {
  auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), notSpace));
  text.erase(std::find_if(text.rbegin(), text.rend(), notSpace).base(), text.end());
  return text;
}

fs::path under(const fs::path& root, std::string_view absolute) {
  return root / std::string(absolute.substr(1));
}

std::optional<int> parseInt(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int cpusOf(const fs::path& root) {
  if (auto n = countCpuList(trimmed(readFile(under(root, "/sys/devices/system/cpu/online")))); n && *n > 0) {
    return *n;
  }
  long n = root == "/" ? sysconf(_SC_NPROCESSORS_ONLN) : 1;
  return n > 0 ? static_cast<int>(n) : 1;
}

std::map<std::string, std::uint64_t> hugepagesOf(const fs::path& root) {
  std::map<std::string, std::uint64_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(under(root, "/sys/kernel/mm/hugepages"), ec)) {
    std::string name = entry.path().filename().string();  // hugepages-2048kB
    if (!name.starts_with("hugepages-") || !name.ends_with("kB")) continue;
    std::string digits = name.substr(10, name.size() - 12);
    std::uint64_t kiB = 0;
    auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), kiB);
    if (err != std::errc() || kiB == 0) continue;
    std::uint64_t count = 0;
    std::string nr = trimmed(readFile(entry.path() / "nr_hugepages"));
    std::from_chars(nr.data(), nr.data() + nr.size(), count);
    out[hugepageSizeName(kiB)] = count * kiB * 1024;
  }
  return out;
}

// /etc/machine-id, else the D-Bus one, as cAdvisor.
std::string machineIdOf(const fs::path& root) {
  std::string id = trimmed(readFile(under(root, "/etc/machine-id")));
  if (id.empty()) id = trimmed(readFile(under(root, "/var/lib/dbus/machine-id")));
  return id;
}

}  // namespace

std::optional<int> countCpuList(std::string_view list) {
  if (list.empty()) return std::nullopt;
  int count = 0;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    std::size_t dash = item.find('-');
    auto first = parseInt(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parseInt(item.substr(dash + 1));
    if (!first || !last || *last < *first) return std::nullopt;
    count += *last - *first + 1;
  }
  return count;
}

std::optional<std::uint64_t> memTotalBytes(std::string_view meminfo) {
  std::size_t at = meminfo.find("MemTotal:");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = meminfo.substr(at + 9);
  std::size_t start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  rest = rest.substr(start);
  std::uint64_t kiB = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), kiB);
  if (ec != std::errc()) return std::nullopt;
  std::string_view unit = std::string_view(end, rest.data() + rest.size() - end);
  if (!unit.starts_with(" kB")) return std::nullopt;
  return kiB * 1024;
}

std::string osImageOf(std::string_view osRelease) {
  std::istringstream lines{std::string(osRelease)};
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("PRETTY_NAME=")) continue;
    std::string value = line.substr(12);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return "Linux";
}

std::string goArch(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine.starts_with("armv")) return "arm";
  if (machine == "i686" || machine == "i386") return "386";
  return std::string(machine);
}

std::string hugepageSizeName(std::uint64_t kiB) {
  if (kiB % (1024 * 1024) == 0) return std::to_string(kiB / (1024 * 1024)) + "Gi";
  if (kiB % 1024 == 0) return std::to_string(kiB / 1024) + "Mi";
  return std::to_string(kiB) + "Ki";
}

MachineInfo readMachineInfo(const MachinePaths& paths) {
  MachineInfo info;
  const fs::path& root = paths.root;
  info.cpus = cpusOf(root);
  info.memoryBytes = memTotalBytes(readFile(under(root, "/proc/meminfo"))).value_or(0);
  struct statfs stats {};
  if (!paths.dataDir.empty() && statfs(paths.dataDir.c_str(), &stats) == 0) {
    info.ephemeralStorageBytes = static_cast<std::uint64_t>(stats.f_blocks) * stats.f_frsize;
  }
  info.hugepages = hugepagesOf(root);
  info.machineID = machineIdOf(root);
  info.systemUUID = trimmed(readFile(under(root, "/sys/class/dmi/id/product_uuid")));
  info.bootID = trimmed(readFile(under(root, "/proc/sys/kernel/random/boot_id")));
  info.osImage = osImageOf(readFile(under(root, "/etc/os-release")));
  struct utsname uts {};
  if (uname(&uts) == 0) {
    info.kernelVersion = uts.release;
    info.architecture = goArch(uts.machine);
  }
  // Kernel-version file wins under a fixture root.
  if (std::string kernel = trimmed(readFile(under(root, "/proc/sys/kernel/osrelease"))); !kernel.empty()) {
    info.kernelVersion = kernel;
  }
  // cAdvisor falls back to the machine id when the product UUID is unreadable (non-root, VMs).
  if (info.systemUUID.empty()) info.systemUUID = info.machineID;
  return info;
}

}  // namespace kcpp::kubelet::nodestatus
