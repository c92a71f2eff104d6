#include "kubelet/images/tar.h"

#include <algorithm>
#include <cstring>

namespace kcpp::kubelet::images {
namespace {

constexpr std::size_t kBlock = 512;

// Offsets of the ustar header fields (POSIX.1-1988 "ustar" format).
struct Field { std::size_t offset, length; };
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12},
    kMtime{136, 12}, kChecksum{148, 8}, kLinkname{157, 100}, kMagic{257, 6}, kVersion{263, 2},
    kPrefix{345, 155};
constexpr std::size_t kTypeflag = 156;

Error badRequest(std::string message) { return makeError(Reason::BadRequest, std::move(message)); }

void putString(char* header, Field f, std::string_view s) {
  std::memcpy(header + f.offset, s.data(), std::min(s.size(), f.length));
}

// Zero-padded octal filling the field but its last byte (a NUL), as tar writes.
bool putOctal(char* header, Field f, std::uint64_t value) {
  std::size_t digits = f.length - 1;
  for (std::size_t i = digits; i-- > 0;) {
    header[f.offset + i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  return value == 0;
}

unsigned checksum(const char* header) {
  unsigned sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    bool inChecksum = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.length;
    sum += inChecksum ? ' ' : static_cast<unsigned char>(header[i]);
  }
  return sum;
}

// Splits a long name into ustar's prefix and name at a "/".
bool splitName(const std::string& name, std::string& prefix, std::string& rest) {
  if (name.size() <= kName.length) { prefix.clear(); rest = name; return true; }
  for (std::size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
    if (slash <= kPrefix.length && name.size() - slash - 1 <= kName.length && slash + 1 < name.size()) {
      prefix = name.substr(0, slash);
      rest = name.substr(slash + 1);
      return true;
    }
  }
  return false;
}

char typeflagOf(TarEntryType t) {
  switch (t) {
    case TarEntryType::File: return '0';
    case TarEntryType::Directory: return '5';
    case TarEntryType::Symlink: return '2';
  }
  return '0';
}

Result<void> appendEntry(std::string& out, const TarEntry& e, std::int64_t mtime) {
  std::string name = e.type == TarEntryType::Directory ? e.path + "/" : e.path;
  std::string prefix, rest;
  if (!splitName(name, prefix, rest)) return badRequest("tar: name too long for ustar: " + name);
  if (e.linkTarget.size() > kLinkname.length) return badRequest("tar: link target too long: " + e.linkTarget);
  char header[kBlock] = {};
  putString(header, kName, rest);
  putString(header, kPrefix, prefix);
  putOctal(header, kMode, e.mode & 07777);
  putOctal(header, kUid, 0);
  putOctal(header, kGid, 0);
  std::uint64_t size = e.type == TarEntryType::File ? e.content.size() : 0;
  if (!putOctal(header, kSize, size)) return badRequest("tar: file too large: " + e.path);
  if (!putOctal(header, kMtime, static_cast<std::uint64_t>(mtime))) return badRequest("tar: bad mtime");
  header[kTypeflag] = typeflagOf(e.type);
  putString(header, kLinkname, e.linkTarget);
  putString(header, kMagic, std::string_view("ustar\0", 6));
  putString(header, kVersion, "00");
  Field digits{kChecksum.offset, 7};  // six octal digits and a NUL, then a space
  putOctal(header, digits, checksum(header));
  header[kChecksum.offset + 7] = ' ';
  out.append(header, kBlock);
  if (size == 0) return {};
  out.append(e.content);
  out.append((kBlock - size % kBlock) % kBlock, '\0');
  return {};
}

std::uint64_t parseOctal(std::string_view field) {
  std::uint64_t v = 0;
  for (char c : field) {
    if (c == '\0' || c == ' ') {
      if (v != 0) break;
      continue;
    }
    if (c < '0' || c > '7') break;
    v = (v << 3) | static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::string cString(std::string_view field) {
  std::size_t nul = field.find('\0');
  return std::string(field.substr(0, nul));
}

std::string_view fieldOf(std::string_view header, Field f) { return header.substr(f.offset, f.length); }

}  // namespace

Result<std::string> normaliseArchivePath(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(i, slash - i);
    i = slash + 1;
    if (part.empty()) continue;
    if (part == "." || part == ".." || part.find('\0') != std::string_view::npos) {
      return badRequest("invalid path in archive: \"" + std::string(path) + "\"");
    }
    if (!out.empty()) out.push_back('/');
    out.append(part);
  }
  if (out.empty()) return badRequest("invalid path in archive: \"" + std::string(path) + "\"");
  return out;
}

Result<void> TarTree::add(TarEntry entry) {
  auto path = normaliseArchivePath(entry.path);
  if (!path) return std::move(path).error();
  entry.path = std::move(*path);
  // Parents must be directories: an entry under a file or link is a conflict.
  for (std::size_t slash = entry.path.find('/'); slash != std::string::npos;
       slash = entry.path.find('/', slash + 1)) {
    auto parent = entries_.find(entry.path.substr(0, slash));
    if (parent != entries_.end() && parent->second.type != TarEntryType::Directory) {
      return badRequest("tar: " + entry.path + " is under non-directory " + parent->first);
    }
  }
  // A non-directory cannot take the place of a directory that has entries.
  auto child = entries_.lower_bound(entry.path + "/");
  if (entry.type != TarEntryType::Directory && child != entries_.end() &&
      child->first.starts_with(entry.path + "/")) {
    return badRequest("tar: " + entry.path + " has entries and must be a directory");
  }
  auto [it, inserted] = entries_.try_emplace(entry.path, entry);
  if (inserted) return {};
  const TarEntry& old = it->second;
  if (old.type == TarEntryType::Directory && entry.type == TarEntryType::Directory) {
    it->second.mode = entry.mode;  // an explicit directory replaces an implicit one
    return {};
  }
  return badRequest("tar: duplicate path " + entry.path);
}

Result<void> TarTree::addFile(std::string_view path, std::string content, std::uint32_t mode) {
  TarEntry e;
  e.type = TarEntryType::File;
  e.path = std::string(path);
  e.content = std::move(content);
  e.mode = mode;
  return add(std::move(e));
}

Result<void> TarTree::addDirectory(std::string_view path, std::uint32_t mode) {
  TarEntry e;
  e.type = TarEntryType::Directory;
  e.path = std::string(path);
  e.mode = mode;
  return add(std::move(e));
}

Result<void> TarTree::addSymlink(std::string_view path, std::string target) {
  if (target.empty()) return badRequest("tar: empty symlink target for " + std::string(path));
  TarEntry e;
  e.type = TarEntryType::Symlink;
  e.path = std::string(path);
  e.linkTarget = std::move(target);
  e.mode = 0777;
  return add(std::move(e));
}

Result<std::string> TarTree::write(std::int64_t mtime) const {
  if (mtime < 0) return badRequest("tar: negative mtime");
  // Implicit parents first, so that every directory appears before its entries.
  std::map<std::string, TarEntry> all = entries_;
  for (const auto& [path, entry] : entries_) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      TarEntry dir;
      dir.type = TarEntryType::Directory;
      dir.path = path.substr(0, slash);
      dir.mode = 0755;
      all.try_emplace(dir.path, std::move(dir));
    }
  }
  std::string out;
  for (const auto& [path, entry] : all) {
    if (auto r = appendEntry(out, entry, mtime); !r) return std::move(r).error();
  }
  out.append(2 * kBlock, '\0');  // end-of-archive marker
  return out;
}

