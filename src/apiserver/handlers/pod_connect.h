#pragma once
// The subresources the API server proxies to a node's kubelet, as upstream's
// pod and node REST "connecters": pods/log (GET, streamed), pods/exec,
// pods/attach, pods/portforward (upgrades: WebSocket or SPDY, relayed byte for
// byte once the kubelet switched protocols) and nodes/proxy (any path).

#include <boost/asio/awaitable.hpp>

#include "apiserver/handlers/api_handler.h"

namespace kcpp::apiserver {

// Whether `resource/subresource` is one of those.
bool isKubeletSubresource(const std::string& group, const std::string& resource,
                          const std::string& subresource);

boost::asio::awaitable<void> handleKubeletSubresource(ApiRequest& request, const RequestInfo& info,
                                                      Registry& registry, Registry* nodes,
                                                      KubeletConnector* connector, ResponseSink& sink);

}  // namespace kcpp::apiserver
