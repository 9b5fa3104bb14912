// psrun2's command line, exactly as the PSRUN guide has it:
//   psrun2 [options] host key user METHOD endpoint [payload...]
//   psrun2 [options] host key user short-command [args...]
// Options come before `host`. `user` may be `domain\user` and may carry the user's
// password as `user;pwd=[password]`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/secret_string.h"

namespace psafe::psrun {

struct CliArgs {
  // Options (the guide's, plus -json).
  bool verbose = false;       // -v
  bool skip_factors = false;  // -sf
  bool insecure = false;      // -i
  bool quote = false;         // -quote
  std::string separator = "\t";
  bool no_headers = false;    // -noheaders
  std::vector<std::string> filter;  // -filter "A,B"
  std::optional<std::string> cert;  // -cert path (PEM or PKCS#12)
  std::optional<crypto::SecretString> cert_password;  // -certpass
  std::optional<std::string> exec;        // -e "command" ([Field] placeholders in argv)
  std::optional<std::string> exec_stdin;  // -estdin "command" (the output on the child's stdin)
  bool json = false;          // -json: print the response body as it came
  bool help = false;          // --help

  // Positional.
  std::string host;  // may carry :port
  crypto::SecretString key;
  std::string user;  // runas, with any domain prefix
  std::optional<crypto::SecretString> user_password;  // from "user;pwd=[...]"
  std::string verb;  // GET/PUT/POST/DELETE or a short command
  std::vector<std::string> args;  // endpoint + payload, or the short command's arguments

  bool IsDirectCall() const;  // verb is an HTTP method
  std::vector<size_t> secret_argv;  // argv positions holding the key or a password, to wipe
};

// InvalidArgument with a one-line reason on any usage error (unknown option, missing
// positional, an option without its value).
Result<CliArgs> ParseCliArgs(const std::vector<std::string>& argv);

// "user;pwd=[p]" → user and password. A password may itself contain ']' and ';': the
// value runs to the last ']'.
void SplitUserPassword(std::string_view raw, std::string* user, std::optional<crypto::SecretString>* password);

}  // namespace psafe::psrun
