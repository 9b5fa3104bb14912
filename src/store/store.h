// Store: a backend, one object implementing every port the domain owns
// (domain/ports/ports.h). The domain never sees this type: the composition (server/app.cc)
// opens a Store and hands its ports() to the services.
#pragma once

#include <memory>

#include "domain/ports/ports.h"

namespace psafe::store {

class Durability;

class Store : public domain::UnitOfWork,
              public domain::AuditLog,
              public domain::KeyStore,
              public domain::IdentityStore,
              public domain::PermissionStore,
              public domain::RequestStore,
              public domain::RegistrationStore,
              public domain::SessionStore,
              public domain::LockoutStore,
              public domain::EstateStore,
              public domain::RotationStore,
              public domain::SecretStore,
              public domain::StoreHealth,
              public domain::NonceStore,
              public domain::LeaseStore,
              public domain::AliasStore {
 public:
  domain::Ports ports() {
    return {*this, *this, *this, *this, *this, *this, *this, *this, *this, *this, *this, *this, *this, *this, *this,
            *this};
  }
  // When this node's commits are durable: what a response that depends on them waits for.
  virtual Durability& durability() = 0;
  // Blocks until every change submitted so far (UnitOfWork::Submit) has run: before the
  // services whose changes they are go away.
  virtual void FinishSubmissions() = 0;
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace psafe::store
