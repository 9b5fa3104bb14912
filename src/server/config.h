// psafed configuration: defaults, overridden by <data-dir>/psafed.toml (or --config),
// overridden by command-line flags. Relative paths resolve against the data directory.
// Reference: README.md "Configuration".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"
#include "domain/auth_service.h"
#include "domain/rotation_service.h"

namespace psafe::server {

struct Config {
  std::filesystem::path data_dir;
  std::string listen_address = "127.0.0.1";
  uint16_t listen_port = 8443;
  bool tls_enabled = true;
  std::filesystem::path tls_cert;   // default <data>/tls/server.crt
  std::filesystem::path tls_key;    // default <data>/tls/server.key
  std::filesystem::path tls_ca;     // default <data>/tls/ca.pem (generated certificates only)
  std::filesystem::path tls_crl;    // default <data>/tls/ca.crl (generated certificates only)
  std::filesystem::path tls_client_ca;  // CAs for client certificates; empty = none asked for
  std::filesystem::path master_key_file;  // default <data>/master.key
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 8 * 1024 * 1024;
  int read_timeout_seconds = 30;
  int idle_timeout_seconds = 60;
  int shutdown_grace_seconds = 10;
  int sweep_interval_seconds = 60;  // expired sessions, tokens and requests
  // Per-client token buckets (0 = no limit): sign-in calls, and every other API call.
  int signin_per_second = 20;
  int signin_burst = 100;
  int requests_per_second = 2000;
  int requests_burst = 4000;
  int worker_threads = 4;
  int event_loops = 0;             // 0 = one per core
  std::string log_level = "info";
  domain::AuthPolicy auth;
  domain::RotationOptions rotation;
  int rotation_workers = 4;        // credential changes running at once
  int rotation_poll_seconds = 10;  // how often due changes, schedules and checks are looked for

  // [store]: empty url = the embedded SQLite file database(); "postgresql://..." = PostgreSQL,
  // shared by every node (PSAFE_STORE_URL overrides; the password comes from password_file
  // or PSAFE_STORE_PASSWORD, never the command line).
  std::string store_url;
  std::filesystem::path store_password_file;
  int store_pool_size = 16;
  int store_statement_timeout_ms = 15000;

  std::filesystem::path database() const { return data_dir / "psafe.db"; }
  bool uses_postgres() const { return !store_url.empty(); }
  // The database for logs and messages: the file, or the URL without its password.
  std::string store_description() const;
  // True when the TLS files are the ones psafed generates (not operator-supplied).
  bool uses_generated_tls() const;
  std::string origin() const;    // scheme://host:port
  std::string base_url() const;  // origin + /BeyondTrust/api/public/v3
};

struct ConfigOverrides {
  std::optional<std::string> config_file;
  std::optional<std::string> listen;     // ADDR:PORT, [v6]:PORT
  std::optional<std::string> log_level;
};

Result<Config> LoadConfig(const std::filesystem::path& data_dir, const ConfigOverrides& o);
// Parses "127.0.0.1:8443" / "[::1]:0".
Status ParseListen(std::string_view s, std::string* address, uint16_t* port);
// Writes a commented default psafed.toml (only if none exists).
Status WriteDefaultConfigFile(const std::filesystem::path& data_dir);

}  // namespace psafe::server
