// Pod volumes: names, exactly one source, and the common sources' own rules.
#include <algorithm>

#include "api/validation/pod_internal.h"
#include "api/validation/quantity.h"

namespace kcpp::api::validation::pod {
namespace {

constexpr std::string_view kFileModeMsg = "must be a number between 0 and 0777 (octal), both inclusive";

// The volume sources in upstream's order, with the name its "more than 1 volume
// type" error uses (upstream spells two of them differently).
struct Source {
  std::string_view key;
  std::string_view errorName;
};

constexpr Source kSources[] = {
    {"emptyDir", "emptyDir"}, {"hostPath", "hostPath"}, {"gitRepo", "gitRepo"},
    {"gcePersistentDisk", "gcePersistentDisk"}, {"awsElasticBlockStore", "awsElasticBlockStore"},
    {"secret", "secret"}, {"nfs", "nfs"}, {"iscsi", "iscsi"}, {"glusterfs", "glusterfs"},
    {"flocker", "flocker"}, {"persistentVolumeClaim", "persistentVolumeClaim"}, {"rbd", "rbd"},
    {"cinder", "cinder"}, {"cephfs", "cephFS"}, {"quobyte", "quobyte"},
    {"downwardAPI", "downwarAPI"}, {"fc", "fc"}, {"flexVolume", "flexVolume"},
    {"configMap", "configMap"}, {"azureFile", "azureFile"}, {"vsphereVolume", "vsphereVolume"},
    {"photonPersistentDisk", "photonPersistentDisk"}, {"portworxVolume", "portworxVolume"},
    {"azureDisk", "azureDisk"}, {"storageos", "storageos"}, {"projected", "projected"},
    {"scaleIO", "scaleIO"}, {"csi", "csi"}, {"ephemeral", "ephemeral"}, {"image", "image"},
};

const json::object& asObject(const json::value& v) {
  static const json::object empty;
  return v.is_object() ? v.get_object() : empty;
}

void requiredString(const json::object& o, std::string_view key, const Path& p, Causes& out) {
  if (stringAt(o, key).empty()) out.push_back(required(p.child(key)));
}

void fileMode(const json::object& o, std::string_view key, const Path& p, Causes& out) {
  auto mode = intAt(o, key);
  if (mode && (*mode < 0 || *mode > 0777)) out.push_back(invalidInt(p.child(key), *mode, kFileModeMsg));
}

void localNonReservedPath(std::string_view path, const Path& p, Causes& out) {
  localDescendingPath(path, p, out);
  if (path.starts_with("..") && !path.starts_with("../")) {
    out.push_back(invalidStr(p, path, "must not start with '..'"));
  }
}

void keyToPaths(const json::object& src, const Path& p, Causes& out) {
  const json::array* items = arrayAt(src, "items");
  for (std::size_t i = 0; items && i < items->size(); ++i) {
    const json::object& kp = asObject((*items)[i]);
    Path ip = p.child("items").index(i);
    requiredString(kp, "key", ip, out);
    requiredString(kp, "path", ip, out);
    localNonReservedPath(stringAt(kp, "path"), ip.child("path"), out);
    fileMode(kp, "mode", ip, out);
  }
}

void hostPath(const json::object& s, const Path& p, Causes& out) {
  std::string_view path = stringAt(s, "path");
  if (path.empty()) return out.push_back(required(p.child("path")));
  noBacksteps(path, p.child("path"), out);
  static const std::vector<std::string> types = {"", "BlockDevice", "CharDevice", "Directory",
                                                 "DirectoryOrCreate", "File", "FileOrCreate", "Socket"};
  if (auto type = optionalString(s, "type"); type && std::find(types.begin(), types.end(), *type) == types.end()) {
    out.push_back(notSupportedStr(p.child("type"), *type, types));
  }
}

void emptyDir(const json::object& s, const Path& p, Causes& out) {
  const json::value* limit = valueAt(s, "sizeLimit");
  if (!limit) return;
  auto q = Quantity::fromJson(*limit);
  if (q && q->negative()) {
    out.push_back(forbidden(p.child("sizeLimit"), "SizeLimit field must be a valid resource quantity"));
  }
}

void nfs(const json::object& s, const Path& p, Causes& out) {
  requiredString(s, "server", p, out);
  requiredString(s, "path", p, out);
  std::string_view path = stringAt(s, "path");
  if (path.empty() || path.front() != '/') {
    out.push_back(invalidStr(p.child("path"), path, "must be an absolute path"));
  }
}

void downwardAPIFiles(const json::object& s, const Path& p, Causes& out) {
  const json::array* items = arrayAt(s, "items");
  for (std::size_t i = 0; items && i < items->size(); ++i) {
    const json::object& f = asObject((*items)[i]);
    requiredString(f, "path", p, out);
    localNonReservedPath(stringAt(f, "path"), p.child("path"), out);
    bool field = has(f, "fieldRef"), resource = has(f, "resourceFieldRef");
    if (field && resource) {
      out.push_back(invalidStr(p, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
    } else if (!field && !resource) {
      out.push_back(required(p, "one of fieldRef and resourceFieldRef is required"));
    }
    fileMode(f, "mode", p, out);
  }
}

void projected(const json::object& s, const Path& p, Causes& out) {
  fileMode(s, "defaultMode", p, out);
  const json::array* sources = arrayAt(s, "sources");
  for (std::size_t i = 0; sources && i < sources->size(); ++i) {
    const json::object& src = asObject((*sources)[i]);
    Path sp = p.child("sources").index(i);
    int kinds = 0;
    for (std::string_view k : {"secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle"}) {
      if (has(src, k)) ++kinds;
    }
    if (const json::object* token = objectAt(src, "serviceAccountToken")) {
      auto expiration = intAt(*token, "expirationSeconds");
      if (expiration && *expiration < 600) {
        out.push_back(invalidInt(sp.child("serviceAccountToken").child("expirationSeconds"), *expiration,
                                 "may not specify a duration less than 10 minutes"));
      }
      if (stringAt(*token, "path").empty()) out.push_back(required(p.child("path")));
    }
    if (kinds > 1) out.push_back(forbidden(sp, "may not specify more than 1 volume type per source"));
  }
}

void sourceRules(std::string_view key, const json::object& s, const Path& p, Causes& out) {
  if (key == "emptyDir") return emptyDir(s, p, out);
  if (key == "hostPath") return hostPath(s, p, out);
  if (key == "secret") {
    requiredString(s, "secretName", p, out);
    fileMode(s, "defaultMode", p, out);
    return keyToPaths(s, p, out);
  }
  if (key == "configMap") {
    requiredString(s, "name", p, out);
    fileMode(s, "defaultMode", p, out);
    return keyToPaths(s, p, out);
  }
  if (key == "persistentVolumeClaim") return requiredString(s, "claimName", p, out);
  if (key == "nfs") return nfs(s, p, out);
  if (key == "downwardAPI") {
    fileMode(s, "defaultMode", p, out);
    return downwardAPIFiles(s, p, out);
  }
  if (key == "projected") return projected(s, p, out);
  if (key == "csi") return requiredString(s, "driver", p, out);
}

// validateVolumeSource: exactly one source; a volume without any is an emptyDir
// (as upstream's defaulting makes it).
void validateSource(const json::object& vol, const Path& p, Causes& out, std::string& kind) {
  int count = 0;
  for (const auto& src : kSources) {
    const json::object* s = objectAt(vol, src.key);
    if (!s) continue;
    if (count++ > 0) {
      out.push_back(forbidden(p.child(src.errorName), "may not specify more than 1 volume type"));
      continue;
    }
    kind = std::string(src.key);
    sourceRules(src.key, *s, p.child(src.key), out);
  }
  if (count == 0) kind = "emptyDir";
}

}  // namespace

VolumeMap validateVolumes(const json::array* volumes, const Path& p, Causes& out) {
  VolumeMap valid;
  if (!volumes) return valid;
  std::set<std::string> names;
  for (std::size_t i = 0; i < volumes->size(); ++i) {
    const json::object& vol = asObject((*volumes)[i]);
    Path ip = p.index(i);
    Causes errs;
    std::string kind;
    validateSource(vol, ip, errs, kind);
    std::string name(stringAt(vol, "name"));
    if (name.empty()) {
      errs.push_back(required(ip.child("name")));
    } else {
      dns1123Label(name, ip.child("name"), errs);
    }
    if (names.count(name)) errs.push_back(duplicateStr(ip.child("name"), name));
    if (errs.empty()) {
      names.insert(name);
      valid[name] = kind;
    }
    append(out, std::move(errs));
  }
  return valid;
}

}  // namespace kcpp::api::validation::pod
