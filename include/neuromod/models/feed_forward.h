#pragma once
/// A feed-forward network built from the `layers:` list of a config:
/// x_{l+1} = dropout_l( f_l( W_l x_l + b_l ) ), logits = x_L.

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "neuromod/layers/layer_options.h"

namespace neuromod {

/// Feed-forward network of linear layers with per-layer activation and dropout.
class FeedForwardImpl : public torch::nn::Cloneable<FeedForwardImpl> {
 public:
  /// `layers` as in the config; a last layer of size 0 gets `output_size` units.
  /// Example: FeedForward net({hidden, output}, 784, 10);
  FeedForwardImpl(std::vector<LayerOptions> layers, int64_t input_size, int64_t output_size);

  void reset() override;

  /// inputs: (B, input_size) → (B, output_size)
  torch::Tensor forward(const torch::Tensor& inputs);

  void pretty_print(std::ostream& stream) const override;

  const std::vector<LayerOptions>& layers() const { return layers_; }

 private:
  std::vector<LayerOptions> layers_;
  int64_t input_size_;
  torch::nn::ModuleList linears_;
};

TORCH_MODULE(FeedForward);

}  // namespace neuromod
