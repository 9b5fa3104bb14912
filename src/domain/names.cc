#include "domain/names.h"

#include <charconv>
#include <vector>

#include "common/utf8.h"

namespace psafe::domain {

namespace {

// Code points a name may not hold, anywhere or at either end.
enum class Where { kAnywhere, kAtEdges };
struct RefusedRange {
  char32_t lo, hi;
  Where where;
  std::string_view what;
};
constexpr RefusedRange kRefused[] = {
    {0x0000, 0x001F, Where::kAnywhere, "a control character"},  // C0
    {0x007F, 0x009F, Where::kAnywhere, "a control character"},  // DEL and C1
    {0x2028, 0x2029, Where::kAnywhere, "a line separator"},
    // Bidirectional controls reorder what is displayed around them: "invoice\u202Etxt.exe"
    // reads as "invoiceexe.txt" (CVE-2021-42574, "Trojan Source").
    {0x061C, 0x061C, Where::kAnywhere, "a bidirectional control"},
    {0x200E, 0x200F, Where::kAnywhere, "a bidirectional control"},
    {0x202A, 0x202E, Where::kAnywhere, "a bidirectional control"},
    {0x2066, 0x2069, Where::kAnywhere, "a bidirectional control"},
    // Unicode's White_Space (the controls among them are refused above) and the
    // zero-width spaces: invisible at either end, so "admin " would pass for "admin".
    {0x0020, 0x0020, Where::kAtEdges, "whitespace"},
    {0x00A0, 0x00A0, Where::kAtEdges, "whitespace"},
    {0x1680, 0x1680, Where::kAtEdges, "whitespace"},
    {0x2000, 0x200B, Where::kAtEdges, "whitespace"},
    {0x202F, 0x202F, Where::kAtEdges, "whitespace"},
    {0x205F, 0x2060, Where::kAtEdges, "whitespace"},
    {0x3000, 0x3000, Where::kAtEdges, "whitespace"},
    {0xFEFF, 0xFEFF, Where::kAtEdges, "whitespace"},
};

const RefusedRange* Refused(char32_t cp) {
  for (const RefusedRange& r : kRefused) {
    if (cp >= r.lo && cp <= r.hi) return &r;
  }
  return nullptr;
}

// The letters an identity may not mix, by Unicode block. Anything else (digits,
// punctuation, other scripts) mixes freely.
enum Script : unsigned { kOther = 0, kLatin = 1, kGreek = 2, kCyrillic = 4, kAsciiLookAlike = 8 };
struct ScriptRange {
  char32_t lo, hi;
  Script script;
};
constexpr ScriptRange kScripts[] = {
    {'A', 'Z', kLatin},           {'a', 'z', kLatin},
    {0x00C0, 0x00D6, kLatin},     {0x00D8, 0x00F6, kLatin},     {0x00F8, 0x024F, kLatin},
    {0x1E00, 0x1EFF, kLatin},     {0x2C60, 0x2C7F, kLatin},     {0xA720, 0xA7FF, kLatin},
    {0xAB30, 0xAB6F, kLatin},
    {0x0370, 0x03FF, kGreek},     {0x1F00, 0x1FFF, kGreek},
    {0x0400, 0x052F, kCyrillic},  {0x1C80, 0x1C8F, kCyrillic},  {0x2DE0, 0x2DFF, kCyrillic},
    {0xA640, 0xA69F, kCyrillic},
    // NFKC folds these to ASCII; on screen "ａｄｍｉｎ" and "𝐚𝐝𝐦𝐢𝐧" are "admin".
    {0xFF01, 0xFF5E, kAsciiLookAlike},  {0x1D400, 0x1D7FF, kAsciiLookAlike},
};

Script ScriptOf(char32_t cp) {
  for (const ScriptRange& r : kScripts) {
    if (cp >= r.lo && cp <= r.hi) return r.script;
  }
  return kOther;
}

Status Invalid(std::string_view field, std::string_view why) {
  return Status::InvalidArgument(std::string(field) + " " + std::string(why));
}

// The code points of valid UTF-8 `s`.
std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const Utf8Sequence seq = DecodeUtf8(s.substr(i));
    out.push_back(seq.code_point);
    i += seq.length;
  }
  return out;
}

Status CheckIdentityScripts(std::string_view field, const std::vector<char32_t>& cps) {
  unsigned seen = 0;
  for (char32_t cp : cps) seen |= ScriptOf(cp);
  if (seen & kAsciiLookAlike) return Invalid(field, "must not use fullwidth or mathematical letters");
  const unsigned letters = seen & (kLatin | kGreek | kCyrillic);
  if (letters & (letters - 1)) return Invalid(field, "must not mix Latin, Greek and Cyrillic letters");
  return Status::OK();
}

}  // namespace

Status ValidateName(std::string_view field, std::string_view value, NameRules rules) {
  PSAFE_RETURN_IF_ERROR(RequireUtf8(field, value));
  if (value.empty()) return rules.required ? Invalid(field, "is required") : Status::OK();
  const std::vector<char32_t> cps = CodePoints(value);
  if (cps.size() > rules.max_chars) {
    return Invalid(field, "is longer than " + std::to_string(rules.max_chars) + " characters");
  }
  for (char32_t cp : cps) {
    const RefusedRange* r = Refused(cp);
    if (r != nullptr && r->where == Where::kAnywhere) return Invalid(field, "contains " + std::string(r->what));
  }
  for (char32_t edge : {cps.front(), cps.back()}) {
    if (Refused(edge) != nullptr) return Invalid(field, "must not begin or end with whitespace");
  }
  if (rules.kind == NameKind::kIdentity) return CheckIdentityScripts(field, cps);
  return Status::OK();
}

Result<std::string> FileBaseName(std::string_view sent) {
  constexpr std::string_view kField = "FileName";
  PSAFE_RETURN_IF_ERROR(RequireUtf8(kField, sent));
  if (sent.size() > kMaxFileNameBytes) {
    return Invalid(kField, "is longer than " + std::to_string(kMaxFileNameBytes) + " bytes");
  }
  for (char32_t cp : CodePoints(sent)) {
    const RefusedRange* r = Refused(cp);
    if (r != nullptr && r->where == Where::kAnywhere) return Invalid(kField, "contains " + std::string(r->what));
  }
  // Both separators, whatever the uploader's system: "..\..\boot.ini" is a path too.
  const size_t last = sent.find_last_of("/\\");
  const std::string_view base = last == std::string_view::npos ? sent : sent.substr(last + 1);
  if (base.empty() || base == "." || base == "..") return Invalid(kField, "must name a file, not a directory");
  return std::string(base);
}

std::optional<int64_t> ParseId(std::string_view id_or_name) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(id_or_name.data(), id_or_name.data() + id_or_name.size(), v);
  if (ec != std::errc() || end != id_or_name.data() + id_or_name.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace psafe::domain
