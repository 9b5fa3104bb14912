#include "crypto/tls_certificate.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

namespace psafe::crypto {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509V3_CTX*) const {}
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
  void operator()(ASN1_TIME* p) const { ASN1_TIME_free(p); }
  void operator()(FILE* f) const { std::fclose(f); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

Ptr<EVP_PKEY> NewP256Key() { return Ptr<EVP_PKEY>(EVP_EC_gen("P-256")); }

bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Ptr<X509> NewCert(EVP_PKEY* key, const char* cn, int valid_days) {
  Ptr<X509> cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  Ptr<BIGNUM> serial(BN_new());
  BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * valid_days);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("psafe"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  return cert;
}

// An empty CRL from the CA: this update now, next update when the CA expires, since no
// later CRL can be signed once the key is gone.
Ptr<X509_CRL> NewEmptyCrl(X509* ca, EVP_PKEY* ca_key) {
  Ptr<X509_CRL> crl(X509_CRL_new());
  Ptr<ASN1_TIME> now(X509_gmtime_adj(nullptr, 0));
  if (!crl || !now) return nullptr;
  bool ok = X509_CRL_set_version(crl.get(), 1) == 1 &&  // v2
            X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca)) == 1 &&
            X509_CRL_set1_lastUpdate(crl.get(), now.get()) == 1 &&
            X509_CRL_set1_nextUpdate(crl.get(), X509_get0_notAfter(ca)) == 1 &&
            X509_CRL_sign(crl.get(), ca_key, EVP_sha256()) > 0;
  return ok ? std::move(crl) : nullptr;
}

Status WriteDer(const std::filesystem::path& path, X509_CRL* crl) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot write " + path.string());
  Ptr<FILE> f(::fdopen(fd, "w"));
  if (!f) {
    ::close(fd);
    return Status::IOError("cannot write " + path.string());
  }
  bool ok = i2d_X509_CRL_fp(f.get(), crl) == 1 && std::fflush(f.get()) == 0 && ::fsync(fd) == 0;
  return ok ? Status::OK() : Status::IOError("cannot write " + path.string());
}

Status WritePem(const std::filesystem::path& path, int mode, X509* cert1, X509* cert2,
                EVP_PKEY* key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("cannot write " + path.string());
  Ptr<FILE> f(::fdopen(fd, "w"));
  if (!f) {
    ::close(fd);
    return Status::IOError("cannot write " + path.string());
  }
  bool ok = true;
  if (key) ok = ok && PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (cert1) ok = ok && PEM_write_X509(f.get(), cert1);
  if (cert2) ok = ok && PEM_write_X509(f.get(), cert2);
  ok = ok && std::fflush(f.get()) == 0 && ::fsync(fd) == 0;
  return ok ? Status::OK() : Status::IOError("cannot write " + path.string());
}

}  // namespace

Status GenerateSelfSignedTls(const TlsFiles& files, const GeneratedTlsOptions& options) {
  const int valid_days = options.valid_days;
  Ptr<EVP_PKEY> ca_key = NewP256Key();
  Ptr<EVP_PKEY> leaf_key = NewP256Key();
  if (!ca_key || !leaf_key) return Status::Internal("EC key generation failed");

  Ptr<X509> ca = NewCert(ca_key.get(), "psafe local CA", valid_days);
  if (!ca) return Status::Internal("certificate allocation failed");
  X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
  bool ok = AddExt(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
            AddExt(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
            AddExt(ca.get(), ca.get(), NID_subject_key_identifier, "hash") &&
            X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0;

  Ptr<X509> leaf = NewCert(leaf_key.get(), "localhost", valid_days);
  if (!leaf) return Status::Internal("certificate allocation failed");
  X509_set_issuer_name(leaf.get(), X509_get_subject_name(ca.get()));
  ok = ok && AddExt(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") &&
       AddExt(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature") &&
       AddExt(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth") &&
       AddExt(leaf.get(), ca.get(), NID_subject_alt_name,
              "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1") &&
       AddExt(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always") &&
       (options.crl_uri.empty() ||
        AddExt(leaf.get(), ca.get(), NID_crl_distribution_points, ("URI:" + options.crl_uri).c_str())) &&
       X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) > 0;
  Ptr<X509_CRL> crl = ok ? NewEmptyCrl(ca.get(), ca_key.get()) : nullptr;
  if (!crl) return Status::Internal("certificate signing failed");

  Status s = WritePem(files.server_key, 0600, nullptr, nullptr, leaf_key.get());
  if (s.ok()) s = WritePem(files.server_cert, 0644, leaf.get(), ca.get(), nullptr);
  if (s.ok()) s = WritePem(files.ca_cert, 0644, ca.get(), nullptr, nullptr);
  if (s.ok()) s = WriteDer(files.crl, crl.get());
  return s;
}

Result<bool> CertificateExpiresWithin(const std::filesystem::path& cert_file, int days) {
  Ptr<FILE> f(std::fopen(cert_file.c_str(), "re"));
  if (!f) return Status::IOError("cannot read " + cert_file.string());
  Ptr<X509> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::InvalidArgument(cert_file.string() + " holds no PEM certificate");
  time_t limit = std::time(nullptr) + 60L * 60 * 24 * days;
  int cmp = X509_cmp_time(X509_get0_notAfter(cert.get()), &limit);  // -1: before the limit
  if (cmp == 0) return Status::InvalidArgument(cert_file.string() + " has an unreadable notAfter");
  return cmp < 0;
}

}  // namespace psafe::crypto
