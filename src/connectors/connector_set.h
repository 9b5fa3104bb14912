// ConnectorSet: one instance of each TargetConnector, looked up by the ConnectorKind the
// domain's platform table names. The composition root owns one and hands the domain
// TargetConnector pointers, so the domain never depends on libssh, libpq or libldap.
//
// Thread-safety: Get may be called from any thread; the connectors are stateless.
#pragma once

#include <memory>

#include "domain/connector_kind.h"
#include "domain/target_connector.h"

namespace psafe::connectors {

class ConnectorSet {
 public:
  ConnectorSet();
  ~ConnectorSet();
  ConnectorSet(const ConnectorSet&) = delete;
  ConnectorSet& operator=(const ConnectorSet&) = delete;

  // nullptr for kNone: the platform has no connector. Valid while the set lives.
  domain::TargetConnector* Get(domain::ConnectorKind kind) const;

 private:
  std::unique_ptr<domain::TargetConnector> ssh_;
  std::unique_ptr<domain::TargetConnector> postgres_;
  std::unique_ptr<domain::TargetConnector> ldap_;
};

}  // namespace psafe::connectors
