#include "api/client_context.h"

namespace psafe::api {

namespace {
constexpr size_t kMaxFactorHeader = 1024;

std::optional<std::string> Header(const http::Headers& h, std::string_view name) {
  auto v = h.Get(name);
  if (!v || v->size() > kMaxFactorHeader) return std::nullopt;
  return PercentDecodeHeaderValue(*v);
}
}  // namespace

std::optional<PsrunFactors> ReadPsrunFactors(const http::Headers& headers) {
  PsrunFactors f;
  auto version = Header(headers, kPsrunVersionHeader);
  if (!version) return std::nullopt;
  f.version = std::move(*version);
  struct Field {
    std::string_view header;
    std::string* out;
  };
  const Field fields[] = {{kPsrunTimestampHeader, &f.timestamp},
                          {kPsrunNonceHeader, &f.nonce},
                          {kPsrunSignatureHeader, &f.signature}};
  for (const Field& field : fields) {
    auto v = Header(headers, field.header);
    if (!v) return std::nullopt;
    *field.out = std::move(*v);
  }
  // A factor the client could not read may be absent: it counts as empty.
  for (const PsrunFactorInfo& info : kPsrunFactors) {
    if (!headers.Get(info.header)) continue;
    auto v = Header(headers, info.header);
    if (!v) return std::nullopt;
    f.values[static_cast<size_t>(info.factor)] = std::move(*v);
  }
  return f;
}

domain::ClientContext TransportContextOf(const http::Request& req) {
  domain::ClientContext c;
  c.remote_address = req.remote_address;
  c.client_certificate = !req.client_certificate.empty();
  return c;
}

domain::ClientContext ClientContextOf(const http::Request& req) {
  domain::ClientContext c = TransportContextOf(req);
  c.factors = ReadPsrunFactors(req.headers);
  c.method = req.method;
  c.path = req.target.substr(0, req.target.find('?'));
  return c;
}

}  // namespace psafe::api
