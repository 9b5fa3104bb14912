// libFuzzer target: whole HTTP requests, from raw bytes to the answer. Beast parses the
// bytes with psafed's limits, then psafed's own router, authentication, handlers, domain
// services and a real SQLite store (on /dev/shm when it exists) answer them, exactly as
// `psafed serve` wires them (server::App). Any 5xx answer is a finding, as is any crash and
// any JSON answer that is not valid UTF-8.
//
// The seeds (fuzz/corpus/request) are real client requests. They name credentials by
// placeholders, replaced in header values and bodies after parsing, so that mutations of
// authenticated calls reach the handlers: @KEY@ (the administrator's API key), @PASSWORD@,
// @CLIENT_ID@ and @CLIENT_SECRET@ (from `psafed init --demo`).
//
// The store keeps what earlier inputs wrote, as psafed's would. A finding that needs that
// state reproduces by replaying the corpus before it: fuzz_request CORPUS/* crash-FILE.
// The data directory (it holds a master key) is removed at exit.
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "crypto/hardening.h"
#include "http/beast_request.h"
#include "http/message.h"
#include "server/app.h"
#include "server/bootstrap.h"
#include "server/config.h"

namespace {

namespace bhttp = boost::beast::http;
using psafe::server::App;

struct Fixture {
  std::unique_ptr<App> app;
  std::vector<std::pair<std::string, std::string>> placeholders;
  size_t header_limit = 0;
  size_t body_limit = 0;
  bool verbose = false;  // FUZZ_REQUEST_VERBOSE=1: print each answer's status (corpus triage)
};

std::string g_data_root;  // removed at exit: it holds a master key

void RemoveDataRoot() {
  std::error_code ec;
  std::filesystem::remove_all(g_data_root, ec);
}

Fixture* Open() {
  spdlog::set_level(spdlog::level::off);
  if (!psafe::crypto::InitializeCrypto().ok()) return nullptr;
  const std::filesystem::path base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::filesystem::temp_directory_path();
  std::string tmpl = (base / "psafe-fuzz-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return nullptr;
  g_data_root = tmpl;
  std::atexit(RemoveDataRoot);
  auto config = psafe::server::LoadConfig(std::filesystem::path(tmpl) / "data", {});
  if (!config.ok()) return nullptr;
  // One client hammering one administrator: no rate limits, no lockout.
  config->signin_per_second = 0;
  config->requests_per_second = 0;
  config->auth.lockout_threshold = 1 << 30;
  auto init = psafe::server::InitDataDir(*config, /*demo=*/true);
  if (!init.ok()) return nullptr;
  auto app = App::Open(*config);
  if (!app.ok()) return nullptr;
  auto* f = new Fixture;
  f->app = std::move(app).value();
  f->placeholders = {{"@KEY@", std::string(init->api_key.view())},
                     {"@PASSWORD@", std::string(init->password.view())},
                     {"@CLIENT_ID@", init->client_id},
                     {"@CLIENT_SECRET@", std::string(init->client_secret.view())}};
  f->header_limit = config->max_header_bytes;
  f->body_limit = config->max_body_bytes;
  f->verbose = std::getenv("FUZZ_REQUEST_VERBOSE") != nullptr;
  return f;
}

Fixture& TheFixture() {
  static Fixture* f = Open();
  if (f == nullptr) {
    std::fprintf(stderr, "fuzz_request: cannot set up a data directory\n");
    std::abort();
  }
  return *f;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = TheFixture();
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  bhttp::request_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.header_limit(static_cast<uint32_t>(f.header_limit));
  parser.body_limit(f.body_limit);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(raw), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;  // the server answers 400/413/431 before routing
  if (!psafe::http::CheckFraming(parser.get()).ok()) return 0;  // 400 before routing, too
  psafe::http::Request req = psafe::http::FromBeast(parser.release(), "127.0.0.1", "");

  // Placeholders are replaced after parsing, so a seed's Content-Length stays right.
  const auto substitute = [&f](std::string s) {
    for (const auto& [from, to] : f.placeholders) ReplaceAll(s, from, to);
    return s;
  };
  psafe::http::Headers headers;
  for (const auto& [name, value] : req.headers.fields()) headers.Add(name, substitute(value));
  req.headers = std::move(headers);
  req.body = substitute(std::move(req.body));
  const psafe::http::Response res = f.app->router().Dispatch(req);
  if (f.verbose) std::fprintf(stderr, "%d %s %s\n", res.status, req.method.c_str(), req.target.c_str());
  if (res.status >= 500) {
    std::fprintf(stderr, "fuzz_request: %s %s answered %d: %s\n", req.method.c_str(), req.target.c_str(),
                 res.status, res.body.c_str());
    std::abort();
  }
  // No JSON answer may carry bytes that are not UTF-8 (docs/SECURITY.md, "Input handling").
  if (res.content_type.starts_with("application/json") && !psafe::IsValidUtf8(res.body)) {
    std::fprintf(stderr, "fuzz_request: %s %s answered JSON that is not UTF-8\n", req.method.c_str(),
                 req.target.c_str());
    std::abort();
  }
  return 0;
}
