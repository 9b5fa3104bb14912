#include "connectors/safe_excerpt.h"

namespace psafe::connectors {

std::string SafeExcerpt(std::string_view text, std::initializer_list<std::string_view> secrets,
                        size_t max_bytes) {
  // Built in one pass from the original, so no copy of a secret is ever made (and none is
  // left behind in a buffer a string reallocated away from).
  std::string out;
  auto emit = [&out](char c) {
    const auto u = static_cast<unsigned char>(c);
    const char shown = (u >= 0x21 && u < 0x7f) ? c : ' ';
    if (shown == ' ' && (out.empty() || out.back() == ' ')) return;
    out.push_back(shown);
  };
  size_t i = 0;
  while (i < text.size() && out.size() < max_bytes) {
    size_t longest = 0;  // the longest secret starting here, so a prefix cannot hide the rest
    for (std::string_view secret : secrets) {
      if (!secret.empty() && secret.size() > longest && text.substr(i).starts_with(secret)) {
        longest = secret.size();
      }
    }
    if (longest > 0) {
      for (char c : std::string_view("[redacted]")) emit(c);
      i += longest;
    } else {
      emit(text[i++]);
    }
  }
  const bool cut = i < text.size();
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (cut) out += "...";
  return out;
}

}  // namespace psafe::connectors
