#include "neuromod/core/progress.h"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

namespace neuromod {

namespace {
// Seconds between plain lines when nobody watches a terminal.
constexpr double kPlainInterval = 5.0;
// Seconds between redraws on a terminal (redrawing every step costs time on fast tasks).
constexpr double kTerminalInterval = 0.1;

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const auto total = static_cast<int64_t>(seconds + 0.5);
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}
}  // namespace

ProgressMode detect_progress_mode(bool quiet) {
  if (quiet) return ProgressMode::quiet;
  return ::isatty(STDOUT_FILENO) ? ProgressMode::terminal : ProgressMode::plain;
}

Progress::Progress(ProgressMode mode, int64_t first_step, int64_t total, std::FILE* out)
    : mode_(mode),
      first_step_(first_step),
      total_(total),
      out_(out),
      started_(Clock::now()),
      last_print_(started_) {}

std::string Progress::status_line(int64_t step, const std::string& metric_name,
                                  double metric_value) const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  const double rate = elapsed > 0 ? static_cast<double>(step - first_step_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - step) / rate : NAN;
  std::string line =
      fmt::format("step {}/{}  {:.1f} steps/s  ETA {}", step, total_, rate, format_duration(eta));
  if (!metric_name.empty() && std::isfinite(metric_value)) {
    line += fmt::format("  {} {:.4g}", metric_name, metric_value);
  }
  return line;
}

void Progress::update(int64_t step, const std::string& metric_name, double metric_value) {
  if (mode_ == ProgressMode::quiet) return;
  const auto now = Clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  const bool last = step >= total_;
  if (mode_ == ProgressMode::terminal) {
    if (since < kTerminalInterval && !last) return;
    std::fprintf(out_, "\r\033[K%s", status_line(step, metric_name, metric_value).c_str());
    line_open_ = true;
  } else {
    if (since < kPlainInterval && !last) return;
    std::fprintf(out_, "%s\n", status_line(step, metric_name, metric_value).c_str());
  }
  std::fflush(out_);
  last_print_ = now;
}

void Progress::finish() {
  if (line_open_) std::fprintf(out_, "\n");
  line_open_ = false;
  std::fflush(out_);
}

}  // namespace neuromod
