// libFuzzer target: request bodies as psafed's handlers read them (JsonBody: depth-bounded
// Boost.JSON, case-insensitive names, typed reads) and the Secrets Safe metadata reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/json_body.h"
#include "api/secrets_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto body = psafe::api::JsonBody::ParseText(in);
  if (!body.ok()) return 0;
  std::string s;
  int64_t i = 0;
  bool b = false;
  std::optional<int64_t> oi;
  std::optional<psafe::crypto::SecretString> secret;
  (void)body->Read("Name", &s);
  (void)body->Read("SystemID", &i);
  (void)body->Read("RotateOnCheckin", &b);
  (void)body->Read("DurationMinutes", &oi);
  (void)body->Read("Password", &secret);
  psafe::domain::SecretInput in2;
  (void)psafe::api::ReadSecretMetadata(*body, &in2);
  return 0;
}
