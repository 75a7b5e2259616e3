#include "neuromod/report/metrics_table.h"

#include <charconv>
#include <fstream>
#include <limits>
#include <string_view>
#include <unordered_set>

namespace neuromod::report {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  for (std::size_t start = 0;;) {
    const auto comma = line.find(',', start);
    cells.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

// std::from_chars rather than strtod: it ignores the C locale, so a run under a locale with
// decimal commas still reads "0.5" as one half.
std::optional<double> parse_double(std::string_view cell) {
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  double value = 0.0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error == std::errc::result_out_of_range) {
    // Beyond the range of double: keep the sign and the order of magnitude.
    const bool negative = !cell.empty() && cell.front() == '-';
    const auto e = cell.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < cell.size() && cell[e + 1] == '-';
    if (tiny) return negative ? -0.0 : 0.0;
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (error != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_step(std::string_view cell) {
  std::int64_t step = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), step);
  if (error != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return step;
}

}  // namespace

MetricsCsvError::MetricsCsvError(const std::string& source, std::size_t line,
                                 const std::string& problem)
    : std::runtime_error(source + ":" + std::to_string(line) + ": " + problem),
      source_(source),
      line_(line) {}

MetricsTable MetricsTable::read_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open metrics file " + path.string());
  return parse_csv(in, path.string());
}

MetricsTable MetricsTable::parse_csv(std::istream& in, const std::string& source) {
  MetricsTable table;
  std::string line;
  std::size_t line_number = 0;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // written on Windows
    if (trim(line).empty()) continue;
    const auto cells = split_cells(line);

    if (!have_header) {
      if (cells.front() != "step") {
        throw MetricsCsvError(source, line_number,
                              "the header must start with the column \"step\", got \"" +
                                  std::string(cells.front()) + "\"");
      }
      std::unordered_set<std::string_view> seen;
      for (std::size_t c = 1; c < cells.size(); ++c) {
        if (cells[c].empty()) {
          throw MetricsCsvError(source, line_number,
                                "column " + std::to_string(c + 1) + " of the header has no name");
        }
        if (!seen.insert(cells[c]).second || cells[c] == "step") {
          throw MetricsCsvError(source, line_number,
                                "column \"" + std::string(cells[c]) + "\" appears twice");
        }
        table.columns_.emplace_back(cells[c]);
      }
      table.values_.resize(table.columns_.size());
      table.last_filled_.resize(table.columns_.size());
      have_header = true;
      continue;
    }

    if (cells.size() != table.columns_.size() + 1) {
      throw MetricsCsvError(source, line_number,
                            "expected " + std::to_string(table.columns_.size() + 1) +
                                " cells as in the header, got " + std::to_string(cells.size()));
    }
    const auto step = parse_step(cells.front());
    if (!step) {
      throw MetricsCsvError(source, line_number,
                            "step must be an integer, got \"" + std::string(cells.front()) + "\"");
    }
    const std::size_t row = table.steps_.size();
    table.steps_.push_back(*step);
    for (std::size_t c = 0; c < table.columns_.size(); ++c) {
      const std::string_view cell = cells[c + 1];
      if (cell.empty()) {
        table.values_[c].push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      const auto value = parse_double(cell);
      if (!value) {
        throw MetricsCsvError(source, line_number,
                              "column \"" + table.columns_[c] + "\": expected a number, got \"" +
                                  std::string(cell) + "\"");
      }
      table.values_[c].push_back(*value);
      table.last_filled_[c] = row;
    }
  }
  if (in.bad()) throw MetricsCsvError(source, line_number + 1, "read error");
  if (!have_header) throw MetricsCsvError(source, 1, "empty file: no header line");
  return table;
}

bool MetricsTable::has_column(const std::string& column) const {
  for (const auto& name : columns_) {
    if (name == column) return true;
  }
  return false;
}

const std::vector<double>& MetricsTable::values(const std::string& column) const {
  return values_[index_of(column)];
}

std::optional<LoggedValue> MetricsTable::last_value(const std::string& column) const {
  const auto row = last_filled_[index_of(column)];
  if (!row) return std::nullopt;
  return LoggedValue{steps_[*row], values_[index_of(column)][*row]};
}

std::size_t MetricsTable::index_of(const std::string& column) const {
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (columns_[c] == column) return c;
  }
  throw std::out_of_range("no metric \"" + column + "\" in the metrics table");
}

}  // namespace neuromod::report
