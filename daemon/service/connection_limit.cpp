#include "daemon/service/connection_limit.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <zmq.hpp>

namespace todo {
namespace {

constexpr const char* kMonitorEndpoint = "inproc://todod-connection-monitor";

}  // namespace

std::size_t ConnectionLimit::limit_for(std::size_t asked, std::size_t open_files) {
  const std::size_t reserved = std::max(kReservedDescriptors, open_files / 2);
  const std::size_t allowed = open_files > reserved ? open_files - reserved : 1;
  return std::max<std::size_t>(1, std::min(asked, allowed));
}

Result<std::unique_ptr<ConnectionLimit>> ConnectionLimit::watch(zmq::context_t& context,
                                                                zmq::socket_t& router,
                                                                std::size_t limit) {
  if (zmq_socket_monitor(router.handle(), kMonitorEndpoint,
                         ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_ACCEPT_FAILED) !=
      0) {
    return Error::internal(std::string("cannot count connections: ") + zmq_strerror(zmq_errno()));
  }
  auto monitor = std::make_unique<zmq::socket_t>(context, zmq::socket_type::pair);
  monitor->set(zmq::sockopt::linger, 0);
  // A monitor that falls behind drops events, and a lost disconnection would
  // leave the count high for good: room for a burst of every connection.
  monitor->set(zmq::sockopt::rcvhwm, 0);
  monitor->connect(kMonitorEndpoint);
  return std::unique_ptr<ConnectionLimit>(new ConnectionLimit(std::move(monitor), limit));
}

ConnectionLimit::ConnectionLimit(std::unique_ptr<zmq::socket_t> monitor, std::size_t limit)
    : monitor_(std::move(monitor)), limit_(limit) {}

ConnectionLimit::~ConnectionLimit() { monitor_->close(); }

void* ConnectionLimit::socket_handle() const { return monitor_->handle(); }

ConnectionLimit::Change ConnectionLimit::read_events() {
  bool is_out_of_descriptors = false;
  for (;;) {
    zmq::message_t event;
    if (!monitor_->recv(event, zmq::recv_flags::dontwait)) break;
    std::uint16_t number = 0;
    std::uint32_t value = 0;
    if (event.size() >= sizeof number + sizeof value) {
      std::memcpy(&number, event.data(), sizeof number);
      std::memcpy(&value, event.data<char>() + sizeof number, sizeof value);
    }
    // The second frame, the endpoint, is not needed.
    while (event.more()) {
      zmq::message_t rest;
      if (!monitor_->recv(rest, zmq::recv_flags::none)) break;
      event = std::move(rest);
    }
    if (number == ZMQ_EVENT_ACCEPTED) {
      ++connections_;
    } else if (number == ZMQ_EVENT_DISCONNECTED) {
      if (connections_ > 0) --connections_;
    } else if (number == ZMQ_EVENT_ACCEPT_FAILED && (value == static_cast<std::uint32_t>(EMFILE) ||
                                                     value == static_cast<std::uint32_t>(ENFILE))) {
      is_out_of_descriptors = true;
      // Out of descriptors below the limit: what is left of them is the
      // limit. Counted now, not after the batch: disconnections read later
      // in it would set the limit near zero for good.
      limit_ = std::max<std::size_t>(1, std::min(limit_, connections_));
    }
  }
  ran_out_of_descriptors_ = is_out_of_descriptors;
  if (is_accepting_ && (connections_ >= limit_ || is_out_of_descriptors)) {
    is_accepting_ = false;
    return Change::stop_accepting;
  }
  if (!is_accepting_ && connections_ < limit_ - limit_ / 10) {
    is_accepting_ = true;
    return Change::accept_again;
  }
  return Change::none;
}

}  // namespace todo
