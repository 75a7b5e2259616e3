#include "neuromod/modulation/sources/reward_source.h"

#include <torch/torch.h>

namespace neuromod {

RewardSourceImpl::RewardSourceImpl(SourceOptions options) : options_(std::move(options)) {}

torch::Tensor RewardSourceImpl::release(const SourceSignals& signals) {
  if (!signals.reward.defined()) throw_missing_signal(SourceKind::reward, "reward");
  return per_sample_release(signals.reward, signals, options_.channels, SourceKind::reward,
                            "reward") *
         options_.scale;
}

void RewardSourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::RewardSource(scale=" << options_.scale << ", channels=" << options_.channels
         << ")";
}

}  // namespace neuromod
