#include "crypto/master_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace psafe::crypto {

MasterKey::MasterKey() : key_(static_cast<unsigned char*>(sodium_malloc(kSize))) {
  if (key_ == nullptr) std::abort();  // cannot hold a key safely: nothing sensible to do
}

MasterKey::~MasterKey() { sodium_free(key_); }

Result<std::unique_ptr<MasterKey>> MasterKey::FromHex(std::string_view hex) {
  std::unique_ptr<MasterKey> k(new MasterKey());
  size_t len = 0;
  const char* end = nullptr;
  if (hex.size() != kSize * 2 ||
      sodium_hex2bin(k->key_, kSize, hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != kSize) {
    return Status::InvalidArgument("master key must be 64 hexadecimal characters");
  }
  return k;
}

Result<std::unique_ptr<MasterKey>> MasterKey::CreateFile(const std::filesystem::path& path) {
  std::unique_ptr<MasterKey> k(new MasterKey());
  randombytes_buf(k->key_, kSize);
  char hex[kSize * 2 + 2];
  sodium_bin2hex(hex, sizeof hex - 1, k->key_, kSize);
  hex[kSize * 2] = '\n';
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IOError("cannot create master key file " + path.string() + ": " +
                           std::strerror(errno));
  }
  ssize_t n = ::write(fd, hex, kSize * 2 + 1);
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  sodium_memzero(hex, sizeof hex);
  if (n != static_cast<ssize_t>(kSize * 2 + 1) || !synced) {
    return Status::IOError("cannot write master key file " + path.string());
  }
  return k;
}

Result<std::unique_ptr<MasterKey>> MasterKey::LoadFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IOError("cannot open master key file " + path.string() + ": " +
                           std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::PermissionDenied("master key file " + path.string() +
                                    " must not be accessible by group or others (chmod 600)");
  }
  char buf[kSize * 2 + 4] = {};
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  std::string_view hex(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.remove_suffix(1);
  auto k = FromHex(hex);
  sodium_memzero(buf, sizeof buf);
  return k;
}

}  // namespace psafe::crypto
