#pragma once

/// \file
/// Figures made after a run from what its Recorder wrote to `recordings/` (record/recorder.h):
/// what the modulators, effects and plastic traces did during one episode, under a track of the
/// task's events; the same signals over training; and each recorded layer's activity as a
/// units × time heatmap. The run report (run_report.h) shows them; nothing here runs during
/// training.
///
/// Example:
///   std::vector<std::string> notes;
///   for (const auto& figure : recording_figures(run_dir / "recordings", notes)) {
///     write_png(figure, run_dir / "plots" / (figure.stem + ".png"));
///   }

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "neuromod/report/heatmap.h"
#include "neuromod/report/trace_stack.h"

namespace neuromod::report {

/// One figure of the recordings: its file stem under plots/, a caption saying what it shows,
/// and the figure itself.
struct RecordingFigure {
  std::string stem;     ///< e.g. "recorded-episode"; unique among the figures of one run
  std::string caption;  ///< one sentence, e.g. "Modulator levels during episode 0 of step 500"
  std::variant<TraceStack, Heatmap> figure;
};

/// The figures the recordings in `recordings_dir` allow, in this order:
/// - `recorded-episode`: a trace stack of every modulator level, effect and trace summary
///   (mean |x|) during the first recorded episode of the last recorded training step, with
///   `task/reward` as an event track (rewards > 0 and < 0 as two lanes); only when that step
///   has more than one time step. A signal with several columns is shown as their mean.
/// - `recorded-training`: the same signals averaged over each recorded training step, against
///   the training step; only with at least two recorded steps.
/// - `activity-<layer>`: each `layers/<layer>/output` recording of that episode as a
///   units × time heatmap; for a feed-forward task (one time step per training step) the
///   columns are the step's recorded samples instead.
/// A directory without index.json gives no figures; a file that cannot be read is skipped and
/// said in `notes`.
std::vector<RecordingFigure> recording_figures(const std::filesystem::path& recordings_dir,
                                               std::vector<std::string>& notes);

/// Writes `figure` as a `width`×`height` pixel PNG to `path` (throws as the plot kit does).
void write_png(const RecordingFigure& figure, const std::filesystem::path& path, int width,
               int height);

/// Writes `figure` as an SVG document of `width`×`height` pixels to `path`.
void write_svg(const RecordingFigure& figure, const std::filesystem::path& path, int width,
               int height);

/// Renders `figure` as an `<svg>` element to inline in HTML, its ids prefixed by `id_prefix`.
std::string render_svg_string(const RecordingFigure& figure, int width, int height,
                              const std::string& id_prefix);

}  // namespace neuromod::report
