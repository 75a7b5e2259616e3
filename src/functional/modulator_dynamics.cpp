#include "neuromod/functional/modulator_dynamics.h"

#include <cmath>

#include <ATen/ExpandUtils.h>
#include <c10/util/Exception.h>

namespace neuromod::functional {
namespace {

// Only finite bounds are passed to clamp, so an unbounded level costs nothing and keeps its
// gradient everywhere.
torch::Tensor clamp_to_range(const torch::Tensor& x, const LevelDynamicsOptions& options) {
  const bool has_lo = std::isfinite(options.lo());
  const bool has_hi = std::isfinite(options.hi());
  if (!has_lo && !has_hi) return x;
  return torch::clamp(x, has_lo ? c10::optional<c10::Scalar>(options.lo()) : c10::nullopt,
                      has_hi ? c10::optional<c10::Scalar>(options.hi()) : c10::nullopt);
}

}  // namespace

void check_level_dynamics(const LevelDynamicsOptions& options) {
  TORCH_CHECK(std::isfinite(options.dt()) && options.dt() > 0.0,
              "level dynamics: dt must be finite and > 0, got ", options.dt());
  TORCH_CHECK(std::isfinite(options.tau()) && options.tau() >= options.dt(),
              "level dynamics: tau must be finite and >= dt (", options.dt(),
              "; tau = dt is the instantaneous signal), got ", options.tau());
  TORCH_CHECK(
      !std::isnan(options.lo()) && !std::isnan(options.hi()) && options.lo() <= options.hi(),
      "level dynamics: range must satisfy lo <= hi, got [", options.lo(), ", ", options.hi(), "]");
}

torch::Tensor update_level(const torch::Tensor& level, const torch::Tensor& baseline,
                           const torch::Tensor& release, const LevelDynamicsOptions& options) {
  check_level_dynamics(options);
  if (options.tau() == options.dt()) {
    // Exactly b + r: going through c + (b - c) would round, and Backpropamine's instantaneous
    // M(t) is b + r. Expanding keeps the shape contract of the general case; contiguous so that
    // no two elements of the returned level share memory.
    const auto shape =
        at::infer_size(at::infer_size(level.sizes(), baseline.sizes()), release.sizes());
    auto next = baseline + release;
    if (next.sizes() != c10::IntArrayRef(shape)) next = next.expand(shape).contiguous();
    return clamp_to_range(next, options);
  }
  const double rate = options.dt() / options.tau();
  return clamp_to_range(level + rate * (baseline - level) + release, options);
}

torch::Tensor steady_state_level(const torch::Tensor& baseline, const torch::Tensor& release,
                                 const LevelDynamicsOptions& options) {
  check_level_dynamics(options);
  return clamp_to_range(baseline + release * (options.tau() / options.dt()), options);
}

torch::Tensor line_layout(int64_t n, double spacing, const torch::TensorOptions& options) {
  TORCH_CHECK(n >= 0, "line_layout: n must be >= 0, got ", n);
  return (torch::arange(n, options) * spacing).unsqueeze(1);
}

torch::Tensor grid_layout(int64_t n, int64_t columns, double spacing,
                          const torch::TensorOptions& options) {
  TORCH_CHECK(n >= 0, "grid_layout: n must be >= 0, got ", n);
  TORCH_CHECK(columns > 0, "grid_layout: columns must be > 0, got ", columns);
  const auto index = torch::arange(n, torch::kLong);
  const auto x = index.remainder(columns).to(options);
  const auto y = index.div(columns, "floor").to(options);
  return torch::stack({x, y}, 1) * spacing;
}

torch::Tensor diffusion_weights(const torch::Tensor& positions, const torch::Tensor& site,
                                double lambda) {
  TORCH_CHECK(positions.dim() == 2 && (positions.size(1) == 1 || positions.size(1) == 2),
              "diffusion_weights: positions must be (N, 1) or (N, 2), got ", positions.sizes());
  TORCH_CHECK(site.numel() == positions.size(1), "diffusion_weights: site must have ",
              positions.size(1), " coordinates like positions, got shape ", site.sizes());
  TORCH_CHECK(std::isfinite(lambda) && lambda > 0.0,
              "diffusion_weights: lambda must be finite and > 0, got ", lambda);
  // Plain square-root of summed squares: at the site itself d = 0 and exp(0) = 1 exactly.
  const auto delta = positions - site.reshape({1, positions.size(1)});
  const auto distance = delta.pow(2).sum(1).sqrt();
  return torch::exp(-distance / lambda);
}

torch::Tensor diffuse(const torch::Tensor& level, const torch::Tensor& weights) {
  TORCH_CHECK(weights.dim() == 1, "diffuse: weights must be (N), got ", weights.sizes());
  return level.unsqueeze(-1) * weights;
}

}  // namespace neuromod::functional
