// Ports: the persistence interfaces the domain owns, bundled for wiring. A backend
// (store/sql_store.h) implements every one; a service keeps the bundle and names the port
// it uses at each call (ports_.identity.FindUserById), so what it touches stays visible.
//
// Contracts every backend keeps, on every port:
//  - Each method is atomic: it commits fully or not at all. Inside UnitOfWork::Atomically it
//    joins the enclosing transaction.
//  - Names (users, workgroups, systems, accounts) compare case-insensitively (ASCII).
//  - A unique-name clash returns AlreadyExists; a missing parent returns NotFound; a row
//    still referenced returns Conflict.
//  - The store never sees plaintext secrets: credentials arrive sealed by the keyring.
//  - All methods may be called concurrently, from any thread and any node.
#pragma once

#include "domain/ports/unit_of_work.h"
#include "domain/ports/alias_store.h"
#include "domain/ports/audit_log.h"
#include "domain/ports/key_store.h"
#include "domain/ports/identity_store.h"
#include "domain/ports/permission_store.h"
#include "domain/ports/request_store.h"
#include "domain/ports/registration_store.h"
#include "domain/ports/session_store.h"
#include "domain/ports/lease_store.h"
#include "domain/ports/lockout_store.h"
#include "domain/ports/nonce_store.h"
#include "domain/ports/estate_store.h"
#include "domain/ports/rotation_store.h"
#include "domain/ports/secret_store.h"
#include "domain/ports/store_health.h"

namespace psafe::domain {

struct Ports {
  UnitOfWork& tx;
  AuditLog& audit_log;
  KeyStore& keys;
  IdentityStore& identity;
  PermissionStore& permissions;
  RequestStore& requests;
  RegistrationStore& registrations;
  SessionStore& sessions;
  LockoutStore& lockouts;
  EstateStore& estate;
  RotationStore& rotations;
  SecretStore& secrets;
  StoreHealth& health;
  NonceStore& nonces;
  LeaseStore& leases;
  AliasStore& aliases;
};

}  // namespace psafe::domain
