#pragma once
// Private: what the episode operation (neuromod/functional/plastic_episode.h) reads, as
// pointers, and the step it plays each sample through, shared by its forward, its backward and
// PlasticEpisodePlayer.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "functional/fused_plastic_kernels.h"
#include "functional/fused_update.h"
#include "neuromod/functional/activation.h"
#include "neuromod/functional/plastic_episode.h"

namespace neuromod::functional::detail {

namespace fk = fused_kernels;
using torch::Tensor;

// The activations whose derivative backward can take from the output alone.
inline bool derivative_from_output(Activation activation) {
  return activation == Activation::identity || activation == Activation::relu ||
         activation == Activation::tanh || activation == Activation::sigmoid;
}

template <class T>
T activate_value(T z, Activation activation) {
  switch (activation) {
    case Activation::relu:
      return z > T(0) ? z : T(0);
    case Activation::tanh:
      return std::tanh(z);
    case Activation::sigmoid:
      return T(1) / (T(1) + std::exp(-z));
    default:
      return z;
  }
}

// f'(z) from h = f(z), as functional::activation_backward forms it.
template <class T>
T slope_at_output(T h, Activation activation) {
  switch (activation) {
    case Activation::relu:
      return h > T(0) ? T(1) : T(0);
    case Activation::tanh:
      return T(1) - h * h;
    case Activation::sigmoid:
      return h * (T(1) - h);
    default:
      return T(1);
  }
}

// A () or (N) operand, read as N values.
template <class T>
struct UnitValues {
  const T* data = nullptr;
  bool shared = true;
  explicit UnitValues(const Tensor& tensor) {
    if (!tensor.defined()) return;
    data = tensor.data_ptr<T>();
    shared = tensor.dim() == 0;
  }
  T operator[](int64_t j) const { return data == nullptr ? T(0) : data[shared ? 0 : j]; }
};

struct EpisodeConfig {
  FusedUpdate update;
  Activation activation;
  Activation nucleus;
  double clip;
  int64_t stride;
};

// What forward and backward read, as pointers.
template <class T>
struct EpisodeView {
  EpisodeConfig config;
  int64_t steps = 0, batch = 0, n = 0;
  bool writes_p = false, has_e = false, nucleus = false;
  const T* w = nullptr;
  const T* alpha = nullptr;
  UnitValues<T> rate{Tensor()}, base{Tensor()}, slope{Tensor()};
  const T* nucleus_weight = nullptr;
  T nucleus_bias = 0;
  fk::ForwardSample<T> forward_common;
  fk::BackwardSample<T> backward_common;

  EpisodeView(const EpisodeConfig& c, int64_t steps_in, int64_t batch_in, const Tensor& w_in,
              const Tensor& alpha_in, const Tensor& rate_in, const Tensor& base_in,
              const Tensor& slope_in, const Tensor& nucleus_weight_in,
              const Tensor& nucleus_bias_in)
      : config(c), steps(steps_in), batch(batch_in), rate(rate_in), base(base_in), slope(slope_in) {
    n = w_in.size(0);
    const auto update = kernel_update(c.update);
    writes_p = fk::writes_plastic(update);
    has_e = fk::has_eligibility(update);
    nucleus = nucleus_weight_in.defined();
    w = w_in.data_ptr<T>();
    alpha = alpha_in.data_ptr<T>();
    if (nucleus) {
      nucleus_weight = nucleus_weight_in.data_ptr<T>();
      nucleus_bias = nucleus_bias_in.item<T>();
    }
    forward_common.n = n;
    forward_common.update = update;
    forward_common.alpha_shape = alpha_shape(alpha_in);
    forward_common.clip = static_cast<T>(c.clip);
    forward_common.alpha = alpha;
    backward_common.n = n;
    backward_common.update = update;
    backward_common.alpha_shape = forward_common.alpha_shape;
    backward_common.clip = forward_common.clip;
    backward_common.alpha = alpha;
    backward_common.in_place = true;
  }

  // M_t from h_{t−1} (null at t = 0: the level's baseline 0).
  T level(const T* h_last) const {
    if (!nucleus || h_last == nullptr) return T(0);
    T sum = nucleus_bias;
    for (int64_t i = 0; i < n; ++i) sum += nucleus_weight[i] * h_last[i];
    return activate_value(sum, config.nucleus);
  }

