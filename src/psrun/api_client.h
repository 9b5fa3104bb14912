// ApiClient: psrun2's HTTP side, on libcurl. One easy handle per run, so the chained calls
// of a short command share one TLS connection (keep-alive) and the session cookie.
// TLS 1.2+, the server certificate verified unless -i; a client certificate (-cert, PEM or
// PKCS#12 by extension) when given. -v logs each exchange to stderr with secrets masked.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/secret_string.h"

namespace psafe::psrun {

struct ClientConfig {
  std::string base_url;  // https://host[:port]/BeyondTrust/api/public/v3/
  bool insecure = false;
  std::optional<std::string> ca_file;  // PSRUN_CA_FILE: a CA bundle to trust instead of the system's
  std::optional<std::string> cert;
  const crypto::SecretString* cert_password = nullptr;
  bool verbose = false;
};

struct HttpReply {
  long status = 0;
  std::string body;  // wiped on destruction: it may hold a credential
  ~HttpReply();
};

class ApiClient {
 public:
  static Result<std::unique_ptr<ApiClient>> Create(ClientConfig config);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // Headers sent on every call from now on (the PS-Auth header).
  void SetHeaders(std::vector<std::string> headers);
  // Headers computed for each call from its method and path (the signed factors).
  using PerCallHeaders = std::function<std::vector<std::string>(std::string_view method, std::string_view path)>;
  void SetPerCallHeaders(PerCallHeaders f) { per_call_ = std::move(f); }
  // `endpoint` is relative to the base URL and already URL-encoded. IOError when the
  // server cannot be reached; any HTTP status is a reply.
  Result<HttpReply> Call(std::string_view method, std::string_view endpoint, const std::string* body);

  // Percent-encodes one path segment or query value.
  std::string Escape(std::string_view s) const;

 private:
  explicit ApiClient(ClientConfig config) : config_(std::move(config)) {}
  ClientConfig config_;
  void* curl_ = nullptr;
  std::vector<std::string> headers_;
  PerCallHeaders per_call_;
};

}  // namespace psafe::psrun
