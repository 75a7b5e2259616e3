#pragma once
// Runs the neuromod CLI as a child process, as a user would, capturing output and exit code.

#include <filesystem>
#include <string>
#include <vector>

namespace neuromod::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

/// A started CLI process.
struct CliProcess {
  int pid = -1;
  std::filesystem::path out_file;
  std::filesystem::path err_file;
};

/// Starts `neuromod <arguments...>` in the background; output goes to files in `scratch`.
CliProcess start_cli(const std::vector<std::string>& arguments,
                     const std::filesystem::path& scratch);

/// Waits for the process to end and collects its output.
CliResult wait_cli(const CliProcess& process);

/// Runs `neuromod <arguments...>` to the end.
CliResult run_cli(const std::vector<std::string>& arguments, const std::filesystem::path& scratch);

/// The run directory a `neuromod run` printed ("run directory: <path>"), or empty.
std::filesystem::path printed_run_directory(const std::string& out);

/// Reads a whole file ("" if missing).
std::string slurp(const std::filesystem::path& path);

}  // namespace neuromod::testing
