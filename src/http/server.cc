#include "http/server.h"

#include "common/strings.h"
#include "common/utf8.h"
#include "http/beast_request.h"

#include <openssl/ssl.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace psafe::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Mozilla "intermediate": forward-secret AEAD suites only (TLS 1.3 suites are fixed).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return ToValidUtf8(std::move(out));  // the access log is JSON lines: a raw target's bad bytes become U+FFFD
}

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// The connection's view for shutdown: idle connections are cancelled at once, busy ones
// finish their request first.
struct LiveConnection {
  beast::tcp_stream* tcp;
  bool idle = true;
};

// Lets a gate post to a loop from any thread, for as long as the loop exists.
struct LoopHandle {
  std::mutex mu;
  asio::io_context* ioc;  // GUARDED_BY(mu); null once the server is gone
};

// One event loop: its io_context, its thread, the connections it owns.
struct Loop {
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  asio::steady_timer grace_timer{ioc};
  std::set<LiveConnection*> live;  // this loop's thread only
  std::shared_ptr<LoopHandle> handle = std::make_shared<LoopHandle>();
  std::thread thread;              // empty for loop 0, which runs on Run()'s caller
  Loop() { handle->ioc = &ioc; }
};

std::vector<std::unique_ptr<Loop>> MakeLoops(int count) {
  if (count <= 0) {
    // The cores this process may run on (taskset, cgroup cpusets), not the machine's.
    cpu_set_t cpus;
    count = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus)
                                                          : static_cast<int>(std::thread::hardware_concurrency());
    count = std::max(1, count);
  }
  std::vector<std::unique_ptr<Loop>> loops;
  for (int i = 0; i < count; ++i) loops.push_back(std::make_unique<Loop>());
  return loops;
}

