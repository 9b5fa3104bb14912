#include "http/router.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "common/strings.h"
#include "common/utf8.h"

namespace psafe::http {

namespace {

std::vector<std::string_view> SplitPattern(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '/') { ++i; continue; }
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    out.push_back(p.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, Handler handler, Blocking blocking) {
  Route r{std::move(method), {}, std::move(handler), blocking};
  for (std::string_view s : SplitPattern(pattern)) {
    bool param = s.size() >= 2 && s.front() == '{' && s.back() == '}';
    r.segments.push_back({param, std::string(s), ToLowerAscii(s)});
  }
  routes_.push_back(std::move(r));
}

Response Router::Dispatch(Request& req) const {
  Response error;
  const Route* route = Match(req, &error);
  return route != nullptr ? route->handler(req) : error;
}

const Router::Route* Router::Match(Request& req, Response* error) const {
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) {
    *error = error_(400, "malformed request target");
    return nullptr;
  }
  auto query = QueryParams::Parse(url->encoded_query());
  if (!query.ok()) {
    *error = error_(400, query.status().message());
    return nullptr;
  }
  req.query = std::move(query).value();

  req.segments.clear();
  for (auto seg : url->segments()) req.segments.push_back(seg);
  // Decoded segments reach names, lookups and error messages: bytes that are not UTF-8
  // would be echoed into a response (and could look like another name).
  for (const std::string& seg : req.segments) {
    if (!IsValidUtf8(seg)) {
      *error = error_(400, "request path is not valid UTF-8");
      return nullptr;
    }
  }
  if (!req.segments.empty() && req.segments.back().empty()) req.segments.pop_back();

  const Route* best = nullptr;
  int best_literals = -1;
  bool best_exact = false;
  std::string allow;
  for (const Route& r : routes_) {
    if (r.segments.size() != req.segments.size()) continue;
    int literals = 0;
    bool exact = true;
    bool match = true;
    for (size_t i = 0; i < r.segments.size() && match; ++i) {
      const Segment& s = r.segments[i];
      const std::string& got = req.segments[i];
      if (s.is_param) {
        match = !got.empty();
      } else {
        match = EqualsIgnoreCase(got, s.lower);
        exact = exact && got == s.spelling;
        ++literals;
      }
    }
    if (!match) continue;
    if (r.method != req.method) {
      if (allow.find(r.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + r.method;
      continue;
    }
    if (literals > best_literals) {
      best = &r;
      best_literals = literals;
      best_exact = exact;
    }
  }
  if (best == nullptr) {
    if (!allow.empty()) {
      *error = error_(405, "method " + req.method + " is not allowed here");
      error->headers.Add("Allow", allow);
    } else {
      *error = error_(404, "no such endpoint");
    }
    return nullptr;
  }
  req.path_params.clear();
  for (size_t i = 0; i < best->segments.size(); ++i) {
    if (best->segments[i].is_param) req.path_params.push_back(req.segments[i]);
  }
  req.exact_spelling = best_exact;
  return best;
}

}  // namespace psafe::http
