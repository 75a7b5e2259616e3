#include "neuromod/report/recording_figures.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "html.h"
#include "neuromod/core/atomic_file.h"
#include "neuromod/record/npy.h"

namespace fs = std::filesystem;

namespace neuromod::report {
namespace {

// A trace stack stays readable up to this many panels; further signals are left out and said.
constexpr std::size_t kMaxPanels = 8;

// One recording read back: values (R, C) and, per row, its training step, time step and batch
// element.
struct Recording {
  std::string name;
  bool summary = false;
  std::size_t mean_abs_column = 0;  // column of mean |x| when `summary`
  std::vector<int64_t> units;       // unit indices of the columns when not `summary`
  std::vector<std::vector<float>> values;
  std::vector<int64_t> step, time, batch;

  bool starts_with(const std::string& prefix) const { return name.rfind(prefix, 0) == 0; }
  bool is_layer_output() const {
    return starts_with("layers/") && name.size() > 7 &&
           name.compare(name.size() - 7, 7, "/output") == 0;
  }
  // Modulator levels, effects and trace summaries: the signals of the trace stacks.
  bool is_trace_signal() const {
    return starts_with("modulators/") || starts_with("effects/") ||
           (summary && starts_with("layers/"));
  }
  // The value a trace panel shows for row r: the mean of the columns, or mean |x| of a trace.
  double row_value(std::size_t r) const {
    if (summary) return values[r][mean_abs_column];
    double sum = 0.0;
    for (float v : values[r]) sum += v;
    return values[r].empty() ? std::nan("") : sum / static_cast<double>(values[r].size());
  }
  // A short axis label that fits beside a panel: the modulator, the effect, or |trace|.
  std::string panel_label() const {
    const std::string last = name.substr(name.rfind('/') + 1);
    if (summary) return "|" + last + "|";
    if (starts_with("modulators/")) return name.substr(11, name.rfind('/') - 11);
    return last.substr(last.find('.') + 1);  // effects/<layer>/<compartment>.<effect>
  }
  // What the panel shows in full, for the caption.
  std::string panel_description() const {
    const std::size_t width = values.empty() ? 0 : values[0].size();
    if (summary) return name + " (mean |x|)";
    if (width > 1) return name + " (mean of " + std::to_string(width) + " values)";
    return name;
  }
};

Recording load_recording(const fs::path& directory, const nlohmann::json& entry) {
  Recording recording;
  recording.name = entry.at("name").get<std::string>();
  recording.summary = entry.value("summary", false);
  if (recording.summary) {
    const auto columns = entry.at("columns").get<std::vector<std::string>>();
    const auto it = std::find(columns.begin(), columns.end(), "mean_abs");
    if (it != columns.end()) recording.mean_abs_column = it - columns.begin();
  }
  if (entry.contains("units")) recording.units = entry.at("units").get<std::vector<int64_t>>();

  const torch::Tensor values =
      npy::read(directory / entry.at("file").get<std::string>()).to(torch::kFloat32).contiguous();
  const torch::Tensor rows = npy::read(directory / entry.at("rows_file").get<std::string>())
                                 .to(torch::kInt64)
                                 .contiguous();
  if (values.dim() != 2 || rows.dim() != 2 || rows.size(1) != 3 || rows.size(0) != values.size(0)) {
    throw std::runtime_error("its files' shapes do not match: values " +
                             std::to_string(values.dim()) + "-D with " +
                             std::to_string(values.size(0)) + " rows, rows file " +
                             std::to_string(rows.dim() == 2 ? rows.size(0) : -1) + " rows");
  }
  const int64_t n = values.size(0);
  const int64_t c = values.size(1);
  const float* v = values.data_ptr<float>();
  const int64_t* r = rows.data_ptr<int64_t>();
  recording.values.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    recording.values.emplace_back(v + i * c, v + (i + 1) * c);
    recording.step.push_back(r[3 * i]);
    recording.time.push_back(r[3 * i + 1]);
    recording.batch.push_back(r[3 * i + 2]);
  }
  return recording;
}

// The rows of `recording` from episode `batch` of training step `step`, in time order.
std::vector<std::size_t> episode_rows(const Recording& recording, int64_t step, int64_t batch) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < recording.step.size(); ++i) {
    if (recording.step[i] == step && recording.batch[i] == batch) rows.push_back(i);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    return recording.time[a] < recording.time[b];
  });
  return rows;
}

// The episode the figures show: the last recorded training step, and the smallest batch element
// recorded there by the first recording that has that step.
struct Episode {
  int64_t step = 0;
  int64_t batch = 0;
  bool several_times = false;  // the step has more than one time step (a recurrent task)
};

