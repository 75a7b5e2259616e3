#include "neuromod/core/run_log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace neuromod {

RunLog::RunLog(const std::filesystem::path& log_file, bool console) {
  std::vector<spdlog::sink_ptr> sinks;
  auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file.string(), false);
  file->set_pattern("[%Y-%m-%d %H:%M:%S] %v");
  sinks.push_back(file);
  if (console) {
    auto out = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    out->set_pattern("%v");
    sinks.push_back(out);
  }
  // Not registered globally: several runs (tests) may live in one process.
  logger_ = std::make_shared<spdlog::logger>("run", sinks.begin(), sinks.end());
  logger_->flush_on(spdlog::level::info);
}

RunLog::~RunLog() {
  logger_->flush();
}

void RunLog::info(const std::string& line) {
  logger_->info(line);
}

void RunLog::warn(const std::string& line) {
  logger_->warn(line);
}

}  // namespace neuromod
