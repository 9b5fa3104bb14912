#include "connectors/ssh_connector.h"

#include <libssh/libssh.h>

#include <cstring>
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/strings.h"
#include "connectors/host_key_policy.h"
#include "connectors/safe_excerpt.h"
#include "connectors/sigpipe_guard.h"
#include "connectors/target_input.h"
#include "crypto/secret_string.h"

namespace psafe::connectors {

namespace {

using domain::HostKeyCheck;
using domain::PasswordChange;
using domain::TargetAddress;
using domain::TargetLogin;
using Clock = std::chrono::steady_clock;

constexpr int kSshPort = 22;
// Linux allows 32 bytes; other Unixes and directory-backed accounts allow more.
constexpr size_t kMaxUserName = 256;
// What is kept of a command's output for an error message (before SafeExcerpt shortens
// it). Buffers are reserved at this size and never grow, so wiping them at the end wipes
// every byte they ever held.
constexpr size_t kKeptOutput = 4096;
// How long passwd must stay quiet before its last line is taken as a complete prompt.
constexpr int kPromptSettleMs = 150;

struct SshFree {
  void operator()(ssh_session s) const {
    ssh_disconnect(s);
    ssh_free(s);
  }
  void operator()(ssh_channel c) const { ssh_channel_free(c); }  // closes it if still open
  void operator()(ssh_key k) const { ssh_key_free(k); }
};
using SessionPtr = std::unique_ptr<ssh_session_struct, SshFree>;
using ChannelPtr = std::unique_ptr<ssh_channel_struct, SshFree>;
using KeyPtr = std::unique_ptr<ssh_key_struct, SshFree>;

// A std::string that is wiped when the scope ends: for output that may echo a secret.
class WipedBuffer {
 public:
  WipedBuffer() { s_.reserve(kKeptOutput); }
  ~WipedBuffer() { crypto::SecureWipe(s_.data(), s_.size()); }
  WipedBuffer(const WipedBuffer&) = delete;
  WipedBuffer& operator=(const WipedBuffer&) = delete;
  void Append(std::string_view bytes) {
    s_.append(bytes.substr(0, kKeptOutput - std::min(kKeptOutput, s_.size())));
  }
  void Clear() {
    crypto::SecureWipe(s_.data(), s_.size());
    s_.clear();
  }
  std::string_view view() const { return s_; }

