#pragma once
/// `constant` source: r(t) = value, one value per channel.
///
/// With the default value 0 the modulator sits at its tonic baseline. With `learn: true` the
/// value is a parameter trained by backpropagation — Backpropamine's non-modulated plastic twin,
/// whose plasticity rate η is one learned number instead of a network's output (Miconi et al.
/// 2019).
///
/// | parameter | default | meaning                                  |
/// |-----------|---------|------------------------------------------|
/// | `value`   | 0       | the release (initial value when learned) |
/// | `learn`   | false   | learn the value                          |
///
/// The value is a parameter (learn) or a buffer named `value`, (channels).

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// A constant release, optionally learned. Differentiable when learned.
class ConstantSourceImpl : public torch::nn::Cloneable<ConstantSourceImpl>, public Source {
 public:
  /// Example: ConstantSource eta(options);  // kind constant, value 0.1, learn true
  explicit ConstantSourceImpl(SourceOptions options);

  void reset() override;

  /// value broadcast to (B, channels); carries the parameter's gradient when learned.
  torch::Tensor release(const SourceSignals& signals) override;

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return options_.learn; }
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }
  /// The value, (channels): a parameter when learned, else a buffer.
  const torch::Tensor& value() const { return value_; }

 private:
  SourceOptions options_;
  torch::Tensor value_;
};

TORCH_MODULE(ConstantSource);

}  // namespace neuromod