// A response waiting at the gate; the gate's callback may come late, after a timeout.
struct GateWait {
  bool waiting = true;   // the loop's thread only
  bool open = false;
  asio::steady_timer* timer;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r, ErrorResponder e, ResponseGate* g)
      : opts(std::move(o)),
        router(r),
        error(std::move(e)),
        gate(g),
        loops(MakeLoops(opts.loops)),
        workers(static_cast<size_t>(std::max(1, opts.worker_threads))) {}

  ServerOptions opts;
  const Router& router;
  ErrorResponder error;
  ResponseGate* gate;
  std::vector<std::unique_ptr<Loop>> loops;
  asio::ssl::context ssl_ctx{asio::ssl::context::tls_server};
  // The acceptor and the signals live on loop 0.
  tcp::acceptor acceptor{loops[0]->ioc};
  asio::signal_set signals{loops[0]->ioc, SIGINT, SIGTERM};
  size_t next_loop = 0;                 // loop 0's thread only
  asio::thread_pool workers;
  std::atomic<bool> stopping{false};
  // "access" (pure JSON lines) when the program configured one, else the default logger.
  std::shared_ptr<spdlog::logger> access =
      spdlog::get("access") ? spdlog::get("access") : spdlog::default_logger();

  // The subject of the peer's certificate when it verified against the client CA.
  static std::string VerifiedPeerSubject(SSL* ssl) {
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (cert == nullptr) return {};
    std::string subject;
    if (SSL_get_verify_result(ssl) == X509_V_OK) {
      char buf[512];
      X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
      subject = buf;
    }
    X509_free(cert);
    return subject;
  }

  Status ConfigureTls() {
    namespace ssl = asio::ssl;
    ssl_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    SSL_CTX* native = ssl_ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                    SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_cipher_list(native, kTls12Ciphers);
    beast::error_code ec;
    ssl_ctx.use_certificate_chain_file(opts.cert_file, ec);
    if (ec) return Status::IOError("cannot load TLS certificate " + opts.cert_file + ": " + ec.message());
    ssl_ctx.use_private_key_file(opts.key_file, ssl::context::pem, ec);
    if (ec) return Status::IOError("cannot load TLS key " + opts.key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(native) != 1) {
      return Status::InvalidArgument("TLS key does not match the certificate");
    }
    if (!opts.client_ca_file.empty()) {
      // Asked for, not demanded: which registrations need one is the API's decision. A
      // certificate that is presented must verify, or the handshake fails.
      if (SSL_CTX_load_verify_locations(native, opts.client_ca_file.c_str(), nullptr) != 1) {
        return Status::IOError("cannot load client CA " + opts.client_ca_file);
      }
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(opts.client_ca_file.c_str());
      if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
      // Sessions resumed by a client must not carry another context's verification.
      static constexpr unsigned char kSessionContext[] = "psafed";
      SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
    }
    return Status::OK();
  }

  Status Bind() {
    beast::error_code ec;
    auto addr = asio::ip::make_address(opts.address, ec);
    if (ec) return Status::InvalidArgument("invalid listen address '" + opts.address + "'");
    tcp::endpoint ep(addr, opts.port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IOError("cannot listen on " + opts.address + ":" + std::to_string(opts.port) +
                             ": " + ec.message());
    }
    return Status::OK();
  }

  // On loop 0.
  void BeginShutdown() {
    if (stopping.exchange(true)) return;
    spdlog::info("shutting down: no new connections; finishing in-flight requests");
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    for (auto& loop : loops) asio::post(loop->ioc, [this, l = loop.get()] { ShutdownLoop(*l); });
  }

  // On `loop`: idle connections go now, busy ones when their request is answered, and the
  // loop returns once none is left (or the grace period ends).
  void ShutdownLoop(Loop& loop) {
    for (LiveConnection* c : loop.live) {
      if (c->idle) c->tcp->cancel();
    }
    loop.work.reset();
    if (loop.live.empty()) return;
    loop.grace_timer.expires_after(opts.shutdown_grace);
    loop.grace_timer.async_wait([&loop](beast::error_code wait_ec) {
      if (!wait_ec) {
        spdlog::warn("shutdown grace period over; closing {} connection(s)", loop.live.size());
        loop.ioc.stop();
      }
    });
  }

  void Forget(Loop& loop, LiveConnection* c) {
    loop.live.erase(c);
    if (stopping && loop.live.empty()) loop.grace_timer.cancel();
  }

  asio::awaitable<void> AcceptLoop() {
    while (!stopping) {
      Loop& loop = *loops[next_loop++ % loops.size()];
      auto [ec, sock] = co_await acceptor.async_accept(loop.ioc, kTuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("accept failed: {}", ec.message());  // e.g. out of descriptors
        asio::steady_timer pause(loops[0]->ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(kTuple);
        continue;
      }
      asio::co_spawn(loop.ioc, Connection(loop, std::move(sock)), asio::detached);
    }
  }

  asio::awaitable<void> Connection(Loop& loop, tcp::socket sock) {
    beast::error_code ec;
    auto ep = sock.remote_endpoint(ec);
    std::string remote = ec ? "?" : ep.address().to_string();
    if (opts.tls) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(sock), ssl_ctx);
      auto& tcp_layer = beast::get_lowest_layer(stream);
      LiveConnection lc{&tcp_layer};
      loop.live.insert(&lc);
      tcp_layer.expires_after(opts.read_timeout);
      auto [hs_ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
      if (!hs_ec) {
        co_await RequestLoop(loop, stream, lc, remote, VerifiedPeerSubject(stream.native_handle()));
        // Send close_notify; wait briefly for the peer's only when not shutting down.
        tcp_layer.expires_after(stopping ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000));
        co_await stream.async_shutdown(kTuple);
      }
      Forget(loop, &lc);
    } else {
      beast::tcp_stream stream(std::move(sock));
      LiveConnection lc{&stream};
      loop.live.insert(&lc);
      co_await RequestLoop(loop, stream, lc, remote, std::string());
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      Forget(loop, &lc);
    }
  }

  // A browser that once reached psafed over TLS never falls back to plain HTTP.
  void SetHsts(bhttp::response<bhttp::string_body>& out) const {
    if (opts.tls) out.set(bhttp::field::strict_transport_security, "max-age=31536000");
  }

  template <class Stream>
  asio::awaitable<void> WriteError(Stream& stream, int status, std::string_view msg) {
    Response res = error(status, msg);
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
    out.set(bhttp::field::content_type, res.content_type);
    out.set(bhttp::field::connection, "close");
    SetHsts(out);
    out.body() = std::move(res.body);
    out.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(stream, out, kTuple);
  }

  template <class Stream>
  asio::awaitable<void> RequestLoop(Loop& loop, Stream& stream, LiveConnection& lc, const std::string& remote,
                                    const std::string& client_certificate) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    bool first = true;
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(opts.header_limit));
      parser.body_limit(opts.body_limit);
      lc.idle = buffer.size() == 0;
      tcp_layer.expires_after(first ? opts.read_timeout : opts.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
      lc.idle = false;
      if (ec) {
        // An announced Content-Length over the limit fails the header read already.
        if (ec == bhttp::error::header_limit) co_await WriteError(stream, 431, "request header too large");
        else if (ec == bhttp::error::body_limit) co_await WriteError(stream, 413, "request body too large");
        else if (IsParseError(ec)) co_await WriteError(stream, 400, "malformed HTTP request");
        co_return;
      }
      first = false;
      // Before a byte of the body is read: a body Beast would not frame (a coding other
      // than chunked) would otherwise be read as the next request on this connection.
      if (Status framing = CheckFraming(parser.get()); !framing.ok()) {
        co_await WriteError(stream, 400, framing.message());
        co_return;
      }
      if (parser.get()[bhttp::field::expect] == "100-continue") {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
        co_await bhttp::async_write(stream, cont, kTuple);
      }
      tcp_layer.expires_after(opts.read_timeout);
      auto [body_ec, body_n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      if (body_ec) {
        if (body_ec == bhttp::error::body_limit) co_await WriteError(stream, 413, "request body too large");
        else if (IsParseError(body_ec)) co_await WriteError(stream, 400, "malformed HTTP request");
        co_return;
      }
      auto msg = parser.release();
      const auto started = std::chrono::steady_clock::now();

      const bool client_keep_alive = msg.keep_alive();
      const unsigned version = msg.version();
      Request req = FromBeast(std::move(msg), remote, client_certificate);

      Response res;
      if (const Router::Route* route = router.Match(req, &res)) res = co_await Handle(loop, *route, req);
      WipeString(req.body);

      const bool keep_alive = client_keep_alive && !stopping;
      bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
      if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
      out.set(bhttp::field::cache_control, "no-store");
      SetHsts(out);
      for (const auto& [k, v] : res.headers.fields()) out.insert(k, v);
      out.body() = std::move(res.body);
      out.keep_alive(keep_alive);
      out.prepare_payload();
      const size_t bytes = out.body().size();
      tcp_layer.expires_after(opts.read_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, out, kTuple);
      if (res.sensitive) WipeString(out.body());
      LogAccess(req, res.status, bytes, started, res.log_principal);
      if (wec || !keep_alive) co_return;
    }
  }

  // Zeroes a buffer that held a secret before its memory is released.
  static void WipeString(std::string& s) {
    volatile char* p = s.data();
    for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
    s.clear();
  }

  // Runs the route's handler where it belongs, then holds the response at the gate.
  asio::awaitable<Response> Handle(Loop& loop, const Router::Route& route, Request& req) {
    const bool blocking = route.blocking != nullptr && route.blocking(req);
    GateTicket ticket;
    Response res;
    if (blocking || !opts.handlers_on_loops) {
      res = co_await asio::co_spawn(
          workers, [&]() -> asio::awaitable<Response> { co_return Invoke(route, req, !blocking, &ticket); },
          asio::use_awaitable);
    } else {
      res = Invoke(route, req, /*deferred=*/true, &ticket);
    }
    if (ticket.position != 0 && !co_await PassGate(loop, ticket.position)) {
      if (res.sensitive) WipeString(res.body);
      res = error(503, "the change could not be made durable in time; try again");
    } else if (ticket.refused != nullptr && ticket.refused->load()) {
      if (res.sensitive) WipeString(res.body);
      spdlog::error("{} {}: a change it depends on could not be committed; refused",
                    req.method, PathOf(req.target));
      res = error(503, "the change could not be recorded; try again");
    }
    co_return res;
  }

  Response Invoke(const Router::Route& route, Request& req, bool deferred, GateTicket* ticket) {
    if (gate != nullptr) gate->Enter(deferred);
    Response res;
    try {
      res = route.handler(req);
    } catch (const std::exception& e) {
      spdlog::error("handler failed on {} {}: {}", req.method, PathOf(req.target), e.what());
      res = error(500, "internal error");
    }
    if (gate != nullptr) *ticket = gate->Leave();
    return res;
  }

  // True once the gate opens for `ticket`; false after gate_timeout.
  asio::awaitable<bool> PassGate(Loop& loop, uint64_t ticket) {
    asio::steady_timer timer(loop.ioc);
    auto wait = std::make_shared<GateWait>();
    wait->timer = &timer;
    timer.expires_after(opts.gate_timeout);
    gate->WhenOpen(ticket, [wait, handle = loop.handle] {
      std::lock_guard lk(handle->mu);
      if (handle->ioc == nullptr) return;
      asio::post(*handle->ioc, [wait] {
        if (!wait->waiting) return;
        wait->open = true;
        wait->timer->cancel();
      });
    });
    co_await timer.async_wait(kTuple);
    wait->waiting = false;
    co_return wait->open;
  }

  static std::string_view PathOf(std::string_view target) {
    return target.substr(0, target.find('?'));
  }

  void LogAccess(const Request& req, int status, size_t bytes,
                 std::chrono::steady_clock::time_point started, const std::string& principal) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - started).count();
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    access->info(
        R"({{"ts":"{}","event":"access","remote":"{}","method":"{}","path":"{}","status":{},"bytes":{},"us":{},"principal":"{}"}})",
        FormatTimestamp(now), JsonEscape(req.remote_address),
        JsonEscape(req.method), JsonEscape(PathOf(req.target)),
        status, bytes, us, JsonEscape(principal));
  }
};