 private:
  std::string s_;
};

std::string SshError(ssh_session s) { return SafeExcerpt(ssh_get_error(s), {}); }

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// "sudo", "sudo -n", "/usr/bin/doas", "pbrun": a command word and plain options. Anything
// a shell would interpret (the target runs the command through the user's shell) is out.
Status CheckElevation(std::string_view elevation) {
  if (elevation.size() > 128) return Status::InvalidArgument("the elevation command is too long");
  for (char c : elevation) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '/' || c == ' ' || c == '-';
    if (!ok) {
      return Status::InvalidArgument(
          "the elevation command may contain only letters, digits, '_', '.', '/', '-' and spaces");
    }
  }
  return Status::OK();
}

// Connects, and refuses the server unless its host key passes `host_key` (whose `seen` is
// filled as soon as the key is known, also when it is refused).
Result<SessionPtr> Connect(const Endpoint& ep, const std::string& user, HostKeyCheck& host_key) {
  SessionPtr s(ssh_new());
  if (!s) return Status::Internal("ssh: cannot allocate a session");
  const int port = ep.port;
  const long timeout = ep.timeout_seconds;
  const bool process_config = false;
  const int verbosity = SSH_LOG_NOLOG;
  ssh_session ss = s.get();
  if (ssh_options_set(ss, SSH_OPTIONS_HOST, ep.host.c_str()) < 0 ||
      ssh_options_set(ss, SSH_OPTIONS_PORT, &port) < 0 ||
      ssh_options_set(ss, SSH_OPTIONS_USER, user.c_str()) < 0 ||
      ssh_options_set(ss, SSH_OPTIONS_TIMEOUT, &timeout) < 0 ||
      ssh_options_set(ss, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
      // Set before ssh_connect, which would otherwise read ~/.ssh/config and let the known
      // hosts files reorder the host key algorithms (and so change which key is pinned).
      ssh_options_set(ss, SSH_OPTIONS_PROCESS_CONFIG, &process_config) < 0 ||
      ssh_options_set(ss, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0 ||
      ssh_options_set(ss, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0) {
    return Status::InvalidArgument("ssh: cannot use these connection settings: " + SshError(ss));
  }
  if (ssh_connect(ss) != SSH_OK) {
    return Status::Unavailable("ssh: cannot reach " + ep.HostPort() + ": " + SshError(ss));
  }

  ssh_key raw_key = nullptr;
  if (ssh_get_server_publickey(ss, &raw_key) != SSH_OK) {
    return Status::Unavailable("ssh: " + ep.HostPort() + " offered no host key: " + SshError(ss));
  }
  KeyPtr key(raw_key);
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0) {
    return Status::Internal("ssh: cannot hash the host key");
  }
  // "SHA256:" and unpadded base64, exactly as ssh-keygen -l prints it.
  char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
  ssh_clean_pubkey_hash(&hash);
  if (fingerprint == nullptr) return Status::Internal("ssh: cannot format the host key fingerprint");
  host_key.seen = fingerprint;
  ssh_string_free_char(fingerprint);
  PSAFE_RETURN_IF_ERROR(CheckHostKey(host_key));
  return s;
}

enum class Auth { kAccepted, kRefused, kPartial };

// The private key, read before anything is sent so that a key psafe cannot use fails
// without a connection; null when the login signs in with its password.
Result<KeyPtr> ImportKey(const TargetLogin& login) {
  if (login.private_key.empty()) return KeyPtr();
  // libssh wants C strings; the copies are wiped.
  const crypto::SecretString key_text(login.private_key);
  const crypto::SecretString passphrase(login.passphrase);
  ssh_key raw = nullptr;
  if (ssh_pki_import_privkey_base64(key_text.str().c_str(),
                                    passphrase.empty() ? nullptr : passphrase.str().c_str(), nullptr,
                                    nullptr, &raw) != SSH_OK) {
    return Status::InvalidArgument(
        "ssh: the private key cannot be read (unsupported format, or a wrong passphrase)");
  }
  return KeyPtr(raw);
}

// With the key when there is one, else with the password. Only a completed exchange is an
// answer; anything else (the connection dropped, a timeout) is kUnavailable.
Result<Auth> Authenticate(ssh_session s, const TargetLogin& login, ssh_key key) {
  int rc = SSH_AUTH_ERROR;
  if (key != nullptr) {
    rc = ssh_userauth_publickey(s, nullptr, key);
  } else {
    const crypto::SecretString password(login.password);
    rc = ssh_userauth_password(s, nullptr, password.str().c_str());
  }
  switch (rc) {
    case SSH_AUTH_SUCCESS:
      return Auth::kAccepted;
    case SSH_AUTH_DENIED:
      return Auth::kRefused;
    case SSH_AUTH_PARTIAL:  // the credential was accepted; the server wants another factor
      return Auth::kPartial;
    default:
      return Status::Unavailable("ssh: authentication did not complete: " + SshError(s));
  }
}

Status CheckLoginInput(std::string_view who, const TargetLogin& login) {
  PSAFE_RETURN_IF_ERROR(CheckName(std::string(who) + "'s name", login.name, kMaxUserName));
  if (login.private_key.empty()) {
    PSAFE_RETURN_IF_ERROR(CheckSecret(std::string(who) + "'s password", login.password));
  }
  return Status::OK();
}

Result<ChannelPtr> OpenExec(ssh_session s, const std::string& command, bool pty) {
  ChannelPtr ch(ssh_channel_new(s));
  if (!ch) return Status::IOError("ssh: cannot allocate a channel: " + SshError(s));
  if (ssh_channel_open_session(ch.get()) != SSH_OK) {
    return Status::IOError("ssh: the target refused a session channel: " + SshError(s));
  }
  if (pty && ssh_channel_request_pty_size(ch.get(), "dumb", 200, 24) != SSH_OK) {
    return Status::IOError("ssh: the target refused a terminal: " + SshError(s));
  }
  if (ssh_channel_request_exec(ch.get(), command.c_str()) != SSH_OK) {
    return Status::IOError("ssh: the target refused to run a command: " + SshError(s));
  }
  return ch;
}

Status WriteAll(ssh_session s, ssh_channel ch, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto chunk = static_cast<uint32_t>(std::min<size_t>(bytes.size(), 32768));
    const int n = ssh_channel_write(ch, bytes.data(), chunk);
    if (n <= 0) return Status::IOError("ssh: cannot write to the command: " + SshError(s));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// Reads what is available on one stream into `keep`; false on a channel error.
bool ReadAvailable(ssh_channel ch, int is_stderr, WipedBuffer& keep) {
  char buf[1024];
  int n = 0;
  while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof buf, is_stderr)) > 0) {
    keep.Append(std::string_view(buf, static_cast<size_t>(n)));
  }
  crypto::SecureWipe(buf, sizeof buf);
  return n != SSH_ERROR;
}

// Runs `command` with `input` on its stdin, to its exit status within `deadline`; its
// output, redacted of `secrets`, goes into the error when it fails.
Status RunWithInput(ssh_session s, const std::string& command, std::string_view what, std::string_view input,
                    Clock::time_point deadline, std::initializer_list<std::string_view> secrets) {
  const std::string name(what);  // messages name the command, never its full text
  PSAFE_ASSIGN_OR_RETURN(ChannelPtr ch, OpenExec(s, command, /*pty=*/false));
  PSAFE_RETURN_IF_ERROR(WriteAll(s, ch.get(), input));
  if (ssh_channel_send_eof(ch.get()) != SSH_OK) {
    return Status::IOError("ssh: cannot close the input of " + name + ": " + SshError(s));
  }

  WipedBuffer out;
  WipedBuffer err;
  while (!ssh_channel_is_eof(ch.get()) && !ssh_channel_is_closed(ch.get())) {
    if (Clock::now() >= deadline) {
      return Status::IOError("ssh: " + name + " did not finish in time; the change may or may not have been made");
    }
    const int n = ssh_channel_poll_timeout(ch.get(), std::min(RemainingMs(deadline), 200), 0);
    if (n == SSH_ERROR || !ReadAvailable(ch.get(), 0, out) || !ReadAvailable(ch.get(), 1, err)) {
      return Status::IOError("ssh: lost " + name + " before it finished; the change may or may not have been made: " +
                             SshError(s));
    }
  }
  ReadAvailable(ch.get(), 0, out);
  ReadAvailable(ch.get(), 1, err);
  const int status = ssh_channel_get_exit_status(ch.get());
  if (status == 0) return Status::OK();
  const std::string said = SafeExcerpt(err.view().empty() ? out.view() : err.view(), secrets);
  if (status < 0) {
    return Status::IOError("ssh: " + name + " ended without an exit status" +
                           (said.empty() ? "" : ": " + said));
  }
  return Status::IOError("ssh: " + name + " exited with status " + std::to_string(status) +
                         (said.empty() ? "" : ": " + said));
}

// Runs `<elevation> chpasswd` with "account:new\n" on its stdin.
Status ChangeWithChpasswd(ssh_session s, const PasswordChange& change, Clock::time_point deadline) {
  const std::string command =
      change.elevation_command.empty() ? "chpasswd" : change.elevation_command + " chpasswd";
  std::string line_text;  // reserved first, so it never reallocates and leaves no copy behind
  line_text.reserve(change.account.size() + change.new_password.size() + 2);
  line_text.append(change.account).append(":").append(change.new_password).append("\n");
  const crypto::SecretString line(std::move(line_text));
  return RunWithInput(s, command, command, line.view(), deadline,
                      {change.new_password, change.current_password, change.functional.password});
}

// Installs the public key read from stdin as the only authorized key of the user named by
// $1. Fixed text: the account name reaches it as an argument, and is checked to be a
// plain user name first, so nothing from the estate is ever parsed by a shell.
constexpr std::string_view kInstallKeyScript =
    "set -e; u=\"$1\"; h=$(getent passwd \"$u\" | cut -d: -f6); test -n \"$h\"; "
    "g=$(id -gn \"$u\"); d=\"$h/.ssh\"; install -d -m 700 -o \"$u\" -g \"$g\" \"$d\"; "
    "t=\"$d/.authorized_keys.psafe\"; (umask 077; cat > \"$t\"); chown \"$u:$g\" \"$t\"; "
    "mv -f \"$t\" \"$d/authorized_keys\"";

bool PlainUserName(std::string_view name) {
  if (name.empty() || name.size() > 32 || name.front() == '-') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

enum class Prompt { kCurrent, kNew, kRetype, kOther };

// passwd's prompts come from PAM modules (pam_unix: "Current password: ", "New password: ",
// "Retype new password: "; older ones "(current) UNIX password:", "Enter new UNIX
// password:"), run under LC_ALL=C, so their words are matched, not their exact text.
Prompt Classify(std::string_view prompt, bool nothing_answered_yet) {
  const std::string p = ToLowerAscii(prompt);
  auto has = [&p](std::string_view word) { return p.find(word) != std::string::npos; };
  if (has("retype") || has("again") || has("re-enter") || has("repeat") || has("confirm")) {
    return Prompt::kRetype;
  }
  if (has("new")) return Prompt::kNew;
  if (has("current") || has("old")) return Prompt::kCurrent;
  // A bare "Password:" is PAM asking who is changing it: only before anything else.
  if (has("password") && nothing_answered_yet) return Prompt::kCurrent;
  return Prompt::kOther;
}

// The account changes its own password: passwd over a PTY, answering its prompts. An
// answer is written only after its prompt, by which time PAM has turned echo off (and
// flushed earlier input), so its output holds what passwd said, not what was typed; it
// is redacted and wiped regardless.
Status ChangeWithPasswd(ssh_session s, const PasswordChange& change, Clock::time_point deadline) {
  // env, not VAR=value, so that it works under any login shell.
  PSAFE_ASSIGN_OR_RETURN(ChannelPtr ch, OpenExec(s, "env LC_ALL=C LANG=C passwd", /*pty=*/true));
  WipedBuffer said_since_answer;  // what passwd replied to the last answer: why it failed
  WipedBuffer line;               // since the last newline: the prompt, once passwd goes quiet
  int current_given = 0;
  int new_given = 0;
  constexpr std::string_view kMayHaveChanged = "; the password may or may not have changed";
  auto fail = [&](std::string_view why) {
    const std::string said =
        SafeExcerpt(said_since_answer.view(), {change.new_password, change.current_password});
    return Status::IOError("ssh: passwd " + std::string(why) + (said.empty() ? "" : ": " + said));
  };

  while (!ssh_channel_is_eof(ch.get()) && !ssh_channel_is_closed(ch.get())) {
    if (Clock::now() >= deadline) return fail("did not finish in time" + std::string(kMayHaveChanged));
    const int n = ssh_channel_poll_timeout(ch.get(), std::min(RemainingMs(deadline), kPromptSettleMs), 0);
    if (n == SSH_ERROR) return fail("was lost before it finished" + std::string(kMayHaveChanged));
    if (n == SSH_EOF) break;
    if (n > 0) {
      char buf[512];
      const int r = ssh_channel_read_nonblocking(ch.get(), buf, sizeof buf, 0);
      if (r == SSH_ERROR) return fail("was lost before it finished" + std::string(kMayHaveChanged));
      for (int i = 0; i < r; ++i) {
        if (buf[i] == '\n') {
          line.Clear();
        } else if (buf[i] != '\r') {
          line.Append(std::string_view(&buf[i], 1));
        }
      }
      said_since_answer.Append(std::string_view(buf, static_cast<size_t>(std::max(r, 0))));
      crypto::SecureWipe(buf, sizeof buf);
      continue;  // a prompt is answered once passwd has gone quiet
    }
    const std::string_view prompt = TrimWhitespace(line.view());
    if (prompt.empty() || prompt.back() != ':') continue;
    std::string_view answer;
    switch (Classify(prompt, current_given == 0 && new_given == 0)) {
      case Prompt::kCurrent:
        if (current_given > 0 || new_given > 0) return fail("did not accept the current password");
        answer = change.current_password;
        ++current_given;
        break;
      case Prompt::kNew:
        if (new_given > 0) return fail("did not accept the new password");
        answer = change.new_password;
        ++new_given;
        break;
      case Prompt::kRetype:
        if (new_given != 1) return fail("asked for the new password out of order");
        answer = change.new_password;
        ++new_given;
        break;
      case Prompt::kOther:
        return fail("asked something unexpected");
    }
    line.Clear();
    said_since_answer.Clear();
    std::string typed_text;
    typed_text.reserve(answer.size() + 1);
    typed_text.append(answer).append("\n");
    const crypto::SecretString typed(std::move(typed_text));
    PSAFE_RETURN_IF_ERROR(WriteAll(s, ch.get(), typed.view()));
  }
  ReadAvailable(ch.get(), 0, said_since_answer);
  const int status = ssh_channel_get_exit_status(ch.get());
  if (status < 0) return fail("ended without an exit status");
  if (status != 0) return fail("exited with status " + std::to_string(status));
  if (new_given != 2) return fail("ended without taking the new password");
  return Status::OK();
}

}  // namespace

// libssh initialises itself when loaded as a shared library; the explicit, reference-counted
// pair keeps that true when it is linked statically too.
SshConnector::SshConnector() { ssh_init(); }
SshConnector::~SshConnector() { ssh_finalize(); }

Status SshConnector::ChangePassword(const TargetAddress& at, HostKeyCheck& host_key,
                                    const PasswordChange& change) {
  const SigpipeGuard sigpipe;
  PSAFE_ASSIGN_OR_RETURN(const Endpoint ep, ResolveEndpoint(at, kSshPort));
  // ':' ends chpasswd's name field; a newline would start a second line.
  PSAFE_RETURN_IF_ERROR(CheckName("the account name", change.account, kMaxUserName, ":"));
  PSAFE_RETURN_IF_ERROR(CheckSecret("the new password", change.new_password));

  const bool self = change.functional.name.empty();
  TargetLogin login = change.functional;
  if (self) {
    login = TargetLogin{change.account, change.current_password, {}, {}};
    PSAFE_RETURN_IF_ERROR(CheckSecret("the current password", change.current_password));
  } else {
    PSAFE_RETURN_IF_ERROR(CheckLoginInput("the functional account", login));
    PSAFE_RETURN_IF_ERROR(CheckElevation(change.elevation_command));
  }
  const std::string_view who = self ? "the account's current password" : "the functional account";

  PSAFE_ASSIGN_OR_RETURN(const KeyPtr key, ImportKey(login));
  PSAFE_ASSIGN_OR_RETURN(SessionPtr s, Connect(ep, login.name, host_key));
  PSAFE_ASSIGN_OR_RETURN(const Auth auth, Authenticate(s.get(), login, key.get()));
  if (auth == Auth::kRefused) {
    return Status::PermissionDenied("ssh: " + ep.HostPort() + " refused " + std::string(who));
  }
  if (auth == Auth::kPartial) {
    return Status::PermissionDenied("ssh: " + ep.HostPort() + " accepted " + std::string(who) +
                                    " but requires a further authentication method");
  }
  const auto deadline = Clock::now() + std::chrono::seconds(ep.timeout_seconds);
  return self ? ChangeWithPasswd(s.get(), change, deadline) : ChangeWithChpasswd(s.get(), change, deadline);
}

Result<crypto::SecretString> SshConnector::GenerateKey() {
  ssh_key raw = nullptr;
  if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK) return Status::Internal("ssh: cannot generate a key");
  KeyPtr key(raw);
  char* b64 = nullptr;
  if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &b64) != SSH_OK || b64 == nullptr) {
    return Status::Internal("ssh: cannot export the generated key");
  }
  crypto::SecretString out{std::string_view(b64)};
  crypto::SecureWipe(b64, std::strlen(b64));
  ssh_string_free_char(b64);
  return out;
}

