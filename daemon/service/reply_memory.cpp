#include "daemon/service/reply_memory.hpp"

namespace todo {

std::optional<ReplyMemory::Refusal> ReplyMemory::try_hold(const Claim& claim) {
  MutexLock lock(mutex_);
  auto [connection, is_new_connection] = connections_.try_emplace(claim.connection);
  Connection& use = connection->second;
  const bool is_new_to_connection = !use.claims.contains(claim.buffer);
  const bool is_new_buffer = !buffers_.contains(claim.buffer);
  if (is_new_to_connection && use.bytes > 0 && use.bytes + claim.bytes > bounds_.per_connection) {
    const Refusal refusal{true, use.bytes, bounds_.per_connection};
    if (is_new_connection) connections_.erase(connection);
    return refusal;
  }
  if (is_new_buffer && total_bytes_ > 0 && total_bytes_ + claim.bytes > bounds_.total) {
    const Refusal refusal{false, total_bytes_, bounds_.total};
    if (is_new_connection) connections_.erase(connection);
    return refusal;
  }
  if (++use.claims[claim.buffer] == 1) use.bytes += claim.bytes;
  Buffer& buffer = buffers_[claim.buffer];
  if (++buffer.claims == 1) {
    buffer.bytes = claim.bytes;
    total_bytes_ += claim.bytes;
  }
  return std::nullopt;
}

void ReplyMemory::release(const Claim& claim) {
  MutexLock lock(mutex_);
  if (auto connection = connections_.find(claim.connection); connection != connections_.end()) {
    Connection& use = connection->second;
    if (auto held = use.claims.find(claim.buffer);
        held != use.claims.end() && --held->second == 0) {
      use.claims.erase(held);
      use.bytes -= claim.bytes;
      if (use.claims.empty()) connections_.erase(connection);
    }
  }
  if (auto buffer = buffers_.find(claim.buffer); buffer != buffers_.end()) {
    if (--buffer->second.claims == 0) {
      total_bytes_ -= buffer->second.bytes;
      buffers_.erase(buffer);
    }
  }
}

std::size_t ReplyMemory::total_bytes() const {
  MutexLock lock(mutex_);
  return total_bytes_;
}

std::size_t ReplyMemory::connection_bytes(const std::string& connection) const {
  MutexLock lock(mutex_);
  const auto found = connections_.find(connection);
  return found == connections_.end() ? 0 : found->second.bytes;
}

}  // namespace todo
