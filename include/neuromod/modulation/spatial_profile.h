#pragma once
/// \file
/// Spatial profiles: how a projection's level spreads over a layer's units (DESIGN.md §1
/// "Projections").
///
///     uniform:    w_i = 1
///     diffusion:  w_i = exp(-‖x_i − site‖₂ / lambda),     c_i = c * w_i
///
/// Unit positions x_i come from the layer's layout, normalised so that the layout's longer side
/// spans [0, 1] with equal spacing along both axes. Distances are therefore isotropic and a
/// `site` of [0.5] or [0.5, 0.5] is the layer's centre line or point:
///
/// | layout       | unit i at                                     | spacing s                 |
/// |--------------|-----------------------------------------------|---------------------------|
/// | {N} (or {})  | x = i * s                                     | 1 / (N − 1)               |
/// | {rows, cols} | (x, y) = ((i mod cols) * s, (i div cols) * s) | 1 / (max(rows, cols) − 1) |
///
/// A layout with a single position along its longer side uses s = 1.
///
/// | field     | default | unit          | meaning                                       |
/// |-----------|---------|---------------|-----------------------------------------------|
/// | `profile` | uniform | —             | uniform or diffusion                          |
/// | `site`    | []      | layout units  | release site, 1 or 2 coordinates (diffusion)  |
/// | `lambda`  | 0.2     | layout units  | length constant of diffusion, > 0             |
///
/// Reference: Velez & Clune 2017 (PLoS ONE, "Diffusion-based neuromodulation can eliminate
/// catastrophic forgetting in simple neural networks"), whose modulator spreads from point
/// sources in a 2-D layout of the network.

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"

namespace neuromod {

/// How a level spreads over a layer's units.
enum class SpatialProfile {
  uniform,    ///< every unit sees the level
  diffusion,  ///< the level falls off as exp(−d / lambda) with distance d from a release site
};

/// Names of the profiles (`uniform`, `diffusion`).
inline const config::EnumNames<SpatialProfile>& enum_names(SpatialProfile) {
  static const config::EnumNames<SpatialProfile> names{
      {SpatialProfile::uniform, "uniform", "every unit sees the full level"},
      {SpatialProfile::diffusion, "diffusion",
       "level * exp(-distance / lambda) from a release site (Velez & Clune 2017)"}};
  return names;
}

/// Options of a projection's spatial profile (its `profile:` mapping).
/// Example: `profile: {profile: diffusion, site: [0.5, 0.5], lambda: 0.2}`
struct SpatialProfileOptions {
  SpatialProfile profile = SpatialProfile::uniform;
  std::vector<double> site;  ///< release site in layout units, 1 (line) or 2 (sheet) coordinates
  double lambda = 0.2;       ///< length constant in layout units (> 0)

  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("profile", profile, "how the level spreads over the layer's units");
    v("site", site, "release site, 1 or 2 coordinates in layout units (diffusion)");
    v("lambda", lambda, "length constant of diffusion, layout units", positive());
  }
};

/// Positions of a layer's units from its layout, normalised as in the table above.
/// \param layout      {} or {N}: a line; {rows, cols}: a sheet filled row by row.
/// \param layer_size  N; must equal the layout's product.
/// \returns           (N, 1) for a line, (N, 2) (x = column, y = row) for a sheet.
/// Throws std::invalid_argument for more than 2 dimensions, non-positive sizes, or a product
/// other than N.
torch::Tensor layout_positions(const std::vector<int64_t>& layout, int64_t layer_size,
                               const torch::TensorOptions& options = torch::kFloat);

/// Weight of each unit under the profile: all ones (uniform) or exp(−d_i / lambda) (diffusion).
/// \param positions  (N, D) from `layout_positions`, D = 1 or 2.
/// \returns          (N), dtype and device of `positions`, in (0, 1].
/// Throws std::invalid_argument when a diffusion site is missing, has a number of coordinates
/// other than D, is not finite, or when lambda is not > 0.
torch::Tensor spatial_weights(const SpatialProfileOptions& profile, const torch::Tensor& positions);

/// Throws std::invalid_argument unless the profile can be used on a layout of `dimensions`
/// (1 or 2) dimensions; what `spatial_weights` checks, without positions.
void check_spatial_profile(const SpatialProfileOptions& profile, int64_t dimensions);

}  // namespace neuromod
