// libFuzzer target for the wire request decoder (decode_request), the first
// code in todod that reads what any local process may send.
//
// Beyond "no crash, leak, hang or undefined behaviour", every input checks
// what todod relies on:
//  - a request that decodes is exactly what encode_request() writes for it:
//    the protocol has one encoding per value, so a decoder that let a corrupt
//    byte through (a bool of 2, an unknown flag, a trailing byte) shows up as
//    a difference;
//  - peek_request_id() agrees with the decoded id, so an error reply and an
//    ok reply to the same bytes would carry the same id;
//  - a refused request is refused as invalid_argument "corrupt request: ...",
//    and the error reply todod sends for it (Listener) decodes on the client
//    side with the id and the message intact.
//
// scripts/fuzz.sh runs it; the seed corpus is tests/fuzz/corpus/request_decoder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/protocol.hpp"
#include "require.hpp"

namespace todo::fuzz {
namespace {

void check_error_reply(std::string_view bytes, const Error& error) {
  const std::uint64_t request_id = peek_request_id(bytes).value_or(0);
  const Result<Reply> reply = decode_reply(encode_reply(Reply::failure(request_id, error)));
  if (!reply) fail("the error reply to a refused request decodes", reply.error().message);
  require(reply.value().request_id == request_id, "the error reply keeps the request id");
  require(reply.value().status == error.code, "the error reply keeps the status");
  require(reply.value().message == error.message, "the error reply keeps the message");
}

void check_request(std::string_view bytes) {
  const Result<Request> request = decode_request(bytes);
  if (!request) {
    require_refused_as_corrupt(request, "corrupt request: ");
    check_error_reply(bytes, request.error());
    return;
  }
  require(encode_request(request.value()) == bytes, "a decoded request re-encodes to its bytes");
  require(peek_request_id(bytes) == request.value().id, "peek_request_id agrees with the decoder");
}

}  // namespace
}  // namespace todo::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  todo::fuzz::check_request(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
