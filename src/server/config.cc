#include "server/config.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <toml++/toml.h>

#include "store/postgres_connection.h"

namespace psafe::server {

namespace {

constexpr std::string_view kDefaultConfig = R"(# psafed configuration. Every key is optional; the values shown are the defaults.
# Relative paths are resolved against the data directory.

listen = "127.0.0.1:8443"      # ADDR:PORT; --listen overrides
event_loops = 0                # network threads; 0 = one per core. On SQLite they run the handlers
worker_threads = 4             # threads running handlers that block (password hashes, managed
                               # systems), and every handler on PostgreSQL

[tls]
enabled = true                 # plain HTTP is refused unless listen is a loopback address
cert = "tls/server.crt"        # PEM chain; generated at init when absent
key = "tls/server.key"         # PEM private key (mode 0600)
# client_ca = "tls/clients.pem" # PEM CA(s) for client certificates: when set, clients may present
                               # one, and registrations with ClientCertificateRequired demand it

[limits]
max_header_bytes = 16384       # larger request headers get 431
max_body_bytes = 8388608       # larger bodies get 413
read_timeout_seconds = 30      # to receive one request
idle_timeout_seconds = 60      # between keep-alive requests
shutdown_grace_seconds = 10    # in-flight requests may finish within this on SIGTERM
sweep_interval_seconds = 60    # how often expired sessions, tokens and requests are swept
signin_per_second = 20         # sign-in calls per client address (0 = no limit); then 429
signin_burst = 100
requests_per_second = 2000     # other API calls per client address (0 = no limit); then 429
requests_burst = 4000

[auth]
session_idle_minutes = 20      # ASP.NET_SessionId idle expiry
session_max_minutes = 480      # absolute lifetime of a cookie session, however active
token_lifetime_seconds = 3600  # OAuth access tokens
lockout_threshold = 5          # consecutive failed sign-ins before lockout
lockout_minutes = 15

[rotation]
workers = 4                    # credential changes running at once (docs/ROTATION.md)
poll_seconds = 10              # how often due changes, schedules and checks are looked for
retry_seconds = 30             # first retry when a target is unreachable; doubles each time
max_retry_seconds = 3600
failed_retry_seconds = 3600    # a failed change (refused, not verified) is tried again after this
check_interval_hours = 24      # CheckPasswordFlag: how often a stored credential is tested

[store]
# url = "postgresql://psafe@db.example.com/psafe?sslmode=verify-full&sslrootcert=/etc/psafe/db-ca.pem"
                               # unset: the embedded SQLite file psafe.db here. PostgreSQL is shared by
                               # every node (docs/DEPLOYMENT.md); PSAFE_STORE_URL overrides
# password_file = "store.password" # the database password (else PSAFE_STORE_PASSWORD or ~/.pgpass)
pool_size = 16                 # PostgreSQL connections this node holds open at most
statement_timeout_ms = 15000   # a statement (or a wait for a lock) longer than this fails with 503

[keys]
master_key_file = "master.key" # ignored when PSAFE_MASTER_KEY is set

[log]
level = "info"                 # trace, debug, info, warn, error
)";

std::filesystem::path Resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : base / path;
}

template <typename T>
Status ReadInt(const toml::table& t, std::string_view key, T* out, int64_t min, int64_t max) {
  auto node = t.at_path(key);
  if (!node) return Status::OK();
  auto v = node.value<int64_t>();
  if (!v || *v < min || *v > max) {
    return Status::InvalidArgument("config: " + std::string(key) + " must be an integer in [" +
                                   std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = static_cast<T>(*v);
  return Status::OK();
}

}  // namespace

bool Config::uses_generated_tls() const {
  return tls_cert == data_dir / "tls/server.crt" && tls_key == data_dir / "tls/server.key";
}

std::string Config::origin() const {
  std::string host = listen_address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls_enabled ? "https" : "http") + "://" + host + ":" +
         std::to_string(listen_port);
}

std::string Config::store_description() const {
  return uses_postgres() ? store::RedactedUrl(store_url) : database().string();
}

std::string Config::base_url() const { return origin() + "/BeyondTrust/api/public/v3"; }

Status ParseListen(std::string_view s, std::string* address, uint16_t* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("listen must be ADDR:PORT, e.g. 127.0.0.1:8443");
  }
  std::string_view host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view p = s.substr(colon + 1);
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc() || end != p.data() + p.size() || v > 65535) {
    return Status::InvalidArgument("listen port must be 0-65535");
  }
  *address = std::string(host);
  *port = static_cast<uint16_t>(v);
  return Status::OK();
}

