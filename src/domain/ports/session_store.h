// Signed-in sessions and OAuth tokens, by the hash of their token. Shared by every node.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "domain/identity.h"

namespace psafe::domain {

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  virtual Status CreateSession(const Session& session) = 0;
  virtual Result<Session> FindSession(std::string_view token_hash) = 0;
  virtual Status TouchSession(std::string_view token_hash, int64_t now) = 0;
  virtual Status DeleteSession(std::string_view token_hash) = 0;
  // Deletes cookie sessions idle since before `idle_cutoff` and anything past its absolute expiry.
  virtual Status DeleteExpiredSessions(int64_t now, int64_t idle_cutoff) = 0;
  // Ends the sessions and tokens that stood on something that changed.
  virtual Status DeleteSessions(const SessionScope& scope) = 0;
};

}  // namespace psafe::domain
