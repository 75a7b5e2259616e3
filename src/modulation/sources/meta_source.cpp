#include "neuromod/modulation/sources/meta_source.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace neuromod {

torch::Tensor meta_mapping(const torch::Tensor& b, MetaMapping mapping) {
  switch (mapping) {
    case MetaMapping::identity:
      return b;
    case MetaMapping::exp:
      return torch::exp(b);
    case MetaMapping::sigmoid:
      return torch::sigmoid(b);
    case MetaMapping::falling_sigmoid:
      return torch::sigmoid(-b);
  }
  throw std::logic_error("meta_mapping: unknown mapping");
}

double meta_mapping_inverse(double m, MetaMapping mapping) {
  const auto fail = [&](const char* expected) {
    std::ostringstream message;
    message << "value (the initial metaparameter) must be " << expected << " for mapping "
            << config::enum_name(mapping) << ", got " << m;
    throw std::invalid_argument(message.str());
  };
  switch (mapping) {
    case MetaMapping::identity:
      return m;
    case MetaMapping::exp:
      if (!(m > 0.0)) fail("> 0");
      return std::log(m);
    case MetaMapping::sigmoid:
      if (!(m > 0.0 && m < 1.0)) fail("in (0, 1)");
      return std::log(m / (1.0 - m));
    case MetaMapping::falling_sigmoid:
      if (!(m > 0.0 && m < 1.0)) fail("in (0, 1)");
      return std::log((1.0 - m) / m);
  }
  throw std::logic_error("meta_mapping_inverse: unknown mapping");
}

MetaSourceImpl::MetaSourceImpl(SourceOptions options) : options_(std::move(options)) {
  reset();
}

void MetaSourceImpl::reset() {
  const double b_initial = meta_mapping_inverse(options_.value, options_.mapping);
  b0_ = register_buffer("b0", torch::full({options_.channels}, b_initial, torch::kDouble));
  sigma_ = register_buffer("sigma", torch::zeros({options_.channels}, torch::kDouble));
  reward_mid_ = register_buffer("reward_mid", torch::zeros({}, torch::kDouble));
  reward_long_ = register_buffer("reward_long", torch::zeros({}, torch::kDouble));
  steps_ = register_buffer("steps", torch::zeros({}, torch::kLong));
  const auto generator = at::detail::createCPUGenerator(static_cast<uint64_t>(options_.seed));
  generator_state_ = register_buffer("generator_state", generator.get_state());
}

torch::Tensor MetaSourceImpl::release(const SourceSignals& signals) {
  if (!signals.reward.defined()) throw_missing_signal(SourceKind::meta, "reward");
  torch::NoGradGuard no_grad;
  const double r = signals.reward.detach().to(torch::kDouble).mean().item<double>();
  const int64_t step = steps_.item<int64_t>();

  // All updates are in place: the registered buffers and these members share their storage.
  // Scalars are read out as doubles so that a module converted to float (Module::to converts
  // every buffer) still follows the same arithmetic.
  double mid = reward_mid_.item<double>();
  double slow = reward_long_.item<double>();
  if (step == 0) {
    mid = r;
    slow = r;
  } else {
    mid += (r - mid) / options_.tau_mid;
    slow += (mid - slow) / options_.tau_long;
  }
  reward_mid_.fill_(mid);
  reward_long_.fill_(slow);
  // The reward just read followed the previous release, made with the current σ.
  b0_.add_(sigma_ * (options_.mu * (mid - slow)));

  if (step % options_.resample_every == 0) {
    auto generator = at::detail::createCPUGenerator();
    generator.set_state(generator_state_.to(torch::kCPU, torch::kUInt8));
    const auto draw = torch::randn({options_.channels}, generator, torch::kDouble) * options_.noise;
    sigma_.copy_(draw);
    generator_state_.copy_(generator.get_state());
  }
  steps_.fill_(step + 1);

  const auto m = meta_mapping(b0_ + sigma_, options_.mapping).to(release_options(signals));
  return m.unsqueeze(0).expand({signals.batch, options_.channels}).contiguous();
}

void MetaSourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::MetaSource(mapping=" << config::enum_name(options_.mapping)
         << ", noise=" << options_.noise << ", resample_every=" << options_.resample_every
         << ", tau_mid=" << options_.tau_mid << ", tau_long=" << options_.tau_long
         << ", mu=" << options_.mu << ", channels=" << options_.channels << ")";
}

}  // namespace neuromod
