// Capacity, allocatable, addresses and host facts from fixture files.
#include <gtest/gtest.h>

#include <fstream>

#include "kubelet/nodestatus/machine_info.h"
#include "kubelet/nodestatus/node_addresses.h"
#include "kubelet/nodestatus/node_resources.h"
#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::nodestatus {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class MachineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    write(root() / "proc/meminfo", "MemTotal:       16384000 kB\nMemFree:         1000 kB\n");
    write(root() / "sys/devices/system/cpu/online", "0-3,6\n");
    write(root() / "etc/os-release", "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    write(root() / "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    write(root() / "proc/sys/kernel/random/boot_id", "11111111-2222-3333-4444-555555555555\n");
    write(root() / "proc/sys/kernel/osrelease", "6.1.0-test\n");
    write(root() / "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "0\n");
    write(root() / "sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "1\n");
  }
  fs::path root() const { return dir_.path(); }
  pki::TempDir dir_;
};

TEST(MachineInfoParsing, CpuListMemTotalOsImageArch) {
  EXPECT_EQ(countCpuList("0-3,6,8-9"), 7);
  EXPECT_EQ(countCpuList("0"), 1);
  EXPECT_FALSE(countCpuList(""));
  EXPECT_FALSE(countCpuList("3-1"));
  EXPECT_FALSE(countCpuList("a"));
  EXPECT_EQ(memTotalBytes("MemTotal:        2048 kB\n"), 2048u * 1024);
  EXPECT_FALSE(memTotalBytes("MemFree: 1 kB\n"));
  EXPECT_EQ(osImageOf("ID=x\nPRETTY_NAME='Alpine Linux v3.19'\n"), "Alpine Linux v3.19");
  EXPECT_EQ(osImageOf("ID=x\n"), "Linux");
  EXPECT_EQ(goArch("x86_64"), "amd64");
  EXPECT_EQ(goArch("aarch64"), "arm64");
  EXPECT_EQ(hugepageSizeName(2048), "2Mi");
  EXPECT_EQ(hugepageSizeName(1048576), "1Gi");
}

TEST_F(MachineFixture, ReadsTheHostFromItsFiles) {
  MachineInfo info = readMachineInfo(MachinePaths{root(), root()});
  EXPECT_EQ(info.cpus, 5);
  EXPECT_EQ(info.memoryBytes, 16384000ull * 1024);
  EXPECT_GT(info.ephemeralStorageBytes, 0u);
  EXPECT_EQ(info.osImage, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(info.machineID, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(info.systemUUID, info.machineID);  // no product_uuid: cAdvisor's fallback
  EXPECT_EQ(info.bootID, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(info.kernelVersion, "6.1.0-test");
  EXPECT_EQ(info.hugepages.at("2Mi"), 0u);
  EXPECT_EQ(info.hugepages.at("1Gi"), 1024ull * 1024 * 1024);
}

TEST_F(MachineFixture, CapacityAndAllocatableAsUpstream) {
  MachineInfo info = readMachineInfo(MachinePaths{root(), root()});
  info.ephemeralStorageBytes = 100ull * 1024 * 1024 * 1024;  // 100Gi, for exact figures
  boost::json::object capacity = nodeCapacity(info, 110);
  EXPECT_EQ(capacity.at("cpu"), "5");
  EXPECT_EQ(capacity.at("memory"), "16000Mi");  // 16384000Ki, canonical as upstream's Quantity prints it
  EXPECT_EQ(capacity.at("ephemeral-storage"), "100Gi");
  EXPECT_EQ(capacity.at("pods"), "110");
  EXPECT_EQ(capacity.at("hugepages-2Mi"), "0");
  EXPECT_EQ(capacity.at("hugepages-1Gi"), "1Gi");

  ResourceReservations reservations;
  reservations.kubeReserved = *parseResourceList("cpu=100m,memory=100Mi");
  reservations.systemReserved = *parseResourceList("cpu=400m,ephemeral-storage=1Gi");
  boost::json::object allocatable = nodeAllocatable(capacity, info, reservations);
  EXPECT_EQ(allocatable.at("cpu"), "4500m");
  // 16384000Ki − 100Mi (kube) − 100Mi (eviction) − 1Gi (hugepages)
  EXPECT_EQ(allocatable.at("memory"), "14776Mi");
  // 100Gi − 1Gi − 10% of 100Gi
  EXPECT_EQ(allocatable.at("ephemeral-storage"), "89Gi");
  info.ephemeralStorageBytes = 1000 * 1000;  // not a whole number of Ki: plain bytes
  boost::json::object small = nodeAllocatable(nodeCapacity(info, 110), info, {});
  EXPECT_EQ(small.at("ephemeral-storage"), "900000");
  EXPECT_EQ(allocatable.at("pods"), "110");
}

TEST(NodeResources, ReservationsNeverMakeAllocatableNegative) {
  MachineInfo info;
  info.cpus = 1;
  info.memoryBytes = 50ull * 1024 * 1024;
  boost::json::object capacity = nodeCapacity(info, 110);
  ResourceReservations reservations;
  reservations.kubeReserved = *parseResourceList("cpu=2");
  boost::json::object allocatable = nodeAllocatable(capacity, info, reservations);
  EXPECT_EQ(allocatable.at("cpu"), "0");
  EXPECT_EQ(allocatable.at("memory"), "0");
}

TEST(NodeResources, BadReservationFlags) {
  EXPECT_EQ(parseResourceList("cpu").error().message, "malformed pair 'cpu', expect string=string");
  EXPECT_EQ(parseResourceList("gpu=1").error().message, "cannot reserve \"gpu\" resource");
  EXPECT_EQ(parseResourceList("memory=lots").error().message, "invalid quantity \"lots\" for \"memory\"");
  EXPECT_TRUE(parseResourceList("").ok());
}

TEST(NodeAddresses, DefaultRouteInterfaceAndFlagWins) {
  std::string routes =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth1\t0011A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
  EXPECT_EQ(defaultRouteInterface(routes), "eth0");
  EXPECT_EQ(defaultRouteInterface("Iface\tDestination\n"), "");
  EXPECT_EQ(detectNodeIP("10.9.8.7"), "10.9.8.7");
  EXPECT_FALSE(detectNodeIP("").empty());
  auto addresses = nodeAddresses("10.0.0.5", "node-a");
  EXPECT_EQ(boost::json::serialize(addresses),
            R"([{"type":"InternalIP","address":"10.0.0.5"},{"type":"Hostname","address":"node-a"}])");
}

}  // namespace
}  // namespace kcpp::kubelet::nodestatus
