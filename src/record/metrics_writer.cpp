#include "neuromod/record/metrics_writer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "neuromod/config/writer.h"
#include "neuromod/core/atomic_file.h"

namespace neuromod {

namespace {

std::string header_line(const std::vector<std::string>& columns) {
  std::string line = "step";
  for (const auto& column : columns) line += "," + column;
  return line;
}

// The step of a CSV data row or JSONL line, or -1 if the line is torn or unreadable.
int64_t csv_step(const std::string& line) {
  try {
    return std::stoll(line.substr(0, line.find(',')));
  } catch (const std::exception&) {
    return -1;
  }
}

int64_t jsonl_step(const std::string& line) {
  const auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("step")) return -1;
  return parsed["step"].get<int64_t>();
}

}  // namespace

MetricsWriter::MetricsWriter(std::filesystem::path csv, std::filesystem::path jsonl,
                             std::vector<std::string> columns)
    : csv_path_(std::move(csv)), columns_(std::move(columns)) {
  std::error_code error;
  const bool fresh = !std::filesystem::exists(csv_path_, error) ||
                     std::filesystem::file_size(csv_path_, error) == 0;
  if (!fresh) {
    std::ifstream existing(csv_path_);
    std::string header;
    std::getline(existing, header);
    if (header != header_line(columns_)) {
      throw std::runtime_error(csv_path_.string() + ": existing header '" + header +
                               "' does not match this run's metrics '" + header_line(columns_) +
                               "'");
    }
  }
  csv_.open(csv_path_, std::ios::app);
  jsonl_.open(jsonl, std::ios::app);
  if (!csv_ || !jsonl_)
    throw std::runtime_error("cannot open metrics files in " + csv_path_.parent_path().string());
  if (fresh) csv_ << header_line(columns_) << '\n' << std::flush;
}

void MetricsWriter::write(int64_t step, const MetricValues& values) {
  std::string row = std::to_string(step);
  for (const auto& column : columns_) {
    row += ",";
    const auto found = values.find(column);
    if (found == values.end()) continue;
    row += config::format_number(found->second);
    nlohmann::json line{{"step", step}, {"metric", column}};
    // JSON has no NaN: a non-finite value is written as null.
    line["value"] = std::isfinite(found->second) ? nlohmann::json(found->second) : nullptr;
    jsonl_ << line.dump() << '\n';
  }
  csv_ << row << '\n';
  csv_.flush();
  jsonl_.flush();
  if (!csv_ || !jsonl_) throw std::runtime_error("cannot write metrics to " + csv_path_.string());
}

void truncate_metrics_after(const std::filesystem::path& csv, const std::filesystem::path& jsonl,
                            int64_t step) {
  auto keep_lines = [&](const std::filesystem::path& path, bool has_header,
                        int64_t (*step_of)(const std::string&)) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return;
    std::istringstream in(read_text_file(path));
    std::string kept;
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
      const bool header = has_header && first;
      first = false;
      if (in.eof()) break;  // a last line without '\n' was torn by a crash
      const int64_t line_step = header ? 0 : step_of(line);
      if (header || (line_step >= 0 && line_step <= step)) kept += line + "\n";
    }
    write_file_atomically(path, kept);
  };
  keep_lines(csv, true, csv_step);
  keep_lines(jsonl, false, jsonl_step);
}

}  // namespace neuromod
