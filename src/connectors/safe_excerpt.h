// SafeExcerpt: text a target produced (a command's stderr, a server's diagnostic) made fit
// for a Status message, which clients see: every occurrence of a secret the operation used
// is replaced first, then anything but printable ASCII becomes a space, runs of spaces
// collapse, and the result is cut to a few words. A target's text is evidence for the
// operator, not something to echo whole.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace psafe::connectors {

inline constexpr size_t kExcerptMaxBytes = 160;

std::string SafeExcerpt(std::string_view text, std::initializer_list<std::string_view> secrets,
                        size_t max_bytes = kExcerptMaxBytes);

}  // namespace psafe::connectors
