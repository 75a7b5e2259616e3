#pragma once
/// `rpe` source: the critic's temporal-difference error as a dopamine-like release,
///
///     r(t) = scale · δ(t),   δ(t) = r(t) + γ V(s(t+1)) − V(s(t))      (Doya 2002)
///
/// read from SourceSignals::td_error and detached: the release carries no gradient back into the
/// critic. The same δ broadcasts over all channels.
///
/// | parameter  | default | meaning            |
/// |------------|---------|--------------------|
/// | `scale`    | 1       | factor on δ        |
/// | `channels` | 1       | release width      |

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// The TD error, detached and scaled.
class RpeSourceImpl : public torch::nn::Cloneable<RpeSourceImpl>, public Source {
 public:
  /// Example: RpeSource dopamine(options);  // options.kind == SourceKind::rpe
  explicit RpeSourceImpl(SourceOptions options);

  void reset() override {}

  /// scale · td_error, (B, channels), no gradient. td_error: (B) or (B, 1).
  torch::Tensor release(const SourceSignals& signals) override;

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return false; }
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }

 private:
  SourceOptions options_;
};

TORCH_MODULE(RpeSource);

}  // namespace neuromod
