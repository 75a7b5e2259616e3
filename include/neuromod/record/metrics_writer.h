#pragma once
/// metrics.csv (one row per logged step, wide) and metrics.jsonl (the same, long form:
/// one {"step", "metric", "value"} object per line), flushed at every row so that a
/// crash loses at most the row being written.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace neuromod {

/// Metric values of one step, by column name.
using MetricValues = std::map<std::string, double>;

/// Appends rows to a run's metrics files.
class MetricsWriter {
 public:
  /// Opens `csv` and `jsonl` for appending; writes the header `step,<columns...>` when the
  /// CSV is new or empty. Throws std::runtime_error if an existing header differs.
  MetricsWriter(std::filesystem::path csv, std::filesystem::path jsonl,
                std::vector<std::string> columns);

  /// Writes one row; columns absent from `values` are left empty. Values are written in the
  /// shortest form that reads back exactly, so identical runs give identical bytes.
  void write(int64_t step, const MetricValues& values);

  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::filesystem::path csv_path_;
  std::vector<std::string> columns_;
  std::ofstream csv_;
  std::ofstream jsonl_;
};

/// Drops the rows of `csv` and `jsonl` logged after `step` (and a torn last line), rewriting
/// each file atomically: a run resumed from the checkpoint at `step` then re-logs them
/// exactly as the uninterrupted run would have.
void truncate_metrics_after(const std::filesystem::path& csv, const std::filesystem::path& jsonl,
                            int64_t step);

}  // namespace neuromod
