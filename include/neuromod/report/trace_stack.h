#pragma once

/// \file
/// Stacked time series on one shared time axis: one small panel per trace (each with its own y
/// axis and label), and under them an event track with one lane per kind of task event, in the
/// look of the plot kit (plot.h) and with its three output functions. Made to show modulator
/// levels under the task events that drive them.
///
/// Example, dopamine, serotonin and noradrenaline around cues and rewards:
///   TraceStack stack;
///   stack.title = "modulators during the task";
///   stack.x_label = "time (s)";
///   stack.panels.push_back({"DA (a.u.)", time, dopamine});
///   stack.panels.push_back({"5-HT (a.u.)", time, serotonin});
///   stack.panels.push_back({"NE (a.u.)", time, noradrenaline});
///   stack.events.push_back({"cue", cue_times});
///   stack.events.push_back({"reward", reward_times});
///   write_png(stack, "plots/modulators.png", 1440, 1000);
///
/// Panels are drawn top to bottom in order and share the figure's height equally. Each lane of
/// the event track is named at its left and holds a tick at each event in the kind's colour;
/// with `event_guides` a faint line of that colour also runs through the panels at each event,
/// so a modulator's response lines up with its cause. Traces and event kinds without a colour of
/// their own take successive series_color()s: traces first, then event kinds.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "neuromod/report/plot.h"

namespace neuromod::report {

/// One panel of a trace stack: one or more series against the shared time axis.
struct TracePanel {
  /// An empty panel, to fill field by field.
  TracePanel() = default;
  /// A panel with one trace: its y label, times and values of the same length.
  TracePanel(std::string y_label, std::vector<double> time, std::vector<double> values)
      : y_label(std::move(y_label)), series{Series("", std::move(time), std::move(values))} {}

  std::string y_label;  ///< the panel's axis label with its unit, e.g. "DA (a.u.)"; may be empty
  /// The traces, x in the time axis' unit; named ones get a legend inside the panel. A series
  /// may carry a band (e.g. mean ± sem over trials), as in a LinePlot.
  std::vector<Series> series;
  std::optional<double> y_min;  ///< fixed axis start instead of the data's (e.g. 0)
  std::optional<double> y_max;  ///< fixed axis end instead of the data's
};

/// One kind of task event, e.g. every reward of an episode.
struct EventKind {
  /// An empty kind, to fill field by field.
  EventKind() = default;
  /// A kind of event: its name and its times.
  EventKind(std::string name, std::vector<double> times)
      : name(std::move(name)), times(std::move(times)) {}

  std::string name;           ///< names its lane, e.g. "reward"
  std::vector<double> times;  ///< in the time axis' unit, any order; non-finite ones are skipped
  std::optional<Rgb> color;   ///< default: the next series_color() after the traces'
};

/// Time series stacked in panels over one time axis, with an event track under them.
struct TraceStack {
  std::string title;               ///< above the plot; may be empty
  std::string x_label;             ///< the shared axis with its unit, e.g. "time (s)"
  std::vector<TracePanel> panels;  ///< top to bottom
  std::vector<EventKind> events;   ///< one lane each, under the panels; empty: no event track
  bool event_guides = true;        ///< faint lines through the panels at each event
  std::optional<double> x_min;     ///< fixed start of the time axis
  std::optional<double> x_max;     ///< fixed end of the time axis
};

/// Writes `stack` as a `width`×`height` pixel PNG to `path`.
/// Throws std::invalid_argument naming the field for a malformed stack (series lengths differ,
/// a non-finite or empty axis range, a size outside 1..16384) and std::runtime_error naming
/// `path` when the file cannot be written.
void write_png(const TraceStack& stack, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Writes `stack` as a standalone SVG document of `width`×`height` pixels to `path`. Throws as
/// write_png.
void write_svg(const TraceStack& stack, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Renders `stack` as one `<svg>` element to inline in HTML, its ids prefixed by `id_prefix`
/// (letters, digits, '-' and '_'; see the LinePlot overload). Throws as write_png.
std::string render_svg_string(const TraceStack& stack, int width = 720, int height = 450,
                              const std::string& id_prefix = "");

}  // namespace neuromod::report