bool looksLikeTarHeader(std::string_view block) {
  if (block.size() < kBlock) return false;
  std::string_view header = block.substr(0, kBlock);
  if (header.find_first_not_of('\0') == std::string_view::npos) return false;
  return parseOctal(fieldOf(header, kChecksum)) == checksum(header.data());
}

Result<std::vector<TarEntry>> readTar(std::string_view archive) {
  std::vector<TarEntry> entries;
  std::size_t pos = 0;
  for (;;) {
    if (pos + kBlock > archive.size()) return badRequest("not a tar archive: truncated header");
    std::string_view header = archive.substr(pos, kBlock);
    if (header.find_first_not_of('\0') == std::string_view::npos) return entries;  // end marker
    if (parseOctal(fieldOf(header, kChecksum)) != checksum(header.data())) {
      return badRequest("not a tar archive: bad header checksum at offset " + std::to_string(pos));
    }
    TarEntry e;
    std::string name = cString(fieldOf(header, kName));
    std::string prefix = cString(fieldOf(header, kPrefix));
    bool ustar = fieldOf(header, kMagic).substr(0, 5) == "ustar";
    if (ustar && !prefix.empty()) name = prefix + "/" + name;
    char flag = header[kTypeflag];
    e.type = flag == '5' ? TarEntryType::Directory : flag == '2' ? TarEntryType::Symlink : TarEntryType::File;
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    e.path = name;
    e.mode = static_cast<std::uint32_t>(parseOctal(fieldOf(header, kMode)));
    e.mtime = static_cast<std::int64_t>(parseOctal(fieldOf(header, kMtime)));
    e.linkTarget = cString(fieldOf(header, kLinkname));
    std::uint64_t size = parseOctal(fieldOf(header, kSize));
    pos += kBlock;
    if (size > archive.size() - pos) return badRequest("not a tar archive: truncated entry " + name);
    if (flag == '0' || flag == '\0') e.content = std::string(archive.substr(pos, size));
    pos += (size + kBlock - 1) / kBlock * kBlock;
    entries.push_back(std::move(e));
  }
}

}  // namespace kcpp::kubelet::images
