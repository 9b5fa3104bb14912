// UTF-8 as RFC 3629 and Unicode §3.9 (table 3-7) define it. The one decoder every layer
// uses: for text that arrives from outside (paths, queries, header values, form fields,
// multipart parameters, names) and, as the last line of defence, for what psafed writes.
// A response must never carry bytes that are not UTF-8: clients' JSON decoders fail on
// them, and an audit export that cannot be parsed hides what it records.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace psafe {

// One step of decoding at the start of a non-empty `s`.
struct Utf8Sequence {
  char32_t code_point = 0;  // the decoded value when `valid`
  size_t length = 0;        // bytes consumed: the sequence, or its maximal ill-formed subpart (>= 1)
  bool valid = false;       // no overlong forms, no surrogates (U+D800-DFFF), nothing above U+10FFFF
};
Utf8Sequence DecodeUtf8(std::string_view s);

bool IsValidUtf8(std::string_view s);

// `s` with each maximal ill-formed subpart replaced by U+FFFD (Unicode's recommended
// practice, as WHATWG's decoder does); `s` itself, moved, when it is valid. When it is not,
// the bytes of the argument are overwritten before it is released: it may be a response
// body that holds a secret.
std::string ToValidUtf8(std::string s);

// OK, or InvalidArgument "<what> is not valid UTF-8".
Status RequireUtf8(std::string_view what, std::string_view value);

}  // namespace psafe
