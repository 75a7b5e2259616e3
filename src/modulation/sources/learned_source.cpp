#include "neuromod/modulation/sources/learned_source.h"

#include <torch/torch.h>

#include <numeric>
#include <sstream>

#include "neuromod/functional/activation.h"

namespace neuromod {

LearnedSourceImpl::LearnedSourceImpl(SourceOptions options, std::vector<int64_t> read_sizes)
    : options_(std::move(options)), read_sizes_(std::move(read_sizes)) {
  TORCH_CHECK(options_.reads.size() == read_sizes_.size(),
              "LearnedSource: one size per name in reads expected, got ", read_sizes_.size(),
              " sizes for ", options_.reads.size(), " names");
  reset();
}

void LearnedSourceImpl::reset() {
  const int64_t input_size = std::accumulate(read_sizes_.begin(), read_sizes_.end(), int64_t{0});
  if (options_.hidden > 0) {
    hidden_ = register_module("hidden", torch::nn::Linear(input_size, options_.hidden));
    readout_ = register_module("readout", torch::nn::Linear(options_.hidden, options_.channels));
  } else {
    hidden_ = nullptr;
    readout_ = register_module("readout", torch::nn::Linear(input_size, options_.channels));
  }
}

torch::Tensor LearnedSourceImpl::forward(const torch::Tensor& x) {
  torch::Tensor z = x;
  if (hidden_) z = torch::relu(hidden_->forward(z));
  return functional::activate(readout_->forward(z), options_.out);
}

torch::Tensor LearnedSourceImpl::release(const SourceSignals& signals) {
  std::vector<torch::Tensor> inputs;
  inputs.reserve(options_.reads.size());
  for (std::size_t i = 0; i < options_.reads.size(); ++i) {
    const std::string& name = options_.reads[i];
    torch::Tensor input;
    if (name == "context" && signals.activity.count(name) == 0) {
      if (!signals.context.defined()) throw_missing_signal(SourceKind::learned, "context");
      input = signals.context;
    } else {
      const auto found = signals.activity.find(name);
      if (found == signals.activity.end() || !found->second.defined()) {
        throw_missing_signal(SourceKind::learned, "the activity of layer \"" + name + "\"");
      }
      input = found->second;
    }
    if (input.dim() != 2 || input.size(0) != signals.batch || input.size(1) != read_sizes_[i]) {
      std::ostringstream message;
      message << "source learned: \"" << name << "\" must be (B, N) with B = " << signals.batch
              << " and N = " << read_sizes_[i] << ", got " << input.sizes();
      throw std::runtime_error(message.str());
    }
    inputs.push_back(input);
  }
  return forward(inputs.size() == 1 ? inputs.front() : torch::cat(inputs, /*dim=*/1));
}

std::optional<std::pair<double, double>> LearnedSourceImpl::release_bounds() const {
  return functional::activation_range(options_.out);
}

void LearnedSourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::LearnedSource(reads=[";
  for (std::size_t i = 0; i < options_.reads.size(); ++i) {
    stream << (i ? ", " : "") << options_.reads[i] << ":" << read_sizes_[i];
  }
  stream << "], hidden=" << options_.hidden << ", channels=" << options_.channels
         << ", out=" << config::enum_name(options_.out) << ")";
}

}  // namespace neuromod
