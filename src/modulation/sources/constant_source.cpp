#include "neuromod/modulation/sources/constant_source.h"

#include <torch/torch.h>

namespace neuromod {

ConstantSourceImpl::ConstantSourceImpl(SourceOptions options) : options_(std::move(options)) {
  reset();
}

void ConstantSourceImpl::reset() {
  const auto initial = torch::full({options_.channels}, options_.value);
  value_ =
      options_.learn ? register_parameter("value", initial) : register_buffer("value", initial);
}

torch::Tensor ConstantSourceImpl::release(const SourceSignals& signals) {
  return value_.unsqueeze(0).expand({signals.batch, options_.channels});
}

void ConstantSourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::ConstantSource(value=" << options_.value
         << (options_.learn ? ", learned" : "") << ", channels=" << options_.channels << ")";
}

}  // namespace neuromod
