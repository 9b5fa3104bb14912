#include "crypto/tls_certificate.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string_view>
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
  void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }  // ASN1_TIME, ASN1_INTEGER
  void operator()(STACK_OF(DIST_POINT)* p) const { CRL_DIST_POINTS_free(p); }
  void operator()(FILE* f) const { std::fclose(f); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

// The generated CA's common name: a server certificate issued under it is psafed's own to
// renew; any other is the operator's and is never touched.
constexpr const char* kCaName = "psafe local CA";

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
// later CRL can be signed once the key is gone. CRL number and authority key identifier
// are the two extensions RFC 5280 requires of a conforming CRL.
Ptr<X509_CRL> NewEmptyCrl(X509* ca, EVP_PKEY* ca_key) {
  Ptr<X509_CRL> crl(X509_CRL_new());
  Ptr<ASN1_TIME> now(X509_gmtime_adj(nullptr, 0));
  Ptr<ASN1_INTEGER> number(ASN1_INTEGER_new());
  if (!crl || !now || !number || ASN1_INTEGER_set(number.get(), 1) != 1) return nullptr;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl.get(), 0);
  Ptr<X509_EXTENSION> akid(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  bool ok = akid && X509_CRL_set_version(crl.get(), 1) == 1 &&  // v2
            X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca)) == 1 &&
            X509_CRL_set1_lastUpdate(crl.get(), now.get()) == 1 &&
            X509_CRL_set1_nextUpdate(crl.get(), X509_get0_notAfter(ca)) == 1 &&
            X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) == 1 &&
            X509_CRL_add_ext(crl.get(), akid.get(), -1) == 1 &&
            X509_CRL_sign(crl.get(), ca_key, EVP_sha256()) > 0;
  return ok ? std::move(crl) : nullptr;
}

// Writes through a temporary file renamed into place: a renewal replaces live files, and a
// crash must not leave one half-written.
Status WriteFileAtomically(const std::filesystem::path& path, int mode, const std::function<bool(FILE*)>& write) {
  const std::string tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());  // so that `mode` applies
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("cannot write " + path.string());
  Ptr<FILE> f(::fdopen(fd, "w"));
  if (!f) ::close(fd);
  bool ok = f && write(f.get()) && std::fflush(f.get()) == 0 && ::fsync(fd) == 0;
  f.reset();
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path.string());
  }
  return Status::OK();
}

Status WritePem(const std::filesystem::path& path, int mode, X509* cert1, X509* cert2, EVP_PKEY* key) {
  return WriteFileAtomically(path, mode, [&](FILE* f) {
    return (!key || PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr)) &&
           (!cert1 || PEM_write_X509(f, cert1)) && (!cert2 || PEM_write_X509(f, cert2));
  });
}

Status WriteDer(const std::filesystem::path& path, X509_CRL* crl) {
  return WriteFileAtomically(path, 0644, [&](FILE* f) { return i2d_X509_CRL_fp(f, crl) == 1; });
}

Ptr<X509> ReadPemCert(const std::filesystem::path& path) {
  Ptr<FILE> f(std::fopen(path.c_str(), "re"));
  return Ptr<X509>(f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr);
}

Ptr<EVP_PKEY> ReadPemKey(const std::filesystem::path& path) {
  Ptr<FILE> f(std::fopen(path.c_str(), "re"));
  return Ptr<EVP_PKEY>(f ? PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr) : nullptr);
}

std::string CrlUri(X509* cert) {
  Ptr<STACK_OF(DIST_POINT)> points(static_cast<STACK_OF(DIST_POINT)*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)));
  if (!points || sk_DIST_POINT_num(points.get()) < 1) return "";
  const DIST_POINT* point = sk_DIST_POINT_value(points.get(), 0);
  if (point->distpoint == nullptr || point->distpoint->type != 0) return "";
  GENERAL_NAMES* names = point->distpoint->name.fullname;
  if (sk_GENERAL_NAME_num(names) < 1) return "";
  const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, 0);
  if (name->type != GEN_URI) return "";
  const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), ASN1_STRING_length(uri));
}

}  // namespace

Status GenerateSelfSignedTls(const TlsFiles& files, const GeneratedTlsOptions& options) {
  const int valid_days = options.valid_days;
  Ptr<EVP_PKEY> ca_key = NewP256Key();
  Ptr<EVP_PKEY> leaf_key = NewP256Key();
  if (!ca_key || !leaf_key) return Status::Internal("EC key generation failed");

  Ptr<X509> ca = NewCert(ca_key.get(), kCaName, valid_days);
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

GeneratedTlsState InspectGeneratedTls(const TlsFiles& files, int renew_within_days) {
  GeneratedTlsState out;
  Ptr<X509> leaf = ReadPemCert(files.server_cert);
  Ptr<EVP_PKEY> key = ReadPemKey(files.server_key);
  if (!leaf || !key) {
    out.verdict = GeneratedTlsState::kGenerate;
    out.reason = "no server certificate and key yet";
    return out;
  }
  char issuer_cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_issuer_name(leaf.get()), NID_commonName, issuer_cn, sizeof issuer_cn);
  if (std::string_view(issuer_cn) != kCaName) {
    out.verdict = GeneratedTlsState::kNotGenerated;
    return out;
  }
  out.crl_uri = CrlUri(leaf.get());
  Ptr<X509> ca = ReadPemCert(files.ca_cert);
  time_t limit = std::time(nullptr) + 60L * 60 * 24 * renew_within_days;
  out.verdict = GeneratedTlsState::kRenew;
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    out.reason = "the server key does not match the certificate";
  } else if (!ca || X509_verify(leaf.get(), X509_get0_pubkey(ca.get())) != 1) {
    out.reason = "the CA file did not sign the server certificate";
  } else if (X509_cmp_time(X509_get0_notAfter(leaf.get()), &limit) <= 0) {  // -1: before the limit
    out.reason = "the server certificate expires within " + std::to_string(renew_within_days) + " days";
  } else {
    out.verdict = GeneratedTlsState::kCurrent;
  }
  return out;
}

}  // namespace psafe::crypto
