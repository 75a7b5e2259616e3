#include "neuromod/report/run_report.h"

#include "html.h"
#include "neuromod/core/atomic_file.h"
#include "neuromod/report/metrics_table.h"
#include "neuromod/report/plot.h"
#include "neuromod/report/recording_figures.h"

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace neuromod::report {
namespace {

using html::escape;
using html::file_stem;
using html::format_number;
using html::href;
using html::kPageStyle;
using html::utc_now;

// Pixel sizes of the learning curves: the PNG at twice the SVG's size is the same figure, sharp
// on high-density screens and in slides.
constexpr int kSvgWidth = 720;
constexpr int kSvgHeight = 400;
constexpr int kPngWidth = 2 * kSvgWidth;
constexpr int kPngHeight = 2 * kSvgHeight;

// A series with at most this many points gets a dot at each, so sparse test metrics read as
// measurements rather than as a straight line through nothing.
constexpr std::size_t kMarkerLimit = 40;

// meta.json fields shown first and in this order; any others follow in the file's order.
const std::vector<std::string> kMetaFields = {
    "status", "started_at",   "finished_at",      "wall_seconds",     "seed", "threads",
    "host",   "command_line", "neuromod_version", "libtorch_version", "blas", "git_revision"};

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string format_duration(double seconds) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
  std::string text = buffer;
  if (seconds >= 60.0) {
    const auto total = static_cast<long long>(std::llround(seconds));
    const long long hours = total / 3600;
    const long long minutes = (total % 3600) / 60;
    if (hours > 0) {
      std::snprintf(buffer, sizeof buffer, " (%lld h %lld min)", hours, minutes);
    } else {
      std::snprintf(buffer, sizeof buffer, " (%lld min %lld s)", minutes, total % 60);
    }
    text += buffer;
  }
  return text;
}

std::string format_size(std::uintmax_t bytes) {
  char buffer[32];
  if (bytes < 1000) {
    std::snprintf(buffer, sizeof buffer, "%ju B", bytes);
  } else if (bytes < 1000 * 1000) {
    std::snprintf(buffer, sizeof buffer, "%.1f kB", bytes / 1e3);
  } else if (bytes < 1000ull * 1000 * 1000) {
    std::snprintf(buffer, sizeof buffer, "%.1f MB", bytes / 1e6);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f GB", bytes / 1e9);
  }
  return buffer;
}

// A command line kept as a list of arguments reads back as a shell line.
std::string join_arguments(const nlohmann::json& arguments) {
  std::string line;
  for (const auto& argument : arguments) {
    std::string text = argument.is_string() ? argument.get<std::string>() : argument.dump();
    if (text.empty() || text.find_first_of(" \t\"'$\\") != std::string::npos) {
      std::string quoted = "'";
      for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      text = quoted + "'";
    }
    line += (line.empty() ? "" : " ") + text;
  }
  return line;
}

std::string format_meta_value(const std::string& key, const nlohmann::json& value) {
  if (key == "wall_seconds" && value.is_number()) return format_duration(value.get<double>());
  if (key == "command_line" && value.is_array()) return join_arguments(value);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return format_number(value.get<double>());
  return value.dump();
}

std::string status_class(const std::string& status) {
  if (status == "finished" || status == "completed" || status == "ok" || status == "success") {
    return "badge ok";
  }
  if (status == "failed" || status == "error" || status == "diverged" || status == "crashed") {
    return "badge bad";
  }
  return "badge";
}

// What the run directory held, each part optional; `notes` say what was missing or unreadable.
struct RunFiles {
  std::string name;
  std::optional<std::string> config_text;
  std::optional<nlohmann::json> meta;
  std::optional<MetricsTable> metrics;
  std::vector<std::string> notes;
};

RunFiles load_run(const fs::path& run_dir) {
  RunFiles run;
  run.name = fs::canonical(run_dir).filename().string();

  const fs::path config_path = run_dir / "config.yaml";
  run.config_text = read_text(config_path);
  if (!run.config_text) {
    run.notes.push_back("No config.yaml in this run directory.");
  } else {
    try {
      const YAML::Node config = YAML::Load(*run.config_text);
      if (config.IsMap() && config["name"] && config["name"].IsScalar()) {
        const auto name = config["name"].as<std::string>();
        if (!name.empty()) run.name = name;
      }
    } catch (const YAML::Exception& e) {
      run.notes.push_back("config.yaml does not parse as YAML: " + std::string(e.what()));
    }
  }

  const fs::path meta_path = run_dir / "meta.json";
  if (const auto meta_text = read_text(meta_path); !meta_text) {
    run.notes.push_back("No meta.json in this run directory, so versions and timings are unknown.");
  } else {
    try {
      auto meta = nlohmann::json::parse(*meta_text);
      if (meta.is_object()) {
        run.meta = std::move(meta);
      } else {
        run.notes.push_back("meta.json does not hold a JSON object.");
      }
    } catch (const nlohmann::json::exception& e) {
      run.notes.push_back("meta.json does not parse as JSON: " + std::string(e.what()));
    }
  }

  const fs::path metrics_path = run_dir / "metrics.csv";
  if (!fs::exists(metrics_path)) {
    run.notes.push_back(
        "No metrics.csv in this run directory: the run stopped before it logged a step.");
  } else {
    try {
      run.metrics = MetricsTable::read_csv(metrics_path);
    } catch (const std::exception& e) {
      run.notes.push_back("metrics.csv could not be read: " + std::string(e.what()));
    }
  }
  return run;
}

// One learning curve: its group name, the file stem under plots/, and the figure.
struct Curve {
  std::string group;
  std::string stem;
  LinePlot plot;
};

std::vector<Curve> learning_curves(const MetricsTable& metrics) {
  // Groups keep the order of their first column in the file.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& column : metrics.columns()) {
    const std::string group = metric_group(column);
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == group; });
    if (it == groups.end()) it = groups.insert(groups.end(), {group, {}});
    it->second.push_back(column);
  }

  std::vector<Curve> curves;
  std::map<std::string, int> stems_used;
  for (const auto& [group, columns] : groups) {
    Curve curve;
    curve.group = group;
    curve.plot.title = group;
    curve.plot.x_label = "step";
    curve.plot.y_label = group;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      // Only the finite cells: a metric logged every 500 steps is a line through its points, not
      // isolated dots between empty cells.
      Series series;
      series.name = columns[c];
      series.color = series_color(c);
      const auto& values = metrics.values(columns[c]);
      for (std::size_t row = 0; row < values.size(); ++row) {
        if (!std::isfinite(values[row])) continue;
        series.x.push_back(static_cast<double>(metrics.steps()[row]));
        series.y.push_back(values[row]);
      }
      series.markers = series.y.size() <= kMarkerLimit;
      if (!series.y.empty()) curve.plot.series.push_back(std::move(series));
    }
    if (curve.plot.series.empty()) continue;
    // A lone series named as its plot needs no legend: the title already says what it is.
    if (curve.plot.series.size() == 1 && curve.plot.series[0].name == group) {
      curve.plot.series[0].name.clear();
    }
    const std::string stem = file_stem(group);
    const int seen = stems_used[stem]++;
    curve.stem = seen == 0 ? stem : stem + "-" + std::to_string(seen + 1);
    curves.push_back(std::move(curve));
  }
  return curves;
}

