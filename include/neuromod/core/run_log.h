#pragma once
/// What a run prints: to the console (unless quiet) and to the run's log.txt, with times.

#include <filesystem>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace neuromod {

/// The run's logger. log.txt is appended to, so a resumed run continues the same file.
class RunLog {
 public:
  RunLog(const std::filesystem::path& log_file, bool console);
  ~RunLog();

  void info(const std::string& line);
  void warn(const std::string& line);

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace neuromod
