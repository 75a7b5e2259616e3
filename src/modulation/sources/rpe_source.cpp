#include "neuromod/modulation/sources/rpe_source.h"

#include <torch/torch.h>

namespace neuromod {

RpeSourceImpl::RpeSourceImpl(SourceOptions options) : options_(std::move(options)) {}

torch::Tensor RpeSourceImpl::release(const SourceSignals& signals) {
  if (!signals.td_error.defined()) throw_missing_signal(SourceKind::rpe, "td_error");
  return per_sample_release(signals.td_error, signals, options_.channels, SourceKind::rpe,
                            "td_error") *
         options_.scale;
}

void RpeSourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::RpeSource(scale=" << options_.scale << ", channels=" << options_.channels
         << ")";
}

}  // namespace neuromod
