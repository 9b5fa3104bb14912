// Request and Response as the handlers see them: plain structs, no Beast types, so only
// http/server.cc pays for Beast's headers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/query.h"

namespace psafe::http {

class Headers {
 public:
  void Add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // First field of that name (case-insensitive), if any.
  std::optional<std::string_view> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method;   // as sent, e.g. "GET"
  std::string target;   // raw request-target
  Headers headers;
  std::string body;
  std::string remote_address;
  // Subject of a client certificate that verified against the configured client CA;
  // empty when none was presented (or no client CA is configured).
  std::string client_certificate;

  // Filled in by the router.
  std::vector<std::string> segments;      // decoded path segments
  std::vector<std::string> path_params;   // values of {placeholders}, in order
  QueryParams query;
  bool exact_spelling = false;            // the path matched the route's spelling byte for byte
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  Headers headers;
  bool sensitive = false;       // body holds a secret: wiped after it is written
  std::string log_principal;    // for the access log: who made the call (never a secret)

  static Response Json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static Response Empty(int status) {
    Response r;
    r.status = status;
    r.content_type.clear();
    return r;
  }
};

// Builds the body of errors answered below the API layer (400, 404, 405, 413, 431, 500),
// so every error body has the same shape.
using ErrorResponder = std::function<Response(int status, std::string_view message)>;

}  // namespace psafe::http
