#include "storage/encryption/reencrypt.h"

namespace kcpp::storage {

boost::asio::awaitable<Result<std::size_t>> reencryptPrefix(Store& store, std::string prefix,
                                                            const Transformer& transformer) {
  std::size_t rewritten = 0;
  RangeRequest request;
  request.prefix = prefix;
  request.limit = 500;
  for (;;) {
    auto page = co_await store.range(request);
    if (!page) co_return std::move(page).error();
    for (const KeyValue& kv : page->kvs) {
      if (!transformer.isStale(kv.value)) continue;
      auto plain = transformer.fromStorage(kv.value, kv.key);
      if (!plain) co_return std::move(plain).error();
      auto stored = transformer.toStorage(*plain, kv.key);
      if (!stored) co_return std::move(stored).error();
      std::string key = kv.key;
      std::string value = std::move(*stored);
      auto written = co_await store.update(key, value, kv.modRevision);
      if (!written && written.error().reason != Reason::Conflict &&
          written.error().reason != Reason::NotFound) {
        co_return std::move(written).error();
      }
      if (written) ++rewritten;
    }
    if (!page->more || page->kvs.empty()) break;
    request.startAfter = page->kvs.back().key;
  }
  co_return rewritten;
}

}  // namespace kcpp::storage
