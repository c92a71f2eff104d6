// Image archives as kcpp reads them: tar headers (readTar, looksLikeTarHeader),
// gzip streams, compression sniffing; a tar that parses is written back through
// TarTree (paths normalised, conflicts refused) without crashing.
#include "kubelet/images/compressed_file.h"
#include "kubelet/images/gzip.h"
#include "kubelet/images/tar.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace kcpp::kubelet::images;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)detectCompression(input);
  (void)looksLikeTarHeader(input);
  (void)gzipDecompress(input);
  auto entries = readTar(input);
  if (!entries) return 0;
  TarTree tree;
  for (const auto& e : *entries) {
    switch (e.type) {
      case TarEntryType::File: (void)tree.addFile(e.path, e.content, e.mode); break;
      case TarEntryType::Directory: (void)tree.addDirectory(e.path, e.mode); break;
      case TarEntryType::Symlink: (void)tree.addSymlink(e.path, e.linkTarget); break;
    }
  }
  (void)tree.write(0);
  return 0;
}
