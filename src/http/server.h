// Server: the HTTPS (or loopback-only plain HTTP) listener.
//  - HTTP/1.1 keep-alive; header and body size limits answered with 431 / 413;
//    a read timeout per request and an idle timeout between requests (slow clients are
//    cut off, never answered with 408, which some clients would retry);
//  - TLS 1.2+ with AEAD ECDHE suites only, no renegotiation, no compression;
//  - one event loop per core (`loops`), each owning the connections the acceptor hands it
//    round robin; a handler runs on its connection's loop, except one whose route blocks
//    (http/router.h: a password hash, a managed system), which runs on the worker pool;
//    with `handlers_on_loops` off (PostgreSQL, whose every query is a network round trip)
//    all of them run on the pool;
//  - a response passes the ResponseGate (http/response_gate.h) before its first byte: a
//    handler's thread does not wait for the disk, its response does (503 after
//    `gate_timeout`);
//  - SIGINT/SIGTERM: stop accepting, let in-flight requests finish (up to a grace period),
//    close idle connections, return from Run();
//  - one structured access-log line per request: method, path (never the query), status,
//    bytes, microseconds, remote address, principal. Never headers or bodies.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"
#include "http/response_gate.h"
#include "http/router.h"

namespace psafe::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8443;            // 0 = pick an ephemeral port (see Server::port())
  bool tls = true;
  std::string cert_file;           // PEM chain
  std::string key_file;            // PEM private key
  std::string client_ca_file;      // when set: client certificates are requested and verified
  size_t header_limit = 16 * 1024;
  size_t body_limit = 8 * 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds shutdown_grace{10};
  int worker_threads = 4;
  int loops = 0;                   // 0 = one per core
  bool handlers_on_loops = true;
  std::chrono::seconds gate_timeout{15};
};

class Server {
 public:
  // `router` and `gate` (which may be null: nothing waits) outlive the server.
  Server(ServerOptions options, const Router& router, ErrorResponder error, ResponseGate* gate);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads TLS material and binds. After success, port() is the bound port.
  Status Listen();
  uint16_t port() const;
  // Serves until SIGINT/SIGTERM or Stop(); returns once connections have drained.
  void Run();
  // Thread-safe request to shut down gracefully.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace psafe::http
