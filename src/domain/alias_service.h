// AliasService: aliases (domain/alias.h). Administrators create and map them; anyone may
// list, read, request and retrieve through the aliases whose current account they could
// request themselves, with exactly that account's checks (RequestService).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/secret_string.h"
#include "domain/alias.h"
#include "domain/audit_service.h"
#include "domain/principal.h"
#include "domain/ports/ports.h"
#include "domain/request_service.h"

namespace psafe::domain {

// One mapped account as an administrator names it: the system, when given, must be the
// account's own.
struct AliasMapping {
  int64_t system_id = 0;  // 0: not given
  int64_t account_id = 0;
};

struct AliasInput {
  std::string name;
  std::optional<AliasState> state;  // when given, it must be what the mapping makes it
  std::vector<AliasMapping> accounts;
};

// A credential released through an alias, with the account it came from.
struct AliasRelease {
  Alias alias;
  AccountView account;
  CredentialType type = CredentialType::kPassword;
  crypto::SecretString value;
};

class AliasService {
 public:
  AliasService(const Ports& ports, AuditTrail& audit, RequestService& requests);

  Result<std::vector<AliasView>> List(const Principal& p, const AliasFilter& filter);
  // By id when `id_or_name` is all digits, else by name; NotFound for one the caller cannot see.
  Result<AliasView> Get(const Principal& p, std::string_view id_or_name);
  Result<AliasView> Create(const Principal& p, const AliasInput& in);
  // `read_version`: the version of the alias `in` was completed from (AliasView::alias).
  Result<AliasView> Update(const Principal& p, int64_t id, int64_t read_version, const AliasInput& in);
  Status Delete(const Principal& p, int64_t id);

  // A request for the alias's current account (`nr` names no account).
  Result<CreatedRequest> Request(const Principal& p, int64_t id, NewRequest nr);
  // The credential of the caller's request `request_id`, made through this alias (its
  // account must be one the alias maps).
  Result<AliasRelease> Retrieve(const Principal& p, int64_t id, int64_t request_id, CredentialType type);

 private:
  Result<AliasView> ViewOf(Alias alias);
  // Whether the caller may request (or ISA-retrieve) the account through an alias.
  Result<bool> MayUse(const Principal& p, const AccountView& a);
  // Whether the caller may see the alias; for a non-administrator, drops the standby
  // accounts they may not use from `v`.
  Result<bool> Visible(const Principal& p, AliasView& v);
  Result<AliasView> Find(const Principal& p, int64_t id);
  // `a` with its accounts, or NotFound for an alias the caller may not see.
  Result<AliasView> Shown(const Principal& p, Alias a);
  // `in` checked and its accounts resolved, as the alias `id` (0: a new one) would store it.
  Result<Alias> Validated(const AliasInput& in);

  Ports ports_;
  AuditTrail& audit_;
  RequestService& requests_;
};

}  // namespace psafe::domain
