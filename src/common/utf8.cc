#include "common/utf8.h"

namespace psafe {

namespace {

// Unicode table 3-7, "Well-Formed UTF-8 Byte Sequences": the lead byte decides the
// length and the range of the second byte; every later byte is 80..BF. The narrowed
// second-byte ranges are what exclude overlong forms (E0, F0), surrogates (ED) and code
// points above U+10FFFF (F4). C0, C1 and F5..FF never lead.
struct Utf8Form {
  unsigned char lead_lo, lead_hi;
  unsigned char second_lo, second_hi;
  size_t length;
};
constexpr Utf8Form kForms[] = {
    {0x00, 0x7F, 0x00, 0x00, 1},  // U+0000..U+007F
    {0xC2, 0xDF, 0x80, 0xBF, 2},  // U+0080..U+07FF
    {0xE0, 0xE0, 0xA0, 0xBF, 3},  // U+0800..U+0FFF
    {0xE1, 0xEC, 0x80, 0xBF, 3},  // U+1000..U+CFFF
    {0xED, 0xED, 0x80, 0x9F, 3},  // U+D000..U+D7FF
    {0xEE, 0xEF, 0x80, 0xBF, 3},  // U+E000..U+FFFF
    {0xF0, 0xF0, 0x90, 0xBF, 4},  // U+10000..U+3FFFF
    {0xF1, 0xF3, 0x80, 0xBF, 4},  // U+40000..U+FFFFF
    {0xF4, 0xF4, 0x80, 0x8F, 4},  // U+100000..U+10FFFF
};

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

Utf8Sequence DecodeUtf8(std::string_view s) {
  if (s.empty()) return {};
  const auto lead = static_cast<unsigned char>(s[0]);
  for (const Utf8Form& f : kForms) {
    if (lead < f.lead_lo || lead > f.lead_hi) continue;
    // The lead byte carries 7, 5, 4 or 3 bits of the code point.
    char32_t cp = lead & (f.length == 1 ? 0x7F : 0xFF >> (f.length + 1));
    for (size_t i = 1; i < f.length; ++i) {
      const unsigned char lo = i == 1 ? f.second_lo : 0x80;
      const unsigned char hi = i == 1 ? f.second_hi : 0xBF;
      if (i >= s.size()) return {0, i, false};
      const auto b = static_cast<unsigned char>(s[i]);
      if (b < lo || b > hi) return {0, i, false};
      cp = (cp << 6) | (b & 0x3F);
    }
    return {cp, f.length, true};
  }
  return {0, 1, false};
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII: most of every body
      ++i;
      continue;
    }
    const Utf8Sequence seq = DecodeUtf8(s.substr(i));
    if (!seq.valid) return false;
    i += seq.length;
  }
  return true;
}

std::string ToValidUtf8(std::string s) {
  if (IsValidUtf8(s)) return s;
  const std::string_view in(s);
  std::string out;
  out.reserve(in.size() * 3);  // each bad byte becomes at most 3: no reallocation leaves a copy behind
  for (size_t i = 0; i < in.size();) {
    const Utf8Sequence seq = DecodeUtf8(in.substr(i));
    if (seq.valid) out.append(in.substr(i, seq.length));
    else out.append(kReplacement);
    i += seq.length;
  }
  volatile char* p = s.data();  // volatile: the store must not be elided as dead
  for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
  return out;
}

Status RequireUtf8(std::string_view what, std::string_view value) {
  if (IsValidUtf8(value)) return Status::OK();
  return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
}

}  // namespace psafe
