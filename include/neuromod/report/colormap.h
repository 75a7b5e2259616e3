#pragma once

/// \file
/// Colormaps for heatmaps: a value scaled to [0, 1] becomes a colour.
///
/// | colormap   | kind                    | 0                | 0.5            | 1                |
/// |------------|-------------------------|------------------|----------------|------------------|
/// | `viridis`  | sequential (default)    | dark violet      | teal           | yellow           |
/// | `coolwarm` | diverging, for signed   | blue (#3B4CC0)   | light grey     | red (#B40426)    |
///
/// viridis (van der Walt & Smith, matplotlib, 2015; CC0) is perceptually uniform and its
/// lightness rises monotonically, so it reads in greyscale and under colour blindness. coolwarm
/// is Moreland's smooth diverging map ("Diverging Color Maps for Scientific Visualization",
/// ISVC 2009): blue and red of equal lightness meeting in a neutral grey at 0.5, interpolated in
/// his Msh colour space; its lightness rises from either end to the middle. A heatmap puts 0.5
/// of coolwarm at the middle of its value range, which by default is symmetric about 0, so that
/// 0 is grey, negative values blue and positive ones red.
///
/// Example:
///   const Rgb top = colormap_color(Colormap::viridis, 1.0);  // #FDE725, yellow
///   const Rgb grey = colormap_color(Colormap::coolwarm, 0.5);  // ~#DDDDDD

#include <string>

#include "neuromod/report/plot.h"

namespace neuromod::report {

/// A colormap of the plot kit.
enum class Colormap {
  viridis,   ///< sequential, perceptually uniform; the default
  coolwarm,  ///< diverging: blue below the middle, grey at it, red above
};

/// The colormap's name as written in configs and docs: "viridis", "coolwarm".
std::string to_string(Colormap map);

/// The colour of `t` in `map`: t = 0 is the low end, t = 1 the high end; t outside [0, 1] is
/// clamped, and NaN gives no_data_color(). Between the 256 entries of a table the colour is
/// interpolated linearly, so the ends are exact.
/// Example: colormap_color(Colormap::viridis, 0.0) is #440154 (0.267004, 0.004874, 0.329415).
Rgb colormap_color(Colormap map, double t);

/// The neutral grey (#909090) that marks cells without data (NaN); it is no colour of viridis and
/// darker than coolwarm's middle grey.
Rgb no_data_color();

}  // namespace neuromod::report
