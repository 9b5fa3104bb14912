// App: everything psafed answers requests with, wired from a Config: the store, the
// keyring, the domain services, the rate limiters and the router over them. `serve` puts
// it behind the HTTP server; the whole-request fuzzer (fuzz/fuzz_request.cc) drives its
// router directly, so both exercise one wiring.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/router.h"
#include "domain/work_lease.h"
#include "server/config.h"

namespace psafe::domain {
class AuthService;
class RequestService;
class RotationService;
}  // namespace psafe::domain

namespace psafe::store {
class Durability;
}  // namespace psafe::store

namespace psafe::server {

class App {
 public:
  // Opens an initialised data directory (the store, then the keyring; the master key
  // leaves memory once the keyring is open). Generates or renews TLS material if needed.
  static Result<std::unique_ptr<App>> Open(const Config& config);
  ~App();

  http::Router& router();
  // When the store's commits are durable (the server's response gate).
  store::Durability& durability();
  domain::AuthService& auth();
  domain::RequestService& requests();
  domain::RotationService& rotation();
  // A lease on background work `name` (domain/work_lease.h), held `lifetime` per renewal.
  std::unique_ptr<domain::WorkLease> NewLease(std::string name, std::chrono::seconds lifetime);
  int keyring_version() const;

 private:
  struct Parts;
  App(std::unique_ptr<Parts> parts, std::string node);
  std::unique_ptr<Parts> parts_;
  const std::string node_;  // host:data-dir, this node's name on leases
};

}  // namespace psafe::server
