// psafed: the psafe server. Subcommands: init, serve, keys rotate (see --help).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "crypto/hardening.h"
#include "server/bootstrap.h"
#include "server/serve.h"
#include "store/migrations.h"
#include "store/postgres_connection.h"

namespace {

int Fail(const psafe::Status& s) {
  std::fprintf(stderr, "psafed: %s\n", s.message().c_str());
  return 1;
}

void ConfigureLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("psafed");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  // Access log: one JSON object per line on stderr, for log shippers.
  auto access = spdlog::stderr_color_mt("access");
  access->set_pattern("%v");
  spdlog::set_level(spdlog::level::from_str(level));
}

void PrintInit(const psafe::server::InitResult& r, bool json) {
  if (json) {
    boost::json::object o{{"url", r.url},
                          {"user", r.user},
                          {"password", r.password.str()},
                          {"api_key", r.api_key.str()},
                          {"client_id", r.client_id},
                          {"client_secret", r.client_secret.str()},
                          {"ca_cert", r.ca_cert}};
    std::cout << boost::json::serialize(o) << std::endl;
    return;
  }
  std::cout << "psafed initialised. These secrets are shown once and stored only as hashes:\n\n"
            << "  URL            " << r.url << "\n"
            << "  user           " << r.user << "\n"
            << "  password       " << r.password.str() << "\n"
            << "  API key        " << r.api_key.str() << "\n"
            << "  OAuth client   " << r.client_id << "\n"
            << "  OAuth secret   " << r.client_secret.str() << "\n";
  if (!r.ca_cert.empty()) std::cout << "  CA certificate " << r.ca_cert << "\n";
  std::cout << "\nSign in:\n  curl --cacert " << (r.ca_cert.empty() ? "<your CA>" : r.ca_cert)
            << " -X POST -H 'Authorization: PS-Auth key=" << r.api_key.str() << "; runas=" << r.user
            << ";' " << r.url << "/Auth/SignAppIn\n";
}

// The test hooks of a Debug build (PSAFE_TEST_HOOKS); a release build has none to list.
#ifdef PSAFE_TEST_HOOKS
constexpr std::string_view kTestHooksHelp =
    "\n             PSAFE_CLOCK_OFFSET_FILE shifts psafed's clock by the seconds in that file (a test\n"
    "             hook of Debug builds; psafed warns when it is set).\n"
    "             PSAFE_TEST_CRASH_AT=<point> kills psafed with SIGKILL at that step of a credential\n"
    "             change (rotation-pending, -sent, -pushed, -verified; a Debug-build test hook).";
