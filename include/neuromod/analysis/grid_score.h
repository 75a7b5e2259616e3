#pragma once
/// \file
/// Spatial autocorrelogram and gridness scores of rate maps.
///
/// Autocorrelogram (Sargolini et al. 2006): for each lag (τy, τx), the Pearson correlation of the
/// map with its shifted copy over the bins where both are visited,
///
///     A(τy, τx) = corr_{(y, x)} ( m(y, x), m(y + τy, x + τx) )
///
/// of shape (2H − 1, 2W − 1) with zero lag at the centre; NaN where fewer than `min_overlap` bins
/// overlap or either side is constant.
///
/// Gridness (Banino et al. 2018, Methods): the autocorrelogram is rotated by α (bilinear
/// interpolation about its centre) and correlated (Pearson, over bins where both are defined) with
/// itself inside a ring r_in·n < r ≤ r_out·n (r the lag length in bins, n = (min(2H−1, 2W−1)+1)/2
/// the map's side), giving c(α). Then
///
///     score_60 = min(c(60°), c(120°)) − max(c(30°), c(90°), c(150°))
///     score_90 = c(90°) − max(c(45°), c(135°))
///
/// computed for each ring and maximised over rings, as Banino et al. do (their rings: inner 0.2,
/// outer 0.4 … 1.0 in 10 steps, the default here). `min_max(false)` uses means instead of min/max
/// (score_60 = mean(c60, c120) − mean(c30, c90, c150), score_90 = c90 − mean(c45, c135)), the
/// variant of Banino et al.'s released code. A hexagonal grid cell scores high on score_60, a
/// square grid on score_90, an unstructured map near 0. Units: dimensionless, in [−2, 2].
///
/// Differences from Banino et al.'s code, which uses cubic-spline rotation and treats undefined
/// autocorrelogram bins as 0: here rotation is bilinear and undefined bins are left out of the
/// correlation, which makes the score independent of how much of the box was visited.
///
/// Example:
///
///     using namespace neuromod::analysis;
///     RateMaps maps = rate_maps(position, activity, RateMapOptions(32).sigma(1.0));
///     GridScores scores = grid_scores(maps.rates);     // scores.score_60: (N)
///     GridScore one = grid_score(spatial_autocorrelogram(maps.rates[0]));
///
/// References: Sargolini et al. (2006, Science, "Conjunctive representation of position,
/// direction, and velocity in entorhinal cortex"); Langston et al. (2010, Science); Banino et al.
/// (2018, Nature, "Vector-based navigation using grid-like representations in artificial
/// agents"); Mei et al. (2023), the multiscale-neuromodulation work of DESIGN.md, for which issue 5
/// asks for these scores.

#include <cstdint>
#include <utility>
#include <vector>

#include <torch/arg.h>
#include <torch/types.h>

namespace neuromod::analysis {

/// A ring of the autocorrelogram: (inner, outer) radius as fractions of the map's side.
using Ring = std::pair<double, double>;

/// Banino et al.'s rings: inner radius 0.2, outer radii 0.4, 0.467, …, 1.0 (fractions of the
/// map's side n, so a lag of n bins is radius 1).
std::vector<Ring> banino_rings();

/// Where and how the gridness is computed.
/// Example: `GridScoreOptions().rings({{0.2, 0.6}}).min_max(false)`.
struct GridScoreOptions {
  /// (inner, outer) radii of the rings, in units of the map's side; the best ring is reported.
  TORCH_ARG(std::vector<Ring>, rings) = banino_rings();
  /// min/max form of the scores (Banino et al. 2018 Methods, default) or the mean form.
  TORCH_ARG(bool, min_max) = true;
  /// Minimum number of overlapping visited bins for an autocorrelogram lag to be defined.
  TORCH_ARG(int64_t, min_overlap) = 20;
};

/// Gridness of one autocorrelogram.
struct GridScore {
  double score_60 = 0.0;  ///< best 60° (hexagonal) score over the rings; NaN if none
  double score_90 = 0.0;  ///< best 90° (square) score over the rings; NaN if none
  Ring ring_60;           ///< the ring that gave score_60
  Ring ring_90;           ///< the ring that gave score_90
};

/// Gridness of N maps.
struct GridScores {
  torch::Tensor score_60;          ///< (N) double
  torch::Tensor score_90;          ///< (N) double
  torch::Tensor autocorrelograms;  ///< (N, 2H − 1, 2W − 1) double
};

/// Spatial autocorrelogram of `rate_map` (H, W) floating point, NaN marking unvisited bins.
/// \param min_overlap  lags with fewer overlapping visited bins (>= 2) are NaN; Sargolini et al.
///                     used 20.
/// \returns            (2H − 1, 2W − 1) double, A(τy, τx) at [H − 1 + τy][W − 1 + τx].
torch::Tensor spatial_autocorrelogram(const torch::Tensor& rate_map, int64_t min_overlap = 20);

/// `map` (H, W) rotated by `degrees` about its centre ((H − 1)/2, (W − 1)/2), bilinear; bins whose
/// source lies outside the map or next to a NaN are NaN. Rotating by 90° permutes a square map's
/// bins exactly. Returns (H, W) double.
torch::Tensor rotate_map(const torch::Tensor& map, double degrees);

/// Gridness of an autocorrelogram (S_h, S_w) with odd sides, as made by `spatial_autocorrelogram`
/// (`options.min_overlap` is not used here).
GridScore grid_score(const torch::Tensor& autocorrelogram, const GridScoreOptions& options = {});

/// Autocorrelograms and gridness of `rate_maps` (N, H, W) (e.g. `RateMaps::rates`).
GridScores grid_scores(const torch::Tensor& rate_maps, const GridScoreOptions& options = {});

}  // namespace neuromod::analysis