void write_curve_files(const fs::path& plots_dir, const std::vector<Curve>& curves) {
  if (curves.empty()) return;
  std::error_code error;
  fs::create_directories(plots_dir, error);
  if (error) {
    throw std::runtime_error("cannot create " + plots_dir.string() + ": " + error.message());
  }
  for (const Curve& curve : curves) {
    write_png(curve.plot, plots_dir / (curve.stem + ".png"), kPngWidth, kPngHeight);
    write_svg(curve.plot, plots_dir / (curve.stem + ".svg"), kSvgWidth, kSvgHeight);
  }
}

// A recording figure's SVG height at kSvgWidth: a trace stack grows with its panels.
int svg_height(const RecordingFigure& figure) {
  if (const auto* stack = std::get_if<TraceStack>(&figure.figure)) {
    const int lanes = stack->events.empty() ? 0 : 1;
    return 110 + 105 * static_cast<int>(stack->panels.size()) + 45 * lanes;
  }
  return kSvgHeight;
}

void write_recording_files(const fs::path& plots_dir, const std::vector<RecordingFigure>& figures) {
  for (const RecordingFigure& figure : figures) {
    const int height = svg_height(figure);
    write_png(figure, plots_dir / (figure.stem + ".png"), kPngWidth, 2 * height);
    write_svg(figure, plots_dir / (figure.stem + ".svg"), kSvgWidth, height);
  }
}

