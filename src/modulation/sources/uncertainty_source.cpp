#include "neuromod/modulation/sources/uncertainty_source.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace neuromod {

torch::Tensor normalized_entropy(const torch::Tensor& probabilities) {
  const int64_t k = probabilities.size(-1);
  const auto entropy = -torch::xlogy(probabilities, probabilities).sum(-1);
  if (k == 1) return torch::zeros_like(entropy);
  return entropy / std::log(static_cast<double>(k));
}

torch::Tensor belief_shift(const torch::Tensor& p, const torch::Tensor& q) {
  return 0.5 * (p - q).abs().sum(-1);
}

UncertaintySourceImpl::UncertaintySourceImpl(SourceOptions options) : options_(std::move(options)) {
  reset();
}

void UncertaintySourceImpl::reset() {
  previous_prediction_ = register_buffer("previous_prediction", torch::empty({0}));
}

torch::Tensor UncertaintySourceImpl::release(const SourceSignals& signals) {
  if (!signals.prediction.defined()) throw_missing_signal(SourceKind::uncertainty, "prediction");
  const torch::Tensor p = signals.prediction.detach();
  if (p.dim() != 2 || p.size(0) != signals.batch || p.size(1) < 1) {
    std::ostringstream message;
    message << "source uncertainty: prediction must be (B, K) with B = " << signals.batch
            << ", got " << p.sizes();
    throw std::runtime_error(message.str());
  }
  torch::Tensor u;
  if (options_.uncertainty == UncertaintyKind::expected) {
    u = normalized_entropy(p);
  } else {
    torch::NoGradGuard no_grad;
    const bool comparable = signals.time_step > 0 && previous_prediction_.sizes() == p.sizes();
    u = comparable ? belief_shift(p, previous_prediction_.to(p.options()))
                   : torch::zeros({p.size(0)}, p.options());
    // set_data keeps the registered buffer and this member one tensor while the shape changes.
    previous_prediction_.set_data(p.to(previous_prediction_.device()).clone());
  }
  return per_sample_release(u, signals, options_.channels, SourceKind::uncertainty, "prediction") *
         options_.scale;
}

void UncertaintySourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::UncertaintySource(" << config::enum_name(options_.uncertainty)
         << ", scale=" << options_.scale << ")";
}

}  // namespace neuromod
