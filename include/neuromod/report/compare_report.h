#pragma once

/// \file
/// The comparison report: several runs side by side on one self-contained page, their final
/// metrics in one table and their learning curves overlaid, one plot per metric group.
///
/// Example:
///   CompareOptions options;
///   options.runs = {"runs/quickstart-20261203-101500", "runs/quickstart-20261203-113000"};
///   options.labels = {"lr 1e-3", "lr 3e-4"};
///   options.out = default_compare_dir();
///   const auto page = write_compare_report(options);  // <out>/report.html

#include <filesystem>
#include <string>
#include <vector>

namespace neuromod::report {

/// How the runs of one label (replicates, e.g. seeds) are summarised at each step.
enum class ReplicateBand {
  median_iqr,  ///< the median over runs, shaded between the quartiles (as Miconi et al. plot)
  mean_sem,    ///< the mean over runs, shaded ± one standard error
};

/// What to compare and where the report goes.
struct CompareOptions {
  /// The run directories, each with a metrics.csv; at least one. Their order is the order of
  /// the table rows and of the plot colours.
  std::vector<std::filesystem::path> runs;
  /// One label per run, in the order of `runs`; empty: each run's config `name` (else its
  /// directory's name), with the directory's name added where two runs would share a label.
  /// Equal labels given here are kept (replicates of one setting).
  std::vector<std::string> labels;
  /// The directory that receives report.html and plots/; made if missing. Required.
  std::filesystem::path out;
  /// With no `labels`: label each run by its config `name` alone, so that runs of one name
  /// (seeds of one config) are replicates; otherwise names are made distinct.
  bool group_by_name = false;
  /// The summary drawn for runs that share a label, when any do.
  ReplicateBand band = ReplicateBand::median_iqr;
};

/// Writes the comparison of `options.runs` into `options.out` and returns the path of its
/// report.html.
///
/// Writes `plots/<group>.png` (1440×800) and `plots/<group>.svg` (720×400): for each metric group
/// (metric_group()) found in any run, one plot against `step` with a line per run and metric
/// column. Each run has one colour; its test, eval and val columns are drawn in it, its training
/// columns in a lighter tint of it. Then `report.html`: a table with one row per run (label, run
/// directory linked to the run's own report.html where there is one, and the final value and
/// step of every metric column of any run, blank where a run lacks the column), the plots inlined
/// as SVG, and links to the PNG and SVG files. report.html is replaced atomically.
///
/// Runs that share a label are replicates of one setting (seeds): then each plot has one line
/// per label and metric column instead of one per run, the median (or mean) over the label's
/// runs at each step — runs logged at other steps are interpolated linearly, never extrapolated
/// (analysis/learning_curves.h) — shaded between the quartiles (or ± sem), and the page adds a
/// table of each label's final values over its runs: median [q25, q75] and mean ± sem.
///
/// Every run is checked and read before anything is written: throws std::invalid_argument when
/// `runs` or `out` is empty or `labels` is neither empty nor one per run, and std::runtime_error
/// naming the path when a run directory or its metrics.csv does not exist (MetricsCsvError when a
/// metrics.csv is malformed), or when a file cannot be written.
std::filesystem::path write_compare_report(const CompareOptions& options);

/// The default output directory of a comparison: `<root>/compare-<YYYYmmdd-HHMMSS>`, local time,
/// like run directories. Example: default_compare_dir() == "runs/compare-20261203-101500".
std::filesystem::path default_compare_dir(const std::filesystem::path& root = "runs");

}  // namespace neuromod::report
