// psafe-loadgen: drives an HTTPS server with N keep-alive TLS connections for a fixed time
// and prints one JSON line: throughput and latency percentiles (docs/BENCHMARKS.md).
//
//   psafe-loadgen --port P --ca FILE --connections N --seconds S --workload W [options]
//
// Workloads:
//   get           GET --path on every iteration (--header adds headers; --signin signs in
//                 first with --key/--user and sends the session cookie)
//   flow          the full RetrievePassword flow per iteration, each connection on its own
//                 account (--system S --account-prefix P: accounts P0..PN-1):
//                 GET ManagedAccounts → POST Requests → GET Credentials → PUT Checkin
//   signin-key    POST Auth/SignAppIn with PS-Auth, then POST Auth/Signout
//   signin-oauth  POST Auth/connect/token (client credentials)
// An iteration that gets an unexpected status counts as an error, not as a sample.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8443";
  std::string ca;
  int connections = 16;
  int threads = 1;
  double seconds = 10;
  std::string workload = "get";
  std::string path = "/health";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string key, user = "admin";
  std::string client_id, client_secret;
  std::string system, account_prefix;
  bool signin = false;
};

struct Stats {
  std::vector<int64_t> latencies_us;
  int64_t errors = 0;
  std::string first_error;
};

const std::string kBase = "/BeyondTrust/api/public/v3/";

class Conn {
 public:
  Conn(asio::any_io_executor ex, asio::ssl::context& ctx, const Options& o) : o_(o), stream_(ex, ctx) {}

  asio::awaitable<bool> Open(const tcp::resolver::results_type& eps) {
    SSL_set_tlsext_host_name(stream_.native_handle(), o_.host.c_str());
    auto [ec, ep] = co_await beast::get_lowest_layer(stream_).async_connect(eps, kTuple);
    if (ec) co_return Fail("connect: " + ec.message());
    auto [hs] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hs) co_return Fail("handshake: " + hs.message());
    co_return true;
  }

  // One request; `status` receives the HTTP status (0 on a transport error).
  asio::awaitable<std::string> Call(http::verb verb, const std::string& target, std::string body, int* status,
                                    const std::vector<std::pair<std::string, std::string>>& extra,
                                    const char* content_type = "application/json") {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, o_.host);
    req.keep_alive(true);
    for (const auto& [k, v] : o_.headers) req.set(k, v);
    for (const auto& [k, v] : extra) req.set(k, v);
    if (!cookie_.empty()) req.set(http::field::cookie, cookie_);
    if (verb != http::verb::get) {
      req.set(http::field::content_type, content_type);
      req.body() = std::move(body);
      req.prepare_payload();
    }
    auto [wec, wn] = co_await http::async_write(stream_, req, kTuple);
    if (wec) {
      *status = 0;
      co_return "write: " + wec.message();
    }
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream_, buffer_, res, kTuple);
    if (rec) {
      *status = 0;
      co_return "read: " + rec.message();
    }
    *status = res.result_int();
    if (auto c = res.find(http::field::set_cookie); c != res.end()) {
      std::string v(c->value());
      cookie_ = v.substr(0, v.find(';'));
    }
    co_return std::move(res.body());
  }

  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  const std::string& error() const { return error_; }
  std::string& cookie() { return cookie_; }

 private:
  const Options& o_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::string cookie_;
  std::string error_;
};

std::string PsAuth(const Options& o) { return "PS-Auth key=" + o.key + "; runas=" + o.user + ";"; }

// Built outside the coroutines: GCC 12 miscompiles brace-initialised lists inside them.
using HeaderList = std::vector<std::pair<std::string, std::string>>;
HeaderList AuthHeader(const Options& o) {
  HeaderList h;
  h.emplace_back("Authorization", PsAuth(o));
  return h;
}
std::string RequestBody(int64_t system_id, int64_t account_id) {
  json::object body;
  body["SystemID"] = system_id;
  body["AccountID"] = account_id;
  body["DurationMinutes"] = 5;
  body["Reason"] = "bench";
  body["ConflictOption"] = "reuse";
  return json::serialize(body);
}

// One iteration of the workload; false (with `why`) on an unexpected answer.
asio::awaitable<bool> Iterate(Conn& c, const Options& o, int index, std::string* why) {
  int st = 0;
  // Two accepted statuses at most (GCC 12 miscompiles initializer lists held across co_await).
  auto expect = [&](int got, int ok, int ok2, const std::string& what, const std::string& body) {
    if (got == ok || got == ok2) return true;
    *why = what + " -> " + std::to_string(got) + " " + body.substr(0, 120);
    return false;
  };
  if (o.workload == "get") {
    std::string b = co_await c.Call(http::verb::get, o.path, "", &st, HeaderList());
    co_return expect(st, 200, -1, "GET " + o.path, b);
  }
  if (o.workload == "signin-key") {
    c.cookie().clear();
    const HeaderList auth = AuthHeader(o);
    std::string b = co_await c.Call(http::verb::post, kBase + "Auth/SignAppIn", "", &st, auth);
    if (!expect(st, 200, -1, "SignAppIn", b)) co_return false;
    b = co_await c.Call(http::verb::post, kBase + "Auth/Signout", "", &st, HeaderList());
    co_return expect(st, 200, -1, "Signout", b);
  }
  if (o.workload == "signin-oauth") {
    std::string b = co_await c.Call(http::verb::post, kBase + "Auth/connect/token",
                                    "client_id=" + o.client_id + "&client_secret=" + o.client_secret +
                                        "&grant_type=client_credentials",
                                    &st, HeaderList(), "application/x-www-form-urlencoded");
    co_return expect(st, 200, -1, "connect/token", b);
  }
  // flow
  const std::string account = o.account_prefix + std::to_string(index);
  std::string b = co_await c.Call(http::verb::get, kBase + "ManagedAccounts?systemName=" + o.system + "&accountName=" + account,
                                  "", &st, HeaderList());
  if (!expect(st, 200, -1, "ManagedAccounts", b)) co_return false;
  json::value v = json::parse(b);
  const auto sid = v.at("SystemId").as_int64();
  const auto aid = v.at("AccountId").as_int64();
  b = co_await c.Call(http::verb::post, kBase + "Requests", RequestBody(sid, aid), &st, HeaderList());
  if (!expect(st, 200, 201, "POST Requests", b)) co_return false;
  const std::string id = b;
  b = co_await c.Call(http::verb::get, kBase + "Credentials/" + id, "", &st, HeaderList());
  if (!expect(st, 200, -1, "GET Credentials", b)) co_return false;
  b = co_await c.Call(http::verb::put, kBase + "Requests/" + id + "/Checkin", "{}", &st, HeaderList());
  co_return expect(st, 204, -1, "Checkin", b);
}

