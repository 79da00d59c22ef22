// CURVE keys in files, as `todo keygen` writes them and todod and todo read
// them. A key is ZeroMQ's Z85 text of 32 bytes: 40 characters.
//
//   FILE      mode 0600   # comment
//                         public-key = <40 characters>
//                         secret-key = <40 characters>
//   FILE.pub  mode 0644   public-key = <40 characters>
//
// A file holding a secret key is refused when its group or others can read
// it, as ssh refuses such a private key: whoever reads it can act as its owner;
// and when its public key is not the one its secret key makes. Only regular
// files are read (a FIFO would block), through one open, so the mode checked is
// that of the file read.
//
// Thread safety: pure functions of the file system.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

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

// A fresh key pair (libzmq's, from libsodium).
Result<CurveKeyPair> generate_curve_key_pair();

// The key pair in a secret key file.
Result<CurveKeyPair> read_curve_key_pair(const std::filesystem::path& file);
// The public key in a file: FILE.pub, or a secret key file.
Result<std::string> read_curve_public_key(const std::filesystem::path& file);
// The public key in a key file's text; source names it in errors.
Result<std::string> curve_public_key_in(std::string_view text, const std::string& source);

// A key file's text and status, from one open of a regular file, so that the
// status is that of the text read. file is relative to directory_fd
// (AT_FDCWD: the working directory); open_flags adds to the open's, as
// O_NOFOLLOW to refuse a symbolic link.
struct KeyFileContents {
  std::string text;
  struct stat status {};
};
Result<KeyFileContents> read_key_file_at(int directory_fd, const std::filesystem::path& file,
                                         int open_flags = 0);

// Writes file (0600) and file.pub; refuses to overwrite either.
Result<void> write_curve_key_pair(const std::filesystem::path& file, const CurveKeyPair& keys);

}  // namespace todo
