// ConnectorKind: which TargetConnector (domain/target_connector.h) reaches a platform's
// targets. The domain names it in its platform table; connectors/connector_set.h maps it
// to an instance, so the domain never includes a connector.
#pragma once

namespace psafe::domain {

enum class ConnectorKind {
  kNone,      // psafe cannot reach this platform's targets (no rotation, no verification)
  kSsh,
  kPostgres,
  kLdap,
};

}  // namespace psafe::domain
