#include "neuromod/report/compare_report.h"

#include "html.h"
#include "neuromod/analysis/learning_curves.h"
#include "neuromod/core/atomic_file.h"
#include "neuromod/report/metrics_table.h"
#include "neuromod/report/plot.h"
#include "neuromod/report/run_report.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace neuromod::report {
namespace {

using html::escape;
using html::format_number;
using html::href;

// The same figure sizes as the per-run report, so plots of both read alike.
constexpr int kSvgWidth = 720;
constexpr int kSvgHeight = 400;
constexpr int kPngWidth = 2 * kSvgWidth;
constexpr int kPngHeight = 2 * kSvgHeight;

// Series this short get a dot at each point (test metrics logged every few hundred steps).
constexpr std::size_t kMarkerLimit = 40;

// How far a training line's colour is moved towards white: light enough to read as the
// background of its run's test line, dark enough to stay visible on the white plot.
constexpr double kTrainTint = 0.45;

constexpr const char* kCompareStyle = R"css(
.table-scroll { overflow-x: auto; }
table.runs td .step { display: block; color: #777; font-size: .8rem; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: .15em;
  margin-right: .4em; vertical-align: -.05em; }
)css";

// One run as compared: where it is, what it is called, and its metrics.
struct ComparedRun {
  fs::path dir;          // as given
  std::string dir_name;  // the directory's own name, after resolving "." and links
  std::string name;      // config `name`, else dir_name
  std::string label;
  MetricsTable metrics;
};

// The config's `name`, or nothing when the file is missing, malformed or has none: a label is
// then taken from the directory, as the run report does.
std::optional<std::string> config_name(const fs::path& config_path) {
  std::error_code error;
  if (!fs::is_regular_file(config_path, error)) return std::nullopt;
  try {
    const YAML::Node config = YAML::LoadFile(config_path.string());
    if (config.IsMap() && config["name"] && config["name"].IsScalar()) {
      auto name = config["name"].as<std::string>();
      if (!name.empty()) return name;
    }
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

ComparedRun load_run(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    throw std::runtime_error("run directory " + dir.string() + " does not exist" +
                             (fs::exists(dir, error) ? " as a directory" : ""));
  }
  const fs::path metrics_path = dir / "metrics.csv";
  if (!fs::is_regular_file(metrics_path, error)) {
    throw std::runtime_error("run directory " + dir.string() + " has no metrics.csv (" +
                             metrics_path.string() + " does not exist)");
  }
  ComparedRun run;
  run.dir = dir;
  run.dir_name = fs::canonical(dir).filename().string();
  run.name = config_name(dir / "config.yaml").value_or(run.dir_name);
  run.metrics = MetricsTable::read_csv(metrics_path);
  return run;
}

// Labels from names, made distinct where two runs share one: first by adding the directory's
// name, then, for directories of one name under different parents, the path as given.
void assign_default_labels(std::vector<ComparedRun>& runs) {
  const auto count = [&](const std::string& label) {
    return std::count_if(runs.begin(), runs.end(),
                         [&](const ComparedRun& run) { return run.label == label; });
  };
  for (auto& run : runs) run.label = run.name;
  std::vector<bool> shared(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) shared[i] = count(runs[i].label) > 1;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (shared[i]) runs[i].label = runs[i].name + " (" + runs[i].dir_name + ")";
  }
  for (std::size_t i = 0; i < runs.size(); ++i) shared[i] = count(runs[i].label) > 1;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (shared[i]) runs[i].label = runs[i].name + " (" + runs[i].dir.string() + ")";
  }
}

std::vector<ComparedRun> load_runs(const CompareOptions& options) {
  if (options.runs.empty()) {
    throw std::invalid_argument("compare: expected at least one run directory, got none");
  }
  if (options.out.empty()) {
    throw std::invalid_argument("compare: expected an output directory, got an empty path");
  }
  if (!options.labels.empty() && options.labels.size() != options.runs.size()) {
    throw std::invalid_argument("compare: expected one label per run directory, got " +
                                std::to_string(options.labels.size()) + " labels for " +
                                std::to_string(options.runs.size()) + " runs");
  }
  std::vector<ComparedRun> runs;
  for (const auto& dir : options.runs) runs.push_back(load_run(dir));
  if (options.labels.empty() && options.group_by_name) {
    for (auto& run : runs) run.label = run.name;
  } else if (options.labels.empty()) {
    assign_default_labels(runs);
  } else {
    for (std::size_t i = 0; i < runs.size(); ++i) runs[i].label = options.labels[i];
  }
  return runs;
}

// Runs that share a label, in the order of their first run: the replicates of one setting.
struct Group {
  std::string label;
  std::vector<std::size_t> runs;
};

