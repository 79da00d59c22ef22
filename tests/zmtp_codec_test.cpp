// todo-bench's ZMTP 3.0 codec on bytes alone: what it encodes decodes back,
// whatever pieces the bytes come in, and the frames no peer may send are
// refused with the reason.
#include "bench/zmtp_codec.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace todo {
namespace {

using bench::ZmtpDecoder;
using bench::ZmtpFrame;
using bench::ZmtpProtocolError;

std::string frame(unsigned char flags, std::string_view body) {
  std::string bytes;
  bench::append_zmtp_frame(bytes, flags, body);
  return bytes;
}

// Every message the decoder gives for `bytes` fed in pieces of `piece` bytes.
std::vector<std::string> messages_of(std::string_view bytes, std::size_t piece) {
  ZmtpDecoder decoder;
  std::vector<std::string> messages;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    decoder.feed(bytes.substr(at, piece));
    std::string_view message;
    while (decoder.next_message(message)) messages.emplace_back(message);
  }
  return messages;
}

TEST_CASE("a short frame is its flags, a size byte and the body, and decodes back") {
  const std::string bytes = frame(0, "hello");
  CHECK(bytes == std::string("\x00\x05hello", 7));
  ZmtpDecoder decoder;
  decoder.feed(bytes);
  ZmtpFrame decoded;
  REQUIRE(decoder.next_frame(decoded));
  CHECK(decoded.flags == 0);
  CHECK(decoded.body == "hello");
  CHECK_FALSE(decoder.next_frame(decoded));
  CHECK(decoder.unread().empty());
}

TEST_CASE("an empty frame and one of 255 bytes are short frames") {
  CHECK(frame(0, "") == std::string("\x00\x00", 2));
  const std::string body(255, 'b');
  const std::string bytes = frame(0, body);
  CHECK(bytes.size() == 2 + 255);
  CHECK(messages_of(bytes, bytes.size()) == std::vector<std::string>{body});
}

