#include "neuromod/models/feed_forward.h"

#include <torch/torch.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/functional/activation.h"

namespace neuromod {

FeedForwardImpl::FeedForwardImpl(std::vector<LayerOptions> layers, int64_t input_size,
                                 int64_t output_size)
    : layers_(std::move(layers)), input_size_(input_size) {
  TORCH_CHECK(!layers_.empty(), "FeedForward needs at least one layer");
  if (layers_.back().size == 0) layers_.back().size = output_size;
  reset();
}

void FeedForwardImpl::reset() {
  linears_ = register_module("layers", torch::nn::ModuleList());
  int64_t in = input_size_;
  for (const auto& layer : layers_) {
    linears_->push_back(
        torch::nn::Linear(torch::nn::LinearOptions(in, layer.size).bias(layer.bias)));
    in = layer.size;
  }
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& inputs) {
  torch::Tensor x = inputs;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    x = linears_[i]->as<torch::nn::Linear>()->forward(x);
    x = functional::activate(x, layers_[i].activation);
    if (layers_[i].dropout > 0) x = torch::dropout(x, layers_[i].dropout, is_training());
  }
  return x;
}

void FeedForwardImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::FeedForward(" << input_size_;
  for (const auto& layer : layers_) {
    stream << " -> " << layer.name << ":" << layer.size << ":"
           << config::enum_name(layer.activation);
  }
  stream << ")";
}

}  // namespace neuromod