std::vector<Group> groups_of(const std::vector<ComparedRun>& runs) {
  std::vector<Group> groups;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const Group& g) { return g.label == runs[r].label; });
    if (it == groups.end()) it = groups.insert(groups.end(), Group{runs[r].label, {}});
    it->runs.push_back(r);
  }
  return groups;
}

bool has_replicates(const std::vector<Group>& groups) {
  return std::any_of(groups.begin(), groups.end(),
                     [](const Group& g) { return g.runs.size() > 1; });
}

// The colour of each run: its own, or its label's when runs are grouped.
std::vector<std::size_t> color_indices(const std::vector<ComparedRun>& runs,
                                       const std::vector<Group>& groups) {
  std::vector<std::size_t> colors(runs.size());
  const bool grouped = has_replicates(groups);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t r : groups[g].runs) colors[r] = grouped ? g : r;
  }
  return colors;
}

// Test, eval and validation columns are what a comparison is about; everything else (`loss`,
// `train_accuracy`, ...) was measured on the training data.
bool is_held_out(const std::string& column) {
  for (const std::string prefix : {"test_", "eval_", "val_"}) {
    if (column.size() > prefix.size() && column.compare(0, prefix.size(), prefix) == 0) {
      return true;
    }
  }
  return false;
}

Rgb tint(Rgb color, double towards_white) {
  const auto mix = [&](double c) { return c + (1.0 - c) * towards_white; };
  return {mix(color.r), mix(color.g), mix(color.b)};
}

std::string css_color(const Rgb& color) {
  const auto byte = [](double c) {
    return static_cast<int>(std::lround(std::clamp(c, 0.0, 1.0) * 255));
  };
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02X%02X%02X", byte(color.r), byte(color.g),
                byte(color.b));
  return buffer;
}

// Metric columns of all runs, each once, in order of first appearance.
std::vector<std::string> union_of_columns(const std::vector<ComparedRun>& runs) {
  std::vector<std::string> columns;
  for (const auto& run : runs) {
    for (const auto& column : run.metrics.columns()) {
      if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
        columns.push_back(column);
      }
    }
  }
  return columns;
}

// One overlaid plot: its metric group, its file stem under plots/, and the figure.
struct Curve {
  std::string group;
  std::string stem;
  LinePlot plot;
};

// Only the finite cells, so that a sparsely logged metric is a line through its points.
analysis::CurveSeries curve_of(const ComparedRun& run, const std::string& column) {
  analysis::CurveSeries points;
  const auto& values = run.metrics.values(column);
  for (std::size_t row = 0; row < values.size(); ++row) {
    if (std::isfinite(values[row])) {
      points.emplace_back(static_cast<double>(run.metrics.steps()[row]), values[row]);
    }
  }
  return points;
}

Series series_of(const ComparedRun& run, const std::string& column) {
  Series series;
  series.name = run.label + " " + column;
  for (const auto& [step, value] : curve_of(run, column)) {
    series.x.push_back(step);
    series.y.push_back(value);
  }
  series.markers = series.y.size() <= kMarkerLimit;
  return series;
}

// The line of one label's runs for `column`: median ± quartiles or mean ± sem at each step.
Series replicate_series(const std::vector<ComparedRun>& runs, const Group& group,
                        const std::string& column, ReplicateBand band) {
  std::vector<analysis::CurveSeries> curves;
  for (std::size_t r : group.runs) {
    if (runs[r].metrics.has_column(column)) curves.push_back(curve_of(runs[r], column));
  }
  Series series;
  series.name = group.label + " " + column + " (" + std::to_string(curves.size()) +
                (curves.size() == 1 ? " run)" : " runs)");
  if (curves.empty()) return series;
  const auto summary = analysis::summarize_curves(
      curves, analysis::CurveSummaryOptions().alignment(analysis::CurveAlignment::interpolate));
  for (std::size_t i = 0; i < summary.steps.size(); ++i) {
    if (summary.n[i] == 0) continue;
    const bool median = band == ReplicateBand::median_iqr;
    const double y = median ? summary.median[i] : summary.mean[i];
    double low = median ? summary.q25[i] : y - summary.sem[i];
    double high = median ? summary.q75[i] : y + summary.sem[i];
    if (!std::isfinite(low) || !std::isfinite(high)) low = high = y;  // one run at this step
    series.x.push_back(summary.steps[i]);
    series.y.push_back(y);
    series.band_low.push_back(low);
    series.band_high.push_back(high);
  }
  series.markers = series.y.size() <= kMarkerLimit;
  return series;
}

