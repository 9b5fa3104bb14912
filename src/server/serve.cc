#include "server/serve.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <fstream>
#include <iterator>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "api/routes.h"
#include "common/clock.h"
#include "domain/auth_service.h"
#include "domain/access_service.h"
#include "domain/audit_service.h"
#include "domain/estate_service.h"
#include "domain/request_service.h"
#include "domain/secret_service.h"
#include "domain/api_registration_service.h"
#include "domain/target_connector.h"
#include "http/rate_limiter.h"
#include "http/server.h"
#include "server/bootstrap.h"
#include "store/sqlite_store.h"

namespace psafe::server {

namespace {

bool IsLoopback(const std::string& address) {
  return address == "127.0.0.1" || address.rfind("127.", 0) == 0 || address == "::1" ||
         address == "localhost";
}

// Every `interval` until stopped: removes expired sessions and tokens, and writes Expired
// (with its audit record) for requests past their expiry.
class Sweeper {
 public:
  Sweeper(domain::AuthService& auth, domain::RequestService& requests, std::chrono::seconds interval)
      : interval_(interval), thread_([this, &auth, &requests] { Loop(auth, requests); }) {}
  ~Sweeper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Loop(domain::AuthService& auth, domain::RequestService& requests) {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      Status s = auth.SweepExpired();
      if (!s.ok()) spdlog::warn("session sweep failed: {}", s.ToString());
      s = requests.SweepExpired();
      if (!s.ok()) spdlog::warn("request expiry sweep failed: {}", s.ToString());
    }
  }
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

Status Serve(const Config& config) {
  if (!config.tls_enabled && !IsLoopback(config.listen_address)) {
    return Status::InvalidArgument("plain HTTP (tls.enabled = false) is only allowed on a loopback address");
  }
  std::error_code ec;
  if (!std::filesystem::exists(config.database(), ec)) {
    return Status::NotFound(config.data_dir.string() + " is not initialised (run psafed init)");
  }
  PSAFE_ASSIGN_OR_RETURN(auto master, OpenMasterKey(config));
  PSAFE_ASSIGN_OR_RETURN(store::StorePtr store, store::OpenSqliteStore(config.database()));
  PSAFE_ASSIGN_OR_RETURN(auto keyring, OpenKeyring(*store, *master));
  master.reset();  // the keyring holds what it needs; the KEK leaves memory
  PSAFE_RETURN_IF_ERROR(EnsureTlsMaterial(config));

  std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
  if (const char* offset_file = std::getenv("PSAFE_CLOCK_OFFSET_FILE"); offset_file && *offset_file) {
    spdlog::warn("clock offset file {} in effect (tests only)", offset_file);
    clock = std::make_unique<OffsetFileClock>(offset_file);
  }
  domain::AuditTrail audit(*store, *keyring, *clock);
  domain::AuthService auth(*store, *keyring, *clock, audit, config.auth);
  domain::EstateService estate(*store, *keyring, *clock, audit);
  domain::AccessService access(*store, audit, *clock);
  domain::NoopTargetConnector connector;
  domain::RequestService requests(*store, *keyring, *clock, audit, connector);
  domain::SecretService secrets(*store, *keyring, *clock, audit);
  domain::ApiRegistrationService registrations(*store, *keyring, audit);
  api::ApiContext ctx{auth, estate, access, requests, secrets, registrations, audit, *store, config.tls_enabled};
  if (config.tls_enabled && config.uses_generated_tls()) {
    std::ifstream crl(config.tls_crl, std::ios::binary);  // absent in older data dirs: not served
    ctx.ca_crl.assign(std::istreambuf_iterator<char>(crl), std::istreambuf_iterator<char>());
  }
  std::optional<http::RateLimiter> signin_limiter, request_limiter;
  if (config.signin_per_second > 0) {
    ctx.signin_limiter = &signin_limiter.emplace(config.signin_per_second, config.signin_burst);
  }
  if (config.requests_per_second > 0) {
    ctx.request_limiter = &request_limiter.emplace(config.requests_per_second, config.requests_burst);
  }
  auto router = api::BuildRouter(ctx);

  http::ServerOptions opts;
  opts.address = config.listen_address;
  opts.port = config.listen_port;
  opts.tls = config.tls_enabled;
  opts.cert_file = config.tls_cert.string();
  opts.key_file = config.tls_key.string();
  opts.client_ca_file = config.tls_client_ca.string();
  opts.header_limit = config.max_header_bytes;
  opts.body_limit = config.max_body_bytes;
  opts.read_timeout = std::chrono::seconds(config.read_timeout_seconds);
  opts.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  opts.shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds);
  opts.worker_threads = config.worker_threads;

  {
    http::Server server(opts, [&router](http::Request& r) { return router->Dispatch(r); },
                        api::TransportError);
    PSAFE_RETURN_IF_ERROR(server.Listen());
    Config bound = config;
    bound.listen_port = server.port();
    std::printf("psafed listening on %s\n", bound.base_url().c_str());
    std::fflush(stdout);
    spdlog::info("psafed listening on {} (store: {}, keyring v{})", bound.base_url(),
                 config.database().string(), keyring->current_version());
    Sweeper sweeper(auth, requests, std::chrono::seconds(config.sweep_interval_seconds));
    server.Run();
  }
  spdlog::info("psafed stopped; store closed");
  return Status::OK();
}

}  // namespace psafe::server
