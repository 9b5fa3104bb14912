#include "common/psrun_factors.h"

#include "common/strings.h"

namespace psafe {

std::string PsrunCanonicalString(const PsrunFactors& f, std::string_view method, std::string_view path) {
  std::string out = "PSRUN-" + std::string(kPsrunProtocol) + "\n";
  out += ToUpperAscii(method) + "\n";
  out += path.substr(0, path.find('?'));
  out += "\n" + f.timestamp + "\n" + f.nonce;
  for (const PsrunFactorInfo& info : kPsrunFactors) {
    out += "\n";
    out += info.name;
    // Encoded, so a value holding '\n' cannot pose as another line.
    out += "=" + PercentEncodeHeaderValue(f.Get(info.factor));
  }
  return out;
}

std::string PercentEncodeHeaderValue(std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (c > 0x20 && c < 0x7F && c != '%') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> PercentDecodeHeaderValue(std::string_view v) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i];
      continue;
    }
    if (i + 2 >= v.size()) return std::nullopt;
    int hi = hex(v[i + 1]), lo = hex(v[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace psafe
