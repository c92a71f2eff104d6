#pragma once
// What the host is, read as upstream's kubelet reads it through cAdvisor: CPUs
// online, memory (MemTotal), the data dir's filesystem size, hugepage sizes,
// machine-id, product UUID, boot id, kernel and OS image. Every path is read
// under `root` so tests can point it at fixture files.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kcpp::kubelet::nodestatus {

struct MachineInfo {
  int cpus = 0;                          // online CPUs
  std::uint64_t memoryBytes = 0;         // MemTotal
  std::uint64_t ephemeralStorageBytes = 0;  // size of the data dir's filesystem
  std::map<std::string, std::uint64_t> hugepages;  // "2Mi" → bytes pre-allocated
  std::string machineID;
  std::string systemUUID;
  std::string bootID;
  std::string kernelVersion;
  std::string osImage;
  std::string operatingSystem = "linux";
  std::string architecture;  // GOARCH spelling: amd64, arm64
};

struct MachinePaths {
  std::filesystem::path root = "/";  // prefix of /proc, /sys and /etc
  std::filesystem::path dataDir;     // statfs'd for ephemeral-storage
};

MachineInfo readMachineInfo(const MachinePaths& paths);

// Pieces, for tests.
// "0-3,6,8-9" (sys/devices/system/cpu/online) → 7; nullopt when malformed.
std::optional<int> countCpuList(std::string_view list);
// MemTotal of /proc/meminfo text, in bytes.
std::optional<std::uint64_t> memTotalBytes(std::string_view meminfo);
// PRETTY_NAME of /etc/os-release text (quotes removed); "Linux" when missing.
std::string osImageOf(std::string_view osRelease);
// uname's machine → GOARCH ("x86_64" → "amd64", "aarch64" → "arm64").
std::string goArch(std::string_view machine);
// "2048kB" directory suffix → "2Mi"; "1048576kB" → "1Gi".
std::string hugepageSizeName(std::uint64_t kiB);

}  // namespace kcpp::kubelet::nodestatus
