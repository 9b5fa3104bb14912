#include "api/dialect.h"

#include <boost/json/serialize.hpp>

namespace psafe::api {

void PutField(boost::json::object& o, std::string_view name, boost::json::value v) {
  for (const FieldAlias& a : kFieldAliases) {
    if (a.product == name) o[a.document] = v;
    else if (a.document == name) o[a.product] = v;
  }
  o[name] = std::move(v);
}

std::string ToJson(const boost::json::value& v) { return boost::json::serialize(v); }

}  // namespace psafe::api
