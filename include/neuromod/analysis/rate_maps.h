#pragma once
/// \file
/// Spatial rate maps: each unit's mean activity as a function of the agent's position.
///
///     occupancy(b) = #{t : p(t) ∈ bin b}                                   (time steps)
///     rate_i(b)    = Σ_{t : p(t) ∈ b} x_i(t) / occupancy(b)                (activity units)
///
/// With smoothing (σ > 0, in bins) the activity sums and the occupancy are each convolved with the
/// same normalised Gaussian (truncated at 3σ, zero outside the box) before dividing — the usual
/// occupancy-normalised ("adaptive-free") smoothing, which keeps a constant unit constant. Bins
/// never visited are NaN, smoothed or not.
///
/// Bins are `bins × bins` over the box {x_min, x_max, y_min, y_max}; a map is indexed
/// `[y bin][x bin]` (row = y, as an image with y growing downwards, `imshow(origin="upper")`),
/// bin edges are closed on the left, and x = x_max falls in the last bin.
///
/// Example:
///
///     using namespace neuromod::analysis;
///     RateMaps maps = rate_maps(position /* (T, 2) */, activity /* (T, N) */,
///                               RateMapOptions(32).box({0, 2.2, 0, 2.2}).sigma(1.0));
///     // maps.rates: (N, 32, 32), NaN where the agent never went
///
/// References: O'Keefe & Dostrovsky (1971, Brain Res.) for place fields; occupancy-normalised maps
/// as in Hafting, Fyhn, Molden, Moser & Moser (2005, Nature, "Microstructure of a spatial map in
/// the entorhinal cortex") and Banino et al. (2018, Nature, "Vector-based navigation using
/// grid-like representations in artificial agents").

#include <cstdint>
#include <vector>

#include <torch/arg.h>
#include <torch/types.h>

namespace neuromod::analysis {

/// Binning and smoothing of rate maps.
/// Example: `RateMapOptions(20).box({-1.1, 1.1, -1.1, 1.1}).sigma(0.5)`.
struct RateMapOptions {
  /// \param bins  bins per side (>= 1).
  explicit RateMapOptions(int64_t bins) : bins_(bins) {}
  /// Bins per side of the map.
  TORCH_ARG(int64_t, bins);
  /// The box {x_min, x_max, y_min, y_max} in position units; empty: the positions' bounding box.
  /// Positions outside it are skipped and counted in `RateMaps::outside`.
  TORCH_ARG(std::vector<double>, box) = {};
  /// Standard deviation of the Gaussian smoothing, in bins; 0 for none.
  TORCH_ARG(double, sigma) = 0.0;
};

/// Occupancy-normalised rate maps of N units.
struct RateMaps {
  torch::Tensor rates;      ///< (N, bins, bins) double, [unit][y][x]; NaN where unvisited
  torch::Tensor occupancy;  ///< (bins, bins) double, time steps per bin (not smoothed)
  std::vector<double> box;  ///< the box used, {x_min, x_max, y_min, y_max}
  int64_t outside = 0;      ///< time steps skipped: position outside the box or NaN
};

/// Rate maps of each unit of `activity` over `positions`.
/// \param positions  (T, 2) floating point, (x, y) per time step, in position units.
/// \param activity   (T, N) floating point.
/// Throws std::invalid_argument for bad shapes, bins < 1, sigma < 0, or an empty or malformed box.
RateMaps rate_maps(const torch::Tensor& positions, const torch::Tensor& activity,
                   const RateMapOptions& options);

}  // namespace neuromod::analysis
