#include "psrun/api_client.h"

#include <curl/curl.h>

#include <cstdio>
#include <cstring>

#include "common/strings.h"

namespace psafe::psrun {

namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

// -v never shows a secret: the PS-Auth key and password, credential bodies and any
// password-like JSON field are masked.
std::string MaskHeader(const std::string& h) {
  if (EqualsIgnoreCase(std::string_view(h).substr(0, 14), "Authorization:")) return "Authorization: ***";
  return h;
}

bool ReturnsCredential(std::string_view method, std::string_view endpoint) {
  std::string e = ToLowerAscii(endpoint);
  return e.starts_with("credentials") || e.starts_with("isarequests") || e.starts_with("secrets-safe/secrets") ||
         (method == "GET" && e.find("/credentials") != std::string::npos);
}

std::string MaskBody(std::string_view body) {
  // Masks the value of any "…password…", "…passphrase…", "…privatekey…" or "…key" field.
  std::string out(body);
  std::string lower = ToLowerAscii(body);
  for (std::string_view field : {"password\"", "passphrase\"", "privatekey\"", "publickey\"", "text\"", "key\"",
                                 "secret\"", "access_token\""}) {
    for (size_t at = lower.find(field); at != std::string::npos; at = lower.find(field, at + 1)) {
      size_t colon = lower.find_first_not_of(" \t", at + field.size());
      if (colon == std::string::npos || lower[colon] != ':') continue;
      size_t start = lower.find_first_not_of(" \t", colon + 1);
      if (start == std::string::npos) break;
      size_t end = start;
      if (lower[start] == '"') {  // a string: up to its closing quote
        end = start + 1;
        while (end < out.size() && out[end] != '"') end += out[end] == '\\' ? 2 : 1;
        if (end >= out.size()) break;
        ++start;
      } else {  // a number or literal: up to the next delimiter
        end = lower.find_first_of(",}] \t", start);
        if (end == std::string::npos) end = lower.size();
      }
      out.replace(start, end - start, std::string(3, '*'));
      lower.replace(start, end - start, std::string(3, '*'));
    }
  }
  return out;
}

}  // namespace

HttpReply::~HttpReply() { crypto::SecureWipe(body.data(), body.size()); }

Result<std::unique_ptr<ApiClient>> ApiClient::Create(ClientConfig config) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return Status::Internal("libcurl failed to initialise");
  std::unique_ptr<ApiClient> c(new ApiClient(std::move(config)));
  CURL* h = curl_easy_init();
  if (h == nullptr) return Status::Internal("libcurl failed to initialise");
  c->curl_ = h;
  curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");  // the session cookie, in memory only
  curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "psrun2 (psafe)");
  if (c->config_.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (c->config_.ca_file) {
    curl_easy_setopt(h, CURLOPT_CAINFO, c->config_.ca_file->c_str());
  }
  if (c->config_.cert) {
    const bool p12 = EndsWithIgnoreCase(*c->config_.cert, ".p12") || EndsWithIgnoreCase(*c->config_.cert, ".pfx");
    curl_easy_setopt(h, CURLOPT_SSLCERT, c->config_.cert->c_str());
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, p12 ? "P12" : "PEM");
    if (c->config_.cert_password) curl_easy_setopt(h, CURLOPT_KEYPASSWD, c->config_.cert_password->str().c_str());
  }
  return c;
}

ApiClient::~ApiClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
  for (std::string& h : headers_) crypto::SecureWipe(h.data(), h.size());
}

void ApiClient::SetHeaders(std::vector<std::string> headers) {
  for (std::string& h : headers_) crypto::SecureWipe(h.data(), h.size());
  headers_ = std::move(headers);
}

std::string ApiClient::Escape(std::string_view s) const {
  char* e = curl_easy_escape(static_cast<CURL*>(curl_), s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

Result<HttpReply> ApiClient::Call(std::string_view method, std::string_view endpoint, const std::string* body) {
  CURL* h = static_cast<CURL*>(curl_);
  while (!endpoint.empty() && endpoint.front() == '/') endpoint.remove_prefix(1);
  const std::string url = config_.base_url + std::string(endpoint);
  const std::string verb = ToUpperAscii(method);
  std::vector<std::string> headers = headers_;
  if (per_call_) {
    // The path as it goes on the wire, which is what the server's signature check sees.
    const size_t path_at = url.find('/', url.find("://") + 3);
    const std::string path = url.substr(path_at, url.find('?') == std::string::npos ? std::string::npos
                                                                                    : url.find('?') - path_at);
    for (std::string& line : per_call_(verb, path)) headers.push_back(std::move(line));
  }
  curl_slist* list = nullptr;
  for (std::string& hdr : headers) {
    // libcurl drops "Name:" with nothing after it; "Name;" is its way to send it empty.
    if (hdr.ends_with(": ")) hdr.replace(hdr.size() - 2, 2, ";");
    list = curl_slist_append(list, hdr.c_str());
  }
  list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Accept: application/json");
  list = curl_slist_append(list, "Expect:");

  HttpReply reply;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, verb.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply.body);
  if (verb == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body->data() : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body ? body->size() : 0));
  }
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, verb.c_str());
  if (config_.verbose) {
    std::fprintf(stderr, "> %s %s\n", verb.c_str(), url.c_str());
    for (const std::string& hdr : headers) std::fprintf(stderr, "> %s\n", MaskHeader(hdr).c_str());
    if (body) std::fprintf(stderr, "> %s\n", MaskBody(*body).c_str());
  }
  CURLcode rc = curl_easy_perform(h);
  for (curl_slist* l = list; l != nullptr; l = l->next) crypto::SecureWipe(l->data, std::strlen(l->data));
  curl_slist_free_all(list);
  for (std::string& hdr : headers) crypto::SecureWipe(hdr.data(), hdr.size());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  if (rc != CURLE_OK) {
    return Status::IOError(std::string("cannot reach ") + config_.base_url + ": " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
  if (config_.verbose) {
    const bool secret = ReturnsCredential(verb, endpoint) && reply.status < 300;
    std::fprintf(stderr, "< %ld\n< %s\n", reply.status, secret ? "***" : MaskBody(reply.body).c_str());
  }
  return reply;
}

}  // namespace psafe::psrun
