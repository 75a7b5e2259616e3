#pragma once
/// `neuromod run`: a whole run, from a config file (or a run directory to resume) to a
/// trained model, its metrics, checkpoints and report.

#include <filesystem>
#include <string>
#include <vector>

namespace neuromod {

/// What `neuromod run` was asked to do.
struct RunRequest {
  std::filesystem::path config;        ///< YAML file (empty when resuming)
  std::vector<std::string> overrides;  ///< `key.path=value`, applied in order
  std::filesystem::path out = "runs";  ///< directory in which run directories are made
  std::filesystem::path resume;        ///< run directory to continue (empty: a new run)
  bool quiet = false;                  ///< no progress line
  bool print_config = false;           ///< print the resolved config and stop
  std::string command_line;            ///< recorded in meta.json
};

/// Exit codes of `neuromod run`.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,     ///< a config, data, checkpoint or file error (message printed)
  kExitDiverged = 3,  ///< the loss became NaN/Inf; the last good checkpoint is kept
  kExitInterrupted = 130,
};

/// Runs the request; writes progress and the final paths to stdout. Returns the exit code.
/// Throws ConfigError, DatasetError, CheckpointError or std::runtime_error on bad input,
/// before writing anything for a new run and before changing anything for a resumed one.
int run_command(const RunRequest& request);

}  // namespace neuromod
