#pragma once
// Private: what each FusedUpdate (functional/fused_plastic.h) reads and writes, and its kernel
// counterparts, shared by the fused step and the episode operation.

#include <stdexcept>

#include <torch/types.h>

#include "functional/fused_plastic_kernels.h"
#include "neuromod/functional/fused_plastic.h"

namespace neuromod::functional::detail {

inline fused_kernels::Update kernel_update(FusedUpdate update) {
  using fused_kernels::Update;
  switch (update) {
    case FusedUpdate::frozen:
      return Update::frozen;
    case FusedUpdate::clipped_hebb:
      return Update::clipped_hebb;
    case FusedUpdate::decaying_hebb:
      return Update::decaying_hebb;
    case FusedUpdate::retroactive:
      return Update::retroactive;
    case FusedUpdate::eligibility_only:
      return Update::eligibility_only;
  }
  throw std::logic_error("unknown fused update");
}

/// The kernels' α shape of a (N, N), (N) or () α.
inline fused_kernels::AlphaShape alpha_shape(const torch::Tensor& alpha) {
  using fused_kernels::AlphaShape;
  return alpha.dim() == 2   ? AlphaShape::per_connection
         : alpha.dim() == 1 ? AlphaShape::per_neuron
                            : AlphaShape::scalar;
}

inline bool reads_modulation(FusedUpdate update) {
  return update == FusedUpdate::clipped_hebb || update == FusedUpdate::retroactive;
}
inline bool reads_rate(FusedUpdate update) {
  return update == FusedUpdate::decaying_hebb || update == FusedUpdate::retroactive ||
         update == FusedUpdate::eligibility_only;
}
inline bool reads_clip(FusedUpdate update) {
  return update == FusedUpdate::clipped_hebb || update == FusedUpdate::retroactive;
}
inline bool has_eligibility(FusedUpdate update) {
  return fused_kernels::has_eligibility(kernel_update(update));
}
inline bool writes_plastic(FusedUpdate update) {
  return fused_kernels::writes_plastic(kernel_update(update));
}

}  // namespace neuromod::functional::detail
