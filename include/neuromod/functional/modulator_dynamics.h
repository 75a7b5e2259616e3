#pragma once
/// \file
/// Dynamics of a modulator's level and its spatial spread.
///
///     c(t+1) = clamp( c(t) + (dt / tau) * (b - c(t)) + r(t),  lo, hi )      level update
///     c*     = clamp( b + r * tau / dt,  lo, hi )                             fixed point,
///     constant r c_i    = c * exp(-d_i / lambda),   d_i = ‖x_i − x_site‖₂                diffusion
///     profile
///
/// | parameter | default | unit        | meaning                                                 |
/// |-----------|---------|-------------|---------------------------------------------------------|
/// | `tau`     | 1       | steps (dt)  | time constant tau_m; `tau == dt` is instantaneous       |
/// | `dt`      | 1       | steps       | integration step                                        |
/// | `lo`      | −inf    | level units | lower bound of the level (0 for a concentration)        |
/// | `hi`      | +inf    | level units | upper bound of the level (1 for a signed signal in ±1)  |
/// | `lambda`  | —       | layout units| length constant of diffusion                            |
///
/// With `tau == dt` the update is the instantaneous signal c(t+1) = clamp(b + r(t)),
/// Backpropamine's M(t) (Miconi et al. 2019, ICLR, "Backpropamine"); larger `tau` gives a slow
/// tonic level. The exponential diffusion profile follows the spatially localised modulation of
/// Velez & Clune (2017, PLoS ONE, "Diffusion-based neuromodulation can eliminate catastrophic
/// forgetting"). DESIGN.md §1 "Modulators" and "Projections".

#include <cstdint>
#include <limits>

#include <torch/arg.h>
#include <torch/types.h>

namespace neuromod::functional {

/// Time constant, step and range of a modulator level.
/// Example: `LevelDynamicsOptions(10.0).lo(0.0)` — a slow concentration in [0, inf).
struct LevelDynamicsOptions {
  /// \param tau  time constant tau_m in the unit of `dt` (> 0 and >= dt).
  explicit LevelDynamicsOptions(double tau) : tau_(tau) {}
  /// Time constant tau_m (same unit as `dt`); `tau == dt` gives an instantaneous signal.
  TORCH_ARG(double, tau);
  /// Integration step (> 0); 1 means "one network step".
  TORCH_ARG(double, dt) = 1.0;
  /// Lower bound of the level; −inf for none.
  TORCH_ARG(double, lo) = -std::numeric_limits<double>::infinity();
  /// Upper bound of the level; +inf for none.
  TORCH_ARG(double, hi) = std::numeric_limits<double>::infinity();
};

/// Throws c10::Error naming the field unless 0 < dt <= tau and lo <= hi (all finite except the
/// bounds). Called by the functions below; exposed so that configs can validate once.
void check_level_dynamics(const LevelDynamicsOptions& options);

/// One step of the level: `clamp(c + (dt/tau) * (b - c) + r, lo, hi)`.
///
/// Shapes are free and broadcast: a global level is (B), one per layer (B, L), one per unit
/// (B, N). With `tau == dt` the result is exactly `clamp(b + r)` (no rounding through `c`), still
/// of shape broadcast(c, b, r). The clamp is hard: the gradient is 0 where the bound is active.
/// \param level     c(t), shape (...).
/// \param baseline  tonic baseline b, broadcastable (a learned or brain-state tensor).
/// \param release   phasic release r(t), broadcastable.
/// \returns         c(t+1), shape broadcast(level, baseline, release).
torch::Tensor update_level(const torch::Tensor& level, const torch::Tensor& baseline,
                           const torch::Tensor& release, const LevelDynamicsOptions& options);

/// Fixed point of `update_level` for a constant release: `clamp(b + r * tau / dt, lo, hi)`.
///
/// The unclamped fixed point is b + r·tau/dt; clamping it gives the fixed point of the clamped
/// map, which the iteration reaches (geometrically, rate 1 − dt/tau) since 0 < dt/tau <= 1.
/// \returns  shape broadcast(baseline, release).
torch::Tensor steady_state_level(const torch::Tensor& baseline, const torch::Tensor& release,
                                 const LevelDynamicsOptions& options);

/// Positions of `n` units on a line: unit i at x = i * spacing. Shape (n, 1).
torch::Tensor line_layout(int64_t n, double spacing = 1.0,
                          const torch::TensorOptions& options = torch::kFloat);

/// Positions of `n` units on a grid filled row by row, `columns` wide: unit i at
/// (x, y) = ((i mod columns) * spacing, (i div columns) * spacing). Shape (n, 2).
torch::Tensor grid_layout(int64_t n, int64_t columns, double spacing = 1.0,
                          const torch::TensorOptions& options = torch::kFloat);

/// Diffusion weights `w_i = exp(-‖x_i − site‖₂ / lambda)`, in (0, 1], 1 at the release site.
/// \param positions  unit positions, (N, D) with D = 1 (line) or 2 (sheet).
/// \param site       release site, (D) or (1, D), same dtype as `positions`.
/// \param lambda     length constant (> 0), in layout units.
/// \returns          weights, shape (N). Positions are meant as fixed buffers: the distance has
///                   no gradient w.r.t. them at the site itself (sqrt at 0).
torch::Tensor diffusion_weights(const torch::Tensor& positions, const torch::Tensor& site,
                                double lambda);

/// Spreads a level over units: `c_i = c * w_i`.
/// \param level    c, shape (...), e.g. (B) for one global level per sample.
/// \param weights  w, shape (N), from `diffusion_weights`.
/// \returns        shape (..., N).
torch::Tensor diffuse(const torch::Tensor& level, const torch::Tensor& weights);

}  // namespace neuromod::functional