Result<Config> LoadConfig(const std::filesystem::path& data_dir, const ConfigOverrides& o) {
  Config c;
  c.data_dir = std::filesystem::absolute(data_dir);
  c.tls_cert = c.data_dir / "tls/server.crt";
  c.tls_key = c.data_dir / "tls/server.key";
  c.tls_ca = c.data_dir / "tls/ca.pem";
  c.tls_crl = c.data_dir / "tls/ca.crl";
  c.master_key_file = c.data_dir / "master.key";

  std::filesystem::path file = o.config_file ? std::filesystem::path(*o.config_file)
                                             : c.data_dir / "psafed.toml";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    toml::table t;
    try {  // Debian builds toml++ with exceptions; they stop here
      t = toml::parse_file(file.string());
    } catch (const toml::parse_error& err) {
      return Status::InvalidArgument("config " + file.string() + ":" +
                                     std::to_string(err.source().begin.line) + ": " +
                                     std::string(err.description()));
    }
    if (auto v = t["listen"].value<std::string>()) {
      PSAFE_RETURN_IF_ERROR(ParseListen(*v, &c.listen_address, &c.listen_port));
    }
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "worker_threads", &c.worker_threads, 1, 256));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "event_loops", &c.event_loops, 0, 256));
    if (auto v = t.at_path("tls.enabled").value<bool>()) c.tls_enabled = *v;
    if (auto v = t.at_path("tls.cert").value<std::string>()) c.tls_cert = Resolve(c.data_dir, *v);
    if (auto v = t.at_path("tls.key").value<std::string>()) c.tls_key = Resolve(c.data_dir, *v);
    if (auto v = t.at_path("tls.client_ca").value<std::string>()) c.tls_client_ca = Resolve(c.data_dir, *v);
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.max_header_bytes", &c.max_header_bytes, 1024, 1 << 20));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.max_body_bytes", &c.max_body_bytes, 1024, 1 << 30));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.read_timeout_seconds", &c.read_timeout_seconds, 1, 3600));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.idle_timeout_seconds", &c.idle_timeout_seconds, 1, 3600));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.shutdown_grace_seconds", &c.shutdown_grace_seconds, 0, 3600));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.sweep_interval_seconds", &c.sweep_interval_seconds, 1, 3600));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.signin_per_second", &c.signin_per_second, 0, 1000000));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.signin_burst", &c.signin_burst, 1, 1000000));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.requests_per_second", &c.requests_per_second, 0, 1000000));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "limits.requests_burst", &c.requests_burst, 1, 1000000));
    int64_t minutes = c.auth.session_idle_seconds / 60;
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "auth.session_idle_minutes", &minutes, 1, 24 * 60));
    c.auth.session_idle_seconds = minutes * 60;
    minutes = c.auth.session_max_seconds / 60;
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "auth.session_max_minutes", &minutes, 1, 7 * 24 * 60));
    c.auth.session_max_seconds = minutes * 60;
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "auth.token_lifetime_seconds", &c.auth.token_lifetime_seconds, 60, 86400));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "auth.lockout_threshold", &c.auth.lockout_threshold, 1, 1000));
    minutes = c.auth.lockout_seconds / 60;
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "auth.lockout_minutes", &minutes, 1, 24 * 60));
    c.auth.lockout_seconds = minutes * 60;
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "rotation.workers", &c.rotation_workers, 1, 256));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "rotation.poll_seconds", &c.rotation_poll_seconds, 1, 3600));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "rotation.retry_seconds", &c.rotation.retry_seconds, 1, 86400));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "rotation.max_retry_seconds", &c.rotation.max_retry_seconds, 1, 7 * 86400));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "rotation.failed_retry_seconds", &c.rotation.failed_retry_seconds, 1, 7 * 86400));
    int64_t hours = c.rotation.check_interval_seconds / 3600;
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "rotation.check_interval_hours", &hours, 1, 24 * 365));
    c.rotation.check_interval_seconds = hours * 3600;
    if (auto v = t.at_path("store.url").value<std::string>()) c.store_url = *v;
    if (auto v = t.at_path("store.password_file").value<std::string>()) c.store_password_file = Resolve(c.data_dir, *v);
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "store.pool_size", &c.store_pool_size, 1, 1000));
    PSAFE_RETURN_IF_ERROR(ReadInt(t, "store.statement_timeout_ms", &c.store_statement_timeout_ms, 100, 3600000));
    if (auto v = t.at_path("keys.master_key_file").value<std::string>()) {
      c.master_key_file = Resolve(c.data_dir, *v);
    }
    if (auto v = t.at_path("log.level").value<std::string>()) c.log_level = *v;
  } else if (o.config_file) {
    return Status::InvalidArgument("config file " + file.string() + " does not exist");
  }
  if (const char* url = std::getenv("PSAFE_STORE_URL"); url != nullptr && *url != '\0') c.store_url = url;
  if (c.uses_postgres() && c.store_url.rfind("postgresql://", 0) != 0 && c.store_url.rfind("postgres://", 0) != 0) {
    return Status::InvalidArgument("store.url must be a postgresql:// URL (or unset for the embedded SQLite file)");
  }
  if (o.listen) PSAFE_RETURN_IF_ERROR(ParseListen(*o.listen, &c.listen_address, &c.listen_port));
  if (o.log_level) c.log_level = *o.log_level;
  return c;
}

Status WriteDefaultConfigFile(const std::filesystem::path& data_dir) {
  std::filesystem::path file = data_dir / "psafed.toml";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) return Status::OK();
  std::ofstream out(file);
  out << kDefaultConfig;
  return out ? Status::OK() : Status::IOError("cannot write " + file.string());
}

}  // namespace psafe::server
