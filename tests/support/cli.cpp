#include "support/cli.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace neuromod::testing {

CliProcess start_cli(const std::vector<std::string>& arguments,
                     const std::filesystem::path& scratch) {
  static std::atomic<int> counter{0};
  const int id = counter++;
  CliProcess process;
  process.out_file = scratch / ("cli-" + std::to_string(id) + ".out");
  process.err_file = scratch / ("cli-" + std::to_string(id) + ".err");
  std::vector<std::string> argv_storage{NEUROMOD_CLI_PATH};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& argument : argv_storage) argv.push_back(argument.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = ::open(process.out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(process.err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  process.pid = pid;
  return process;
}

CliResult wait_cli(const CliProcess& process) {
  int status = 0;
  ::waitpid(process.pid, &status, 0);
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(process.out_file);
  result.err = slurp(process.err_file);
  return result;
}

CliResult run_cli(const std::vector<std::string>& arguments, const std::filesystem::path& scratch) {
  return wait_cli(start_cli(arguments, scratch));
}

std::filesystem::path printed_run_directory(const std::string& out) {
  const std::string marker = "run directory: ";
  const auto at = out.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return out.substr(start, out.find('\n', start) - start);
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace neuromod::testing