void write_what_ran(std::ostream& html, const RunFiles& run) {
  html << "<section id=\"what-ran\">\n<h2>What ran</h2>\n";
  if (run.meta) {
    html << "<table class=\"meta\">\n";
    const auto row = [&](const std::string& key, const nlohmann::json& value) {
      html << "<tr><th>" << escape(key) << "</th><td>" << escape(format_meta_value(key, value))
           << "</td></tr>\n";
    };
    for (const auto& key : kMetaFields) {
      if (run.meta->contains(key)) row(key, run.meta->at(key));
    }
    for (const auto& [key, value] : run.meta->items()) {
      if (std::find(kMetaFields.begin(), kMetaFields.end(), key) == kMetaFields.end()) {
        row(key, value);
      }
    }
    html << "</table>\n";
  }
  if (run.config_text) {
    html << "<h3>Resolved config</h3>\n<pre>" << escape(*run.config_text) << "</pre>\n";
  }
  html << "</section>\n";
}

void write_final_metrics(std::ostream& html, const RunFiles& run) {
  html << "<section id=\"final-metrics\">\n<h2>Final metrics</h2>\n";
  if (!run.metrics || run.metrics->columns().empty()) {
    html << "<p>No metrics were logged.</p>\n</section>\n";
    return;
  }
  html << "<table class=\"metrics\">\n<thead><tr><th>metric</th><th>value</th><th>step</th></tr>"
          "</thead>\n<tbody>\n";
  for (const auto& column : run.metrics->columns()) {
    html << "<tr><td>" << escape(column) << "</td>";
    if (const auto last = run.metrics->last_value(column)) {
      html << "<td class=\"num\">" << format_number(last->value) << "</td><td class=\"num\">"
           << last->step << "</td>";
    } else {
      html << "<td class=\"num\">&mdash;</td><td class=\"num\">&mdash;</td>";
    }
    html << "</tr>\n";
  }
  html << "</tbody>\n</table>\n";
  html << "<p class=\"summary\">" << run.metrics->rows() << " logged steps";
  if (!run.metrics->steps().empty()) html << ", the last at step " << run.metrics->steps().back();
  html << ".</p>\n</section>\n";
}

void write_learning_curves(std::ostream& html, const std::vector<Curve>& curves) {
  html << "<section id=\"learning-curves\">\n<h2>Learning curves</h2>\n";
  if (curves.empty()) html << "<p>No finite metric values to plot.</p>\n";
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const Curve& curve = curves[i];
    const std::string png = "plots/" + curve.stem + ".png";
    const std::string svg = "plots/" + curve.stem + ".svg";
    html << "<figure id=\"curve-" << escape(curve.stem) << "\">\n"
         << render_svg_string(curve.plot, kSvgWidth, kSvgHeight, "f" + std::to_string(i) + "-")
         << "<figcaption>" << escape(curve.group) << " against step &middot; <a href=\""
         << href(png) << "\">PNG</a> &middot; <a href=\"" << href(svg)
         << "\">SVG</a></figcaption>\n</figure>\n";
  }
  html << "</section>\n";
}

void write_recordings(std::ostream& html, const std::vector<RecordingFigure>& figures) {
  html << "<section id=\"recordings\">\n<h2>Recordings</h2>\n";
  if (figures.empty()) {
    html << "<p>Nothing was recorded: add a <code>record:</code> section to the config "
            "(docs/recording.md).</p>\n";
  }
  for (std::size_t i = 0; i < figures.size(); ++i) {
    const RecordingFigure& figure = figures[i];
    const std::string png = "plots/" + figure.stem + ".png";
    const std::string svg = "plots/" + figure.stem + ".svg";
    html << "<figure id=\"recording-" << escape(figure.stem) << "\">\n"
         << render_svg_string(figure, kSvgWidth, svg_height(figure), "r" + std::to_string(i) + "-")
         << "<figcaption>" << escape(figure.caption) << " &middot; <a href=\"" << href(png)
         << "\">PNG</a> &middot; <a href=\"" << href(svg) << "\">SVG</a></figcaption>\n</figure>\n";
  }
  html << "</section>\n";
}

