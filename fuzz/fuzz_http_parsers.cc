// libFuzzer target: the request-path parsers psafed runs on untrusted bytes before any
// authentication — Authorization (PS-Auth, Bearer), Cookie, the query string, the router's
// path decoding, multipart/form-data and the X-PSRUN factor headers.
// Input layout: the first byte picks the parser, the rest is its input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/client_context.h"
#include "http/auth_header.h"
#include "http/multipart.h"
#include "http/query.h"
#include "http/router.h"

namespace {

const psafe::http::Router& TheRouter() {
  static psafe::http::Router* router = [] {
    auto* r = new psafe::http::Router([](int status, std::string_view) { return psafe::http::Response::Empty(status); });
    for (const char* p : {"/BeyondTrust/api/public/v3/ManagedAccounts", "/BeyondTrust/api/public/v3/managedaccounts",
                          "/BeyondTrust/api/public/v3/ManagedSystems/{id}/ManagedAccounts",
                          "/BeyondTrust/api/public/v3/secrets-safe/secrets/{id}/file/download"}) {
      r->Add("GET", p, [](psafe::http::Request&) { return psafe::http::Response::Empty(200); });
    }
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      (void)psafe::http::ParseAuthorization(in);
      break;
    case 1:
      (void)psafe::http::FindCookie(in, "ASP.NET_SessionId");
      break;
    case 2:
      (void)psafe::http::QueryParams::Parse(in);
      break;
    case 3: {
      psafe::http::Request req;
      req.method = "GET";
      req.target = std::string(in);
      (void)TheRouter().Dispatch(req);
      break;
    }
    case 4: {
      // "content-type\nbody"
      const size_t nl = in.find('\n');
      const std::string_view ct = in.substr(0, nl);
      const std::string_view body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
      auto parts = psafe::http::ParseMultipart(ct, body);
      if (parts.ok()) {
        for (const auto& p : *parts) {
          // Every part must lie inside the body it came from.
          if (p.data.data() < body.data() || p.data.data() + p.data.size() > body.data() + body.size()) __builtin_trap();
        }
      }
      break;
    }
    default: {
      // "Name: value" lines as request headers, read as PSRUN factors.
      psafe::http::Headers headers;
      size_t start = 0;
      while (start <= in.size()) {
        size_t nl = in.find('\n', start);
        std::string_view line = in.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        size_t colon = line.find(':');
        if (colon != std::string_view::npos) headers.Add(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
      }
      auto f = psafe::api::ReadPsrunFactors(headers);
      if (f) (void)psafe::PsrunCanonicalString(*f, "POST", "/x");
      break;
    }
  }
  return 0;
}