std::optional<Episode> shown_episode(const std::vector<Recording>& recordings) {
  std::optional<Episode> episode;
  for (const auto& recording : recordings) {
    for (int64_t step : recording.step) {
      if (!episode || step > episode->step) episode = Episode{step, 0, false};
    }
  }
  if (!episode) return std::nullopt;
  std::optional<int64_t> batch;
  for (const auto& recording : recordings) {
    for (std::size_t i = 0; i < recording.step.size(); ++i) {
      if (recording.step[i] == episode->step && (!batch || recording.batch[i] < *batch)) {
        batch = recording.batch[i];
      }
    }
    if (batch) break;
  }
  episode->batch = batch.value_or(0);
  for (const auto& recording : recordings) {
    std::set<int64_t> times;
    for (std::size_t i : episode_rows(recording, episode->step, episode->batch)) {
      times.insert(recording.time[i]);
    }
    if (times.size() > 1) episode->several_times = true;
  }
  return episode;
}

std::vector<EventKind> reward_events(const Recording* reward, const Episode& episode) {
  if (reward == nullptr) return {};
  EventKind positive("reward > 0", {});
  EventKind negative("reward < 0", {});
  for (std::size_t i : episode_rows(*reward, episode.step, episode.batch)) {
    const double value = reward->row_value(i);
    if (value > 0) positive.times.push_back(static_cast<double>(reward->time[i]));
    if (value < 0) negative.times.push_back(static_cast<double>(reward->time[i]));
  }
  std::vector<EventKind> events;
  if (!positive.times.empty()) events.push_back(std::move(positive));
  if (!negative.times.empty()) events.push_back(std::move(negative));
  return events;
}

// "Panels, top to bottom: a; b." for a figure's caption.
std::string panel_list(const std::vector<const Recording*>& signals) {
  std::string list = "Panels, top to bottom: ";
  for (std::size_t i = 0; i < signals.size(); ++i) {
    list += (i == 0 ? "" : "; ") + signals[i]->panel_description();
  }
  return list + ".";
}

std::optional<RecordingFigure> episode_traces(const std::vector<const Recording*>& signals,
                                              const Recording* reward, const Episode& episode) {
  TraceStack stack;
  stack.title =
      "step " + std::to_string(episode.step) + ", episode " + std::to_string(episode.batch);
  stack.x_label = "time step";
  for (const Recording* signal : signals) {
    TracePanel panel;
    panel.y_label = signal->panel_label();
    Series series;
    for (std::size_t i : episode_rows(*signal, episode.step, episode.batch)) {
      series.x.push_back(static_cast<double>(signal->time[i]));
      series.y.push_back(signal->row_value(i));
    }
    if (series.y.size() < 2) continue;
    panel.series.push_back(std::move(series));
    stack.panels.push_back(std::move(panel));
  }
  if (stack.panels.empty()) return std::nullopt;
  stack.events = reward_events(reward, episode);
  return RecordingFigure{"recorded-episode",
                         "Episode " + std::to_string(episode.batch) + " of training step " +
                             std::to_string(episode.step) +
                             (stack.events.empty() ? "" : ", over the rewards the agent received") +
                             ". " + panel_list(signals),
                         std::move(stack)};
}

std::optional<RecordingFigure> training_traces(const std::vector<const Recording*>& signals) {
  TraceStack stack;
  stack.title = "mean over each recorded step";
  stack.x_label = "training step";
  for (const Recording* signal : signals) {
    std::map<int64_t, std::pair<double, int64_t>> by_step;  // step -> (sum, count)
    for (std::size_t i = 0; i < signal->step.size(); ++i) {
      const double value = signal->row_value(i);
      if (!std::isfinite(value)) continue;
      auto& [sum, count] = by_step[signal->step[i]];
      sum += value;
      ++count;
    }
    if (by_step.size() < 2) continue;
    Series series;
    for (const auto& [step, sum_count] : by_step) {
      series.x.push_back(static_cast<double>(step));
      series.y.push_back(sum_count.first / static_cast<double>(sum_count.second));
    }
    series.markers = series.x.size() <= 40;
    TracePanel panel;
    panel.y_label = signal->panel_label();
    panel.series.push_back(std::move(series));
    stack.panels.push_back(std::move(panel));
  }
  if (stack.panels.empty()) return std::nullopt;
  return RecordingFigure{"recorded-training",
                         "Each signal averaged over the time steps and episodes of each recorded "
                         "training step. " +
                             panel_list(signals),
                         std::move(stack)};
}

