#include "neuromod/modulation/spatial_profile.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "neuromod/functional/modulator_dynamics.h"

namespace neuromod {

namespace {

std::string describe_layout(const std::vector<int64_t>& layout) {
  std::ostringstream text;
  text << "[";
  for (std::size_t i = 0; i < layout.size(); ++i) text << (i ? ", " : "") << layout[i];
  text << "]";
  return text.str();
}

}  // namespace

torch::Tensor layout_positions(const std::vector<int64_t>& layout, int64_t layer_size,
                               const torch::TensorOptions& options) {
  if (layout.size() > 2) {
    throw std::invalid_argument("layout " + describe_layout(layout) +
                                ": expected [N] (a line) or [rows, cols] (a sheet)");
  }
  if (std::any_of(layout.begin(), layout.end(), [](int64_t extent) { return extent <= 0; }) ||
      layer_size <= 0) {
    throw std::invalid_argument("layout " + describe_layout(layout) + " of a layer of " +
                                std::to_string(layer_size) + " units: every size must be > 0");
  }
  int64_t product = 1;
  for (const int64_t extent : layout) product *= extent;
  if (!layout.empty() && product != layer_size) {
    throw std::invalid_argument("layout " + describe_layout(layout) + " has " +
                                std::to_string(product) + " positions but the layer has " +
                                std::to_string(layer_size) + " units");
  }
  // One spacing for both axes keeps distances isotropic; the longer side spans [0, 1].
  if (layout.size() < 2) {
    const double spacing = layer_size > 1 ? 1.0 / static_cast<double>(layer_size - 1) : 1.0;
    return functional::line_layout(layer_size, spacing, options);
  }
  const int64_t longest = std::max(layout[0], layout[1]);
  const double spacing = longest > 1 ? 1.0 / static_cast<double>(longest - 1) : 1.0;
  return functional::grid_layout(layer_size, layout[1], spacing, options);
}

void check_spatial_profile(const SpatialProfileOptions& profile, int64_t dimensions) {
  if (!(std::isfinite(profile.lambda) && profile.lambda > 0.0)) {
    std::ostringstream message;
    message << "spatial profile: lambda must be a finite number > 0, got " << profile.lambda;
    throw std::invalid_argument(message.str());
  }
  if (profile.profile == SpatialProfile::uniform) return;
  if (dimensions != 1 && dimensions != 2) {
    throw std::invalid_argument("spatial profile: the layout must have 1 or 2 dimensions, got " +
                                std::to_string(dimensions));
  }
  if (profile.site.empty()) {
    throw std::invalid_argument(
        "spatial profile: diffusion needs a release site with " + std::to_string(dimensions) +
        " coordinate(s), e.g. site: " + (dimensions == 1 ? "[0.5]" : "[0.5, 0.5]"));
  }
  if (static_cast<int64_t>(profile.site.size()) != dimensions) {
    throw std::invalid_argument("spatial profile: site has " + std::to_string(profile.site.size()) +
                                " coordinate(s) but the layer's layout has " +
                                std::to_string(dimensions) + " dimension(s)");
  }
  for (const double coordinate : profile.site) {
    if (!std::isfinite(coordinate)) {
      std::ostringstream message;
      message << "spatial profile: site coordinates must be finite, got " << coordinate;
      throw std::invalid_argument(message.str());
    }
  }
}

torch::Tensor spatial_weights(const SpatialProfileOptions& profile,
                              const torch::Tensor& positions) {
  if (positions.dim() != 2) {
    std::ostringstream message;
    message << "spatial profile: positions must be (N, D), got " << positions.sizes();
    throw std::invalid_argument(message.str());
  }
  check_spatial_profile(profile, positions.size(1));
  if (profile.profile == SpatialProfile::uniform) {
    return torch::ones({positions.size(0)}, positions.options());
  }
  const auto site = torch::tensor(profile.site, torch::kDouble).to(positions.options());
  return functional::diffusion_weights(positions, site, profile.lambda);
}

}  // namespace neuromod
