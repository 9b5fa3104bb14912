#include "psrun/short_commands.h"

#include <openssl/evp.h>

#include <boost/json/object.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/strings.h"

namespace psafe::psrun {

namespace json = boost::json;

namespace {

using Args = std::vector<std::string>;

std::optional<int64_t> AsInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string ArgOr(const Args& a, size_t i, std::string fallback = "") { return i < a.size() ? a[i] : fallback; }

Status Need(const Args& a, size_t n, std::string_view usage) {
  if (a.size() < n) return Status::InvalidArgument("usage: " + std::string(usage));
  return Status::OK();
}

Result<int64_t> IntArg(const Args& a, size_t i, std::string_view what) {
  auto v = AsInt(ArgOr(a, i));
  if (!v) return Status::InvalidArgument(std::string(what) + " must be a number");
  return *v;
}

// "endpoint?k=v&…" with values percent-encoded and empty ones left out.
std::string WithQuery(Session& s, std::string endpoint, std::initializer_list<std::pair<const char*, std::string>> q) {
  char sep = '?';
  for (const auto& [k, v] : q) {
    if (v.empty()) continue;
    endpoint += sep;
    endpoint += std::string(k) + "=" + s.Escape(v);
    sep = '&';
  }
  return endpoint;
}

Result<ShortResult> Get(Session& s, const std::string& endpoint) {
  PSAFE_ASSIGN_OR_RETURN(auto v, s.Call("GET", endpoint));
  return ShortResult{std::move(v), ""};
}

bool IsCredentialType(std::string_view s) { return EqualsIgnoreCase(s, "password") || EqualsIgnoreCase(s, "dsskey"); }

// SystemId and AccountId from ids, or from names through GET ManagedAccounts.
Result<std::pair<int64_t, int64_t>> ResolveAccount(Session& s, const std::string& system, const std::string& account) {
  auto sys_id = AsInt(system);
  auto acct_id = AsInt(account);
  if (sys_id && acct_id) return std::make_pair(*sys_id, *acct_id);
  if (sys_id || acct_id) return Status::InvalidArgument("give the system and the account both by name or both by id");
  PSAFE_ASSIGN_OR_RETURN(auto v, s.Call("GET", WithQuery(s, "ManagedAccounts",
                                                         {{"systemName", system}, {"accountName", account}})));
  const json::object* o = v.is_object() ? &v.get_object()
                          : v.is_array() && !v.get_array().empty() && v.get_array()[0].is_object()
                              ? &v.get_array()[0].get_object()
                              : nullptr;
  auto field = [&](std::string_view name) -> std::optional<int64_t> {
    if (o == nullptr) return std::nullopt;
    for (const auto& kv : *o) {
      if (EqualsIgnoreCase(kv.key(), name) && kv.value().is_int64()) return kv.value().get_int64();
    }
    return std::nullopt;
  };
  auto sid = field("SystemId");
  auto aid = field("AccountId");
  if (!sid || !aid) return Status::NotFound("managed account " + system + "/" + account + " not found");
  return std::make_pair(*sid, *aid);
}

Result<ShortResult> RetrievePassword(Session& s, const Args& a) {
  PSAFE_RETURN_IF_ERROR(Need(a, 3, "RetrievePassword SystemName AccountName Reason [DurationMinutes] [password|dsskey] [DoNotRelease|-p]"));
  int64_t duration = 10;
  std::string type = "password";
  bool release = true;
  for (size_t i = 3; i < a.size(); ++i) {
    if (EqualsIgnoreCase(a[i], "DoNotRelease") || a[i] == "-p") release = false;
    else if (IsCredentialType(a[i])) type = ToLowerAscii(a[i]);
    else if (auto d = AsInt(a[i])) duration = *d;
    else return Status::InvalidArgument("unexpected RetrievePassword parameter '" + a[i] + "'");
  }
  PSAFE_ASSIGN_OR_RETURN(auto ids, ResolveAccount(s, a[0], a[1]));
  json::value body = json::object{{"SystemID", ids.first}, {"AccountID", ids.second}, {"DurationMinutes", duration},
                                  {"Reason", a[2]}, {"ConflictOption", "reuse"}};
  long created = 0;
  auto request = s.Call("POST", "Requests", &body, &created);
  if (!request.ok() && request.status().code() == StatusCode::kPermissionDenied) {
    // No requestor role: an ISA grant releases the credential in one call.
    auto isa = s.Call("POST", "ISARequests?type=" + type, &body);
    if (isa.ok()) return ShortResult{std::move(isa).value(), ""};
    return request.status();
  }
  PSAFE_RETURN_IF_ERROR(request.status());
  if (!request->is_int64()) return Status::Internal("POST Requests did not return a request id");
  const std::string id = std::to_string(request->get_int64());
  auto credential = s.Call("GET", "Credentials/" + id + "?type=" + type);
  if (!credential.ok()) {
    return Status::WithCode(credential.status().code(),
                            credential.status().message() + " (request " + id + " is left as it is)");
  }
  // A request that was open already (200: reused) is the caller's: it stays open.
  if (created != 201) return ShortResult{std::move(credential).value(), "request " + id + " was already open and stays open"};
  if (!release) return ShortResult{std::move(credential).value(), "request " + id + " left open (DoNotRelease)"};
  json::value checkin = json::object{{"Reason", a[2]}};
  auto released = s.Call("PUT", "Requests/" + id + "/Checkin", &checkin);
  std::string note = released.ok() ? "" : "warning: request " + id + " not released: " + released.status().message();
  return ShortResult{std::move(credential).value(), std::move(note)};
}

Result<ShortResult> ListAssets(Session& s, const Args& a) {
  PSAFE_RETURN_IF_ERROR(Need(a, 1, "ListAssets Workgroup [Limit] [Offset]"));
  return Get(s, WithQuery(s, "Workgroups/" + s.Escape(a[0]) + "/Assets", {{"limit", ArgOr(a, 1)}, {"offset", ArgOr(a, 2)}}));
}

Result<ShortResult> ListWorkgroups(Session& s, const Args&) { return Get(s, "Workgroups"); }

Result<ShortResult> ListSystems(Session& s, const Args& a) {
  if (a.empty()) return Get(s, "ManagedSystems");
  return Get(s, "ManagedSystems/" + s.Escape(a[0]));
}

constexpr std::string_view kAccountTypes[] = {"system", "domainlinked", "database", "cloud", "application"};

Result<ShortResult> ListAccounts(Session& s, const Args& a) {
  bool just_type = false;
  for (auto t : kAccountTypes) just_type = just_type || (a.size() == 1 && EqualsIgnoreCase(a[0], t));
  if (just_type) return Get(s, WithQuery(s, "ManagedAccounts", {{"type", ToLowerAscii(a[0])}}));
  if (a.size() == 1) return Status::InvalidArgument("usage: ListAccounts [SystemName AccountName] [WorkgroupName] [Type]");
  return Get(s, WithQuery(s, "ManagedAccounts", {{"systemName", ArgOr(a, 0)}, {"accountName", ArgOr(a, 1)},
                                                 {"workgroupName", ArgOr(a, 2)}, {"type", ToLowerAscii(ArgOr(a, 3))}}));
}

Result<ShortResult> ListAliases(Session& s, const Args& a) {
  return Get(s, a.empty() ? "Aliases" : "Aliases/" + s.Escape(a[0]));
}

Result<ShortResult> ListGroups(Session& s, const Args& a) {
  return Get(s, a.empty() ? "UserGroups" : "UserGroups/" + s.Escape(a[0]));
}

Result<ShortResult> ListGroupMembership(Session& s, const Args& a) {
  PSAFE_RETURN_IF_ERROR(Need(a, 1, "ListGroupMembership UserGroupId"));
  return Get(s, "UserGroups/" + s.Escape(a[0]) + "/Users");
}

Result<ShortResult> ListRequests(Session& s, const Args& a) {
  return Get(s, WithQuery(s, "Requests", {{"status", ArgOr(a, 0, "all")}, {"queue", ArgOr(a, 1, "req")}}));
}

Result<ShortResult> ListRoles(Session& s, const Args&) { return Get(s, "Roles"); }

Result<ShortResult> ListSmartRules(Session& s, const Args& a) {
  std::string type = ArgOr(a, 0);
  if (EqualsIgnoreCase(type, "all")) type.clear();
  return Get(s, WithQuery(s, "SmartRules", {{"type", type}}));
}

Result<ShortResult> Request(Session& s, const Args& a) {
  constexpr std::string_view kUsage =
      "Request [AccessType] SystemId AccountId DurationMinutes [Reason] [AccessPolicyScheduleID] [ConflictOption]";
  size_t i = 0;
  std::string access = "View";
  if (!a.empty() && !AsInt(a[0])) access = a[i++];
  PSAFE_RETURN_IF_ERROR(Need(a, i + 3, kUsage));
  PSAFE_ASSIGN_OR_RETURN(int64_t system, IntArg(a, i, "SystemId"));
  PSAFE_ASSIGN_OR_RETURN(int64_t account, IntArg(a, i + 1, "AccountId"));
  PSAFE_ASSIGN_OR_RETURN(int64_t duration, IntArg(a, i + 2, "DurationMinutes"));
  json::object body{{"AccessType", access}, {"SystemID", system}, {"AccountID", account},
                    {"DurationMinutes", duration}, {"Reason", ArgOr(a, i + 3)},
                    {"ConflictOption", ArgOr(a, i + 5, "renew")}};
  if (auto schedule = ArgOr(a, i + 4); !schedule.empty()) {
    PSAFE_ASSIGN_OR_RETURN(body["AccessPolicyScheduleID"], IntArg(a, i + 4, "AccessPolicyScheduleID"));
  }
  json::value v = std::move(body);
  PSAFE_ASSIGN_OR_RETURN(auto id, s.Call("POST", "Requests", &v));
  return ShortResult{std::move(id), ""};
}

Result<ShortResult> IsaRequests(Session& s, const Args& a) {
  constexpr std::string_view kUsage = "ISARequests [password|dsskey] SystemID AccountID [DurationMinutes] [Reason]";
  size_t i = 0;
  std::string type = "password";
  if (!a.empty() && IsCredentialType(a[0])) type = ToLowerAscii(a[i++]);
  PSAFE_RETURN_IF_ERROR(Need(a, i + 2, kUsage));
  PSAFE_ASSIGN_OR_RETURN(int64_t system, IntArg(a, i, "SystemID"));
  PSAFE_ASSIGN_OR_RETURN(int64_t account, IntArg(a, i + 1, "AccountID"));
  json::object body{{"SystemID", system}, {"AccountID", account}, {"Reason", ArgOr(a, i + 3)}};
  if (a.size() > i + 2) {
    PSAFE_ASSIGN_OR_RETURN(body["DurationMinutes"], IntArg(a, i + 2, "DurationMinutes"));
  }
  json::value v = std::move(body);
  PSAFE_ASSIGN_OR_RETURN(auto credential, s.Call("POST", "ISARequests?type=" + type, &v));
  return ShortResult{std::move(credential), ""};
}

Result<ShortResult> Retrieve(Session& s, const Args& a) {
  PSAFE_RETURN_IF_ERROR(Need(a, 1, "Retrieve RequestId [password|dsskey]"));
  PSAFE_ASSIGN_OR_RETURN(int64_t id, IntArg(a, 0, "RequestId"));
  const std::string type = ArgOr(a, 1, "password");
  if (!IsCredentialType(type)) return Status::InvalidArgument("type must be password or dsskey");
  return Get(s, "Credentials/" + std::to_string(id) + "?type=" + ToLowerAscii(type));
}

Result<ShortResult> Release(Session& s, const Args& a) {
  PSAFE_RETURN_IF_ERROR(Need(a, 1, "Release RequestId [Reason]"));
  PSAFE_ASSIGN_OR_RETURN(int64_t id, IntArg(a, 0, "RequestId"));
  json::value body = json::object{{"Reason", ArgOr(a, 1)}};
  PSAFE_ASSIGN_OR_RETURN(auto v, s.Call("PUT", "Requests/" + std::to_string(id) + "/Checkin", &body));
  return ShortResult{std::move(v), ""};
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read file " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// ImportFile WorkgroupName [ImportType=PASSWORDSAFE] FileName [Filter]: with two
// parameters the second is the file.
Result<ShortResult> ImportFile(Session& s, const Args& a) {
  PSAFE_RETURN_IF_ERROR(Need(a, 2, "ImportFile WorkgroupName [ImportType] FileName [Filter]"));
  const bool typed = a.size() >= 3;
  const std::string type = typed ? a[1] : "PASSWORDSAFE";
  const std::string& file = typed ? a[2] : a[1];
  PSAFE_ASSIGN_OR_RETURN(std::string contents, ReadWholeFile(file));
  json::value body = json::object{{"WorkgroupName", a[0]}, {"ImportType", type},
                                  {"Filter", ArgOr(a, 3, "All Assets")},
                                  {"FileName", std::filesystem::path(file).filename().string()},
                                  {"Base64FileContents", Base64(contents)}};
  PSAFE_ASSIGN_OR_RETURN(auto v, s.Call("POST", "Imports", &body));
  return ShortResult{std::move(v), ""};
}

// A key given as a file name is read from the file; anything else is the key itself.
Result<std::string> ValueOrFile(const std::string& v) {
  std::error_code ec;
  if (!v.empty() && std::filesystem::is_regular_file(v, ec)) return ReadWholeFile(v);
  return v;
}

Result<ShortResult> ForceReset(Session& s, const Args& a) {
  PSAFE_RETURN_IF_ERROR(Need(a, 2, "ForceReset SystemName AccountName [Password] [UpdateSystem] [PublicKey] [PrivateKey] [Passphrase]"));
  PSAFE_ASSIGN_OR_RETURN(auto ids, ResolveAccount(s, a[0], a[1]));
  json::object body;
  if (!ArgOr(a, 2).empty()) body["Password"] = a[2];  // empty: the server generates one
  const std::string update = ArgOr(a, 3, "1");
  if (update != "0" && update != "1") return Status::InvalidArgument("UpdateSystem must be 0 or 1");
  body["UpdateSystem"] = update == "1";
  if (a.size() > 4) {
    PSAFE_ASSIGN_OR_RETURN(body["PublicKey"], ValueOrFile(a[4]));
  }
  if (a.size() > 5) {
    PSAFE_ASSIGN_OR_RETURN(body["PrivateKey"], ValueOrFile(a[5]));
  }
  if (a.size() > 6) body["Passphrase"] = a[6];
  json::value v = std::move(body);
  PSAFE_ASSIGN_OR_RETURN(auto out, s.Call("PUT", "ManagedAccounts/" + std::to_string(ids.second) + "/Credentials", &v));
  return ShortResult{std::move(out), ""};
}

constexpr ShortCommand kShortCommands[] = {
    {"RetrievePassword", "RetrievePasswordByName",
     "SystemName AccountName Reason [DurationMinutes=10] [password|dsskey] [DoNotRelease|-p]",
     "GET ManagedAccounts, POST Requests, GET Credentials, PUT Requests/{id}/Checkin (or POST ISARequests)",
     RetrievePassword},
    {"ListAssets", "ListAssetts", "Workgroup [Limit] [Offset]", "GET Workgroups/{id|name}/Assets", ListAssets},
    {"ListWorkgroups", "", "", "GET Workgroups", ListWorkgroups},
    {"ListSystems", "", "[id]", "GET ManagedSystems or ManagedSystems/{id}", ListSystems},
    {"ListAccounts", "", "[SystemName AccountName] [WorkgroupName] [system|domainlinked|database|cloud|application]",
     "GET ManagedAccounts", ListAccounts},
    {"ListAliases", "", "[Name]", "GET Aliases or Aliases/{name}", ListAliases},
    {"ListGroups", "", "[Group]", "GET UserGroups or UserGroups/{id|name}", ListGroups},
    {"ListGroupMembership", "", "UserGroupId", "GET UserGroups/{id}/Users", ListGroupMembership},
    {"ListRequests", "ListRequest", "[all|active|pending] [req|app]", "GET Requests", ListRequests},
    {"ListRoles", "", "", "GET Roles", ListRoles},
    {"ListSmartRules", "", "[all|ManagedAccount|Asset|Vulnerabilities]", "GET SmartRules", ListSmartRules},
    {"Request", "", "[AccessType=View] SystemId AccountId DurationMinutes [Reason] [AccessPolicyScheduleID] "
                    "[reuse|renew (default renew)]",
     "POST Requests", Request},
    {"ISARequests", "", "[password|dsskey] SystemID AccountID [DurationMinutes] [Reason]", "POST ISARequests",
     IsaRequests},
    {"Retrieve", "", "RequestId [password|dsskey]", "GET Credentials/{id}", Retrieve},
    {"Release", "", "RequestId [Reason]", "PUT Requests/{id}/Checkin", Release},
    {"ImportFile", "", "WorkgroupName [ImportType=PASSWORDSAFE] FileName [Filter=All Assets]", "POST Imports",
     ImportFile},
    {"ForceReset", "", "SystemName AccountName [Password] [UpdateSystem=1] [PublicKey] [PrivateKey] [Passphrase]",
     "GET ManagedAccounts, PUT ManagedAccounts/{id}/Credentials", ForceReset},
};

}  // namespace

const ShortCommand* FindShortCommand(std::string_view name) {
  for (const ShortCommand& c : kShortCommands) {
    if (EqualsIgnoreCase(c.name, name) || (!c.alias.empty() && EqualsIgnoreCase(c.alias, name))) return &c;
  }
  return nullptr;
}

std::string ShortCommandHelp() {
  std::string out;
  for (const ShortCommand& c : kShortCommands) {
    out += "  " + std::string(c.name);
    if (!c.alias.empty()) out += " (alias " + std::string(c.alias) + ")";
    if (!c.params.empty()) out += " " + std::string(c.params);
    out += "\n      " + std::string(c.calls) + "\n";
  }
  return out;
}

}  // namespace psafe::psrun
