#include "connectors/connector_set.h"

#include "connectors/ldap_connector.h"
#include "connectors/postgres_connector.h"
#include "connectors/ssh_connector.h"

namespace psafe::connectors {

ConnectorSet::ConnectorSet()
    : ssh_(std::make_unique<SshConnector>()),
      postgres_(std::make_unique<PostgresConnector>()),
      ldap_(std::make_unique<LdapConnector>()) {}

ConnectorSet::~ConnectorSet() = default;

domain::TargetConnector* ConnectorSet::Get(domain::ConnectorKind kind) const {
  switch (kind) {
    case domain::ConnectorKind::kNone:
      return nullptr;
    case domain::ConnectorKind::kSsh:
      return ssh_.get();
    case domain::ConnectorKind::kPostgres:
      return postgres_.get();
    case domain::ConnectorKind::kLdap:
      return ldap_.get();
  }
  return nullptr;  // a value outside the enum
}

}  // namespace psafe::connectors