std::vector<Curve> overlaid_curves(const std::vector<ComparedRun>& runs,
                                   const std::vector<std::string>& columns,
                                   const std::vector<Group>& labels, ReplicateBand band) {
  const bool grouped = has_replicates(labels);
  std::vector<std::string> groups;  // metric groups, one plot each
  for (const auto& column : columns) {
    const std::string group = metric_group(column);
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
  }

  std::vector<Curve> curves;
  std::map<std::string, int> stems_used;
  for (const auto& group : groups) {
    Curve curve;
    curve.group = group;
    curve.plot.title = group;
    curve.plot.x_label = "step";
    curve.plot.y_label = group;
    // Training lines first, so that the held-out lines are drawn over them.
    for (const bool held_out : {false, true}) {
      if (grouped) {
        for (std::size_t g = 0; g < labels.size(); ++g) {
          for (const auto& column : columns) {
            if (metric_group(column) != group || is_held_out(column) != held_out) continue;
            Series series = replicate_series(runs, labels[g], column, band);
            series.color = held_out ? series_color(g) : tint(series_color(g), kTrainTint);
            if (!series.y.empty()) curve.plot.series.push_back(std::move(series));
          }
        }
        continue;
      }
      for (std::size_t r = 0; r < runs.size(); ++r) {
        for (const auto& column : runs[r].metrics.columns()) {
          if (metric_group(column) != group || is_held_out(column) != held_out) continue;
          Series series = series_of(runs[r], column);
          series.color = held_out ? series_color(r) : tint(series_color(r), kTrainTint);
          if (!series.y.empty()) curve.plot.series.push_back(std::move(series));
        }
      }
    }
    if (curve.plot.series.empty()) continue;
    const std::string stem = html::file_stem(group);
    const int seen = stems_used[stem]++;
    curve.stem = seen == 0 ? stem : stem + "-" + std::to_string(seen + 1);
    curves.push_back(std::move(curve));
  }
  return curves;
}

void write_curve_files(const fs::path& plots_dir, const std::vector<Curve>& curves) {
  for (const Curve& curve : curves) {
    write_png(curve.plot, plots_dir / (curve.stem + ".png"), kPngWidth, kPngHeight);
    write_svg(curve.plot, plots_dir / (curve.stem + ".svg"), kSvgWidth, kSvgHeight);
  }
}

// The run's own report.html relative to the comparison's directory, or nothing when the run has
// no report yet (or no relative path leads there).
std::optional<std::string> run_report_link(const fs::path& run_dir, const fs::path& out) {
  std::error_code error;
  const fs::path report = run_dir / "report.html";
  if (!fs::is_regular_file(report, error)) return std::nullopt;
  const fs::path relative = fs::relative(fs::absolute(report, error), fs::absolute(out), error);
  if (error || relative.empty()) return std::nullopt;
  return relative.generic_string();
}

void write_runs_table(std::ostream& page, const std::vector<ComparedRun>& runs,
                      const std::vector<std::string>& columns, const fs::path& out,
                      const std::vector<std::size_t>& colors) {
  page << "<section id=\"runs\">\n<h2>Runs and final metrics</h2>\n"
       << "<div class=\"table-scroll\">\n<table class=\"runs\">\n<thead><tr><th>run</th>"
          "<th>directory</th>";
  for (const auto& column : columns) page << "<th>" << escape(column) << "</th>";
  page << "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const ComparedRun& run = runs[r];
    page << "<tr><td><span class=\"swatch\" style=\"background:"
         << css_color(series_color(colors[r])) << "\"></span>" << escape(run.label)
         << "</td><td><code>";
    if (const auto link = run_report_link(run.dir, out)) {
      page << "<a href=\"" << href(*link) << "\">" << escape(run.dir.string()) << "</a>";
    } else {
      page << escape(run.dir.string());
    }
    page << "</code></td>";
    for (const auto& column : columns) {
      if (!run.metrics.has_column(column)) {
        page << "<td></td>";
      } else if (const auto last = run.metrics.last_value(column)) {
        page << "<td class=\"num\">" << format_number(last->value) << " <span class=\"step\">step "
             << last->step << "</span></td>";
      } else {
        page << "<td class=\"num\">&mdash;</td>";
      }
    }
    page << "</tr>\n";
  }
  page << "</tbody>\n</table>\n</div>\n<p class=\"summary\">Blank: the run has no such metric; "
          "&mdash;: it has the column but never logged a value. Training metrics are drawn in a "
          "lighter tint of the run's colour.</p>\n</section>\n";
}