asio::awaitable<void> Worker(asio::ssl::context& ctx, const Options& o, tcp::resolver::results_type eps, int index,
                             Clock::time_point start, Clock::time_point end, Stats& stats) {
  Conn c(co_await asio::this_coro::executor, ctx, o);
  if (!co_await c.Open(eps)) {
    ++stats.errors;
    if (stats.first_error.empty()) stats.first_error = c.error();
    co_return;
  }
  if (o.signin || o.workload == "flow") {
    int st = 0;
    const HeaderList auth = AuthHeader(o);
    std::string b = co_await c.Call(http::verb::post, kBase + "Auth/SignAppIn", "", &st, auth);
    if (st != 200) {
      ++stats.errors;
      if (stats.first_error.empty()) stats.first_error = "SignAppIn -> " + std::to_string(st) + " " + b;
      co_return;
    }
  }
  (void)start;
  while (Clock::now() < end) {
    const auto t0 = Clock::now();
    std::string why;
    if (co_await Iterate(c, o, index, &why)) {
      stats.latencies_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
    } else {
      ++stats.errors;
      if (stats.first_error.empty()) stats.first_error = why;
      if (why.find(" -> 0 ") != std::string::npos) co_return;  // the connection is gone
    }
  }
}

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host") o->host = next();
    else if (a == "--port") o->port = next();
    else if (a == "--ca") o->ca = next();
    else if (a == "--connections") o->connections = std::atoi(next().c_str());
    else if (a == "--threads") o->threads = std::atoi(next().c_str());
    else if (a == "--seconds") o->seconds = std::atof(next().c_str());
    else if (a == "--workload") o->workload = next();
    else if (a == "--path") o->path = next();
    else if (a == "--key") o->key = next();
    else if (a == "--user") o->user = next();
    else if (a == "--client-id") o->client_id = next();
    else if (a == "--client-secret") o->client_secret = next();
    else if (a == "--system") o->system = next();
    else if (a == "--account-prefix") o->account_prefix = next();
    else if (a == "--signin") o->signin = true;
    else if (a == "--header") {
      std::string h = next();
      size_t colon = h.find(':');
      if (colon == std::string::npos) return false;
      o->headers.emplace_back(h.substr(0, colon), h.substr(h.find_first_not_of(' ', colon + 1)));
    } else {
      return false;
    }
  }
  return o->connections > 0 && o->threads > 0 && o->seconds > 0;
}



int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: psafe-loadgen --port P --ca FILE --connections N --seconds S --workload "
                         "get|flow|signin-key|signin-oauth [--path P] [--header 'K: V'] [--signin] [--key K] "
                         "[--user U] [--client-id I --client-secret S] [--system S --account-prefix P] [--threads T]\n");
    return 2;
  }
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  if (!o.ca.empty()) ctx.load_verify_file(o.ca);
  std::vector<std::unique_ptr<asio::io_context>> ioc;
  std::vector<Stats> stats(static_cast<size_t>(o.connections));
  for (int t = 0; t < o.threads; ++t) ioc.push_back(std::make_unique<asio::io_context>(1));
  tcp::resolver resolver(*ioc[0]);
  auto eps = resolver.resolve(o.host, o.port);
  const auto start = Clock::now();
  const auto end = start + std::chrono::microseconds(static_cast<int64_t>(o.seconds * 1e6));
  for (int i = 0; i < o.connections; ++i) {
    asio::co_spawn(*ioc[static_cast<size_t>(i % o.threads)],
                   Worker(ctx, o, eps, i, start, end, stats[static_cast<size_t>(i)]), asio::detached);
  }
  std::vector<std::thread> threads;
  for (auto& io : ioc) threads.emplace_back([&io] { io->run(); });
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<int64_t> all;
  int64_t errors = 0;
  std::string first_error;
  for (auto& s : stats) {
    all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
    errors += s.errors;
    if (first_error.empty()) first_error = s.first_error;
  }
  std::sort(all.begin(), all.end());
  json::object out{{"workload", o.workload},
                   {"connections", o.connections},
                   {"seconds", elapsed},
                   {"ops", static_cast<int64_t>(all.size())},
                   {"ops_per_s", static_cast<double>(all.size()) / elapsed},
                   {"p50_us", Percentile(all, 0.50)},
                   {"p90_us", Percentile(all, 0.90)},
                   {"p99_us", Percentile(all, 0.99)},
                   {"max_us", all.empty() ? 0 : all.back()},
                   {"errors", errors},
                   {"first_error", first_error}};
  std::printf("%s\n", json::serialize(out).c_str());
  return all.empty() ? 1 : 0;
}
