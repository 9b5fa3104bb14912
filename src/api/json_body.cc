#include "api/json_body.h"

#include <boost/json/parse.hpp>
#include <charconv>

#include "common/strings.h"

namespace psafe::api {

bool IsJsonContentType(std::string_view ct) {
  std::string lower = ToLowerAscii(TrimWhitespace(ct.substr(0, ct.find(';'))));
  return lower == "application/json" || lower == "text/json" ||
         (lower.starts_with("application/") && lower.ends_with("+json"));
}

namespace {

Status WrongType(std::string_view name, std::string_view expected) {
  return Status::InvalidArgument(std::string(name) + " must be " + std::string(expected));
}

}  // namespace

Result<JsonBody> JsonBody::Parse(const http::Request& req) {
  auto ct = req.headers.Get("Content-Type");
  if (ct && !TrimWhitespace(*ct).empty() && !IsJsonContentType(*ct) &&
      !TrimWhitespace(req.body).empty()) {
    return Status::UnsupportedMedia("Content-Type must be application/json");
  }
  return ParseText(req.body);
}

Result<JsonBody> JsonBody::ParseText(std::string_view text) {
  JsonBody b;
  if (TrimWhitespace(text).empty()) return b;
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;
  // Boost.JSON's default, stated because psafed relies on it: raw bytes that are not
  // UTF-8 and escaped lone surrogates ("\ud800") are both parse errors, so no string read
  // from a body can carry invalid UTF-8 (tests/api/json_body_test.cc holds it).
  opts.allow_invalid_utf8 = false;
  boost::json::value v = boost::json::parse(text, ec, {}, opts);
  if (ec) return Status::InvalidArgument("malformed JSON body");
  if (!v.is_object()) return Status::InvalidArgument("JSON body must be an object");
  b.obj_ = std::move(v.as_object());
  return b;
}

const boost::json::value* JsonBody::Find(std::string_view name) const {
  for (const auto& kv : obj_) {
    if (EqualsIgnoreCase(kv.key(), name)) return kv.value().is_null() ? nullptr : &kv.value();
  }
  return nullptr;
}

Status JsonBody::Require(std::string_view name) const {
  if (Find(name) == nullptr) return Status::InvalidArgument(std::string(name) + " is required");
  return Status::OK();
}

Status JsonBody::Read(std::string_view name, std::string* out, size_t max_len) const {
  const auto* v = Find(name);
  if (v == nullptr) return Status::OK();
  if (!v->is_string()) return WrongType(name, "a string");
  const auto& s = v->get_string();
  if (s.size() > max_len) {
    return Status::InvalidArgument(std::string(name) + " is longer than " + std::to_string(max_len) +
                                   " characters");
  }
  if (std::string_view(s).find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(name) + " contains a NUL character");
  }
  *out = std::string(s);
  return Status::OK();
}

Status JsonBody::Read(std::string_view name, std::optional<crypto::SecretString>* out,
                      size_t max_len) const {
  std::string tmp;
  Status s = Read(name, &tmp, max_len);
  if (s.ok() && Find(name) != nullptr) *out = crypto::SecretString(std::move(tmp));
  crypto::SecureWipe(tmp.data(), tmp.size());
  return s;
}

Status JsonBody::Read(std::string_view name, int64_t* out) const {
  const auto* v = Find(name);
  if (v == nullptr) return Status::OK();
  if (v->is_int64()) {
    *out = v->get_int64();
    return Status::OK();
  }
  if (v->is_string()) {  // ASP.NET binds "5" to an int
    std::string_view s = v->get_string();
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
      *out = parsed;
      return Status::OK();
    }
  }
  return WrongType(name, "an integer");
}

Status JsonBody::Read(std::string_view name, std::optional<int64_t>* out) const {
  if (Find(name) == nullptr) return Status::OK();
  int64_t v = 0;
  PSAFE_RETURN_IF_ERROR(Read(name, &v));
  *out = v;
  return Status::OK();
}

Status JsonBody::Read(std::string_view name, std::optional<std::string>* out, size_t max_len) const {
  if (Find(name) == nullptr) return Status::OK();
  std::string v;
  PSAFE_RETURN_IF_ERROR(Read(name, &v, max_len));
  *out = std::move(v);
  return Status::OK();
}

Status JsonBody::Read(std::string_view name, bool* out) const {
  const auto* v = Find(name);
  if (v == nullptr) return Status::OK();
  if (v->is_bool()) {
    *out = v->get_bool();
    return Status::OK();
  }
  if (v->is_int64() && (v->get_int64() == 0 || v->get_int64() == 1)) {
    *out = v->get_int64() == 1;
    return Status::OK();
  }
  if (v->is_string()) {
    if (EqualsIgnoreCase(v->get_string(), "true")) { *out = true; return Status::OK(); }
    if (EqualsIgnoreCase(v->get_string(), "false")) { *out = false; return Status::OK(); }
  }
  return WrongType(name, "true or false");
}

}  // namespace psafe::api