// Each label's final values over its runs, for comparisons with replicates.
void write_replicates_table(std::ostream& page, const std::vector<ComparedRun>& runs,
                            const std::vector<std::string>& columns,
                            const std::vector<Group>& groups) {
  page << "<section id=\"replicates\">\n<h2>Final metrics over replicates</h2>\n"
       << "<div class=\"table-scroll\">\n<table class=\"runs\">\n<thead><tr><th>label</th>"
          "<th>runs</th>";
  for (const auto& column : columns) page << "<th>" << escape(column) << "</th>";
  page << "</tr></thead>\n<tbody>\n";
  for (std::size_t g = 0; g < groups.size(); ++g) {
    page << "<tr><td><span class=\"swatch\" style=\"background:" << css_color(series_color(g))
         << "\"></span>" << escape(groups[g].label) << "</td><td class=\"num\">"
         << groups[g].runs.size() << "</td>";
    for (const auto& column : columns) {
      std::vector<double> finals;
      for (std::size_t r : groups[g].runs) {
        if (!runs[r].metrics.has_column(column)) continue;
        if (const auto last = runs[r].metrics.last_value(column)) finals.push_back(last->value);
      }
      if (finals.empty()) {
        page << "<td></td>";
        continue;
      }
      const auto s = analysis::summarize_sample(finals);
      page << "<td class=\"num\">" << format_number(s.median) << " [" << format_number(s.q25)
           << ", " << format_number(s.q75) << "]<span class=\"step\">" << format_number(s.mean);
      if (s.n > 1) page << " &plusmn; " << format_number(s.sem);
      page << " (n=" << s.n << ")</span></td>";
    }
    page << "</tr>\n";
  }
  page << "</tbody>\n</table>\n</div>\n<p class=\"summary\">Each cell: the median [lower, upper "
          "quartile] of the runs' final values, and under it their mean &plusmn; standard error. "
          "The plots draw each label's median (or mean) with the same band.</p>\n</section>\n";
}

void write_curves(std::ostream& page, const std::vector<Curve>& curves) {
  page << "<section id=\"learning-curves\">\n<h2>Learning curves</h2>\n";
  if (curves.empty()) page << "<p>No finite metric values to plot.</p>\n";
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const Curve& curve = curves[i];
    const std::string png = "plots/" + curve.stem + ".png";
    const std::string svg = "plots/" + curve.stem + ".svg";
    page << "<figure id=\"curve-" << escape(curve.stem) << "\">\n"
         << render_svg_string(curve.plot, kSvgWidth, kSvgHeight, "f" + std::to_string(i) + "-")
         << "<figcaption>" << escape(curve.group) << " against step &middot; <a href=\""
         << href(png) << "\">PNG</a> &middot; <a href=\"" << href(svg)
         << "\">SVG</a></figcaption>\n</figure>\n";
  }
  page << "</section>\n";
}

std::string render_page(const std::vector<ComparedRun>& runs,
                        const std::vector<std::string>& columns, const std::vector<Curve>& curves,
                        const std::vector<Group>& groups, const fs::path& out) {
  const bool grouped = has_replicates(groups);
  const std::string title =
      "Comparison of " + std::to_string(runs.size()) + (runs.size() == 1 ? " run" : " runs");
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       << "<title>" << title << " &ndash; neuromod</title>\n"
       << "<style>" << html::kPageStyle << kCompareStyle << "</style>\n</head>\n<body>\n<main>\n"
       << "<h1>" << title << "</h1>\n<p class=\"summary\">report written " << html::utc_now()
       << "</p>\n<nav><a href=\"#runs\">Runs and final metrics</a>"
       << (grouped ? "<a href=\"#replicates\">Over replicates</a>" : "")
       << "<a href=\"#learning-curves\">Learning curves</a></nav>\n";
  write_runs_table(page, runs, columns, out, color_indices(runs, groups));
  if (grouped) write_replicates_table(page, runs, columns, groups);
  write_curves(page, curves);
  page << "</main>\n</body>\n</html>\n";
  return page.str();
}

}  // namespace

fs::path write_compare_report(const CompareOptions& options) {
  // Everything is read and checked before the first file is made.
  const std::vector<ComparedRun> runs = load_runs(options);
  const std::vector<std::string> columns = union_of_columns(runs);
  const std::vector<Group> groups = groups_of(runs);
  const std::vector<Curve> curves = overlaid_curves(runs, columns, groups, options.band);

  const fs::path plots_dir = options.out / "plots";
  const fs::path made = curves.empty() ? options.out : plots_dir;
  std::error_code error;
  fs::create_directories(made, error);
  if (error) throw std::runtime_error("cannot create " + made.string() + ": " + error.message());
  write_curve_files(plots_dir, curves);
  const fs::path report = options.out / "report.html";
  write_file_atomically(report, render_page(runs, columns, curves, groups, options.out));
  return report;
}

fs::path default_compare_dir(const fs::path& root) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &local);
  return root / ("compare-" + std::string(buffer));
}

}  // namespace neuromod::report
