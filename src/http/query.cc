#include "http/query.h"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "common/strings.h"
#include "common/utf8.h"

namespace psafe::http {

Result<QueryParams> QueryParams::Parse(std::string_view raw) {
  QueryParams out;
  if (raw.empty()) return out;
  if (raw.find('\0') != std::string_view::npos) return Status::InvalidArgument("malformed query string");
  // Boost.URL 1.81's parse_query measures its argument with strlen (found by
  // fuzz/fuzz_http_parsers.cc): it gets a NUL-terminated copy of exactly `raw`.
  const std::string query(raw);
  auto encoded = boost::urls::parse_query(query);
  if (!encoded) return Status::InvalidArgument("malformed query string");
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  // Validated above, so this constructor (which throws on bad input) cannot throw.
  boost::urls::params_view params(query, opts);
  for (const auto& p : params) {
    if (p.key.empty() && !p.has_value) continue;  // "a=1&&b=2"
    // Checked after percent-decoding, where %FF becomes the byte it names.
    if (!IsValidUtf8(p.key) || !IsValidUtf8(p.value)) return Status::InvalidArgument("query string is not valid UTF-8");
    out.params_.emplace_back(p.key, p.has_value ? p.value : std::string());
  }
  return out;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

}  // namespace psafe::http
