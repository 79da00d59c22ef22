#include "common/endpoint.hpp"

#include <arpa/inet.h>

namespace todo {

std::optional<std::string> ipc_path_of(std::string_view endpoint) {
  if (!endpoint.starts_with(kIpcScheme)) return std::nullopt;
  return std::string(endpoint.substr(kIpcScheme.size()));
}

bool is_tcp(std::string_view endpoint) { return endpoint.starts_with(kTcpScheme); }

std::optional<std::string> tcp_host_of(std::string_view endpoint) {
  if (!is_tcp(endpoint)) return std::nullopt;
  std::string_view address = endpoint.substr(kTcpScheme.size());
  // A connect endpoint may name a source first: "SOURCE;ADDRESS:PORT".
  if (const auto source_end = address.rfind(';'); source_end != std::string_view::npos) {
    address = address.substr(source_end + 1);
  }
  const auto port_start = address.rfind(':');
  if (port_start == std::string_view::npos || port_start + 1 == address.size()) {
    return std::nullopt;
  }
  std::string host(address.substr(0, port_start));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host;
}

bool is_loopback_tcp(std::string_view endpoint) {
  const std::optional<std::string> host = tcp_host_of(endpoint);
  if (!host) return false;
  in_addr ipv4{};
  if (::inet_pton(AF_INET, host->c_str(), &ipv4) == 1) return (ntohl(ipv4.s_addr) >> 24) == 127;
  in6_addr ipv6{};
  return ::inet_pton(AF_INET6, host->c_str(), &ipv6) == 1 && IN6_IS_ADDR_LOOPBACK(&ipv6);
}

}  // namespace todo