TEST_CASE("a frame over 255 bytes has the long flag and an 8-byte big-endian size") {
  const std::string body(256 + 65'536, 'l');  // 0x10100 bytes
  const std::string bytes = frame(0, body);
  CHECK(bytes.substr(0, 9) == std::string("\x02\0\0\0\0\0\x01\x01\0", 9));
  CHECK(bytes.size() == 9 + body.size());
  ZmtpDecoder decoder;
  decoder.feed(bytes);
  ZmtpFrame decoded;
  REQUIRE(decoder.next_frame(decoded));
  CHECK(decoded.flags == bench::kZmtpLongFlag);
  CHECK(decoded.body == body);
}

TEST_CASE("a frame split across feeds at every byte comes whole once its last byte does") {
  for (const std::string& body : {std::string("split me"), std::string(300, 's')}) {
    const std::string bytes = frame(0, body);
    for (std::size_t split = 1; split < bytes.size(); ++split) {
      INFO("frame of " << bytes.size() << " bytes split at " << split);
      ZmtpDecoder decoder;
      ZmtpFrame decoded;
      decoder.feed(std::string_view(bytes).substr(0, split));
      CHECK_FALSE(decoder.next_frame(decoded));
      decoder.feed(std::string_view(bytes).substr(split));
      REQUIRE(decoder.next_frame(decoded));
      CHECK(decoded.body == body);
    }
  }
}

TEST_CASE("frames fed one byte at a time give every message, in order") {
  const std::string bytes = frame(0, "one") + frame(0, std::string(1'000, '2')) + frame(0, "three");
  const std::vector<std::string> expected = {"one", std::string(1'000, '2'), "three"};
  CHECK(messages_of(bytes, 1) == expected);
  CHECK(messages_of(bytes, 7) == expected);
  CHECK(messages_of(bytes, bytes.size()) == expected);
}

TEST_CASE("the frames of a multi-part message are given joined, once the last has come") {
  const std::string bytes = frame(bench::kZmtpMoreFlag, "two ") +
                            frame(bench::kZmtpMoreFlag, std::string(300, '-')) + frame(0, "parts") +
                            frame(0, "next");
  const std::vector<std::string> expected = {"two " + std::string(300, '-') + "parts", "next"};
  CHECK(messages_of(bytes, bytes.size()) == expected);
  CHECK(messages_of(bytes, 1) == expected);

  ZmtpDecoder decoder;
  decoder.feed(frame(bench::kZmtpMoreFlag, "first "));
  std::string_view message;
  CHECK_FALSE(decoder.next_message(message));
  decoder.feed(frame(0, "last"));
  REQUIRE(decoder.next_message(message));
  CHECK(message == "first last");
}

TEST_CASE("a command between messages is passed over and counted") {
  const std::string heartbeat = std::string("\x04\x07\x04PING\0\0", 9);  // TTL 0
  ZmtpDecoder decoder;
  decoder.feed(frame(0, "before") + heartbeat + frame(0, "after"));
  std::string_view message;
  REQUIRE(decoder.next_message(message));
  CHECK(message == "before");
  REQUIRE(decoder.next_message(message));
  CHECK(message == "after");
  CHECK(decoder.skipped_commands() == 1);

  ZmtpDecoder frames;
  frames.feed(heartbeat);
  ZmtpFrame decoded;
  REQUIRE(frames.next_frame(decoded));
  CHECK(decoded.is_command());
  CHECK_FALSE(decoded.has_more());
  CHECK(bench::zmtp_command_name(decoded.body) == "PING");
}

TEST_CASE("frame flags with reserved bits set are refused") {
  for (const unsigned char flags : {0x08, 0x10, 0x80, 0x09}) {
    INFO("flags " << int{flags});
    ZmtpDecoder decoder;
    decoder.feed(std::string(1, static_cast<char>(flags)) + std::string("\x01x", 2));
    ZmtpFrame decoded;
    CHECK_THROWS_WITH(decoder.next_frame(decoded), Catch::Contains("set reserved bits"));
  }
}

TEST_CASE("a frame whose size is over the limit is refused before its body comes") {
  // 2^40 bytes: only the header is there, and it is refused at once.
  ZmtpDecoder decoder;
  decoder.feed(std::string("\x02\0\0\x01\0\0\0\0\0", 9));
  ZmtpFrame decoded;
  CHECK_THROWS_AS(decoder.next_frame(decoded), ZmtpProtocolError);
  CHECK_THROWS_WITH(decoder.next_frame(decoded), Catch::Contains("1099511627776 bytes is over"));
  ZmtpDecoder top_byte;  // 2^56: every byte of the size counts
  top_byte.feed(std::string("\x02\x01\0\0\0\0\0\0\0", 9));
  CHECK_THROWS_AS(top_byte.next_frame(decoded), ZmtpProtocolError);

  // The limit itself is taken; one byte more is not.
  std::string at_limit("\x02", 1);
  std::string over_limit("\x02", 1);
  for (int shift = 56; shift >= 0; shift -= 8) {
    at_limit += static_cast<char>((bench::kMaxZmtpFrameBytes >> shift) & 0xff);
    over_limit += static_cast<char>(((bench::kMaxZmtpFrameBytes + 1) >> shift) & 0xff);
  }
  ZmtpDecoder at;
  at.feed(at_limit);
  CHECK_FALSE(at.next_frame(decoded));  // waits for the body
  ZmtpDecoder over;
  over.feed(over_limit);
  CHECK_THROWS_AS(over.next_frame(decoded), ZmtpProtocolError);
}

TEST_CASE("the greeting is ZMTP 3.0 with the NULL mechanism, and the checks accept it") {
  const std::string greeting = bench::zmtp_greeting();
  REQUIRE(greeting.size() == bench::kZmtpGreetingBytes);
  CHECK(greeting.substr(0, 11) == std::string("\xff\0\0\0\0\0\0\0\0\x7f\x03", 11));
  CHECK(greeting.substr(12, 4) == "NULL");
  CHECK(bench::check_zmtp_signature(greeting) == "");
  CHECK(bench::check_zmtp_mechanism(greeting) == "");

  std::string not_zmtp = greeting;
  not_zmtp[0] = 'G';
  CHECK(bench::check_zmtp_signature(not_zmtp) == "the peer's greeting is not ZMTP");
  std::string older = greeting;
  older[10] = 2;
  CHECK(bench::check_zmtp_signature(older) == "the peer speaks ZMTP 2, not 3");
  std::string curve = greeting;
  curve.replace(12, 5, "CURVE");
  CHECK(bench::check_zmtp_mechanism(curve) ==
        "the peer asks for a security mechanism other than NULL");
}

TEST_CASE("a READY command names its socket type, and the check wants the one asked for") {
  const std::string bytes = bench::zmtp_ready_command("DEALER");
  CHECK(bytes == std::string("\x04\x1c\x05READY\x0bSocket-Type\0\0\0\x06"
                             "DEALER",
                             30));
  ZmtpDecoder decoder;
  decoder.feed(bytes);
  ZmtpFrame ready;
  REQUIRE(decoder.next_frame(ready));
  CHECK(ready.is_command());
  CHECK(bench::zmtp_command_name(ready.body) == "READY");
  CHECK(bench::zmtp_socket_type(ready.body) == "DEALER");
  CHECK(bench::check_zmtp_ready(ready, "DEALER") == "");
  CHECK(bench::check_zmtp_ready(ready, "ROUTER") == "the peer is a DEALER, not a ROUTER");

  CHECK(bench::check_zmtp_ready({0, "hi"}, "ROUTER") == "a message came before the peer's READY");
  CHECK(bench::check_zmtp_ready({bench::kZmtpCommandFlag, std::string_view("\x05"
                                                                           "ERROR\x03no!",
                                                                           10)},
                                "ROUTER") == "the peer refused: no!");
  CHECK(bench::check_zmtp_ready({bench::kZmtpCommandFlag, "\x04PING"}, "ROUTER") ==
        "the peer's first command is PING, not READY");
  CHECK(bench::check_zmtp_ready({bench::kZmtpCommandFlag, "\x05READY"}, "ROUTER") ==
        "the peer is a socket of no type, not a ROUTER");
}

TEST_CASE("a command cut short is refused") {
  CHECK_THROWS_WITH(bench::zmtp_command_name("\x05REA"), Catch::Contains("too short for its name"));
  CHECK_THROWS_WITH(
      bench::zmtp_socket_type(std::string("\x05READY\x0bSocket-Type\0\0\0\x06ROU", 25)),
      Catch::Contains("cut off"));
}

}  // namespace
}  // namespace todo
