#include "api/estate_json.h"

#include "api/dialect.h"
#include "common/strings.h"
#include "domain/platforms.h"

#include <cctype>

namespace psafe::api {

namespace json = boost::json;

namespace {

json::value NullIfEmpty(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }
json::value OptTime(const std::optional<int64_t>& t) {
  return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
}

// The six change-policy fields, as systems and accounts both carry them.
void PutChangePolicy(json::object& o, const domain::ChangePolicy& c) {
  o["CheckPasswordFlag"] = c.check_password;
  o["ChangePasswordAfterAnyReleaseFlag"] = c.change_after_any_release;
  o["ResetPasswordOnMismatchFlag"] = c.reset_on_mismatch;
  o["ChangeFrequencyType"] = c.frequency_type;
  o["ChangeFrequencyDays"] = c.frequency_days;
  o["ChangeTime"] = c.change_time;
}

Status ReadChangePolicy(const JsonBody& b, domain::ChangePolicy* c) {
  PSAFE_RETURN_IF_ERROR(b.Read("CheckPasswordFlag", &c->check_password));
  PSAFE_RETURN_IF_ERROR(b.Read("ChangePasswordAfterAnyReleaseFlag", &c->change_after_any_release));
  PSAFE_RETURN_IF_ERROR(b.Read("ResetPasswordOnMismatchFlag", &c->reset_on_mismatch));
  PSAFE_RETURN_IF_ERROR(b.Read("ChangeFrequencyType", &c->frequency_type, 16));
  for (char& ch : c->frequency_type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  PSAFE_RETURN_IF_ERROR(b.Read("ChangeFrequencyDays", &c->frequency_days));
  return b.Read("ChangeTime", &c->change_time, 16);
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
      {"ManagedSystemID", s.id}, {"EntityTypeID", s.database_id != 0 ? 3 : 1}, {"AssetID", s.asset_id.value_or(0)},
      {"DatabaseID", s.database_id}, {"DirectoryID", 0}, {"CloudID", 0}, {"WorkgroupID", s.workgroup_id},
      {"HostName", s.host_name}, {"DnsName", s.dns_name}, {"IPAddress", s.ip_address},
      {"InstanceName", s.instance_name}, {"IsDefaultInstance", false}, {"Template", ""}, {"ForestName", ""},
      {"UseSSL", s.use_ssl}, {"OracleInternetDirectoryID", nullptr},
      {"OracleInternetDirectoryServiceName", ""}, {"SystemName", s.name},
      {"PlatformID", s.platform_id}, {"NetBiosName", s.net_bios_name},
      {"Port", s.port}, {"Timeout", s.timeout_seconds}, {"Description", s.description},
      {"ContactEmail", NullIfEmpty(s.contact_email)}, {"PasswordRuleID", s.password_rule_id},
      {"DSSKeyRuleID", 0}, {"ReleaseDuration", s.release_duration},
      {"MaxReleaseDuration", s.max_release_duration},
      {"ISAReleaseDuration", s.isa_release_duration}, {"AutoManagementFlag", s.auto_management},
      {"FunctionalAccountID", s.functional_account_id}, {"LoginAccountID", s.login_account_id},
      {"ElevationCommand", s.elevation_command}, {"AccessURL", ""},
      {"RemoteClientType", s.remote_client_type}, {"SshKeyEnforcementMode", s.ssh_key_enforcement_mode},
      {"AccountNameFormat", s.account_name_format},
      {"ApplicationHostID", 0}, {"IsApplicationHost", false},
      // The OpenAPI document's ManagedSystem fields.
      {"Platform", platform ? platform->family : "Linux"},
      {"NetworkAddress", network_address}};
  PutChangePolicy(o, s.change);
  // psafe's own: the pinned SSH host key, and one a target offered that was refused.
  o["HostKeyFingerprint"] = NullIfEmpty(s.host_key);
  o["OfferedHostKeyFingerprint"] = NullIfEmpty(s.host_key_offered);
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
  o["InstanceName"] = s.instance_name;
  o["UserPrincipalName"] = NullIfEmpty(a.user_principal_name);
  o["ApplicationID"] = 0;
  o["ApplicationDisplayName"] = nullptr;
  o["DefaultReleaseDuration"] = a.release_duration;
  o["MaximumReleaseDuration"] = a.max_release_duration;
  o["LastChangeDate"] = OptTime(a.last_change_at);
  o["NextChangeDate"] = OptTime(a.next_change_at);
  o["IsChanging"] = a.change_state != 0;
  o["ChangeState"] = a.change_state;
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
  json::object o{{"ManagedAccountID", a.id}, {"ManagedSystemID", a.system_id},
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
          {"AutoManagementFlag", a.auto_management}, {"DSSAutoManagementFlag", a.dss_auto_management},
          {"ParentAccountID", 0},
          {"IsSubscribedAccount", false}, {"LastChangeDate", OptTime(a.last_change_at)},
          {"NextChangeDate", OptTime(a.next_change_at)}, {"IsChanging", a.change_state != 0},
          {"ChangeState", a.change_state}, {"UseOwnCredentials", a.use_own_credentials},
          {"WorkgroupID", v.system.workgroup_id},
          {"ChangeIISAppPoolFlag", false}, {"RestartIISAppPoolFlag", false},
          {"ChangeWindowsAutoLogonFlag", false}, {"ChangeComPlusFlag", false},
          {"ChangeDComFlag", false}, {"ChangeSComFlag", false}, {"ObjectID", ""}};
  PutChangePolicy(o, a.change);
  // psafe's own: why the last change failed (null when it did not).
  o["LastChangeError"] = NullIfEmpty(a.change_error);
  return o;
}

json::object PlatformJson(const domain::Platform& p) {
  const bool manageable = domain::Manageable(p);
  return {{"PlatformID", p.id}, {"Name", p.name}, {"ShortName", p.short_name},
          {"PortFlag", p.default_port != 0}, {"DefaultPort", p.default_port},
          {"SupportsElevationFlag", p.elevation}, {"DomainNameFlag", p.domain_name},
          {"AutoManagementFlag", manageable}, {"DSSAutoManagementFlag", p.connector == domain::ConnectorKind::kSsh},
          {"ManageableFlag", manageable}, {"DSSFlag", p.dss}, {"LoginAccountFlag", manageable},
          {"DefaultSessionType", p.session_type}, {"ApplicationHostFlag", false},
          {"RequiresApplicationHost", false}, {"RequiresTenantID", false}, {"RequiresObjectID", false},
          {"RequiresSecret", false}};
}

json::object FunctionalAccountJson(const domain::FunctionalAccount& f) {
  return {{"FunctionalAccountID", f.id}, {"PlatformID", f.platform_id}, {"DomainName", f.domain_name},
          {"AccountName", f.account_name}, {"DisplayName", f.display_name}, {"Description", f.description},
          {"ElevationCommand", f.elevation_command}, {"SystemReferenceCount", f.system_reference_count},
          {"TenantID", nullptr}, {"ObjectID", nullptr}, {"AzureInstance", nullptr}};
}

json::object DatabaseJson(const domain::Database& d) {
  return {{"AssetID", d.asset_id}, {"DatabaseID", d.id}, {"PlatformID", d.platform_id},
          {"InstanceName", d.instance_name}, {"IsDefaultInstance", d.is_default_instance},
          {"Port", d.port}, {"Version", d.version}, {"Template", d.template_name}};
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

Status ReadManagedSystem(const JsonBody& b, domain::ManagedSystem* s, bool require_platform) {
  if (require_platform) PSAFE_RETURN_IF_ERROR(b.Require("PlatformID"));
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
  PSAFE_RETURN_IF_ERROR(b.Read("InstanceName", &s->instance_name, 100));
  PSAFE_RETURN_IF_ERROR(b.Read("UseSSL", &s->use_ssl));
  PSAFE_RETURN_IF_ERROR(b.Read("FunctionalAccountID", &s->functional_account_id));
  PSAFE_RETURN_IF_ERROR(b.Read("LoginAccountID", &s->login_account_id));
  PSAFE_RETURN_IF_ERROR(b.Read("ElevationCommand", &s->elevation_command, 64));
  PSAFE_RETURN_IF_ERROR(b.Read("SshKeyEnforcementMode", &s->ssh_key_enforcement_mode));
  PSAFE_RETURN_IF_ERROR(b.Read("AccountNameFormat", &s->account_name_format));
  PSAFE_RETURN_IF_ERROR(b.Read("RemoteClientType", &s->remote_client_type, 16));
  PSAFE_RETURN_IF_ERROR(ReadChangePolicy(b, &s->change));
  if (s->name.empty()) s->name = s->host_name;
  return Status::OK();
}

Status ReadManagedAccount(const JsonBody& b, domain::ManagedAccount* a, domain::NewCredentials* c) {
  if (c != nullptr) PSAFE_RETURN_IF_ERROR(b.Require("AccountName"));
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
  PSAFE_RETURN_IF_ERROR(b.Read("UseOwnCredentials", &a->use_own_credentials));
  PSAFE_RETURN_IF_ERROR(b.Read("DSSAutoManagementFlag", &a->dss_auto_management));
  PSAFE_RETURN_IF_ERROR(ReadChangePolicy(b, &a->change));
  if (c == nullptr) return Status::OK();
  PSAFE_RETURN_IF_ERROR(b.Read("Password", &c->password, 1024));
  PSAFE_RETURN_IF_ERROR(b.Read("PrivateKey", &c->private_key, 16384));
  return b.Read("Passphrase", &c->passphrase, 1024);
}

Status ReadFunctionalAccount(const JsonBody& b, domain::FunctionalAccount* f, domain::NewCredentials* c) {
  PSAFE_RETURN_IF_ERROR(b.Require("PlatformID"));
  PSAFE_RETURN_IF_ERROR(b.Require("AccountName"));
  PSAFE_RETURN_IF_ERROR(b.Read("PlatformID", &f->platform_id));
  PSAFE_RETURN_IF_ERROR(b.Read("AccountName", &f->account_name, 1024));
  PSAFE_RETURN_IF_ERROR(b.Read("DomainName", &f->domain_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("DisplayName", &f->display_name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Description", &f->description, 1024));
  PSAFE_RETURN_IF_ERROR(b.Read("ElevationCommand", &f->elevation_command, 64));
  PSAFE_RETURN_IF_ERROR(b.Read("Password", &c->password, 1024));
  PSAFE_RETURN_IF_ERROR(b.Read("PrivateKey", &c->private_key, 16384));
  return b.Read("Passphrase", &c->passphrase, 1024);
}

Status ReadDatabase(const JsonBody& b, domain::Database* d, bool create) {
  if (create) {
    PSAFE_RETURN_IF_ERROR(b.Require("PlatformID"));
    PSAFE_RETURN_IF_ERROR(b.Require("InstanceName"));
    PSAFE_RETURN_IF_ERROR(b.Require("Port"));
  }
  PSAFE_RETURN_IF_ERROR(b.Read("PlatformID", &d->platform_id));
  PSAFE_RETURN_IF_ERROR(b.Read("InstanceName", &d->instance_name, 100));
  PSAFE_RETURN_IF_ERROR(b.Read("IsDefaultInstance", &d->is_default_instance));
  PSAFE_RETURN_IF_ERROR(b.Read("Port", &d->port));
  PSAFE_RETURN_IF_ERROR(b.Read("Version", &d->version, 20));
  return b.Read("Template", &d->template_name, 256);
}

}  // namespace psafe::api
