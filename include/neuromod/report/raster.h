#pragma once

/// \file
/// Spike (event) rasters: one row per unit, a short vertical tick at each of its event times, in
/// the look of the plot kit (plot.h) and with its three output functions.
///
/// Example, 80 excitatory and 20 inhibitory units:
///   Raster raster;
///   raster.title = "spikes";
///   raster.x_label = "time (s)";
///   raster.y_label = "unit";
///   raster.events = spike_times;                 // spike_times[unit]: that unit's times (s)
///   raster.groups = {{"excitatory"}, {"inhibitory"}};
///   raster.unit_groups.assign(100, 0);
///   std::fill(raster.unit_groups.begin() + 80, raster.unit_groups.end(), 1);
///   write_png(raster, "plots/spikes.png", 1440, 900);
///
/// Unit 0 is the bottom row. Ticks that would land on the same pixel (same pixel column and
/// pixel row) are drawn once, so the SVG of a long, dense recording stays bounded by the plot
/// area's pixel count rather than by the number of events.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "neuromod/report/plot.h"

namespace neuromod::report {

/// A group of a raster's units, e.g. a population.
struct RasterGroup {
  std::string name;          ///< shown in the legend; an empty name leaves it out
  std::optional<Rgb> color;  ///< default: series_color(index of the group)
};

/// A raster of event times per unit.
struct Raster {
  std::string title;    ///< above the plot; may be empty
  std::string x_label;  ///< with its unit, e.g. "time (s)"; may be empty
  std::string y_label;  ///< e.g. "unit"; may be empty
  /// events[unit]: the unit's event times in the x axis' unit, in any order; a unit may have
  /// none, and non-finite times are skipped.
  std::vector<std::vector<double>> events;
  std::vector<RasterGroup> groups;       ///< empty: every unit drawn in the text colour
  std::vector<std::size_t> unit_groups;  ///< with groups: for each unit an index into `groups`
  std::optional<double> x_min;           ///< fixed start of the time axis (e.g. 0)
  std::optional<double> x_max;           ///< fixed end of the time axis (e.g. the trial length)
};

/// Writes `raster` as a `width`×`height` pixel PNG to `path`.
/// Throws std::invalid_argument naming the field for a malformed raster (unit_groups not one
/// valid group index per unit, a non-finite or empty x range, a size outside 1..16384) and
/// std::runtime_error naming `path` when the file cannot be written.
void write_png(const Raster& raster, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Writes `raster` as a standalone SVG document of `width`×`height` pixels to `path`. Throws as
/// write_png.
void write_svg(const Raster& raster, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Renders `raster` as one `<svg>` element to inline in HTML, its ids prefixed by `id_prefix`
/// (letters, digits, '-' and '_'; see the LinePlot overload). Throws as write_png.
std::string render_svg_string(const Raster& raster, int width = 720, int height = 450,
                              const std::string& id_prefix = "");

}  // namespace neuromod::report