Status SshConnector::InstallKey(const TargetAddress& at, HostKeyCheck& host_key, const domain::KeyChange& change) {
  const SigpipeGuard sigpipe;
  PSAFE_ASSIGN_OR_RETURN(const Endpoint ep, ResolveEndpoint(at, kSshPort));
  if (!PlainUserName(change.account)) {
    return Status::InvalidArgument("ssh: a key is installed only for a plain user name (letters, digits, . _ -)");
  }
  if (change.functional.name.empty()) {
    return Status::InvalidArgument("ssh: installing a key needs a functional account");
  }
  PSAFE_RETURN_IF_ERROR(CheckLoginInput("the functional account", change.functional));
  PSAFE_RETURN_IF_ERROR(CheckElevation(change.elevation_command));
  // The public half of the new key: what goes to the target (it is not a secret).
  const TargetLogin as_key{change.account, {}, change.private_key, {}};
  PSAFE_ASSIGN_OR_RETURN(const KeyPtr key, ImportKey(as_key));
  if (!key) return Status::InvalidArgument("ssh: no key to install");
  char* pub = nullptr;
  if (ssh_pki_export_pubkey_base64(key.get(), &pub) != SSH_OK || pub == nullptr) {
    return Status::Internal("ssh: cannot export the key's public half");
  }
  const std::string line = std::string(ssh_key_type_to_char(ssh_key_type(key.get()))) + " " + pub + " psafe\n";
  ssh_string_free_char(pub);

  PSAFE_ASSIGN_OR_RETURN(const KeyPtr fa_key, ImportKey(change.functional));
  PSAFE_ASSIGN_OR_RETURN(SessionPtr s, Connect(ep, change.functional.name, host_key));
  PSAFE_ASSIGN_OR_RETURN(const Auth auth, Authenticate(s.get(), change.functional, fa_key.get()));
  if (auth != Auth::kAccepted) {
    return Status::PermissionDenied("ssh: " + ep.HostPort() + " refused the functional account");
  }
  const std::string sh = "sh -c '" + std::string(kInstallKeyScript) + "' psafe-install-key " + change.account;
  const std::string command = change.elevation_command.empty() ? sh : change.elevation_command + " " + sh;
  return RunWithInput(s.get(), command, "the key installation", line,
                      Clock::now() + std::chrono::seconds(ep.timeout_seconds),
                      {change.functional.password});
}

Result<bool> SshConnector::Verify(const TargetAddress& at, HostKeyCheck& host_key,
                                  const TargetLogin& login) {
  const SigpipeGuard sigpipe;
  PSAFE_ASSIGN_OR_RETURN(const Endpoint ep, ResolveEndpoint(at, kSshPort));
  PSAFE_RETURN_IF_ERROR(CheckLoginInput("the login", login));
  PSAFE_ASSIGN_OR_RETURN(const KeyPtr key, ImportKey(login));
  PSAFE_ASSIGN_OR_RETURN(SessionPtr s, Connect(ep, login.name, host_key));
  PSAFE_ASSIGN_OR_RETURN(const Auth auth, Authenticate(s.get(), login, key.get()));
  // kPartial counts as accepted: the question is whether the password is right, and the
  // server said it is before asking for another factor psafe does not hold.
  return auth != Auth::kRefused;
}

}  // namespace psafe::connectors
