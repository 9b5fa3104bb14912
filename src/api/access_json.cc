#include "api/access_json.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "common/strings.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

json::value OptTime(const std::optional<int64_t>& t) {
  return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
}
json::value OptString(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}
json::array IdArray(const std::vector<int64_t>& ids) {
  json::array a;
  for (int64_t id : ids) a.push_back(id);
  return a;
}

}  // namespace

// Reads an array of integers, either [1,2] or [{"<key>":1},...].
Status ReadIdArray(const JsonBody& b, std::string_view name, std::string_view key,
                   std::vector<int64_t>* out) {
  const json::value* v = b.Find(name);
  if (v == nullptr) return Status::OK();
  if (!v->is_array()) return Status::InvalidArgument(std::string(name) + " must be an array");
  for (const json::value& item : v->get_array()) {
    if (item.is_int64()) {
      out->push_back(item.get_int64());
    } else if (item.is_object()) {
      auto sub = JsonBody::ParseText(json::serialize(item));
      int64_t id = 0;
      if (!sub.ok() || sub->Find(key) == nullptr || !sub->Read(key, &id).ok()) {
        return Status::InvalidArgument(std::string(name) + " items must have an integer " + std::string(key));
      }
      out->push_back(id);
    } else {
      return Status::InvalidArgument(std::string(name) + " must hold integers");
    }
  }
  return Status::OK();
}

json::object UserJson(const domain::User& u) {
  return {{"UserID", u.id},          {"UserName", u.user_name},     {"FirstName", u.first_name},
          {"LastName", u.last_name}, {"EmailAddress", u.email},     {"Name", u.name},
          {"IsAdministrator", u.is_administrator}, {"IsActive", u.enabled}};
}

json::object UserGroupJson(const domain::UserGroup& g) {
  return {{"GroupID", g.id},       {"Name", g.name},
          {"Description", g.description}, {"IsActive", g.is_active},
          {"IsAdministrator", g.is_administrator},
          {"ApplicationRegistrationIDs", IdArray(g.registration_ids)}};
}

json::object SmartRuleJson(const domain::SmartRule& r) {
  return {{"SmartRuleID", r.id},          {"Title", r.title},
          {"Description", r.description}, {"Category", "Managed Accounts"},
          {"Status", 1},                  {"IsReadOnly", false},
          {"Type", "ManagedAccount"},     {"WorkgroupName", OptString(r.workgroup_name)},
          {"SystemNamePattern", OptString(r.system_pattern)},
          {"AccountNamePattern", OptString(r.account_pattern)},
          {"AccountIDs", IdArray(r.account_ids)}};
}

json::object AccessPolicyJson(const domain::AccessPolicy& p) {
  json::array types;
  for (const auto& t : p.access_types) types.push_back(json::string(t));
  return {{"AccessPolicyID", p.id},
          {"Name", p.name},
          {"Description", p.description},
          {"RequiredApprovals", p.required_approvals},
          {"DefaultDurationMinutes", p.default_duration_minutes},
          {"MaxDurationMinutes", p.max_duration_minutes},
          {"AccessTypes", types},
          {"RotateOnCheckin", p.rotate_on_checkin},
          {"AllowReuse", p.allow_reuse}};
}

json::object RoleJson(const domain::RoleInfo& r) {
  return {{"RoleID", static_cast<int64_t>(r.role)}, {"Name", r.name}};
}

json::object DssKeyRuleJson() {
  return {{"DSSKeyRuleID", 1}, {"Name", "Default DSS Key Rule"},
          {"Description", "Ed25519 keys in OpenSSH format, generated at each change"},
          {"KeyType", "Ed25519"}, {"KeySize", 256}, {"EncryptionType", "None"}, {"PasswordRuleID", 0}};
}

json::object PasswordRuleJson(const domain::PasswordRule& r) {
  return {{"PasswordRuleID", r.id},           {"Name", r.name},
          {"Description", r.description},     {"MinimumLength", r.minimum_length},
          {"MaximumLength", r.maximum_length}, {"RequireLowercase", r.require_lowercase},
          {"RequireUppercase", r.require_uppercase}, {"RequireNumeric", r.require_numeric},
          {"RequireSymbol", r.require_symbol}, {"Symbols", r.symbols},
          {"ExcludedCharacters", r.excluded_characters}};
}

