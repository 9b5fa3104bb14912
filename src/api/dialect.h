// The two dialects psafed speaks (DEVELOPERS.md, "Dialect rule"):
//  - kDocument: the request spelled one of the OpenAPI document's lowercase paths exactly
//    (/managedaccounts, /requests/{id}, ...): answer with the document's shapes;
//  - kProduct: any other spelling, matched case-insensitively: the product's shapes.
// Where the two name one field differently, every response carries both names; that is
// kFieldAliases below, the one table of such pairs. Structural differences are marked
// on the route table (api/routes.cc), which is the only place a dialect is decided.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace psafe::api {

enum class Dialect { kProduct, kDocument };

struct FieldAlias {
  std::string_view product;
  std::string_view document;
};

// Product name ↔ OpenAPI-document name for the same field.
inline constexpr FieldAlias kFieldAliases[] = {
    {"AccountId", "AccountID"},
    {"SystemId", "SystemID"},
    // Secrets Safe (docs/SECRETS.md): the product's PascalCase, the document's camelCase.
    {"Id", "id"},
    {"Title", "title"},
    {"Description", "description"},
    {"FolderPath", "folderName"},
    {"CreatedOn", "created"},
    {"ModifiedOn", "lastModified"},
};

// Sets `name` and, if it has an alias in kFieldAliases, the alias too.
void PutField(boost::json::object& o, std::string_view name, boost::json::value v);

// Compact serialisation with no trailing newline and '/' never escaped (GoLib depends on
// both, contract §0 rules 7-8). Always valid UTF-8: ill-formed bytes in a string become
// U+FFFD.
std::string ToJson(const boost::json::value& v);

}  // namespace psafe::api
