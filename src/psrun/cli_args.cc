#include "psrun/cli_args.h"

#include "common/strings.h"

namespace psafe::psrun {

namespace {

enum class Takes { kFlag, kValue };

// The option table: name, whether it takes a value, and what it sets.
struct OptionDef {
  std::string_view name;
  Takes takes;
  void (*apply)(CliArgs&, std::string&&);
};

std::vector<std::string> SplitFilter(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = s.find(',', start);
    std::string_view item = TrimWhitespace(s.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

constexpr OptionDef kOptions[] = {
    {"-v", Takes::kFlag, [](CliArgs& a, std::string&&) { a.verbose = true; }},
    {"-sf", Takes::kFlag, [](CliArgs& a, std::string&&) { a.skip_factors = true; }},
    {"-i", Takes::kFlag, [](CliArgs& a, std::string&&) { a.insecure = true; }},
    {"-quote", Takes::kFlag, [](CliArgs& a, std::string&&) { a.quote = true; }},
    {"-separator", Takes::kValue, [](CliArgs& a, std::string&& v) { a.separator = std::move(v); }},
    {"-noheaders", Takes::kFlag, [](CliArgs& a, std::string&&) { a.no_headers = true; }},
    {"-filter", Takes::kValue, [](CliArgs& a, std::string&& v) { a.filter = SplitFilter(v); }},
    {"-cert", Takes::kValue, [](CliArgs& a, std::string&& v) { a.cert = std::move(v); }},
    {"-certpass", Takes::kValue,
     [](CliArgs& a, std::string&& v) { a.cert_password = crypto::SecretString(std::move(v)); }},
    {"-e", Takes::kValue, [](CliArgs& a, std::string&& v) { a.exec = std::move(v); }},
    {"-estdin", Takes::kValue, [](CliArgs& a, std::string&& v) { a.exec_stdin = std::move(v); }},
    {"-json", Takes::kFlag, [](CliArgs& a, std::string&&) { a.json = true; }},
    {"--help", Takes::kFlag, [](CliArgs& a, std::string&&) { a.help = true; }},
    {"-help", Takes::kFlag, [](CliArgs& a, std::string&&) { a.help = true; }},
    {"-h", Takes::kFlag, [](CliArgs& a, std::string&&) { a.help = true; }},
};

const OptionDef* FindOption(std::string_view name) {
  for (const OptionDef& o : kOptions) {
    if (EqualsIgnoreCase(o.name, name)) return &o;
  }
  return nullptr;
}

constexpr std::string_view kMethods[] = {"GET", "PUT", "POST", "DELETE"};

}  // namespace

bool CliArgs::IsDirectCall() const {
  for (std::string_view m : kMethods) {
    if (EqualsIgnoreCase(verb, m)) return true;
  }
  return false;
}

void SplitUserPassword(std::string_view raw, std::string* user, std::optional<crypto::SecretString>* password) {
  const size_t marker = raw.find(";pwd=[");
  const size_t close = raw.rfind(']');
  if (marker == std::string_view::npos || close == std::string_view::npos || close < marker + 6) {
    *user = std::string(raw);
    return;
  }
  *user = std::string(raw.substr(0, marker));
  *password = crypto::SecretString(raw.substr(marker + 6, close - marker - 6));
}

Result<CliArgs> ParseCliArgs(const std::vector<std::string>& argv) {
  CliArgs a;
  size_t i = 0;
  // Options end at the first word that does not start with '-' (the host).
  for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
    const OptionDef* o = FindOption(argv[i]);
    if (o == nullptr) return Status::InvalidArgument("unknown option " + argv[i]);
    std::string value;
    if (o->takes == Takes::kValue) {
      if (i + 1 >= argv.size()) return Status::InvalidArgument("option " + argv[i] + " needs a value");
      value = argv[++i];
    }
    if (o->name == "-certpass") a.secret_argv.push_back(i);
    o->apply(a, std::move(value));
  }
  if (a.help) return a;
  if (a.exec && a.exec_stdin) return Status::InvalidArgument("-e and -estdin exclude each other");
  if ((a.exec && a.exec->empty()) || (a.exec_stdin && a.exec_stdin->empty())) {
    return Status::InvalidArgument("-e and -estdin need a command");
  }
  if (a.separator.empty()) return Status::InvalidArgument("-separator needs a non-empty value");
  const size_t left = argv.size() - i;
  if (left < 4) return Status::InvalidArgument("expected: host key user method endpoint, or host key user short-command");
  a.host = argv[i];
  a.key = crypto::SecretString(std::string_view(argv[i + 1]));
  SplitUserPassword(argv[i + 2], &a.user, &a.user_password);
  a.secret_argv.push_back(i + 1);
  if (a.user_password) a.secret_argv.push_back(i + 2);
  a.verb = argv[i + 3];
  a.args.assign(argv.begin() + static_cast<std::ptrdiff_t>(i + 4), argv.end());
  if (a.host.empty() || a.key.empty() || a.user.empty()) {
    return Status::InvalidArgument("host, key and user must not be empty");
  }
  if (a.IsDirectCall() && a.args.empty()) return Status::InvalidArgument(a.verb + " needs an endpoint");
  if (a.IsDirectCall() && EqualsIgnoreCase(a.verb, "GET") && a.args.size() > 1) {
    return Status::InvalidArgument("GET sends no payload: put parameters in the endpoint's query");
  }
  return a;
}

}  // namespace psafe::psrun
