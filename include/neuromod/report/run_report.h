#pragma once

/// \file
/// The per-run HTML report: one self-contained page a person can read offline, made from what the
/// run left in its directory (config.yaml, meta.json, metrics.csv, ...).

#include <filesystem>
#include <string>

namespace neuromod::report {

/// The learning-curve plot a metric column belongs to: its name without a leading `train_`,
/// `test_`, `eval_` or `val_`, so that train and test values of one metric share a plot.
/// Example: metric_group("test_loss") == "loss"; metric_group("accuracy") == "accuracy".
std::string metric_group(const std::string& column);

/// Writes the report of the run in `run_dir` and returns the path of its report.html.
///
/// Writes `plots/<group>.png` (1440×800) and `plots/<group>.svg` (720×400), one learning curve
/// per metric group against `step`, then `report.html`: the run's name (config `name`, else the
/// directory's), what ran (meta.json fields and the resolved config verbatim), the final value
/// of each metric, the plots inlined as SVG, the figures of its recordings (recording_figures.h,
/// written to plots/ as well), and relative links to the run's files that exist.
/// report.html is replaced atomically (written beside, then renamed), so a reader never sees a
/// half-written page. A missing or unreadable config.yaml, meta.json or metrics.csv is said on the
/// page rather than thrown, so that a run interrupted early still gets its report.
///
/// Throws std::runtime_error naming `run_dir` when it is not a directory, and naming the file
/// when a plot or the page cannot be written.
std::filesystem::path write_run_report(const std::filesystem::path& run_dir);

}  // namespace neuromod::report
