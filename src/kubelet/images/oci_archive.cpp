#include "kubelet/images/oci_archive.h"

#include <boost/json.hpp>

#include "api/defaults/image_reference.h"
#include "kubelet/images/digest.h"
#include "kubelet/images/gzip.h"
#include "pki/atomic_file.h"

namespace kcpp::kubelet::images {
namespace {

namespace json = boost::json;

constexpr char kEpoch[] = "1970-01-01T00:00:00Z";  // no clock in a reproducible image
constexpr char kManifestType[] = "application/vnd.oci.image.manifest.v1+json";
constexpr char kConfigType[] = "application/vnd.oci.image.config.v1+json";
constexpr char kLayerType[] = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr char kIndexType[] = "application/vnd.oci.image.index.v1+json";

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object runtimeConfig(const ImageRuntimeConfig& c) {
  // Field names are the OCI image spec's (Docker's capitalised ones).
  json::object o;
  if (!c.user.empty()) o["User"] = c.user;
  if (!c.exposedPorts.empty()) {
    json::object ports;
    for (const auto& p : c.exposedPorts) ports[p] = json::object{};
    o["ExposedPorts"] = std::move(ports);
  }
  if (!c.env.empty()) o["Env"] = strings(c.env);
  if (!c.entrypoint.empty()) o["Entrypoint"] = strings(c.entrypoint);
  if (!c.cmd.empty()) o["Cmd"] = strings(c.cmd);
  if (!c.workingDir.empty()) o["WorkingDir"] = c.workingDir;
  return o;
}

json::object descriptor(const char* mediaType, const std::string& digest, std::size_t size) {
  json::object d;
  d["mediaType"] = mediaType;
  d["digest"] = digest;
  d["size"] = size;
  return d;
}

std::string configJson(const ImageSpec& spec, const std::string& diffId, const std::string& os,
                       const std::string& arch) {
  json::object history;
  history["created"] = kEpoch;
  history["created_by"] = "kcpp image writer";
  json::object rootfs;
  rootfs["type"] = "layers";
  rootfs["diff_ids"] = json::array{json::value(diffId)};
  json::object cfg;
  cfg["created"] = kEpoch;
  cfg["architecture"] = arch;
  cfg["os"] = os;
  cfg["config"] = runtimeConfig(spec.config);
  cfg["rootfs"] = std::move(rootfs);
  cfg["history"] = json::array{json::value(std::move(history))};
  return json::serialize(cfg);
}

std::string manifestJson(const std::string& config, const std::string& layer) {
  json::object m;
  m["schemaVersion"] = 2;
  m["mediaType"] = kManifestType;
  m["config"] = descriptor(kConfigType, sha256Digest(config), config.size());
  m["layers"] = json::array{json::value(descriptor(kLayerType, sha256Digest(layer), layer.size()))};
  return json::serialize(m);
}

std::string indexJson(const std::string& manifest, const std::string& reference, const std::string& tag,
                      const std::string& os, const std::string& arch) {
  json::object entry = descriptor(kManifestType, sha256Digest(manifest), manifest.size());
  json::object annotations;
  // containerd names the imported image after this annotation; the OCI one
  // carries the tag for tools that read plain OCI layouts.
  annotations["io.containerd.image.name"] = reference;
  annotations["org.opencontainers.image.ref.name"] = tag;
  entry["annotations"] = std::move(annotations);
  json::object platform;
  platform["architecture"] = arch;
  platform["os"] = os;
  entry["platform"] = std::move(platform);
  json::object index;
  index["schemaVersion"] = 2;
  index["mediaType"] = kIndexType;
  index["manifests"] = json::array{json::value(std::move(entry))};
  return json::serialize(index);
}

// The reference must already be what containerd will store: normalised and tagged.
Result<std::string> tagOf(const std::string& reference) {
  auto parsed = api::defaults::parseImageReference(reference);
  if (!parsed || parsed->tag.empty() || !parsed->digest.empty() ||
      parsed->name + ":" + parsed->tag != reference) {
    return makeError(Reason::BadRequest, "image reference must be fully qualified and tagged "
                                         "(like docker.io/kcpp/pause:3.9): \"" + reference + "\"");
  }
  return parsed->tag;
}

Result<void> addBlob(TarTree& layout, const std::string& bytes) {
  return layout.addFile("blobs/sha256/" + sha256Hex(bytes), bytes, 0644);
}

}  // namespace

std::string hostArchitecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
#error "unknown architecture: add its GOARCH name"
#endif
}

Result<OciArchive> buildOciArchive(const ImageSpec& spec) {
  auto tag = tagOf(spec.reference);
  if (!tag) return std::move(tag).error();
  std::string os = spec.os.empty() ? "linux" : spec.os;
  std::string arch = spec.architecture.empty() ? hostArchitecture() : spec.architecture;
  auto layerTar = spec.rootfs.write();
  if (!layerTar) return std::move(layerTar).error();
  auto layer = gzipCompress(*layerTar);
  if (!layer) return std::move(layer).error();

  OciArchive out;
  out.diffId = sha256Digest(*layerTar);
  out.layerDigest = sha256Digest(*layer);
  std::string config = configJson(spec, out.diffId, os, arch);
  std::string manifest = manifestJson(config, *layer);
  out.configDigest = sha256Digest(config);
  out.manifestDigest = sha256Digest(manifest);

  TarTree layout;
  for (const std::string* blob : {&config, &manifest, &*layer}) {
    if (auto r = addBlob(layout, *blob); !r) return std::move(r).error();
  }
  if (auto r = layout.addFile("index.json", indexJson(manifest, spec.reference, *tag, os, arch)); !r) {
    return std::move(r).error();
  }
  if (auto r = layout.addFile("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !r) {
    return std::move(r).error();
  }
  auto bytes = layout.write();
  if (!bytes) return std::move(bytes).error();
  out.bytes = std::move(*bytes);
  return out;
}

Result<OciArchive> writeOciArchive(const ImageSpec& spec, const std::string& path) {
  auto archive = buildOciArchive(spec);
  if (!archive) return archive;
  if (auto r = pki::writeFileAtomic(path, archive->bytes, 0644); !r) return std::move(r).error();
  return archive;
}

}  // namespace kcpp::kubelet::images
