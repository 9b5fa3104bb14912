// Session: a signed-in conversation with the server. Signs in with the PS-Auth header
// (Auth/SignAppIn), keeps the cookie, and turns every non-2xx reply into a Status whose
// message names the HTTP status and the server's message ("HTTP 403: 4031").
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <string>

#include "psrun/api_client.h"
#include "psrun/cli_args.h"

namespace psafe::psrun {

// The header psrun sends: PS-Auth key=…; runas=…; pwd=[…]; (pwd only when given).
crypto::SecretString PsAuthHeader(const CliArgs& args);

class Session {
 public:
  explicit Session(ApiClient& client) : client_(client) {}
  ~Session();  // signs out if signed in

  Status SignIn(const CliArgs& args);
  // The reply parsed as JSON (null for an empty body; a string when it is not JSON).
  // `http_status`, when given, receives the status of a successful reply (200, 201, ...).
  Result<boost::json::value> Call(std::string_view method, std::string_view endpoint,
                                  const boost::json::value* body = nullptr, long* http_status = nullptr);
  std::string Escape(std::string_view s) const { return client_.Escape(s); }

 private:
  ApiClient& client_;
  bool signed_in_ = false;
};

}  // namespace psafe::psrun
