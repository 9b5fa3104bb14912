#include "psrun/session.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>
#include <memory>

#include "common/strings.h"
#include "psrun/factors.h"

namespace psafe::psrun {

namespace json = boost::json;

namespace {

struct HttpStatusRow {
  long http;
  StatusCode code;
};
constexpr HttpStatusRow kHttpStatuses[] = {
    {400, StatusCode::kInvalidArgument}, {401, StatusCode::kUnauthenticated}, {403, StatusCode::kPermissionDenied},
    {404, StatusCode::kNotFound},        {409, StatusCode::kConflict},        {413, StatusCode::kTooLarge},
    {415, StatusCode::kUnsupportedMedia},
};

Status HttpError(long http, std::string_view body) {
  std::string message = "HTTP " + std::to_string(http);
  std::string text(TrimWhitespace(body));
  // A JSON string body is shown without its quotes; {"Message":…} by its message.
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (!ec && v.is_string()) text = std::string(v.get_string());
  if (!ec && v.is_object() && v.get_object().contains("Message") && v.get_object().at("Message").is_string()) {
    text = std::string(v.get_object().at("Message").get_string());
  }
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  if (!text.empty()) message += ": " + text;
  for (const auto& row : kHttpStatuses) {
    if (row.http == http) return Status::WithCode(row.code, message);
  }
  return Status::Internal(message);
}

}  // namespace

crypto::SecretString PsAuthHeader(const CliArgs& args) {
  std::string h = "Authorization: PS-Auth key=" + args.key.str() + "; runas=" + args.user + ";";
  if (args.user_password) h += " pwd=[" + args.user_password->str() + "];";
  crypto::SecretString out(std::move(h));
  return out;
}

Session::~Session() {
  if (signed_in_) (void)client_.Call("POST", "Auth/Signout", nullptr);
}

Status Session::SignIn(const CliArgs& args) {
  if (!args.skip_factors) {
    // Factors go with every call; the signature is keyed from the API key.
    auto key = std::make_shared<crypto::SecretString>(args.key.Clone());
    client_.SetPerCallHeaders([factors = CollectFactors(), key](std::string_view method, std::string_view path) {
      return FactorHeaders(factors, *key, method, path, static_cast<int64_t>(std::time(nullptr)));
    });
  }
  crypto::SecretString header = PsAuthHeader(args);
  client_.SetHeaders({header.str()});
  PSAFE_ASSIGN_OR_RETURN(auto reply, client_.Call("POST", "Auth/SignAppIn", nullptr));
  // The cookie carries the session from here on; the key is not sent again.
  client_.SetHeaders({});
  if (reply.status < 200 || reply.status >= 300) return HttpError(reply.status, reply.body);
  signed_in_ = true;
  return Status::OK();
}

Result<json::value> Session::Call(std::string_view method, std::string_view endpoint, const json::value* body,
                                  long* http_status) {
  std::string text;
  if (body != nullptr && !body->is_null()) text = json::serialize(*body);
  PSAFE_ASSIGN_OR_RETURN(auto reply, client_.Call(method, endpoint, body && !body->is_null() ? &text : nullptr));
  crypto::SecureWipe(text.data(), text.size());
  if (reply.status < 200 || reply.status >= 300) return HttpError(reply.status, reply.body);
  if (http_status != nullptr) *http_status = reply.status;
  if (TrimWhitespace(reply.body).empty()) return json::value(nullptr);
  boost::system::error_code ec;
  json::value v = json::parse(reply.body, ec);
  if (ec) return json::value(json::string(reply.body));
  return v;
}

}  // namespace psafe::psrun
