#include "api/estate_json.h"

#include "api/dialect.h"
#include "common/strings.h"
#include "domain/platforms.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

json::value NullIfEmpty(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }
json::value OptTime(const std::optional<int64_t>& t) {
  return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
}

}  // namespace

json::object WorkgroupJson(const domain::Workgroup& wg) {
  return {{"ID", wg.id}, {"OrganizationID", wg.organization_id}, {"Name", wg.name},
          {"Description", wg.description}};
}

json::object AssetJson(const domain::Asset& a) {
  return {{"WorkgroupID", a.workgroup_id},   {"AssetID", a.id},
          {"AssetName", a.name},             {"AssetType", a.asset_type},
          {"DnsName", a.dns_name},           {"DomainName", a.domain_name},
          {"IPAddress", a.ip_address},       {"MacAddress", a.mac_address},
          {"OperatingSystem", a.operating_system},
          {"CreateDate", FormatTimestamp(a.created_at)},
          {"LastUpdateDate", FormatTimestamp(a.updated_at)},
          {"Description", a.description}};
}

json::object ManagedSystemJson(const domain::ManagedSystem& s) {
  const domain::Platform* platform = domain::FindPlatform(s.platform_id);
  std::string network_address = !s.dns_name.empty() ? s.dns_name
                                : !s.host_name.empty() ? s.host_name : s.ip_address;
  json::object o{
      {"ManagedSystemID", s.id}, {"EntityTypeID", 1}, {"AssetID", s.asset_id.value_or(0)},
      {"DatabaseID", 0}, {"DirectoryID", 0}, {"CloudID", 0}, {"WorkgroupID", s.workgroup_id},
      {"HostName", s.host_name}, {"DnsName", s.dns_name}, {"IPAddress", s.ip_address},
      {"InstanceName", ""}, {"IsDefaultInstance", false}, {"Template", ""}, {"ForestName", ""},
      {"UseSSL", false}, {"OracleInternetDirectoryID", nullptr},
      {"OracleInternetDirectoryServiceName", ""}, {"SystemName", s.name},
      {"PlatformID", s.platform_id}, {"NetBiosName", s.net_bios_name},
      {"Port", s.port}, {"Timeout", s.timeout_seconds}, {"Description", s.description},
      {"ContactEmail", NullIfEmpty(s.contact_email)}, {"PasswordRuleID", s.password_rule_id},
      {"DSSKeyRuleID", 0}, {"ReleaseDuration", s.release_duration},
      {"MaxReleaseDuration", s.max_release_duration},
      {"ISAReleaseDuration", s.isa_release_duration}, {"AutoManagementFlag", s.auto_management},
      {"FunctionalAccountID", 0}, {"LoginAccountID", 0}, {"ElevationCommand", ""},
      {"CheckPasswordFlag", false}, {"ChangePasswordAfterAnyReleaseFlag", false},
      {"ResetPasswordOnMismatchFlag", false}, {"ChangeFrequencyType", "first"},
      {"ChangeFrequencyDays", domain::kChangeFrequencyDays}, {"ChangeTime", "23:30"}, {"AccessURL", ""},
      {"RemoteClientType", "None"}, {"SshKeyEnforcementMode", 0}, {"AccountNameFormat", 0},
      {"ApplicationHostID", 0}, {"IsApplicationHost", false},
      // The OpenAPI document's ManagedSystem fields.
      {"Platform", platform ? platform->family : "Linux"},
      {"NetworkAddress", network_address}};
  return o;
}

json::object RequestableAccountJson(const domain::AccountView& v) {
  const auto& a = v.account;
  const auto& s = v.system;
  json::object o;
  o["PlatformID"] = s.platform_id;
  PutField(o, "SystemId", s.id);
  o["SystemName"] = s.name;
  o["DomainName"] = NullIfEmpty(a.domain_name);
  PutField(o, "AccountId", a.id);
  o["AccountName"] = a.name;
  o["InstanceName"] = "";
  o["UserPrincipalName"] = NullIfEmpty(a.user_principal_name);
  o["ApplicationID"] = 0;
  o["ApplicationDisplayName"] = nullptr;
  o["DefaultReleaseDuration"] = a.release_duration;
  o["MaximumReleaseDuration"] = a.max_release_duration;
  o["LastChangeDate"] = OptTime(a.last_change_at);
  o["NextChangeDate"] = OptTime(a.next_change_at);
  o["IsChanging"] = false;
  o["ChangeState"] = 0;
  o["IsISAAccess"] = false;
  o["PreferredNodeID"] = "";
  o["AccountDescription"] = NullIfEmpty(a.description);
  // The OpenAPI document's ManagedAccount fields.
  o["AccountType"] = a.domain_name.empty() ? "Local" : "Domain";
  o["PasswordFallbackFlag"] = a.password_fallback;
  return o;
}

