// Wire shapes of Secrets Safe (docs/SECRETS.md), both directions. A secret carries the
// product's names (contract §2.3) and the OpenAPI document's (Secret, SecretWithValue)
// on every response, through PutField and the kFieldAliases table; the document's `type`,
// `password` and `text` differ in value, not only in name, so they are set here.
#pragma once

#include <boost/json/object.hpp>

#include "api/json_body.h"
#include "domain/secret_service.h"

namespace psafe::api {

boost::json::object SecretFolderJson(const domain::SecretFolder& f);
// The value, when released, goes to Password (and to `password` or `text`); otherwise null.
boost::json::object SecretJson(const domain::Secret& x, const crypto::SecretString* value);
inline boost::json::object SecretJson(const domain::SecretRead& r) {
  return SecretJson(r.secret, r.value ? &*r.value : nullptr);
}

// The metadata fields of a create or update body (names case-insensitive). The value is
// read by the caller: Password, Text or the file part.
Status ReadSecretMetadata(const JsonBody& b, domain::SecretInput* in);

}  // namespace psafe::api