namespace {

// The product's ActionType for our action's verb (its last dot-separated part).
std::string_view ActionTypeOf(std::string_view action) {
  struct Row { std::string_view verb, type; };
  static constexpr Row kTypes[] = {
      {"create", "Add"}, {"update", "Update"}, {"change", "Update"}, {"grant", "Update"}, {"revoke", "Update"},
      {"delete", "Delete"}, {"signin", "Login"}, {"signout", "Logout"}, {"failed", "Login Failed"},
      {"release", "Retrieve"}, {"read", "Retrieve"}, {"approve", "Approve"}, {"deny", "Deny"},
      {"cancel", "Cancel"}, {"checkin", "Check In"}, {"expire", "Expire"}};
  const std::string_view verb = action.substr(action.rfind('.') + 1);
  for (const Row& r : kTypes) {
    if (verb == r.type || verb == r.verb) return r.type;
  }
  return action;
}

json::value AddressOf(const domain::AuditEvent& e) {
  return e.address.empty() ? json::value(nullptr) : json::value(e.address);
}

}  // namespace

json::object AuditJson(const domain::AuditRecord& r) {
  return {{"AuditID", r.id},
          {"Timestamp", FormatTimestamp(r.at)},
          {"UserID", r.event.user_id},
          {"UserName", r.event.user_name},
          {"Action", r.event.action},
          {"ObjectType", r.event.object_type},
          {"ObjectID", r.event.object_id},
          {"ManagedAccountID", r.event.account_id},
          {"Details", r.event.detail},
          {"IPAddress", AddressOf(r.event)}};
}

json::object UserAuditJson(const domain::AuditRecord& r) {
  return {{"AuditID", r.id},
          {"ActionType", ActionTypeOf(r.event.action)},
          {"Section", r.event.object_type},
          {"UserID", r.event.user_id},
          {"UserName", r.event.user_name},
          {"IPAddress", AddressOf(r.event)},
          {"CreateDate", FormatTimestamp(r.at)},
          {"Action", r.event.action},
          {"ObjectID", r.event.object_id}};
}

json::object RequestJson(const domain::Request& r, int64_t now, Dialect dialect) {
  domain::RequestStatus status = r.StatusAt(now);
  if (dialect == Dialect::kDocument && status == domain::RequestStatus::kReleased) {
    status = domain::RequestStatus::kExpired;
  }
  json::object o;
  o["RequestID"] = r.id;
  PutField(o, "SystemID", r.system_id);
  o["SystemName"] = r.system_name;
  PutField(o, "AccountID", r.account_id);
  o["AccountName"] = r.account_name;
  o["DomainName"] = r.domain_name.empty() ? json::value(nullptr) : json::value(r.domain_name);
  o["AliasID"] = 0;
  o["ApplicationID"] = 0;
  o["RequestReleaseDate"] = FormatTimestamp(r.created_at);
  o["ApprovedDate"] = OptTime(r.approved_at);
  o["CanceledDate"] = OptTime(r.cancelled_at);
  o["ExpiresDate"] = FormatTimestamp(r.expires_at);
  o["Status"] = domain::RequestStatusName(status);
  o["AccessType"] = r.access_type;
  o["Reason"] = r.reason;
  o["RequestorUserID"] = r.user_id;
  o["RequestorName"] = r.user_name;
  o["RequestedDurationMinutes"] = r.duration_minutes;
  o["RequestDate"] = FormatTimestamp(r.created_at);
  o["RequiredApprovals"] = r.required_approvals;
  o["Approvals"] = r.approvals;
  o["RotateOnCheckin"] = r.rotate_on_checkin;
  o["TicketNumber"] = r.ticket_number;
  return o;
}

