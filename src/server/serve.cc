#include "server/serve.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "api/routes.h"
#include "domain/auth_service.h"
#include "domain/request_service.h"
#include "http/server.h"
#include "server/app.h"
#include "server/rotation_worker.h"
#include "store/durability.h"

namespace psafe::server {

namespace {

// Long enough that a slow pass does not lose it, short enough that work moves quickly.
std::chrono::seconds LeaseLifetime(std::chrono::seconds interval) {
  return std::max(std::chrono::seconds(60), 3 * interval);
}

// The store's durability as the server's response gate: a handler's commits return before
// the disk has them, and its response waits until they (and everything it read) are durable.
class DurabilityGate final : public http::ResponseGate {
 public:
  explicit DurabilityGate(store::Durability& durability) : durability_(durability) {}
  void Enter(bool deferred) override {
    if (deferred) scope_.emplace();
  }
  http::GateTicket Leave() override {
    // A handler that never touched the store depends on nothing that could be lost.
    const bool touched = scope_.has_value() ? store::DeferDurability::TouchedStore() : true;
    http::GateTicket ticket{touched ? durability_.Horizon() : 0, store::DeferDurability::Refused()};
    scope_.reset();
    return ticket;
  }
  void WhenOpen(uint64_t ticket, std::function<void()> open) override {
    durability_.WhenDurable(ticket, std::move(open));
  }

 private:
  store::Durability& durability_;
  // The handler's thread's scope, between Enter and Leave.
  static thread_local std::optional<store::DeferDurability> scope_;
};

thread_local std::optional<store::DeferDurability> DurabilityGate::scope_;

bool IsLoopback(const std::string& address) {
  return address == "127.0.0.1" || address.rfind("127.", 0) == 0 || address == "::1" ||
         address == "localhost";
}

// Every `interval` until stopped, on the one node holding its lease: removes expired
// sessions, tokens and nonces, and writes Expired (with its audit record) for requests past
// their expiry.
class Sweeper {
 public:
  Sweeper(domain::AuthService& auth, domain::RequestService& requests, domain::WorkLease& lease,
          std::chrono::seconds interval)
      : interval_(interval), thread_([this, &auth, &requests, &lease] { Loop(auth, requests, lease); }) {}
  ~Sweeper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Loop(domain::AuthService& auth, domain::RequestService& requests, domain::WorkLease& lease) {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      if (!lease.Hold()) continue;  // another node sweeps
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
  PSAFE_ASSIGN_OR_RETURN(std::unique_ptr<App> app, App::Open(config));

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
  opts.loops = config.event_loops;
  // Every PostgreSQL query is a network round trip: on a loop it would stall the loop's
  // other connections (docs/BENCHMARKS.md measures both).
  opts.handlers_on_loops = !config.uses_postgres();

  {
    DurabilityGate gate(app->durability());
    http::Server server(opts, app->router(), api::TransportError, &gate);
    PSAFE_RETURN_IF_ERROR(server.Listen());
    Config bound = config;
    bound.listen_port = server.port();
    std::printf("psafed listening on %s\n", bound.base_url().c_str());
    std::fflush(stdout);
    spdlog::info("psafed listening on {} (store: {}, keyring v{})", bound.base_url(),
                 config.store_description(), app->keyring_version());
    // Each runs on one node at a time; when that node dies another takes over within the
    // lease's lifetime plus one interval (docs/DEPLOYMENT.md).
    const auto sweep_every = std::chrono::seconds(config.sweep_interval_seconds);
    const auto plan_every = std::chrono::seconds(config.rotation_poll_seconds);
    auto sweep_lease = app->NewLease("sweeper", LeaseLifetime(sweep_every));
    auto rotation_lease = app->NewLease("rotation", LeaseLifetime(plan_every));
    Sweeper sweeper(app->auth(), app->requests(), *sweep_lease, sweep_every);
    RotationWorker rotation(app->rotation(), *rotation_lease, config.rotation_workers, plan_every);
    server.Run();
  }
  spdlog::info("psafed stopped; store closed");
  return Status::OK();
}

}  // namespace psafe::server
