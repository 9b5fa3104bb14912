// psrun2: the PSRUN command-line client (docs/psrun2.md). Exit status 0 on success, 1 on
// any failure, with one line on stderr naming the HTTP status and the server's message.
#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "crypto/hardening.h"
#include "psrun/api_client.h"
#include "psrun/cli_args.h"
#include "psrun/exec_command.h"
#include "psrun/manual.h"
#include "psrun/payload.h"
#include "psrun/session.h"
#include "psrun/short_commands.h"
#include "psrun/table_output.h"

namespace psafe::psrun {
namespace {

namespace json = boost::json;

constexpr const char* kUsage =
    "usage: psrun2 [options] host key user METHOD endpoint [payload]\n"
    "       psrun2 [options] host key user short-command [parameters]\n"
    "\n"
    "  host      the server, optionally with a port (127.0.0.1:8443)\n"
    "  key       the API registration key\n"
    "  user      the user to run as: user, domain\\\\user, or \"user;pwd=[password]\"\n"
    "  METHOD    GET, PUT, POST or DELETE; endpoint relative to /BeyondTrust/api/public/v3/\n"
    "  payload   key=value ..., [ k=v k2=v2 k=v k2=v2 ] for an array, or raw JSON\n"
    "\n"
    "options (before host):\n"
    "  -v                 log every request and response to stderr (secrets masked)\n"
    "  -sf                skip the client factors (sent, signed, on every call otherwise)\n"
    "  -i                 do not verify the server certificate\n"
    "  -quote             wrap columns in double quotes\n"
    "  -separator X       column separator (default TAB)\n"
    "  -noheaders         no header row\n"
    "  -filter \"A,B\"      only these columns, in this order\n"
    "  -cert path         client certificate (PEM, or PKCS#12 by .p12/.pfx)\n"
    "  -certpass pw       its password\n"
    "  -e \"command\"       run command (sh -c) per row; [Field] placeholders become quoted\n"
    "                     environment references, never shell syntax or argv\n"
    "  -estdin \"command\"  run command with the output on its stdin (keeps secrets out of argv)\n"
    "  -json              print the response body as JSON\n"
    "  --help             this text\n"
    "\n"
    "environment: PSRUN_CA_FILE  a CA bundle to trust (e.g. psafed's tls/ca.pem)\n"
    "\n"
    "short commands:\n";

// Overwrites every string in `v` (a retrieved credential lives in one) before it is freed.
void WipeJson(json::object& o);
void WipeJson(json::value& v) {
  if (v.is_string()) {
    crypto::SecureWipe(v.get_string().data(), v.get_string().size());
  } else if (v.is_array()) {
    for (auto& x : v.get_array()) WipeJson(x);
  } else if (v.is_object()) {
    WipeJson(v.get_object());
  }
}
void WipeJson(json::object& o) {
  for (auto& kv : o) WipeJson(kv.value());
}

int Fail(const Status& s) {
  std::fprintf(stderr, "psrun2: error: %s\n", s.message().c_str());
  return 1;
}

struct Outcome {
  json::value value;
  std::string note;
};

Result<Outcome> Execute(Session& session, const CliArgs& args) {
  if (args.IsDirectCall()) {
    std::vector<std::string> words(args.args.begin() + 1, args.args.end());
    PSAFE_ASSIGN_OR_RETURN(json::value payload, ParsePayload(words));
    PSAFE_ASSIGN_OR_RETURN(json::value v, session.Call(args.verb, args.args[0], &payload));
    return Outcome{std::move(v), ""};
  }
  const ShortCommand* cmd = FindShortCommand(args.verb);
  if (cmd == nullptr) return Status::InvalidArgument("unknown short command or method '" + args.verb + "' (see --help)");
  PSAFE_ASSIGN_OR_RETURN(ShortResult r, cmd->run(session, args.args));
  return Outcome{std::move(r.value), std::move(r.note)};
}

// `raw` is the process's own argv (after the program name): the key and passwords are
// overwritten there too, so /proc/<pid>/cmdline stops showing them once parsed.
int Run(std::vector<std::string>& argv, char** raw) {
  auto parsed = ParseCliArgs(argv);
  for (size_t i : parsed.ok() ? parsed->secret_argv : std::vector<size_t>{}) {
    crypto::SecureWipe(argv[i].data(), argv[i].size());
    crypto::SecureWipe(raw[i], std::strlen(raw[i]));
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "psrun2: %s\n%s", parsed.status().message().c_str(), kUsage);
    return 1;
  }
  CliArgs& args = *parsed;
  if (args.help) {
    std::cout << kUsage << ShortCommandHelp() << "\n" << kManual;
    return 0;
  }
  ClientConfig config;
  config.base_url = "https://" + args.host + "/BeyondTrust/api/public/v3/";
  config.insecure = args.insecure;
  if (const char* ca = std::getenv("PSRUN_CA_FILE"); ca && *ca) config.ca_file = ca;
  config.cert = args.cert;
  config.cert_password = args.cert_password ? &*args.cert_password : nullptr;
  config.verbose = args.verbose;
  auto client = ApiClient::Create(std::move(config));
  if (!client.ok()) return Fail(client.status());

  Result<Outcome> outcome = Status::Internal("not run");
  {
    Session session(**client);
    if (Status s = session.SignIn(args); !s.ok()) return Fail(s);
    outcome = Execute(session, args);
  }  // signed out here, before anything is printed or run
  if (!outcome.ok()) return Fail(outcome.status());
  if (!outcome->note.empty()) std::fprintf(stderr, "psrun2: %s\n", outcome->note.c_str());

  OutputOptions out{args.quote, args.separator, args.no_headers, args.filter};
  std::string text = args.json ? (outcome->value.is_null() ? "" : json::serialize(outcome->value) + "\n")
                               : RenderTable(outcome->value, out);
  int rc = 0;
  if (args.exec) {
    for (json::object& row : PlaceholderRows(outcome->value)) {
      auto status = RunShell(BindPlaceholders(*args.exec, row), nullptr);
      if (!status.ok() || *status != 0) rc = 1;
      WipeJson(row);
    }
  } else if (args.exec_stdin) {
    auto status = RunShell(ShellCommand{*args.exec_stdin, {}}, &text);
    if (!status.ok() || *status != 0) rc = 1;
  } else if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    rc = Fail(Status::IOError("cannot write the output"));
  }
  crypto::SecureWipe(text.data(), text.size());
  WipeJson(outcome->value);
  return rc;
}

}  // namespace
}  // namespace psafe::psrun

int main(int argc, char** argv) {
  psafe::crypto::HardenProcess();  // no core dump may hold a retrieved password
  std::signal(SIGPIPE, SIG_IGN);   // a reader that goes away is a write error (exit 1), not a signal
  if (!psafe::crypto::InitializeCrypto().ok()) return 1;
  std::vector<std::string> args(argv + 1, argv + argc);
  const int rc = psafe::psrun::Run(args, argv + 1);
  return rc == 0 ? 0 : 1;
}