Status ReadUser(const JsonBody& b, domain::User* u, std::optional<crypto::SecretString>* password) {
  PSAFE_RETURN_IF_ERROR(b.Require("UserName"));
  PSAFE_RETURN_IF_ERROR(b.Read("UserName", &u->user_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("FirstName", &u->first_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("LastName", &u->last_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("EmailAddress", &u->email, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Name", &u->name, 256));
  return b.Read("Password", password, 1024);
}

Status ReadUserChange(const JsonBody& b, domain::UserChange* c) {
  struct Field {
    std::string_view name;
    std::optional<std::string> domain::UserChange::*member;
  };
  static constexpr Field kFields[] = {{"UserName", &domain::UserChange::user_name},
                                      {"FirstName", &domain::UserChange::first_name},
                                      {"LastName", &domain::UserChange::last_name},
                                      {"EmailAddress", &domain::UserChange::email},
                                      {"Name", &domain::UserChange::name}};
  for (const Field& f : kFields) {
    if (b.Find(f.name) == nullptr) continue;
    std::string v;
    PSAFE_RETURN_IF_ERROR(b.Read(f.name, &v, 256));
    c->*f.member = std::move(v);
  }
  PSAFE_RETURN_IF_ERROR(b.Read("Password", &c->password, 1024));
  if (b.Find("IsActive") != nullptr) {
    bool active = true;
    PSAFE_RETURN_IF_ERROR(b.Read("IsActive", &active));
    c->enabled = active;
  }
  return Status::OK();
}

Status ReadUserGroup(const JsonBody& b, domain::UserGroup* g) {
  PSAFE_RETURN_IF_ERROR(b.Read("Name", &g->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("groupName", &g->name, 256));
  if (g->name.empty()) return Status::InvalidArgument("groupName is required");
  PSAFE_RETURN_IF_ERROR(b.Read("description", &g->description));
  PSAFE_RETURN_IF_ERROR(b.Read("isActive", &g->is_active));
  PSAFE_RETURN_IF_ERROR(ReadIdArray(b, "ApplicationRegistrationIDs", "ApplicationRegistrationID", &g->registration_ids));
  return ReadIdArray(b, "ApiRegistrationIDs", "ApiRegistrationID", &g->registration_ids);
}

Status ReadSmartRule(const JsonBody& b, domain::SmartRule* r) {
  PSAFE_RETURN_IF_ERROR(b.Require("Title"));
  PSAFE_RETURN_IF_ERROR(b.Read("Title", &r->title, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &r->description));
  std::string v;
  auto opt = [&](std::string_view name, std::optional<std::string>* out) -> Status {
    v.clear();
    PSAFE_RETURN_IF_ERROR(b.Read(name, &v, 256));
    if (!v.empty()) *out = v;
    return Status::OK();
  };
  PSAFE_RETURN_IF_ERROR(opt("WorkgroupName", &r->workgroup_name));
  PSAFE_RETURN_IF_ERROR(opt("SystemNamePattern", &r->system_pattern));
  PSAFE_RETURN_IF_ERROR(opt("AccountNamePattern", &r->account_pattern));
  return ReadIdArray(b, "AccountIDs", "AccountID", &r->account_ids);
}

Status ReadAccessPolicy(const JsonBody& b, domain::AccessPolicy* p) {
  PSAFE_RETURN_IF_ERROR(b.Require("Name"));
  PSAFE_RETURN_IF_ERROR(b.Read("Name", &p->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &p->description));
  PSAFE_RETURN_IF_ERROR(b.Read("RequiredApprovals", &p->required_approvals));
  PSAFE_RETURN_IF_ERROR(b.Read("DefaultDurationMinutes", &p->default_duration_minutes));
  PSAFE_RETURN_IF_ERROR(b.Read("MaxDurationMinutes", &p->max_duration_minutes));
  PSAFE_RETURN_IF_ERROR(b.Read("RotateOnCheckin", &p->rotate_on_checkin));
  PSAFE_RETURN_IF_ERROR(b.Read("AllowReuse", &p->allow_reuse));
  if (const json::value* types = b.Find("AccessTypes")) {
    if (!types->is_array()) return Status::InvalidArgument("AccessTypes must be an array of strings");
    p->access_types.clear();
    for (const json::value& t : types->get_array()) {
      if (!t.is_string()) return Status::InvalidArgument("AccessTypes must be an array of strings");
      p->access_types.emplace_back(t.get_string());
    }
  }
  return Status::OK();
}

Status ReadPasswordRule(const JsonBody& b, domain::PasswordRule* r) {
  PSAFE_RETURN_IF_ERROR(b.Require("Name"));
  PSAFE_RETURN_IF_ERROR(b.Read("Name", &r->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &r->description));
  PSAFE_RETURN_IF_ERROR(b.Read("MinimumLength", &r->minimum_length));
  r->maximum_length = std::max(r->maximum_length, r->minimum_length);
  PSAFE_RETURN_IF_ERROR(b.Read("MaximumLength", &r->maximum_length));
  PSAFE_RETURN_IF_ERROR(b.Read("RequireLowercase", &r->require_lowercase));
  PSAFE_RETURN_IF_ERROR(b.Read("RequireUppercase", &r->require_uppercase));
  PSAFE_RETURN_IF_ERROR(b.Read("RequireNumeric", &r->require_numeric));
  PSAFE_RETURN_IF_ERROR(b.Read("RequireSymbol", &r->require_symbol));
  PSAFE_RETURN_IF_ERROR(b.Read("Symbols", &r->symbols, 128));
  return b.Read("ExcludedCharacters", &r->excluded_characters, 128);
}

Result<domain::CredentialType> ReadCredentialType(const http::Request& req) {
  auto type = req.query.Get("type");
  if (!type || type->empty() || EqualsIgnoreCase(*type, "password")) return domain::CredentialType::kPassword;
  if (EqualsIgnoreCase(*type, "dsskey")) return domain::CredentialType::kDssKey;
  if (EqualsIgnoreCase(*type, "passphrase")) return domain::CredentialType::kPassphrase;
  return Status::InvalidArgument("type must be password, dsskey or passphrase");
}

Status ReadNewRequest(const JsonBody& b, domain::NewRequest* r) {
  PSAFE_RETURN_IF_ERROR(b.Require("SystemID"));
  PSAFE_RETURN_IF_ERROR(b.Require("AccountID"));
  PSAFE_RETURN_IF_ERROR(b.Read("SystemID", &r->system_id));
  PSAFE_RETURN_IF_ERROR(b.Read("AccountID", &r->account_id));
  return ReadRequestTerms(b, r);
}

Status ReadRequestTerms(const JsonBody& b, domain::NewRequest* r) {
  PSAFE_RETURN_IF_ERROR(b.Read("AccessType", &r->access_type, 16));
  PSAFE_RETURN_IF_ERROR(b.Read("DurationMinutes", &r->duration_minutes));
  PSAFE_RETURN_IF_ERROR(b.Read("Reason", &r->reason, 1000));
  PSAFE_RETURN_IF_ERROR(b.Read("TicketSystemID", &r->ticket_system_id));
  PSAFE_RETURN_IF_ERROR(b.Read("TicketNumber", &r->ticket_number, 20));
  PSAFE_RETURN_IF_ERROR(b.Read("AccessPolicyScheduleID", &r->access_policy_schedule_id));
  bool rotate = false;
  if (b.Find("RotateOnCheckin") != nullptr) {
    PSAFE_RETURN_IF_ERROR(b.Read("RotateOnCheckin", &rotate));
    r->rotate_on_checkin = rotate;
  }
  std::string conflict;
  PSAFE_RETURN_IF_ERROR(b.Read("ConflictOption", &conflict, 16));
  if (EqualsIgnoreCase(conflict, "reuse")) r->conflict = domain::ConflictOption::kReuse;
  else if (EqualsIgnoreCase(conflict, "renew")) r->conflict = domain::ConflictOption::kRenew;
  else if (!conflict.empty()) return Status::InvalidArgument("ConflictOption must be reuse or renew");
  return Status::OK();
}

}  // namespace psafe::api
