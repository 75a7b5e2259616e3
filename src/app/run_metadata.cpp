#include "neuromod/app/run_metadata.h"

#include <unistd.h>

#include <ctime>

#include "neuromod/app/version_info.h"
#include "neuromod/core/atomic_file.h"

namespace neuromod {

std::string iso_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S%z", &local);
  return buffer;
}

nlohmann::json new_run_metadata(const RunConfig& config, const std::string& command_line) {
  const VersionInfo versions = collect_version_info();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return {
      {"neuromod_version", versions.neuromod},
      {"git_revision", versions.git_revision},
      {"libtorch_version", versions.libtorch},
      {"compiler", versions.compiler},
      {"blas", versions.blas},
      {"seed", config.seed},
      {"threads", config.threads},
      {"host", host},
      {"command_line", command_line},
      {"started_at", iso_time_now()},
      {"status", "running"},
      {"wall_seconds", 0.0},
  };
}

void record_resumption(nlohmann::json& meta, int64_t from_step, const std::string& command_line) {
  meta["resumptions"].push_back(
      {{"at", iso_time_now()}, {"from_step", from_step}, {"command_line", command_line}});
  meta["status"] = "running";
}

void record_ending(nlohmann::json& meta, const std::string& status, int64_t step,
                   double wall_seconds) {
  meta["status"] = status;
  meta["finished_at"] = iso_time_now();
  meta["last_step"] = step;
  meta["wall_seconds"] = meta.value("wall_seconds", 0.0) + wall_seconds;
}

nlohmann::json read_run_metadata(const std::filesystem::path& path, nlohmann::json fallback) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return fallback;
  auto parsed = nlohmann::json::parse(read_text_file(path), nullptr, false);
  return parsed.is_discarded() || !parsed.is_object() ? fallback : parsed;
}

void write_run_metadata(const std::filesystem::path& path, const nlohmann::json& meta) {
  write_file_atomically(path, meta.dump(2) + "\n");
}

}  // namespace neuromod