json::object ManagedAccountJson(const domain::AccountView& v) {
  const auto& a = v.account;
  return {{"ManagedAccountID", a.id}, {"ManagedSystemID", a.system_id},
          {"DomainName", a.domain_name}, {"AccountName", a.name},
          {"DistinguishedName", a.distinguished_name}, {"PasswordFallbackFlag", a.password_fallback},
          {"UserPrincipalName", a.user_principal_name}, {"SAMAccountName", a.sam_account_name},
          {"LoginAccountFlag", false}, {"Description", a.description},
          {"PasswordRuleID", a.password_rule_id}, {"ApiEnabled", a.api_enabled},
          {"ReleaseNotificationEmail", ""}, {"ChangeServicesFlag", false},
          {"RestartServicesFlag", false}, {"ChangeTasksFlag", false},
          {"ReleaseDuration", a.release_duration}, {"MaxReleaseDuration", a.max_release_duration},
          {"ISAReleaseDuration", a.isa_release_duration},
          {"MaxConcurrentRequests", a.max_concurrent_requests},
          {"AutoManagementFlag", a.auto_management}, {"DSSAutoManagementFlag", false},
          {"CheckPasswordFlag", false}, {"ResetPasswordOnMismatchFlag", false},
          {"ChangePasswordAfterAnyReleaseFlag", false}, {"ChangeFrequencyType", "first"},
          {"ChangeFrequencyDays", domain::kChangeFrequencyDays}, {"ChangeTime", "23:30"}, {"ParentAccountID", 0},
          {"IsSubscribedAccount", false}, {"LastChangeDate", OptTime(a.last_change_at)},
          {"NextChangeDate", OptTime(a.next_change_at)}, {"IsChanging", false},
          {"ChangeState", 0}, {"UseOwnCredentials", false}, {"WorkgroupID", v.system.workgroup_id},
          {"ChangeIISAppPoolFlag", false}, {"RestartIISAppPoolFlag", false},
          {"ChangeWindowsAutoLogonFlag", false}, {"ChangeComPlusFlag", false},
          {"ChangeDComFlag", false}, {"ChangeSComFlag", false}, {"ObjectID", ""}};
}

Status ReadWorkgroup(const JsonBody& b, domain::Workgroup* wg) {
  PSAFE_RETURN_IF_ERROR(b.Require("Name"));
  PSAFE_RETURN_IF_ERROR(b.Read("Name", &wg->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("OrganizationID", &wg->organization_id, 64));
  return b.Read("Description", &wg->description);
}

Status ReadAsset(const JsonBody& b, domain::Asset* a) {
  PSAFE_RETURN_IF_ERROR(b.Read("AssetName", &a->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("AssetType", &a->asset_type, 64));
  PSAFE_RETURN_IF_ERROR(b.Read("DnsName", &a->dns_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("DomainName", &a->domain_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("IPAddress", &a->ip_address, 64));
  PSAFE_RETURN_IF_ERROR(b.Read("MacAddress", &a->mac_address, 64));
  PSAFE_RETURN_IF_ERROR(b.Read("OperatingSystem", &a->operating_system, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &a->description));
  // The product names an asset by its address when no name is given.
  if (a->name.empty()) a->name = !a->dns_name.empty() ? a->dns_name : a->ip_address;
  if (a->name.empty()) return Status::InvalidArgument("AssetName is required");
  return Status::OK();
}

Status ReadManagedSystem(const JsonBody& b, domain::ManagedSystem* s) {
  PSAFE_RETURN_IF_ERROR(b.Require("PlatformID"));
  PSAFE_RETURN_IF_ERROR(b.Read("PlatformID", &s->platform_id));
  PSAFE_RETURN_IF_ERROR(b.Read("SystemName", &s->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("HostName", &s->host_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("DnsName", &s->dns_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("IPAddress", &s->ip_address, 64));
  PSAFE_RETURN_IF_ERROR(b.Read("NetBiosName", &s->net_bios_name, 64));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &s->description));
  PSAFE_RETURN_IF_ERROR(b.Read("ContactEmail", &s->contact_email, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Port", &s->port));
  PSAFE_RETURN_IF_ERROR(b.Read("Timeout", &s->timeout_seconds));
  PSAFE_RETURN_IF_ERROR(b.Read("PasswordRuleID", &s->password_rule_id));
  PSAFE_RETURN_IF_ERROR(b.Read("ReleaseDuration", &s->release_duration));
  PSAFE_RETURN_IF_ERROR(b.Read("MaxReleaseDuration", &s->max_release_duration));
  PSAFE_RETURN_IF_ERROR(b.Read("ISAReleaseDuration", &s->isa_release_duration));
  PSAFE_RETURN_IF_ERROR(b.Read("AutoManagementFlag", &s->auto_management));
  if (s->name.empty()) s->name = s->host_name;
  return Status::OK();
}

Status ReadManagedAccount(const JsonBody& b, domain::ManagedAccount* a, domain::NewCredentials* c) {
  PSAFE_RETURN_IF_ERROR(b.Require("AccountName"));
  PSAFE_RETURN_IF_ERROR(b.Read("AccountName", &a->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("DomainName", &a->domain_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &a->description));
  PSAFE_RETURN_IF_ERROR(b.Read("UserPrincipalName", &a->user_principal_name, 512));
  PSAFE_RETURN_IF_ERROR(b.Read("SAMAccountName", &a->sam_account_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("DistinguishedName", &a->distinguished_name, 1024));
  PSAFE_RETURN_IF_ERROR(b.Read("PasswordRuleID", &a->password_rule_id));
  PSAFE_RETURN_IF_ERROR(b.Read("ReleaseDuration", &a->release_duration));
  PSAFE_RETURN_IF_ERROR(b.Read("MaxReleaseDuration", &a->max_release_duration));
  PSAFE_RETURN_IF_ERROR(b.Read("ISAReleaseDuration", &a->isa_release_duration));
  PSAFE_RETURN_IF_ERROR(b.Read("MaxConcurrentRequests", &a->max_concurrent_requests));
  PSAFE_RETURN_IF_ERROR(b.Read("ApiEnabled", &a->api_enabled));
  PSAFE_RETURN_IF_ERROR(b.Read("AutoManagementFlag", &a->auto_management));
  PSAFE_RETURN_IF_ERROR(b.Read("PasswordFallbackFlag", &a->password_fallback));
  PSAFE_RETURN_IF_ERROR(b.Read("Password", &c->password, 1024));
  PSAFE_RETURN_IF_ERROR(b.Read("PrivateKey", &c->private_key, 16384));
  return b.Read("Passphrase", &c->passphrase, 1024);
}

}  // namespace psafe::api
