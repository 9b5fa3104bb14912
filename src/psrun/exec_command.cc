#include "psrun/exec_command.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/strings.h"
#include "psrun/table_output.h"

namespace psafe::psrun {

namespace json = boost::json;

std::string FillPlaceholders(std::string_view command, const json::object& row) {
  std::string out;
  size_t pos = 0;
  while (pos < command.size()) {
    size_t open = command.find('[', pos);
    size_t close = open == std::string_view::npos ? open : command.find(']', open + 1);
    if (close == std::string_view::npos) break;
    out.append(command.substr(pos, open - pos));
    std::string_view name = command.substr(open + 1, close - open - 1);
    const json::value* value = nullptr;
    for (const auto& kv : row) {
      if (EqualsIgnoreCase(kv.key(), name)) value = &kv.value();
    }
    if (value != nullptr) {
      out += CellText(*value);
    } else {
      out.append(command.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
  out.append(command.substr(std::min(pos, command.size())));
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

Result<int> RunShell(const std::string& command, const std::string* input) {
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
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (input != nullptr) {
    close(fds[0]);
    // The child may exit without reading: a closed pipe must not kill psrun2.
    struct sigaction ignore {}, old {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old);
    size_t done = 0;
    while (done < input->size()) {
      ssize_t n = write(fds[1], input->data() + done, input->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
    sigaction(SIGPIPE, &old, nullptr);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::IOError("waitpid failed");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace psafe::psrun
