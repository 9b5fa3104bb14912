#include "server/app.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>

#include "api/routes.h"
#include "common/clock.h"
#include "connectors/connector_set.h"
#include "domain/access_service.h"
#include "domain/api_registration_service.h"
#include "domain/audit_service.h"
#include "domain/auth_service.h"
#include "domain/estate_service.h"
#include "domain/request_service.h"
#include "domain/secret_service.h"
#include "http/rate_limiter.h"
#include "server/bootstrap.h"
#include "store/open_store.h"

namespace psafe::server {

// Members in construction order: each service holds references to those above it.
struct App::Parts {
  Parts(const Config& config, store::StorePtr s, std::unique_ptr<crypto::Keyring> k, std::unique_ptr<Clock> c)
      : store(std::move(s)),
        ports(store->ports()),
        keyring(std::move(k)),
        clock(std::move(c)),
        audit(ports, *keyring, *clock),
        auth(ports, *keyring, *clock, audit, config.auth),
        estate(ports, *keyring, *clock, audit),
        access(ports, audit, *clock),
        rotation(ports, *keyring, *clock, audit,
                 [this](domain::ConnectorKind kind) { return connectors.Get(kind); }, config.rotation),
        requests(ports, *keyring, *clock, audit, rotation),
        secrets(ports, *keyring, *clock, audit),
        registrations(ports, *keyring, audit, *clock),
        aliases(ports, audit, requests),
        ctx{auth, estate, access, requests, rotation, secrets, registrations, aliases, audit, ports.health,
            config.tls_enabled} {}
  // Submitted changes call the services (and the keyring's audit MAC): they run first.
  ~Parts() { store->FinishSubmissions(); }

  store::StorePtr store;
  domain::Ports ports;
  std::unique_ptr<crypto::Keyring> keyring;
  std::unique_ptr<Clock> clock;
  domain::AuditTrail audit;
  domain::AuthService auth;
  domain::EstateService estate;
  domain::AccessService access;
  connectors::ConnectorSet connectors;
  domain::RotationService rotation;
  domain::RequestService requests;
  domain::SecretService secrets;
  domain::ApiRegistrationService registrations;
  domain::AliasService aliases;
  std::optional<http::RateLimiter> signin_limiter;
  std::optional<http::RateLimiter> request_limiter;
  api::ApiContext ctx;
  std::unique_ptr<http::Router> router;
};

Result<std::unique_ptr<App>> App::Open(const Config& config) {
  // The store first: an uninitialised directory is told to run `psafed init`.
  PSAFE_ASSIGN_OR_RETURN(store::StorePtr store, OpenInitialisedStore(config));
  PSAFE_ASSIGN_OR_RETURN(auto master, OpenMasterKey(config));
  PSAFE_ASSIGN_OR_RETURN(auto keyring, OpenKeyring(*store, *master));
  master.reset();  // the keyring holds what it needs; the KEK leaves memory
  PSAFE_RETURN_IF_ERROR(EnsureTlsMaterial(config));

  std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
#ifdef PSAFE_TEST_HOOKS  // Debug builds only: a release psafed never reads the variable
  if (const char* offset_file = std::getenv("PSAFE_CLOCK_OFFSET_FILE"); offset_file && *offset_file) {
    spdlog::warn("clock offset file {} in effect (tests only)", offset_file);
    clock = std::make_unique<OffsetFileClock>(offset_file);
  }
#endif
  auto parts = std::make_unique<Parts>(config, std::move(store), std::move(keyring), std::move(clock));
  if (config.tls_enabled && config.uses_generated_tls()) {
    std::ifstream crl(config.tls_crl, std::ios::binary);  // absent in older data dirs: not served
    parts->ctx.ca_crl.assign(std::istreambuf_iterator<char>(crl), std::istreambuf_iterator<char>());
  }
  if (config.signin_per_second > 0) {
    parts->ctx.signin_limiter = &parts->signin_limiter.emplace(config.signin_per_second, config.signin_burst);
  }
  if (config.requests_per_second > 0) {
    parts->ctx.request_limiter = &parts->request_limiter.emplace(config.requests_per_second, config.requests_burst);
  }
  parts->router = api::BuildRouter(parts->ctx);
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::unique_ptr<App>(new App(std::move(parts), std::string(host) + ":" + config.data_dir.string()));
}

App::App(std::unique_ptr<Parts> parts, std::string node) : parts_(std::move(parts)), node_(std::move(node)) {}
App::~App() = default;

http::Router& App::router() { return *parts_->router; }
store::Durability& App::durability() { return parts_->store->durability(); }
domain::AuthService& App::auth() { return parts_->auth; }
domain::RequestService& App::requests() { return parts_->requests; }
domain::RotationService& App::rotation() { return parts_->rotation; }
std::unique_ptr<domain::WorkLease> App::NewLease(std::string name, std::chrono::seconds lifetime) {
  return std::make_unique<domain::WorkLease>(parts_->ports.leases, *parts_->clock, std::move(name), node_,
                                             lifetime.count());
}
int App::keyring_version() const { return parts_->keyring->current_version(); }

}  // namespace psafe::server
