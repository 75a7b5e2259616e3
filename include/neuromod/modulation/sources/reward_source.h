#pragma once
/// `reward` source: the raw reward as a release,
///
///     r(t) = scale · reward(t)
///
/// read from SourceSignals::reward and detached. The same value broadcasts over all channels.
///
/// | parameter  | default | meaning         |
/// |------------|---------|-----------------|
/// | `scale`    | 1       | factor on reward|
/// | `channels` | 1       | release width   |

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// The reward, detached and scaled.
class RewardSourceImpl : public torch::nn::Cloneable<RewardSourceImpl>, public Source {
 public:
  /// Example: RewardSource serotonin(options);  // options.kind == SourceKind::reward
  explicit RewardSourceImpl(SourceOptions options);

  void reset() override {}

  /// scale · reward, (B, channels), no gradient. reward: (B) or (B, 1).
  torch::Tensor release(const SourceSignals& signals) override;

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return false; }
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }

 private:
  SourceOptions options_;
};

TORCH_MODULE(RewardSource);

}  // namespace neuromod