#else
constexpr std::string_view kTestHooksHelp;
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"psafed - a BeyondTrust Password Safe API v3 compatible server"};
  app.set_version_flag("--version", PSAFE_VERSION);
  app.footer(
      "Configuration: <data-dir>/psafed.toml (written by init with every key, its default and what it does),\n"
      "or --config FILE; flags override it. Keys: listen, worker_threads, tls.enabled, tls.cert, tls.key,\n"
      "tls.client_ca, limits.max_header_bytes, limits.max_body_bytes, limits.read_timeout_seconds,\n"
      "limits.idle_timeout_seconds, limits.shutdown_grace_seconds, limits.sweep_interval_seconds,\n"
      "limits.signin_per_second, limits.signin_burst, limits.requests_per_second, limits.requests_burst,\n"
      "auth.session_idle_minutes, auth.session_max_minutes, auth.token_lifetime_seconds, auth.lockout_threshold, auth.lockout_minutes,\n"
      "rotation.workers, rotation.poll_seconds, rotation.retry_seconds, rotation.max_retry_seconds,\n"
      "rotation.failed_retry_seconds, rotation.check_interval_hours, keys.master_key_file, log.level,\n"
      "store.url, store.password_file, store.pool_size, store.statement_timeout_ms.\n"
      "Environment: PSAFE_MASTER_KEY (64 hex characters) replaces the master key file;\n"
      "PSAFE_STORE_URL replaces store.url; PSAFE_STORE_PASSWORD is the database password." +
      std::string(kTestHooksHelp));
  app.require_subcommand(1);
  std::string data_dir;
  psafe::server::ConfigOverrides overrides;
  std::string log_level;

  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--data-dir", data_dir, "Data directory (store, keys, TLS, psafed.toml)")
        ->required();
    cmd->add_option("--config", overrides.config_file,
                    "Configuration file (default: <data-dir>/psafed.toml)");
    cmd->add_option("--log-level", log_level, "trace|debug|info|warn|error (default: info)");
  };

  bool json = false;
  auto* init = app.add_subcommand("init", "Create a data directory: store, keys, certificate, "
                                          "administrator and one API registration");
  add_common(init);
  init->add_flag("--json", json,
                 "Print one JSON object: url, user, password, api_key, client_id, client_secret, ca_cert");
  init->add_option("--listen", overrides.listen,
                   "ADDR:PORT written into the printed URL and the generated certificate's CRL address");
  bool demo = false;
  init->add_flag("--demo", demo,
                 "Also create a demo system and account, and let the administrators request any "
                 "account with auto-approval (see docs/REQUESTS.md)");

  auto* serve = app.add_subcommand("serve", "Serve the API until SIGINT/SIGTERM");
  add_common(serve);
  serve->add_option("--listen", overrides.listen, "ADDR:PORT to listen on (port 0: any free port)");

  auto* migrate = app.add_subcommand("migrate", "Bring the store's schema to this version (serve does it too)");
  add_common(migrate);

  auto* store_cmd = app.add_subcommand("store", "Move an installation between stores");
  auto* copy = store_cmd->add_subcommand(
      "copy", "Copy every row of a SQLite store into an empty PostgreSQL database (stop psafed first)");
  std::string copy_from, copy_to, password_file;
  copy->add_option("--from", copy_from, "sqlite:<data directory>")->required();
  copy->add_option("--to", copy_to, "postgresql://user@host:port/db?sslmode=verify-full&sslrootcert=... "
                                    "(no password: --password-file or PSAFE_STORE_PASSWORD)")->required();
  copy->add_option("--password-file", password_file, "File whose first line is the database password");
  store_cmd->require_subcommand(1);

  auto* keys = app.add_subcommand("keys", "Manage the keyring");
  auto* rotate = keys->add_subcommand("rotate", "Add a new data-key version; new writes use it");
  add_common(rotate);
  keys->require_subcommand(1);

  auto* audit = app.add_subcommand("audit", "Inspect the audit trail");
  auto* verify = audit->add_subcommand("verify", "Walk the audit chain; exit 1 at the first broken record");
  add_common(verify);
  audit->require_subcommand(1);

  CLI11_PARSE(app, argc, argv);

  ::umask(077);  // the store, keys and logs psafed creates are readable by its user only
  psafe::crypto::HardenProcess();
  if (auto s = psafe::crypto::InitializeCrypto(); !s.ok()) return Fail(s);
  if (!log_level.empty()) overrides.log_level = log_level;

  if (copy->parsed()) {  // two stores, no data directory of its own
    auto r = psafe::server::CopyStore(copy_from, copy_to, password_file);
    if (!r.ok()) return Fail(r.status());
    std::cout << "store copy: " << r->rows << " rows in " << r->tables << " tables copied to "
              << psafe::store::RedactedUrl(copy_to) << "\n";
    return 0;
  }

  auto config = psafe::server::LoadConfig(data_dir, overrides);
  if (!config.ok()) return Fail(config.status());
  ConfigureLogging(config->log_level);

  if (init->parsed()) {
    auto r = psafe::server::InitDataDir(*config, demo);
    if (!r.ok()) return Fail(r.status());
    PrintInit(*r, json);
    return 0;
  }
  if (serve->parsed()) {
    auto s = psafe::server::Serve(*config);
    return s.ok() ? 0 : Fail(s);
  }
  if (migrate->parsed()) {
    auto store = psafe::server::OpenStore(*config);
    if (!store.ok()) return Fail(store.status());
    std::cout << "store " << config->store_description() << ": schema version "
              << psafe::store::KnownSchemaVersion() << "\n";
    return 0;
  }
  if (rotate->parsed()) {
    auto v = psafe::server::RotateDataKey(*config);
    if (!v.ok()) return Fail(v.status());
    std::cout << "keyring: data key version " << *v << " added; new writes use it\n";
    return 0;
  }
  if (verify->parsed()) {
    auto v = psafe::server::VerifyAuditChain(*config);
    if (!v.ok()) return Fail(v.status());
    if (v->first_broken_id) {
      std::cout << "audit chain INVALID at record " << *v->first_broken_id << " (" << v->records
                << " records checked)\n";
      return 1;
    }
    std::cout << "audit chain OK: " << v->records << " records\n";
    return 0;
  }
  return 1;
}
