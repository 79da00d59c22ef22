// CURVE keys in files, as `todo keygen` writes them and todod and todo read
// them. A key is ZeroMQ's Z85 text of 32 bytes: 40 characters.
//
//   FILE      mode 0600   # comment
//                         public-key = <40 characters>
//                         secret-key = <40 characters>
//   FILE.pub  mode 0644   public-key = <40 characters>
//
// A file holding a secret key is refused when its group or others can read
// it, as ssh refuses such a private key: whoever reads it can act as its owner.
//
// Thread safety: pure functions of the file system.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace todo {

inline constexpr std::size_t kCurveKeyLength = 40;

struct CurveKeyPair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

// Whether text has the shape of a Z85 key (40 characters of Z85's alphabet).
bool is_curve_key_text(std::string_view text);

// The key pair in a secret key file.
Result<CurveKeyPair> read_curve_key_pair(const std::filesystem::path& file);
// The public key in a file: FILE.pub, or a secret key file.
Result<std::string> read_curve_public_key(const std::filesystem::path& file);

// Writes file (0600) and file.pub; refuses to overwrite either.
Result<void> write_curve_key_pair(const std::filesystem::path& file, const CurveKeyPair& keys);

}  // namespace todo
