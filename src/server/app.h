// App: everything psafed answers requests with, wired from a Config: the store, the
// keyring, the domain services, the rate limiters and the router over them. `serve` puts
// it behind the HTTP server; the whole-request fuzzer (fuzz/fuzz_request.cc) drives its
// router directly, so both exercise one wiring.
#pragma once

#include <memory>

#include "common/result.h"
#include "http/router.h"
#include "server/config.h"

namespace psafe::domain {
class AuthService;
class RequestService;
class RotationService;
}  // namespace psafe::domain

namespace psafe::server {

class App {
 public:
  // Opens an initialised data directory (the store, then the keyring; the master key
  // leaves memory once the keyring is open). Generates or renews TLS material if needed.
  static Result<std::unique_ptr<App>> Open(const Config& config);
  ~App();

  http::Router& router();
  domain::AuthService& auth();
  domain::RequestService& requests();
  domain::RotationService& rotation();
  int keyring_version() const;

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace psafe::server
