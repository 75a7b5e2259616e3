#pragma once
/// `learned` source: a small "nucleus" network, trained by backpropagation, that reads named
/// activity and/or the task context and releases
///
///     hidden = 0:  r = out( V x + c )                       Backpropamine's h2mod (Miconi 2019)
///     hidden > 0:  r = out( V relu(W x + a) + c )           NMN's modulatory net (Vecoven 2020)
///
/// with x = concat(signals named in `reads`), (B, Σ N). With `channels: 1` and `out: tanh` this
/// is Backpropamine's M(t) = tanh(v·h(t) + c); a sigmoid output and many channels gives ANML's
/// gate network (Beaulieu et al. 2020) when its release drives a `gate` effect.
///
/// | parameter  | default | meaning                                       |
/// |------------|---------|-----------------------------------------------|
/// | `reads`    | —       | layer names and/or `context`, concatenated    |
/// | `hidden`   | 0       | hidden ReLU units (0: direct linear readout)  |
/// | `out`      | tanh    | output activation (tanh, sigmoid, softplus …) |
/// | `channels` | 1       | outputs                                       |
///
/// Weights start as LibTorch's Linear default, U(−1/√fan_in, 1/√fan_in), as nn.Linear does in
/// the reference code. The inputs are not detached: gradients flow into the layers read.

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// A learned nucleus network reading activity and/or context. Differentiable.
class LearnedSourceImpl : public torch::nn::Cloneable<LearnedSourceImpl>, public Source {
 public:
  /// `read_sizes[i]` is the width of the signal `options.reads[i]`.
  /// Example: LearnedSource dopamine(SourceOptions{...reads = {"rnn"}...}, {200});
  LearnedSourceImpl(SourceOptions options, std::vector<int64_t> read_sizes);

  void reset() override;

  /// r = out(...), (B, channels); differentiable w.r.t. the weights and the signals read.
  torch::Tensor release(const SourceSignals& signals) override;
  /// The same as `release` on an already concatenated input x, (B, Σ N) → (B, channels).
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return true; }
  /// The range of `out` (e.g. [−1, 1] for tanh); each release is a new tensor.
  std::optional<std::pair<double, double>> release_bounds() const override;
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }
  /// First layer: (hidden, Σ N) when hidden > 0, else undefined.
  torch::nn::Linear hidden_layer() const { return hidden_; }
  /// Readout layer: (channels, hidden) or (channels, Σ N).
  torch::nn::Linear readout() const { return readout_; }

 private:
  SourceOptions options_;
  std::vector<int64_t> read_sizes_;
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Linear readout_{nullptr};
};

TORCH_MODULE(LearnedSource);

}  // namespace neuromod
