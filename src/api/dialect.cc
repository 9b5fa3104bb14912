#include "api/dialect.h"

#include <boost/json/serialize.hpp>

#include "common/utf8.h"

namespace psafe::api {

void PutField(boost::json::object& o, std::string_view name, boost::json::value v) {
  for (const FieldAlias& a : kFieldAliases) {
    if (a.product == name) o[a.document] = v;
    else if (a.document == name) o[a.product] = v;
  }
  o[name] = std::move(v);
}

// Boost.JSON escapes only quotes, backslashes and control characters; other bytes pass
// through as they are. Every input is checked for UTF-8, so this replacement is the last
// line of defence (a value stored before those checks, a message built from a bad byte):
// U+FFFD replaces ill-formed bytes and never adds a character JSON would need escaped.
std::string ToJson(const boost::json::value& v) { return ToValidUtf8(boost::json::serialize(v)); }

}  // namespace psafe::api