  // One sample's trace update of one step (fk::ForwardSample), with the plastic input into
  // `recurrent` unless it is null; in place when the outputs are the inputs.
  void update_traces(const T* plastic, const T* eligibility, T* plastic_out, T* eligibility_out,
                     const T* h_before, const T* h_last, const T* modulation, const T* rate_row,
                     T* recurrent, T* scratch) const {
    fk::ForwardSample<T> s = forward_common;
    s.plastic = plastic;
    s.eligibility = eligibility;
    s.plastic_out = plastic_out;
    s.eligibility_out = eligibility_out;
    s.in_place = plastic_out == plastic;
    s.h_before = h_before;
    s.h_last = h_last;
    s.modulation = modulation;
    s.rate = rate_row;
    s.recurrent = recurrent;
    s.scratch = scratch;
    fk::forward_sample(s);
  }

  void modulation_row(T level_value, T* out) const {
    for (int64_t j = 0; j < n; ++j) out[j] = base[j] + slope[j] * level_value;
  }
};

// Plays steps of single samples as the episode's forward does: keeps the rows a step needs
// besides the sample's traces (h_{−1} = h_{−2} = 0, m, r, the plastic input, the kernel's
// scratch).
template <class T>
class SampleStepper {
 public:
  explicit SampleStepper(const EpisodeView<T>& view)
      : e_(view), rows_(static_cast<size_t>(4 * view.n + fk::forward_scratch(view.n)), T(0)) {
    const int64_t n = e_.n;
    for (int64_t j = 0; j < n; ++j) rows_[static_cast<size_t>(2 * n + j)] = e_.rate[j];
  }

  // The trace part of step t of sample b: the traces' snapshot into slot (t / stride, b) of
  // snap_p and snap_e (K, B, N, N) every `stride` steps (either null: not kept), the level M_t
  // into levels (T, B), the traces' update in their own storage (`plastic` and `eligibility`:
  // the sample's N × N). Returns the plastic input Σ_i h_{t−1,i} α_i ⊙ P_{t,i} (N), valid until
  // the next call. hidden (T, B, N) holds h_{t−1} and h_{t−2}.
  const T* update_traces(int64_t b, int64_t t, const T* hidden, T* levels, T* plastic,
                         T* eligibility, T* snap_p, T* snap_e, int64_t stride) {
    const int64_t n = e_.n;
    const int64_t square = n * n;
    T* zero = rows_.data();
    T* m_row = zero + n;
    T* r_row = m_row + n;
    T* recurrent = r_row + n;
    T* scratch = recurrent + n;
    if (t % stride == 0) {
      const int64_t slot = (t / stride) * e_.batch + b;
      if (snap_p) std::copy(plastic, plastic + square, snap_p + slot * square);
      if (snap_e) std::copy(eligibility, eligibility + square, snap_e + slot * square);
    }
    const T* last = t >= 1 ? row(hidden, t - 1, b) : zero;
    const T* before = t >= 2 ? row(hidden, t - 2, b) : zero;
    const T level = e_.level(t == 0 ? nullptr : last);
    levels[t * e_.batch + b] = level;
    e_.modulation_row(level, m_row);
    e_.update_traces(plastic, eligibility, plastic, eligibility, before, last, m_row, r_row,
                     recurrent, scratch);
    return recurrent;
  }

  // Step t of sample b whole: `update_traces`, then h_t = f(drive_t + Σ_i h_{t−1,i} (w + α ⊙
  // P_t)_i) into its row of hidden. `drive_row`: drive_t of the sample.
  void step(int64_t b, int64_t t, const T* drive_row, T* hidden, T* levels, T* plastic,
            T* eligibility, T* snap_p, T* snap_e, int64_t stride) {
    const int64_t n = e_.n;
    const T* recurrent =
        update_traces(b, t, hidden, levels, plastic, eligibility, snap_p, snap_e, stride);
    T* h = row(hidden, t, b);
    for (int64_t j = 0; j < n; ++j) h[j] = drive_row[j] + recurrent[j];
    if (t >= 1) fk::add_vector_matrix(row(hidden, t - 1, b), e_.w, n, h);
    for (int64_t j = 0; j < n; ++j) h[j] = activate_value(h[j], e_.config.activation);
  }

 private:
  template <class P>
  P* row(P* hidden, int64_t t, int64_t b) const {
    return hidden + (t * e_.batch + b) * e_.n;
  }

  const EpisodeView<T>& e_;
  std::vector<T> rows_;
};

}  // namespace neuromod::functional::detail
