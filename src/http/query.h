// Query parameters with the product's leniency: names compare case-insensitively,
// '+' and %20 both decode to a space, an empty query ("?") is no query, unknown names are
// simply never asked for.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace psafe::http {

class QueryParams {
 public:
  // Parses the part after '?'. InvalidArgument on malformed percent-encoding, and on a
  // name or value that is not valid UTF-8 once decoded.
  static Result<QueryParams> Parse(std::string_view raw);

  // The first value of `name`; a parameter present without '=' yields "".
  std::optional<std::string> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  size_t size() const { return params_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// Decodes an application/x-www-form-urlencoded body (same rules as a query).
inline Result<QueryParams> ParseFormBody(std::string_view body) { return QueryParams::Parse(body); }

}  // namespace psafe::http
