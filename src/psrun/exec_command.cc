#include "psrun/exec_command.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/strings.h"
#include "crypto/secret_string.h"
#include "psrun/table_output.h"

extern char** environ;

namespace psafe::psrun {

namespace json = boost::json;

ShellCommand::~ShellCommand() {
  for (auto& [name, value] : env) crypto::SecureWipe(value.data(), value.size());
}

ShellCommand BindPlaceholders(std::string_view command, const json::object& row) {
  ShellCommand out;
  enum class Quote { kNone, kSingle, kDouble } quote = Quote::kNone;
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == '[') {
      const size_t close = command.find(']', i + 1);
      const json::value* value = nullptr;
      if (close != std::string_view::npos) {
        std::string_view name = command.substr(i + 1, close - i - 1);
        for (const auto& kv : row) {
          if (EqualsIgnoreCase(kv.key(), name)) value = &kv.value();
        }
      }
      if (value != nullptr) {
        const std::string var = "PSRUN_FIELD_" + std::to_string(out.env.size());
        out.env.emplace_back(var, CellText(*value));
        // Close and reopen single quotes; inside double quotes a plain expansion is one word.
        out.text += quote == Quote::kSingle ? "'\"$" + var + "\"'" : quote == Quote::kDouble ? "${" + var + "}"
                                                                                              : "\"$" + var + "\"";
        i = close;
        continue;
      }
    }
    out.text += c;
    if (quote == Quote::kSingle) {
      if (c == '\'') quote = Quote::kNone;
    } else if (c == '\\' && i + 1 < command.size()) {
      out.text += command[++i];  // an escaped character never opens or closes quotes
    } else if (c == '\'' && quote == Quote::kNone) {
      quote = Quote::kSingle;
    } else if (c == '"') {
      quote = quote == Quote::kDouble ? Quote::kNone : Quote::kDouble;
    }
  }
  return out;
}

std::vector<json::object> PlaceholderRows(const json::value& v) {
  std::vector<json::object> rows;
  if (v.is_object()) {
    rows.push_back(v.get_object());
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      if (item.is_object()) rows.push_back(item.get_object());
    }
  } else if (!v.is_null()) {
    rows.push_back(json::object{{"Password", v}, {"Value", v}});
  }
  return rows;
}

Result<int> RunShell(const ShellCommand& command, const std::string* input) {
  // The environment is built before fork: the child may only call async-signal-safe code.
  std::vector<std::string> vars;
  for (const auto& [name, value] : command.env) vars.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("PSRUN_FIELD_")) continue;
    envp.push_back(*e);
  }
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);

  int fds[2] = {-1, -1};
  if (input != nullptr && pipe(fds) != 0) return Status::IOError("pipe failed");
  pid_t pid = fork();
  if (pid < 0) return Status::IOError("fork failed");
  if (pid == 0) {
    if (input != nullptr) {
      dup2(fds[0], STDIN_FILENO);
      close(fds[0]);
      close(fds[1]);
    }
    execle("/bin/sh", "sh", "-c", command.text.c_str(), static_cast<char*>(nullptr), envp.data());
    _exit(127);
  }
  for (std::string& v : vars) crypto::SecureWipe(v.data(), v.size());
  if (input != nullptr) {
    close(fds[0]);
    size_t done = 0;
    while (done < input->size()) {
      ssize_t n = write(fds[1], input->data() + done, input->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the child stopped reading (SIGPIPE is ignored by main)
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::IOError("waitpid failed");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace psafe::psrun
