#pragma once
/// A run's directory (DESIGN.md §2):
///
///   runs/<name>-<timestamp>/
///     config.yaml  overrides.txt  meta.json  log.txt  metrics.csv  metrics.jsonl
///     checkpoints/  recordings/  plots/  tb/  report.html

#include <filesystem>
#include <string>

namespace neuromod {

/// A run name made safe as one path component: letters, digits, '-', '_' and '.' are kept,
/// anything else becomes '_', leading dots are dropped (no "..", no hidden files), and the
/// length is capped at 64. An empty result becomes "run".
std::string sanitize_run_name(const std::string& name);

/// The directory of one run and the paths inside it.
class RunDirectory {
 public:
  /// Creates `<root>/<sanitised name>-<YYYYmmdd-HHMMSS>` (with a numeric suffix if taken)
  /// and its subdirectories. Throws std::runtime_error naming the path on failure.
  static RunDirectory create(const std::filesystem::path& root, const std::string& name);

  /// Opens an existing run directory (to resume it); throws std::runtime_error naming the
  /// path when it is not one (no config.yaml).
  static RunDirectory open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path config() const { return path_ / "config.yaml"; }
  std::filesystem::path overrides() const { return path_ / "overrides.txt"; }
  std::filesystem::path meta() const { return path_ / "meta.json"; }
  std::filesystem::path log() const { return path_ / "log.txt"; }
  std::filesystem::path metrics_csv() const { return path_ / "metrics.csv"; }
  std::filesystem::path metrics_jsonl() const { return path_ / "metrics.jsonl"; }
  std::filesystem::path checkpoints() const { return path_ / "checkpoints"; }
  std::filesystem::path recordings() const { return path_ / "recordings"; }
  std::filesystem::path plots() const { return path_ / "plots"; }
  /// TensorBoard event files (`tensorboard --logdir runs/`).
  std::filesystem::path tb() const { return path_ / "tb"; }
  std::filesystem::path report() const { return path_ / "report.html"; }

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  void create_subdirectories() const;

  std::filesystem::path path_;
};

}  // namespace neuromod