std::optional<RecordingFigure> activity_map(const Recording& output, const Episode& episode) {
  std::vector<std::size_t> rows;
  if (episode.several_times) {
    rows = episode_rows(output, episode.step, episode.batch);
  } else {
    for (std::size_t i = 0; i < output.step.size(); ++i) {
      if (output.step[i] == episode.step) rows.push_back(i);
    }
  }
  if (rows.empty() || output.values[rows[0]].empty()) return std::nullopt;
  const std::size_t units = output.values[rows[0]].size();
  Heatmap map;
  const std::string layer = output.name.substr(7, output.name.size() - 7 - 7);
  map.title = layer + ", step " + std::to_string(episode.step) +
              (episode.several_times ? ", episode " + std::to_string(episode.batch) : "");
  map.x_label = episode.several_times ? "time step" : "recorded sample";
  map.y_label = "unit";
  map.value_label = "output";
  map.row_order = RowOrder::bottom_up;
  map.values.assign(units, std::vector<double>(rows.size()));
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (std::size_t column = 0; column < rows.size(); ++column) {
    for (std::size_t unit = 0; unit < units; ++unit) {
      const double value = output.values[rows[column]][unit];
      map.values[unit][column] = value;
      if (std::isfinite(value)) {
        low = std::min(low, value);
        high = std::max(high, value);
      }
    }
  }
  // Signed activity (tanh units) reads best on a diverging map centred on 0.
  if (low < 0 && high > 0) map.colormap = Colormap::coolwarm;
  if (!std::isfinite(low)) return std::nullopt;
  if (low == high) {
    map.value_min = low - 0.5;
    map.value_max = high + 0.5;
  }
  // Contiguous recorded units are labelled by their own indices, not by 0..n-1.
  const auto& u = output.units;
  if (u.size() == units && !u.empty() && u.back() - u.front() + 1 == static_cast<int64_t>(units)) {
    map.y_extent = Extent{static_cast<double>(u.front()), static_cast<double>(u.back() + 1)};
  }
  if (episode.several_times) {
    map.x_extent = Extent{static_cast<double>(output.time[rows.front()]),
                          static_cast<double>(output.time[rows.back()] + 1)};
  }
  return RecordingFigure{
      "activity-" + layer,
      "Output of layer " + layer + " (" + std::to_string(units) + " recorded units) " +
          (episode.several_times ? "during episode " + std::to_string(episode.batch)
                                 : "for each recorded sample") +
          " of training step " + std::to_string(episode.step) + ".",
      std::move(map)};
}

}  // namespace

std::vector<RecordingFigure> recording_figures(const fs::path& recordings_dir,
                                               std::vector<std::string>& notes) {
  const fs::path index_path = recordings_dir / "index.json";
  std::error_code error;
  if (!fs::is_regular_file(index_path, error)) return {};
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_text_file(index_path));
    if (!index.contains("recordings") || !index.at("recordings").is_array()) {
      throw std::runtime_error("no \"recordings\" list");
    }
  } catch (const std::exception& e) {
    notes.push_back("recordings/index.json could not be read: " + std::string(e.what()));
    return {};
  }

  std::vector<Recording> recordings;
  for (const auto& entry : index.at("recordings")) {
    const std::string name = entry.value("name", std::string("?"));
    try {
      recordings.push_back(load_recording(recordings_dir, entry));
    } catch (const std::exception& e) {
      notes.push_back("recording " + name + " could not be read: " + e.what());
    }
  }
  const auto episode = shown_episode(recordings);
  if (!episode) return {};

  std::vector<const Recording*> signals;
  const Recording* reward = nullptr;
  for (const auto& recording : recordings) {
    if (recording.name == "task/reward") reward = &recording;
    if (recording.is_trace_signal()) signals.push_back(&recording);
  }
  // Top to bottom: the modulators, then the effects they have, then the traces they shape.
  const auto rank = [](const Recording* r) {
    return r->starts_with("modulators/") ? 0 : r->starts_with("effects/") ? 1 : 2;
  };
  std::stable_sort(signals.begin(), signals.end(),
                   [&](const Recording* a, const Recording* b) { return rank(a) < rank(b); });
  if (signals.size() > kMaxPanels) {
    notes.push_back("The recording figures show the first " + std::to_string(kMaxPanels) + " of " +
                    std::to_string(signals.size()) +
                    " recorded modulator, effect and trace signals; the rest are in recordings/.");
    signals.resize(kMaxPanels);
  }

  std::vector<RecordingFigure> figures;
  if (episode->several_times) {
    if (auto figure = episode_traces(signals, reward, *episode))
      figures.push_back(std::move(*figure));
  }
  if (auto figure = training_traces(signals)) figures.push_back(std::move(*figure));
  for (const auto& recording : recordings) {
    if (!recording.is_layer_output() || recording.summary) continue;
    if (auto figure = activity_map(recording, *episode)) {
      figure->stem = html::file_stem(figure->stem);
      figures.push_back(std::move(*figure));
    }
  }
  return figures;
}

void write_png(const RecordingFigure& figure, const fs::path& path, int width, int height) {
  std::visit([&](const auto& f) { write_png(f, path, width, height); }, figure.figure);
}

void write_svg(const RecordingFigure& figure, const fs::path& path, int width, int height) {
  std::visit([&](const auto& f) { write_svg(f, path, width, height); }, figure.figure);
}

std::string render_svg_string(const RecordingFigure& figure, int width, int height,
                              const std::string& id_prefix) {
  return std::visit([&](const auto& f) { return render_svg_string(f, width, height, id_prefix); },
                    figure.figure);
}

}  // namespace neuromod::report
