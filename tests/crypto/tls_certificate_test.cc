#include "crypto/tls_certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "fixtures/test_env.h"

namespace psafe::crypto {
namespace {

struct Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(STACK_OF(DIST_POINT)* p) const { CRL_DIST_POINTS_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
  void operator()(FILE* f) const { std::fclose(f); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

Ptr<X509> ReadCert(const std::filesystem::path& p) {
  Ptr<FILE> f(std::fopen(p.c_str(), "r"));
  return Ptr<X509>(f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr);
}

Ptr<X509_CRL> ReadDerCrl(const std::filesystem::path& p) {
  Ptr<FILE> f(std::fopen(p.c_str(), "r"));
  return Ptr<X509_CRL>(f ? d2i_X509_CRL_fp(f.get(), nullptr) : nullptr);
}

// Seconds between two ASN1 times.
long SecondsBetween(const ASN1_TIME* from, const ASN1_TIME* to) {
  int days = 0, secs = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &secs, from, to), 1);
  return days * 86400L + secs;
}

class TlsCertificateTest : public ::testing::Test {
 protected:
  TlsFiles Files() const {
    return {dir_.path() / "ca.pem", dir_.path() / "server.crt", dir_.path() / "server.key",
            dir_.path() / "ca.crl"};
  }
  testing::TempDir dir_;
};

TEST_F(TlsCertificateTest, ServerCertificateLivesAtMost397DaysAndChainsToTheCa) {
  GeneratedTlsOptions options;
  ASSERT_TRUE(GenerateSelfSignedTls(Files(), options).ok());
  auto leaf = ReadCert(Files().server_cert);
  auto ca = ReadCert(Files().ca_cert);
  ASSERT_TRUE(leaf && ca);
  // notBefore is an hour back for clock skew; the lifetime stays within the 398-day rule.
  long lifetime = SecondsBetween(X509_get0_notBefore(leaf.get()), X509_get0_notAfter(leaf.get()));
  EXPECT_LE(lifetime, 398L * 86400);
  EXPECT_GE(lifetime, 397L * 86400);

  Ptr<X509_STORE> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  EXPECT_EQ(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);

  struct stat st {};
  ASSERT_EQ(::stat(Files().server_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TlsCertificateTest, CaSignsAnEmptyCrlThatTheServerCertificateNames) {
  GeneratedTlsOptions options;
  options.crl_uri = "https://127.0.0.1:8443/tls/ca.crl";
  ASSERT_TRUE(GenerateSelfSignedTls(Files(), options).ok());
  auto leaf = ReadCert(Files().server_cert);
  auto ca = ReadCert(Files().ca_cert);
  auto crl = ReadDerCrl(Files().crl);
  ASSERT_TRUE(leaf && ca && crl);

  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca.get())), 0);
  // RFC 5280 §5.2: a conforming CRL carries its number and the issuer's key identifier.
  Ptr<ASN1_INTEGER> number(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)));
  ASSERT_TRUE(number);
  EXPECT_EQ(ASN1_INTEGER_get(number.get()), 1);
  EXPECT_GE(X509_CRL_get_ext_by_NID(crl.get(), NID_authority_key_identifier, -1), 0);
  // No revoked entries: OpenSSL leaves the list absent (-1) rather than empty.
  EXPECT_LE(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), 0);
  // The CA key is gone, so this CRL must stay current for as long as the CA does.
  EXPECT_EQ(ASN1_TIME_compare(X509_CRL_get0_nextUpdate(crl.get()), X509_get0_notAfter(ca.get())), 0);

  // And with the CRL loaded, a verifier that checks revocation accepts the server certificate.
  Ptr<X509_STORE> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  X509_STORE_add_crl(store.get(), crl.get());
  X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));

  Ptr<STACK_OF(DIST_POINT)> points(static_cast<STACK_OF(DIST_POINT)*>(
      X509_get_ext_d2i(leaf.get(), NID_crl_distribution_points, nullptr, nullptr)));
  ASSERT_TRUE(points);
  ASSERT_EQ(sk_DIST_POINT_num(points.get()), 1);
  GENERAL_NAMES* names = sk_DIST_POINT_value(points.get(), 0)->distpoint->name.fullname;
  ASSERT_EQ(sk_GENERAL_NAME_num(names), 1);
  GENERAL_NAME* name = sk_GENERAL_NAME_value(names, 0);
  ASSERT_EQ(name->type, GEN_URI);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.uniformResourceIdentifier)),
                        ASN1_STRING_length(name->d.uniformResourceIdentifier)),
            options.crl_uri);
}

TEST_F(TlsCertificateTest, InspectionSaysWhatStartUpMustDo) {
  EXPECT_EQ(InspectGeneratedTls(Files(), 30).verdict, GeneratedTlsState::kGenerate);

  GeneratedTlsOptions options;
  options.crl_uri = "https://127.0.0.1:8443/tls/ca.crl";
  ASSERT_TRUE(GenerateSelfSignedTls(Files(), options).ok());
  GeneratedTlsState state = InspectGeneratedTls(Files(), 30);
  EXPECT_EQ(state.verdict, GeneratedTlsState::kCurrent) << state.reason;
  EXPECT_EQ(state.crl_uri, options.crl_uri);
  EXPECT_EQ(InspectGeneratedTls(Files(), 400).verdict, GeneratedTlsState::kRenew);  // 397 days < 400

  // A second generation elsewhere: its key, or its CA file, no longer matches ours
  // (what a crash in the middle of a renewal would leave).
  testing::TempDir other_dir;
  const TlsFiles other{other_dir.path() / "ca.pem", other_dir.path() / "server.crt", other_dir.path() / "server.key",
                       other_dir.path() / "ca.crl"};
  ASSERT_TRUE(GenerateSelfSignedTls(other, options).ok());
  std::filesystem::copy_file(other.ca_cert, Files().ca_cert, std::filesystem::copy_options::overwrite_existing);
  state = InspectGeneratedTls(Files(), 30);
  EXPECT_EQ(state.verdict, GeneratedTlsState::kRenew);
  EXPECT_NE(state.reason.find("CA file"), std::string::npos) << state.reason;
  std::filesystem::copy_file(other.server_key, Files().server_key, std::filesystem::copy_options::overwrite_existing);
  state = InspectGeneratedTls(Files(), 30);
  EXPECT_EQ(state.verdict, GeneratedTlsState::kRenew);
  EXPECT_NE(state.reason.find("key"), std::string::npos) << state.reason;
}

TEST_F(TlsCertificateTest, AnOperatorsCertificateIsNeverRenewed) {
  // Self-signed under another name, one day from expiry, at the default paths.
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  Ptr<X509> cert(X509_new());
  ASSERT_TRUE(key && cert);
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("ops.example.com"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  {
    Ptr<FILE> f(std::fopen(Files().server_cert.c_str(), "w"));
    ASSERT_TRUE(f && PEM_write_X509(f.get(), cert.get()));
    Ptr<FILE> k(std::fopen(Files().server_key.c_str(), "w"));
    ASSERT_TRUE(k && PEM_write_PrivateKey(k.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr));
  }
  EXPECT_EQ(InspectGeneratedTls(Files(), 30).verdict, GeneratedTlsState::kNotGenerated);
}

}  // namespace
}  // namespace psafe::crypto
