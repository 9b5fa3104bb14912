#include "crypto/keyring.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <cstring>

namespace psafe::crypto {

namespace {

constexpr unsigned char kAlgXChaCha = 1;
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kHeader = 1 + 4 + kNonce;

std::string PurposeContext(int version, SealedKey::Purpose purpose) {
  return std::string("psafe-keyring/") + (purpose == SealedKey::Purpose::kData ? "data/" : "pepper/") +
         std::to_string(version);
}

// Raw AEAD: header (alg|version|nonce) + ciphertext, AAD = header + context.
std::string SealWith(const unsigned char* key, int version, std::string_view plaintext,
                     std::string_view context) {
  std::string out(kHeader + plaintext.size() + kTag, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  o[0] = kAlgXChaCha;
  auto v = static_cast<uint32_t>(version);
  o[1] = static_cast<unsigned char>(v >> 24);
  o[2] = static_cast<unsigned char>(v >> 16);
  o[3] = static_cast<unsigned char>(v >> 8);
  o[4] = static_cast<unsigned char>(v);
  randombytes_buf(o + 5, kNonce);
  std::string aad(out.data(), kHeader);
  aad.append(context);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      o + kHeader, &clen, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr, o + 5, key);
  return out;
}

int HeaderVersion(std::string_view blob) {
  const auto* b = reinterpret_cast<const unsigned char*>(blob.data());
  return static_cast<int>((uint32_t{b[1]} << 24) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 8) |
                          uint32_t{b[4]});
}

bool OpenWith(const unsigned char* key, std::string_view blob, std::string_view context,
              unsigned char* out) {
  std::string aad(blob.substr(0, kHeader));
  aad.append(context);
  const auto* b = reinterpret_cast<const unsigned char*>(blob.data());
  unsigned long long mlen = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(
             out, &mlen, nullptr, b + kHeader, blob.size() - kHeader,
             reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), b + 5, key) == 0;
}

bool WellFormed(std::string_view blob) {
  return blob.size() >= kHeader + kTag && static_cast<unsigned char>(blob[0]) == kAlgXChaCha;
}

}  // namespace

struct Keyring::KeyBytes {
  KeyBytes() : p(static_cast<unsigned char*>(sodium_malloc(kKeySize))) {
    if (p == nullptr) std::abort();
  }
  ~KeyBytes() { sodium_free(p); }
  KeyBytes(const KeyBytes&) = delete;
  KeyBytes& operator=(const KeyBytes&) = delete;
  unsigned char* p;
};

Keyring::~Keyring() = default;

SealedKey Keyring::CreateKey(const MasterKey& master, int version, SealedKey::Purpose purpose) {
  KeyBytes fresh;
  randombytes_buf(fresh.p, kKeySize);
  SealedKey k;
  k.version = version;
  k.purpose = purpose;
  k.sealed = SealWith(master.data(), version,
                      std::string_view(reinterpret_cast<char*>(fresh.p), kKeySize),
                      PurposeContext(version, purpose));
  return k;
}

Result<std::unique_ptr<Keyring>> Keyring::Open(const MasterKey& master,
                                               const std::vector<SealedKey>& keys) {
  std::unique_ptr<Keyring> ring(new Keyring());
  for (const SealedKey& k : keys) {
    if (!WellFormed(k.sealed) || k.sealed.size() != kHeader + kKeySize + kTag ||
        HeaderVersion(k.sealed) != k.version) {
      return Status::Corruption("keyring entry " + std::to_string(k.version) + " is malformed");
    }
    auto bytes = std::make_unique<KeyBytes>();
    if (!OpenWith(master.data(), k.sealed, PurposeContext(k.version, k.purpose), bytes->p)) {
      return Status::Corruption(
          "keyring does not open under this master key (wrong key file or PSAFE_MASTER_KEY?)");
    }
    if (k.purpose == SealedKey::Purpose::kPepper) {
      ring->pepper_ = std::move(bytes);
    } else {
      ring->current_version_ = std::max(ring->current_version_, k.version);
      ring->data_keys_[k.version] = std::move(bytes);
    }
  }
  if (ring->data_keys_.empty() || !ring->pepper_) {
    return Status::Corruption("keyring is incomplete: a data key and a pepper are required");
  }
  return ring;
}

std::string Keyring::Seal(std::string_view plaintext, std::string_view context) const {
  return SealWith(data_keys_.at(current_version_)->p, current_version_, plaintext, context);
}

Result<SecretString> Keyring::Unseal(std::string_view blob, std::string_view context) const {
  if (!WellFormed(blob)) return Status::Corruption("encrypted value is malformed");
  auto it = data_keys_.find(HeaderVersion(blob));
  if (it == data_keys_.end()) return Status::Corruption("encrypted value uses an unknown key version");
  std::string plain(blob.size() - kHeader - kTag, '\0');
  if (!OpenWith(it->second->p, blob, context, reinterpret_cast<unsigned char*>(plain.data()))) {
    SecureWipe(plain.data(), plain.size());
    return Status::Corruption("encrypted value failed authentication");
  }
  return SecretString(std::move(plain));
}

std::string Keyring::TokenHash(std::string_view token) const {
  unsigned char mac[kTokenHashSize];
  unsigned int len = 0;
  HMAC(EVP_sha256(), pepper_->p, static_cast<int>(kKeySize),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string Keyring::AuditMac(std::string_view previous_mac, std::string_view record) const {
  // Domain separation: the audit key is HMAC(pepper, label), never the pepper itself.
  constexpr std::string_view kLabel = "psafe-audit-chain-v1";
  unsigned char key[kTokenHashSize];
  unsigned int len = 0;
  HMAC(EVP_sha256(), pepper_->p, static_cast<int>(kKeySize),
       reinterpret_cast<const unsigned char*>(kLabel.data()), kLabel.size(), key, &len);
  std::string data(previous_mac);
  data.append(record);
  unsigned char mac[kTokenHashSize];
  HMAC(EVP_sha256(), key, static_cast<int>(len), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  OPENSSL_cleanse(key, sizeof key);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::vector<int> Keyring::versions() const {
  std::vector<int> v;
  for (const auto& [version, key] : data_keys_) v.push_back(version);
  return v;
}

}  // namespace psafe::crypto