Server::Server(ServerOptions options, const Router& router, ErrorResponder error, ResponseGate* gate)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(error), gate)) {}

Server::~Server() {
  impl_->workers.join();
  for (auto& loop : impl_->loops) {
    std::lock_guard lk(loop->handle->mu);
    loop->handle->ioc = nullptr;
  }
}

Status Server::Listen() {
  if (impl_->opts.tls) PSAFE_RETURN_IF_ERROR(impl_->ConfigureTls());
  return impl_->Bind();
}

uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Server::Run() {
  Impl& impl = *impl_;
  impl.signals.async_wait([&impl](beast::error_code ec, int sig) {
    if (!ec) {
      spdlog::info("received signal {}", sig);
      impl.BeginShutdown();
    }
  });
  asio::co_spawn(impl.loops[0]->ioc, impl.AcceptLoop(), asio::detached);
  for (size_t i = 1; i < impl.loops.size(); ++i) {
    Loop& loop = *impl.loops[i];
    loop.thread = std::thread([&loop] { loop.ioc.run(); });
  }
  impl.loops[0]->ioc.run();
  for (size_t i = 1; i < impl.loops.size(); ++i) impl.loops[i]->thread.join();
  impl.workers.join();
}

void Server::Stop() {
  asio::post(impl_->loops[0]->ioc, [impl = impl_.get()] { impl->BeginShutdown(); });
}

}  // namespace psafe::http
