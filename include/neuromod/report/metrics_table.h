#pragma once

/// \file
/// A run's metrics.csv, read back into columns for plots and tables.
///
/// The trainer writes one header line, `step,<metric>,<metric>,...`, then one line per logged
/// step. A cell is empty where its metric was not computed at that step (test metrics, say, only
/// every 500 steps); values are decimal numbers, and may be nan or inf.
///
/// Example:
///   const auto table = MetricsTable::read_csv(run_dir / "metrics.csv");
///   if (auto last = table.last_value("test_accuracy")) print(last->step, last->value);

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace neuromod::report {

/// A metrics file that does not follow the format; what() reads `<source>:<line>: <problem>`.
class MetricsCsvError : public std::runtime_error {
 public:
  /// `line` is 1-based; `source` is the file's path or another name for the text.
  MetricsCsvError(const std::string& source, std::size_t line, const std::string& problem);
  /// The file (or other source) that is malformed.
  const std::string& source() const { return source_; }
  /// The 1-based line of the first problem found.
  std::size_t line() const { return line_; }

 private:
  std::string source_;
  std::size_t line_;
};

/// One logged cell: the step it belongs to and its value (which may be nan or inf).
struct LoggedValue {
  std::int64_t step = 0;
  double value = 0.0;
};

/// The metrics of one run, column by column; row i of every column belongs to steps()[i].
class MetricsTable {
 public:
  /// Reads and parses the file at `path`. Throws std::runtime_error naming the file when it
  /// cannot be opened, MetricsCsvError naming the file and line when it is malformed.
  static MetricsTable read_csv(const std::filesystem::path& path);

  /// Parses metrics CSV text from `in`; `source` names it in error messages.
  /// Throws MetricsCsvError when the text is malformed.
  static MetricsTable parse_csv(std::istream& in, const std::string& source);

  /// The metric names in file order, without the leading `step` column.
  const std::vector<std::string>& columns() const { return columns_; }

  /// The step of each row, in file order.
  const std::vector<std::int64_t>& steps() const { return steps_; }

  /// The number of rows (logged steps).
  std::size_t rows() const { return steps_.size(); }

  /// Whether a metric named `column` exists.
  bool has_column(const std::string& column) const;

  /// The values of `column`, one per row; NaN where the cell was empty.
  /// Throws std::out_of_range naming the column when there is no such metric.
  const std::vector<double>& values(const std::string& column) const;

  /// The last non-empty cell of `column` and its step (an explicit nan counts: a diverged run
  /// should show it), or nothing when every cell is empty. Throws as values().
  std::optional<LoggedValue> last_value(const std::string& column) const;

 private:
  std::size_t index_of(const std::string& column) const;

  std::vector<std::string> columns_;
  std::vector<std::int64_t> steps_;
  std::vector<std::vector<double>> values_;              // [column][row]
  std::vector<std::optional<std::size_t>> last_filled_;  // [column] -> last non-empty row
};

}  // namespace neuromod::report
