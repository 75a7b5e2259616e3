#include "neuromod/modulation/sources/loss_change_source.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace neuromod {

double loss_change_step_size(double delta_loss, double max_step) {
  if (delta_loss == 0.0) return 1.0;
  const double target = std::abs(max_step / delta_loss);
  // Candidates from the largest down with a strict comparison: a tie keeps the larger step.
  double best = 1.0;
  double step = 1.0;
  for (int k = 0; k <= 6; ++k, step /= 10.0) {
    if (std::abs(step - target) < std::abs(best - target)) best = step;
  }
  return best;
}

double loss_change_release(double delta_loss, double max_step) {
  return -loss_change_step_size(delta_loss, max_step) * delta_loss;
}

LossChangeSourceImpl::LossChangeSourceImpl(SourceOptions options) : options_(std::move(options)) {
  reset();
}

void LossChangeSourceImpl::reset() {
  previous_loss_ = register_buffer(
      "previous_loss", torch::full({}, std::numeric_limits<double>::quiet_NaN(), torch::kDouble));
  last_block_ = register_buffer("last_block", torch::full({}, -1, torch::kLong));
}

torch::Tensor LossChangeSourceImpl::release(const SourceSignals& signals) {
  const auto zeros = [&] {
    return torch::zeros({signals.batch, options_.channels}, release_options(signals));
  };
  const int64_t block = clock_value(signals, options_.clock) / options_.every;
  if (block == last_block_.item<int64_t>()) return zeros();
  if (!signals.loss) {
    // Before the first optimiser step no loss exists yet: evaluate at a later call instead.
    if (signals.training_step == 0) return zeros();
    throw_missing_signal(SourceKind::loss_change, "loss");
  }
  torch::NoGradGuard no_grad;
  const double loss = *signals.loss;
  const double previous = previous_loss_.item<double>();
  // In place: the registered buffers and these members share their storage.
  last_block_.fill_(block);
  previous_loss_.fill_(loss);
  if (std::isnan(previous)) return zeros();
  const double r = options_.scale * loss_change_release(loss - previous, options_.max_step);
  return torch::full({signals.batch, options_.channels}, r, release_options(signals));
}

void LossChangeSourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::LossChangeSource(max_step=" << options_.max_step
         << ", clock=" << config::enum_name(options_.clock) << ", every=" << options_.every
         << ", scale=" << options_.scale << ")";
}

}  // namespace neuromod