void write_file_list(std::ostream& html, const fs::path& run_dir) {
  std::vector<std::string> files = {"config.yaml", "meta.json", "log.txt", "metrics.csv",
                                    "metrics.jsonl"};
  std::vector<std::string> plots;
  std::error_code error;
  for (fs::directory_iterator it(run_dir / "plots", error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file() && it->path().extension() == ".png") {
      plots.push_back("plots/" + it->path().filename().string());
    }
  }
  std::sort(plots.begin(), plots.end());
  files.insert(files.end(), plots.begin(), plots.end());

  html << "<section id=\"files\">\n<h2>Files</h2>\n<ul class=\"files\">\n";
  for (const auto& file : files) {
    const fs::path path = run_dir / file;
    if (!fs::is_regular_file(path, error)) continue;
    const auto size = fs::file_size(path, error);
    html << "<li><a href=\"" << href(file) << "\"><code>" << escape(file) << "</code></a>";
    if (!error) html << " <span class=\"size\">" << format_size(size) << "</span>";
    html << "</li>\n";
  }
  for (const std::string folder : {"checkpoints", "recordings"}) {
    if (!fs::is_directory(run_dir / folder, error)) continue;
    html << "<li><a href=\"" << href(folder + "/") << "\"><code>" << folder
         << "/</code></a></li>\n";
  }
  html << "</ul>\n</section>\n";
}

std::string render_page(const fs::path& run_dir, const RunFiles& run,
                        const std::vector<Curve>& curves,
                        const std::vector<RecordingFigure>& recordings) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       << "<title>" << escape(run.name) << " &ndash; neuromod run</title>\n"
       << "<style>" << kPageStyle << "</style>\n</head>\n<body>\n<main>\n";

  html << "<h1>Run <code>" << escape(run.name) << "</code></h1>\n<p class=\"summary\">";
  if (run.meta && run.meta->contains("status") && run.meta->at("status").is_string()) {
    const auto status = run.meta->at("status").get<std::string>();
    html << "<span class=\"" << status_class(status) << "\">" << escape(status)
         << "</span> &middot; ";
  }
  if (run.meta && run.meta->contains("wall_seconds") && run.meta->at("wall_seconds").is_number()) {
    html << escape(format_duration(run.meta->at("wall_seconds").get<double>())) << " &middot; ";
  }
  html << "report written " << utc_now() << "</p>\n";
  html << "<nav><a href=\"#what-ran\">What ran</a><a href=\"#final-metrics\">Final metrics</a>"
          "<a href=\"#learning-curves\">Learning curves</a><a href=\"#recordings\">Recordings</a>"
          "<a href=\"#files\">Files</a></nav>\n";
  for (const auto& note : run.notes) html << "<p class=\"note\">" << escape(note) << "</p>\n";

  write_what_ran(html, run);
  write_final_metrics(html, run);
  write_learning_curves(html, curves);
  write_recordings(html, recordings);
  write_file_list(html, run_dir);
  html << "</main>\n</body>\n</html>\n";
  return html.str();
}

}  // namespace

std::string metric_group(const std::string& column) {
  for (const char* prefix : {"train_", "test_", "eval_", "val_"}) {
    const std::string p = prefix;
    if (column.size() > p.size() && column.compare(0, p.size(), p) == 0) {
      return column.substr(p.size());
    }
  }
  return column;
}

fs::path write_run_report(const fs::path& run_dir) {
  std::error_code error;
  if (!fs::is_directory(run_dir, error)) {
    throw std::runtime_error("run directory " + run_dir.string() + " does not exist" +
                             (fs::exists(run_dir, error) ? " as a directory" : ""));
  }
  RunFiles run = load_run(run_dir);
  const std::vector<Curve> curves =
      run.metrics ? learning_curves(*run.metrics) : std::vector<Curve>{};
  write_curve_files(run_dir / "plots", curves);
  const std::vector<RecordingFigure> recordings =
      recording_figures(run_dir / "recordings", run.notes);
  if (!recordings.empty()) {
    std::error_code ignored;
    fs::create_directories(run_dir / "plots", ignored);
  }
  write_recording_files(run_dir / "plots", recordings);
  const fs::path report = run_dir / "report.html";
  write_file_atomically(report, render_page(run_dir, run, curves, recordings));
  return report;
}

}  // namespace neuromod::report
