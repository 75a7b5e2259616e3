#include "neuromod/functional/plastic_episode.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/graph_task.h>
#include <torch/torch.h>

#include "functional/cpu_cache.h"
#include "functional/fused_plastic_kernels.h"
#include "functional/fused_tape_memory.h"
#include "functional/fused_update.h"
#include "functional/trace_buffers.h"

namespace neuromod::functional {
namespace {

namespace fk = fused_kernels;
using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

using detail::alpha_shape;
using detail::kernel_update;
using detail::reads_modulation;
using detail::reads_rate;

// The activations whose derivative backward can take from the output alone.
bool derivative_from_output(Activation activation) {
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

// Steps between trace snapshots: a stride of one sample's traces fills at most half the L2
// cache (with its gradients, α and w it then stays there), at least 5 steps (snapshots then
// take at most a fifth of every step's traces), at most the episode.
int64_t snapshot_stride(int64_t requested, int64_t steps, int64_t pair_bytes) {
  if (requested > 0) return std::min(requested, std::max<int64_t>(steps, 1));
  static const int64_t budget = [] {
    const int64_t l2 = detail::cpu_cache_bytes(2);
    return (l2 > 0 ? l2 : int64_t{512} << 10) / 2;
  }();
  const int64_t fits = pair_bytes > 0 ? budget / pair_bytes : steps;
  return std::clamp<int64_t>(fits, 5, std::max<int64_t>(steps, 5));
}

// The trace snapshots of an episode (per sample, every stride steps), counted as tape memory.
class Snapshots : public torch::CustomClassHolder {
 public:
  Snapshots(Tensor plastic, Tensor eligibility, Tensor levels, int64_t stride)
      : plastic_(std::move(plastic)),
        eligibility_(std::move(eligibility)),
        levels_(std::move(levels)),
        stride_(stride) {
    detail::count_tape_bytes(bytes());
  }
  ~Snapshots() override { release(); }
  Snapshots(const Snapshots&) = delete;
  Snapshots& operator=(const Snapshots&) = delete;

  const Tensor& plastic() const { return plastic_; }          // (K, B, N, N) or undefined
  const Tensor& eligibility() const { return eligibility_; }  // (K, B, N, N) or undefined
  const Tensor& levels() const { return levels_; }            // M_t, (T, B)
  int64_t stride() const { return stride_; }
  bool released() const { return released_; }

  // Lets the traces go (after a backward that does not keep the graph).
  void release() {
    if (released_) return;
    detail::count_tape_bytes(-bytes());
    plastic_ = eligibility_ = levels_ = Tensor();
    released_ = true;
  }

 private:
  int64_t bytes() const {
    return (plastic_.defined() ? static_cast<int64_t>(plastic_.nbytes()) : 0) +
           (eligibility_.defined() ? static_cast<int64_t>(eligibility_.nbytes()) : 0);
  }

  Tensor plastic_, eligibility_, levels_;
  int64_t stride_;
  bool released_ = false;
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

  EpisodeView(const EpisodeConfig& c, const Tensor& drive, const Tensor& w_in,
              const Tensor& alpha_in, const Tensor& rate_in, const Tensor& base_in,
              const Tensor& slope_in, const Tensor& nucleus_weight_in,
              const Tensor& nucleus_bias_in)
      : config(c), rate(rate_in), base(base_in), slope(slope_in) {
    steps = drive.size(0);
    batch = drive.size(1);
    n = drive.size(2);
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

// Elements of forward_sample_episode's workspace.
int64_t forward_workspace(int64_t n) {
  return 2 * n * n + 4 * n + fk::forward_scratch(n);
}

// One sample's episode forward: H[:, b], the levels, the snapshots. `workspace` holds
// forward_workspace(n) elements.
template <class T>
void forward_sample_episode(const EpisodeView<T>& e, int64_t b, const T* drive, T* hidden,
                            T* levels, T* snap_p, T* snap_e, int64_t stride, T* workspace) {
  const int64_t n = e.n;
  const int64_t square = n * n;
  const int64_t batch = e.batch;
  std::fill(workspace, workspace + forward_workspace(n), T(0));
  T* plastic = workspace;
  T* eligibility = plastic + square;
  T* zero = eligibility + square;  // h_{−1}, h_{−2}
  T* m_row = zero + n;
  T* r_row = m_row + n;
  T* recurrent = r_row + n;
  T* scratch = recurrent + n;
  for (int64_t j = 0; j < n; ++j) r_row[j] = e.rate[j];

  const T* before = zero;
  const T* last = zero;
  for (int64_t t = 0; t < e.steps; ++t) {
    if (t % stride == 0) {
      const int64_t slot = (t / stride) * batch + b;
      if (snap_p) std::copy(plastic, plastic + square, snap_p + slot * square);
      if (snap_e) std::copy(eligibility, eligibility + square, snap_e + slot * square);
    }
    const T level = e.level(t == 0 ? nullptr : last);
    levels[t * batch + b] = level;
    e.modulation_row(level, m_row);
    e.update_traces(plastic, eligibility, plastic, eligibility, before, last, m_row, r_row,
                    recurrent, scratch);
    T* h = hidden + (t * batch + b) * n;
    const T* d = drive + (t * batch + b) * n;
    for (int64_t j = 0; j < n; ++j) h[j] = d[j] + recurrent[j];
    fk::add_vector_matrix(last, e.w, n, h);
    for (int64_t j = 0; j < n; ++j) h[j] = activate_value(h[j], e.config.activation);
    before = last;
    last = h;
  }
}

// Gradients one thread sums over its samples.
template <class T>
struct Accumulators {
  std::vector<T> alpha, rate, base, slope, nucleus_weight;
  T nucleus_bias = 0;
  Accumulators(int64_t alpha_size, int64_t n)
      : alpha(static_cast<size_t>(alpha_size), T(0)),
        rate(static_cast<size_t>(n), T(0)),
        base(static_cast<size_t>(n), T(0)),
        slope(static_cast<size_t>(n), T(0)),
        nucleus_weight(static_cast<size_t>(n), T(0)) {}
  void add_to(Accumulators& total) const {
    const auto add = [](const std::vector<T>& from, std::vector<T>& to) {
      for (size_t k = 0; k < from.size(); ++k) to[k] += from[k];
    };
    add(alpha, total.alpha);
    add(rate, total.rate);
    add(base, total.base);
    add(slope, total.slope);
    add(nucleus_weight, total.nucleus_weight);
    total.nucleus_bias += nucleus_bias;
  }
};

// Elements of backward_sample_episode's workspace.
int64_t backward_workspace(int64_t steps, int64_t n, int64_t stride) {
  return 2 * stride * n * n + 3 * n * n + steps * n + 8 * n + fk::backward_scratch(n) +
         fk::forward_scratch(n);
}

// One sample's episode backward, from the last step to the first: writes dL/dz into grad_z and
// adds the parameters' gradients into `sums`. `workspace` holds backward_workspace elements.
template <class T>
void backward_sample_episode(const EpisodeView<T>& e, int64_t b, const T* hidden, const T* levels,
                             const T* snap_p, const T* snap_e, int64_t stride, const T* grad_hidden,
                             T* grad_z, Accumulators<T>& sums, T* workspace) {
  const int64_t n = e.n;
  const int64_t square = n * n;
  const int64_t batch = e.batch;
  const int64_t steps = e.steps;
  const Activation f = e.config.activation;
  const auto hidden_row = [&](int64_t t) -> const T* {
    return t < 0 ? nullptr : hidden + (t * batch + b) * n;
  };

  // The segment's input traces (slot k: step start + k), the trace gradients, dL/dh of every
  // step (what reaches h_t from the heads and from the steps after t) and rows.
  T* seg_p = workspace;
  T* seg_e = seg_p + stride * square;
  T* grad_p = seg_e + stride * square;
  T* grad_e = grad_p + square;
  T* zero_square = grad_e + square;  // P of updates that never write it
  T* grad_h = zero_square + square;  // (T, n)
  T* zero = grad_h + steps * n;
  T* m_row = zero + n;
  T* r_row = m_row + n;
  T* grad_before = r_row + n;
  T* grad_m = grad_before + n;
  T* grad_r = grad_m + n;
  T* sink = grad_r + n;  // dL/dh_{−1}
  T* scratch = sink + n;
  T* forward_scratch = scratch + fk::backward_scratch(n);
  // Zeros where they are read before being written (the segment buffers and dL/dh are written
  // first).
  std::fill(grad_p, grad_h, T(0));
  std::fill(zero, workspace + backward_workspace(steps, n, stride), T(0));
  for (int64_t j = 0; j < n; ++j) r_row[j] = e.rate[j];
  for (int64_t t = 0; t < steps; ++t) {
    std::copy(grad_hidden + (t * batch + b) * n, grad_hidden + (t * batch + b + 1) * n,
              grad_h + t * n);
  }
  const auto row_or_zero = [&](int64_t t) { return t < 0 ? zero : hidden_row(t); };
  const int64_t segments = (steps + stride - 1) / stride;
  for (int64_t segment = segments - 1; segment >= 0; --segment) {
    const int64_t start = segment * stride;
    const int64_t end = std::min(steps, start + stride);
    // The input traces of steps start … end − 1: the snapshot itself for the first, recomputed
    // from it into the segment buffer for the others (slot k − 1 for step start + k).
    const int64_t slot = segment * batch + b;
    const T* snapshot_p = snap_p ? snap_p + slot * square : zero_square;
    const T* snapshot_e = snap_e ? snap_e + slot * square : zero_square;
    const auto plastic_at = [&](int64_t k) -> const T* {
      if (!e.writes_p) return zero_square;
      return k == 0 ? snapshot_p : seg_p + (k - 1) * square;
    };
    const auto eligibility_at = [&](int64_t k) -> const T* {
      if (!e.has_e) return zero_square;
      return k == 0 ? snapshot_e : seg_e + (k - 1) * square;
    };
    for (int64_t t = start; t + 1 < end; ++t) {
      const int64_t k = t - start;
      e.modulation_row(levels[t * batch + b], m_row);
      e.update_traces(plastic_at(k), eligibility_at(k), e.writes_p ? seg_p + k * square : nullptr,
                      e.has_e ? seg_e + k * square : nullptr, row_or_zero(t - 2),
                      row_or_zero(t - 1), m_row, r_row, nullptr, forward_scratch);
    }
    for (int64_t t = end - 1; t >= start; --t) {
      const int64_t k = t - start;
      const T* h = hidden_row(t);
      T* gz = grad_z + (t * batch + b) * n;
      const T* gh = grad_h + t * n;
      for (int64_t j = 0; j < n; ++j) gz[j] = gh[j] * slope_at_output(h[j], f);
      T* grad_last = t >= 1 ? grad_h + (t - 1) * n : sink;
      fk::add_matrix_vector(e.w, gz, n, grad_last);  // z's v w part
      const T level = levels[t * batch + b];
      e.modulation_row(level, m_row);
      fk::BackwardSample<T> s = e.backward_common;
      s.plastic = plastic_at(k);
      s.eligibility = eligibility_at(k);
      s.grad_plastic_out = grad_p;
      s.grad_plastic = grad_p;
      s.grad_eligibility_out = grad_e;
      s.grad_eligibility = grad_e;
      s.grad_alpha = sums.alpha.data();
      s.h_before = row_or_zero(t - 2);
      s.h_last = row_or_zero(t - 1);
      s.modulation = m_row;
      s.rate = r_row;
      s.grad_recurrent = gz;
      s.grad_h_before = grad_before;
      s.grad_h_last = grad_last;
      s.grad_modulation = grad_m;
      s.grad_rate = grad_r;
      s.scratch = scratch;
      fk::backward_sample(s);
      if (t >= 2) {
        T* to = grad_h + (t - 2) * n;
        for (int64_t j = 0; j < n; ++j) to[j] += grad_before[j];
      }
      if (reads_rate(e.config.update)) {
        for (int64_t j = 0; j < n; ++j) sums.rate[j] += grad_r[j];
      }
      if (reads_modulation(e.config.update)) {
        T grad_level = 0;
        for (int64_t j = 0; j < n; ++j) {
          sums.base[j] += grad_m[j];
          sums.slope[j] += grad_m[j] * level;
          grad_level += grad_m[j] * e.slope[j];
        }
        if (e.nucleus && t >= 1) {
          // M_t = g(v_M · h_{t−1} + c_M).
          const T grad_pre = grad_level * slope_at_output(level, e.config.nucleus);
          const T* last = hidden_row(t - 1);
          for (int64_t i = 0; i < n; ++i) {
            sums.nucleus_weight[i] += grad_pre * last[i];
            grad_last[i] += grad_pre * e.nucleus_weight[i];
          }
          sums.nucleus_bias += grad_pre;
        }
      }
    }
  }
}

// A () or (N) gradient from its N per-unit sums.
Tensor unit_gradient(const Tensor& like, const Tensor& sums) {
  return like.dim() == 0 ? sums.sum() : sums;
}

template <class T>
Tensor from_vector(const std::vector<T>& values, const torch::TensorOptions& options) {
  return torch::from_blob(const_cast<T*>(values.data()), {static_cast<int64_t>(values.size())},
                          options)
      .clone();
}

enum Input : int { kDrive, kW, kAlpha, kRate, kBase, kSlope, kNucleusWeight, kNucleusBias, kCount };

bool requires(const Tensor& x) {
  return x.defined() && x.requires_grad();
}

Tensor undefined_if_none(const c10::optional<Tensor>& x) {
  return x.has_value() ? *x : Tensor();
}

int64_t pair_bytes_of(FusedUpdate update, int64_t n, torch::Dtype dtype) {
  const auto kernel = kernel_update(update);
  return (int64_t{fk::writes_plastic(kernel)} + int64_t{fk::has_eligibility(kernel)}) * n * n *
         static_cast<int64_t>(c10::elementSize(dtype));
}

struct PlasticEpisodeFunction : public torch::autograd::Function<PlasticEpisodeFunction> {
  // played: the episode's trajectory as the steps produced it, or nullptr: play it here.
  static variable_list forward(AutogradContext* ctx, EpisodeConfig config,
                               const PlayedEpisode* played, const Tensor& drive, const Tensor& w,
                               const Tensor& alpha, const c10::optional<Tensor>& rate_in,
                               const c10::optional<Tensor>& base_in,
                               const c10::optional<Tensor>& slope_in,
                               const c10::optional<Tensor>& nucleus_weight_in,
                               const c10::optional<Tensor>& nucleus_bias_in) {
    const Tensor rate = undefined_if_none(rate_in);
    const Tensor base = undefined_if_none(base_in);
    const Tensor slope = undefined_if_none(slope_in);
    const Tensor nucleus_weight = undefined_if_none(nucleus_weight_in);
    const Tensor nucleus_bias = undefined_if_none(nucleus_bias_in);
    const int64_t steps = drive.size(0);
    const int64_t batch = drive.size(1);
    const int64_t n = drive.size(2);
    Tensor snap_p, snap_e, levels, hidden;
    int64_t stride = 0;
    if (played != nullptr) {
      snap_p = played->plastic;
      snap_e = played->eligibility;
      levels = played->levels;
      hidden = played->hidden.clone();  // an output of its own, not the caller's tensor
      stride = played->stride;
    } else {
      const auto update = kernel_update(config.update);
      stride = snapshot_stride(config.stride, steps,
                               pair_bytes_of(config.update, n, drive.scalar_type()));
      const int64_t kept = (steps + stride - 1) / stride;
      const auto options = drive.options().requires_grad(false);
      auto& buffers = detail::TraceBuffers::instance();
      if (fk::writes_plastic(update)) snap_p = buffers.empty({kept, batch, n, n}, options);
      if (fk::has_eligibility(update)) snap_e = buffers.empty({kept, batch, n, n}, options);
      levels = torch::empty({steps, batch}, options);
      hidden = torch::empty({steps, batch, n}, options);
      AT_DISPATCH_FLOATING_TYPES(drive.scalar_type(), "plastic_episode", [&] {
        const EpisodeView<scalar_t> view(config, drive, w, alpha, rate, base, slope, nucleus_weight,
                                         nucleus_bias);
        const scalar_t* d = drive.data_ptr<scalar_t>();
        scalar_t* h = hidden.data_ptr<scalar_t>();
        scalar_t* m = levels.data_ptr<scalar_t>();
        scalar_t* sp = snap_p.defined() ? snap_p.data_ptr<scalar_t>() : nullptr;
        scalar_t* se = snap_e.defined() ? snap_e.data_ptr<scalar_t>() : nullptr;
        at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
          std::vector<scalar_t> workspace(static_cast<size_t>(forward_workspace(n)));
          for (int64_t b = begin; b < end; ++b) {
            forward_sample_episode(view, b, d, h, m, sp, se, stride, workspace.data());
          }
        });
      });
    }

    int64_t needs = 0;
    const Tensor inputs[kCount] = {drive, w,     alpha,          rate,
                                   base,  slope, nucleus_weight, nucleus_bias};
    for (int k = 0; k < kCount; ++k) {
      if (requires(inputs[k])) needs |= int64_t{1} << k;
    }
    ctx->saved_data["snapshots"] = c10::IValue::make_capsule(
        c10::make_intrusive<Snapshots>(std::move(snap_p), std::move(snap_e), levels, stride));
    ctx->saved_data["needs"] = needs;
    ctx->saved_data["update"] = static_cast<int64_t>(config.update);
    ctx->saved_data["activation"] = static_cast<int64_t>(config.activation);
    ctx->saved_data["nucleus"] = static_cast<int64_t>(config.nucleus);
    ctx->saved_data["clip"] = config.clip;
    ctx->save_for_backward({w, alpha, rate, base, slope, nucleus_weight, nucleus_bias, hidden});
    return {hidden};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const Tensor& w = saved[0];
    const Tensor& alpha = saved[1];
    const Tensor& rate = saved[2];
    const Tensor& base = saved[3];
    const Tensor& slope = saved[4];
    const Tensor& nucleus_weight = saved[5];
    const Tensor& nucleus_bias = saved[6];
    const Tensor& hidden = saved[7];
    const auto& data = ctx->saved_data;
    const auto holder = data.at("snapshots").toCapsule();
    auto* snapshots = static_cast<Snapshots*>(holder.get());
    TORCH_CHECK(!snapshots->released(),
                "plastic_episode: the traces of this episode are gone; trying to backward through "
                "the graph a second time? (use retain_graph=true)");
    const int64_t needs = data.at("needs").toInt();
    const auto need = [needs](Input k) { return (needs >> k) & 1; };
    EpisodeConfig config{static_cast<FusedUpdate>(data.at("update").toInt()),
                         static_cast<Activation>(data.at("activation").toInt()),
                         static_cast<Activation>(data.at("nucleus").toInt()),
                         data.at("clip").toDouble(), snapshots->stride()};

    const int64_t steps = hidden.size(0);
    const int64_t batch = hidden.size(1);
    const int64_t n = hidden.size(2);
    const Tensor grad_hidden =
        grads[0].defined() ? grads[0].contiguous() : torch::zeros_like(hidden);
    Tensor grad_z = torch::empty_like(hidden);
    variable_list result(2 + kCount);  // the config and the played episode, then the inputs
    const auto set = [&](Input k, Tensor grad) {
      if (need(k)) result[2 + k] = std::move(grad);
    };

    AT_DISPATCH_FLOATING_TYPES(hidden.scalar_type(), "plastic_episode_backward", [&] {
      using T = scalar_t;
      const EpisodeView<T> view(config, hidden, w, alpha, rate, base, slope, nucleus_weight,
                                nucleus_bias);
      const T* h = hidden.data_ptr<T>();
      const T* m = snapshots->levels().data_ptr<T>();
      const T* sp = snapshots->plastic().defined() ? snapshots->plastic().data_ptr<T>() : nullptr;
      const T* se =
          snapshots->eligibility().defined() ? snapshots->eligibility().data_ptr<T>() : nullptr;
      const T* gh = grad_hidden.data_ptr<T>();
      T* gz = grad_z.data_ptr<T>();
      // Each chunk of samples sums its own gradients; the chunks' sums are added in the order of
      // their samples, so that a run gives the same gradients whichever thread ends first.
      std::map<int64_t, Accumulators<T>> chunks;
      std::mutex mutex;
      at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
        Accumulators<T> sums(alpha.numel(), n);
        std::vector<T> workspace(static_cast<size_t>(backward_workspace(steps, n, config.stride)));
        for (int64_t b = begin; b < end; ++b) {
          backward_sample_episode(view, b, h, m, sp, se, config.stride, gh, gz, sums,
                                  workspace.data());
        }
        std::lock_guard<std::mutex> lock(mutex);
        chunks.emplace(begin, std::move(sums));
      });
      Accumulators<T> total(alpha.numel(), n);
      for (const auto& chunk : chunks) chunk.second.add_to(total);
      const auto options = hidden.options();
      if (need(kAlpha)) set(kAlpha, from_vector(total.alpha, options).view(alpha.sizes()));
      if (need(kRate)) set(kRate, unit_gradient(rate, from_vector(total.rate, options)));
      if (need(kBase)) set(kBase, unit_gradient(base, from_vector(total.base, options)));
      if (need(kSlope)) set(kSlope, unit_gradient(slope, from_vector(total.slope, options)));
      if (need(kNucleusWeight)) set(kNucleusWeight, from_vector(total.nucleus_weight, options));
      if (need(kNucleusBias)) {
        set(kNucleusBias, torch::full({}, total.nucleus_bias, options));
      }
    });
    if (need(kW)) {
      // dL/dw = Σ_t h_{t−1}ᵀ dL/dz_t, with h_{−1} = 0.
      const Tensor last = hidden.narrow(0, 0, steps - 1).reshape({(steps - 1) * batch, n});
      set(kW,
          torch::mm(last.t(), grad_z.narrow(0, 1, steps - 1).reshape({(steps - 1) * batch, n})));
    }
    set(kDrive, grad_z);
    if (!torch::autograd::get_current_graph_task_keep_graph()) snapshots->release();
    return result;
  }
};

std::string shape_of(const Tensor& tensor) {
  std::ostringstream text;
  text << tensor.sizes();
  return text.str();
}

}  // namespace

namespace {
Tensor run_episode(const PlasticEpisodeInputs& in, const PlasticEpisodeOptions& options,
                   const PlayedEpisode* played);
}  // namespace

std::string plastic_episode_unsupported(const PlasticEpisodeInputs& in,
                                        const PlasticEpisodeOptions& options) {
  const auto update = options.update();
  const Tensor& drive = in.drive;
  if (!drive.defined() || drive.dim() != 3 || drive.size(0) < 1) {
    return "drive must be (T, B, N) with T >= 1, got " +
           (drive.defined() ? shape_of(drive) : std::string("none"));
  }
  if (!drive.device().is_cpu()) return "the episode operation runs on the CPU only";
  if (drive.scalar_type() != torch::kFloat && drive.scalar_type() != torch::kDouble) {
    return "the episode operation takes float32 and float64 only";
  }
  const int64_t n = drive.size(2);
  const auto check = [&](const char* name, const Tensor& x, bool required,
                         const std::vector<std::vector<int64_t>>& shapes) -> std::string {
    if (!x.defined()) return required ? std::string(name) + " is missing" : "";
    if (x.device() != drive.device() || x.scalar_type() != drive.scalar_type()) {
      std::ostringstream message;
      message << name << " must be on the drive's device with its dtype (" << drive.device() << ", "
              << drive.scalar_type() << "), got " << x.device() << ", " << x.scalar_type();
      return message.str();
    }
    for (const auto& shape : shapes) {
      if (x.sizes() == c10::IntArrayRef(shape)) return "";
    }
    return std::string(name) + " has shape " + shape_of(x) +
           ", which does not fit N = " + std::to_string(n);
  };
  const bool nucleus = in.nucleus_weight.defined();
  std::string why;
  if (!(why = check("w", in.w, true, {{n, n}})).empty()) return why;
  if (!(why = check("alpha", in.alpha, true, {{n, n}, {n}, {}})).empty()) return why;
  if (!(why = check("rate", in.rate, reads_rate(update), {{n}, {}})).empty()) return why;
  if (!(why = check("modulation_base", in.modulation_base, reads_modulation(update), {{n}, {}}))
           .empty()) {
    return why;
  }
  if (!(why = check("modulation_slope", in.modulation_slope, nucleus, {{n}, {}})).empty()) {
    return why;
  }
  if (!(why = check("nucleus_weight", in.nucleus_weight, false, {{n}})).empty()) return why;
  if (!(why = check("nucleus_bias", in.nucleus_bias, nucleus, {{}})).empty()) return why;
  if (nucleus && !reads_modulation(update)) {
    return std::string("a nucleus needs an update that reads m, not ") +
           std::string(config::enum_name(update));
  }
  if (!derivative_from_output(options.activation()) ||
      !derivative_from_output(options.nucleus_activation())) {
    return "the activations must be identity, relu, tanh or sigmoid";
  }
  if ((update == FusedUpdate::clipped_hebb || update == FusedUpdate::retroactive) &&
      !(options.clip() > 0.0)) {
    return "clip must be > 0, got " + std::to_string(options.clip());
  }
  return "";
}

Tensor plastic_episode(const PlasticEpisodeInputs& in, const PlasticEpisodeOptions& options) {
  return run_episode(in, options, nullptr);
}

Tensor plastic_episode(const PlasticEpisodeInputs& in, const PlasticEpisodeOptions& options,
                       const PlayedEpisode& played) {
  const std::string why = plastic_episode_unsupported(in, options);
  TORCH_CHECK(why.empty(), "plastic_episode (", config::enum_name(options.update()), "): ", why);
  const int64_t steps = in.drive.size(0);
  const int64_t batch = in.drive.size(1);
  const int64_t n = in.drive.size(2);
  const auto dtype = in.drive.scalar_type();
  const int64_t stride = plastic_episode_stride(options.update(), steps, n, dtype);
  const int64_t kept = (steps + stride - 1) / stride;
  const auto update = kernel_update(options.update());
  const auto fits = [&](const Tensor& x, std::vector<int64_t> shape, bool wanted) {
    if (!wanted) return !x.defined();
    return x.defined() && x.sizes() == c10::IntArrayRef(shape) && x.scalar_type() == dtype &&
           x.is_contiguous() && x.device().is_cpu();
  };
  TORCH_CHECK(played.stride == stride && fits(played.hidden, {steps, batch, n}, true) &&
                  fits(played.levels, {steps, batch}, true) &&
                  fits(played.plastic, {kept, batch, n, n}, fk::writes_plastic(update)) &&
                  fits(played.eligibility, {kept, batch, n, n}, fk::has_eligibility(update)),
              "plastic_episode: the played episode does not fit the inputs (stride ", played.stride,
              ", expected ", stride, "; hidden ",
              played.hidden.defined() ? shape_of(played.hidden) : std::string("none"), ")");
  return run_episode(in, options, &played);
}

namespace {
Tensor run_episode(const PlasticEpisodeInputs& in, const PlasticEpisodeOptions& options,
                   const PlayedEpisode* played) {
  const std::string why = plastic_episode_unsupported(in, options);
  TORCH_CHECK(why.empty(), "plastic_episode (", config::enum_name(options.update()), "): ", why);
  const auto update = options.update();
  const auto used = [](bool read, const Tensor& x) {
    return read && x.defined() ? c10::optional<Tensor>(x.contiguous()) : c10::optional<Tensor>();
  };
  const bool nucleus = in.nucleus_weight.defined();
  const EpisodeConfig config{update, options.activation(), options.nucleus_activation(),
                             options.clip(), options.stride()};
  return PlasticEpisodeFunction::apply(
      config, played, in.drive.contiguous(), in.w.contiguous(), in.alpha.contiguous(),
      used(reads_rate(update), in.rate), used(reads_modulation(update), in.modulation_base),
      used(nucleus, in.modulation_slope), used(nucleus, in.nucleus_weight),
      used(nucleus, in.nucleus_bias))[0];
}
}  // namespace

int64_t plastic_episode_stride(FusedUpdate update, int64_t steps, int64_t n, torch::Dtype dtype) {
  return snapshot_stride(0, steps, pair_bytes_of(update, n, dtype));
}

PlayedEpisodeRecorder::PlayedEpisodeRecorder(FusedUpdate update, int64_t steps, int64_t batch,
                                             int64_t n, torch::Dtype dtype)
    : steps_(steps) {
  TORCH_CHECK(steps > 0 && batch > 0 && n > 0, "PlayedEpisodeRecorder: sizes must be > 0");
  const auto kernel = kernel_update(update);
  played_.stride = plastic_episode_stride(update, steps, n, dtype);
  const int64_t kept = (steps + played_.stride - 1) / played_.stride;
  const auto options = torch::TensorOptions().dtype(dtype);
  auto& buffers = detail::TraceBuffers::instance();
  if (fk::writes_plastic(kernel)) played_.plastic = buffers.empty({kept, batch, n, n}, options);
  if (fk::has_eligibility(kernel)) {
    played_.eligibility = buffers.empty({kept, batch, n, n}, options);
  }
  played_.levels = torch::zeros({steps, batch}, options);
  played_.hidden = torch::empty({steps, batch, n}, options);
}

void PlayedEpisodeRecorder::before_step(int64_t t, const Tensor& plastic, const Tensor& eligibility,
                                        const Tensor& level) {
  TORCH_CHECK(t == seen_ && t < steps_, "PlayedEpisodeRecorder: step ", t, " out of order");
  torch::NoGradGuard no_grad;
  if (t % played_.stride == 0) {
    const int64_t slot = t / played_.stride;
    if (played_.plastic.defined()) played_.plastic[slot].copy_(plastic);
    if (played_.eligibility.defined()) played_.eligibility[slot].copy_(eligibility);
  }
  if (level.defined()) played_.levels[t].copy_(level.reshape({-1}));
}

void PlayedEpisodeRecorder::after_step(int64_t t, const Tensor& h) {
  TORCH_CHECK(t == seen_ && t < steps_, "PlayedEpisodeRecorder: step ", t, " out of order");
  torch::NoGradGuard no_grad;
  played_.hidden[t].copy_(h);
  ++seen_;
}

PlayedEpisode PlayedEpisodeRecorder::finish() {
  TORCH_CHECK(seen_ == steps_, "PlayedEpisodeRecorder: ", seen_, " of ", steps_, " steps recorded");
  return played_;
}

Tensor plastic_episode_reference(const PlasticEpisodeInputs& in,
                                 const PlasticEpisodeOptions& options) {
  const std::string why = plastic_episode_unsupported(in, options);
  TORCH_CHECK(why.empty(), "plastic_episode_reference: ", why);
  const int64_t steps = in.drive.size(0);
  const int64_t batch = in.drive.size(1);
  const int64_t n = in.drive.size(2);
  const auto like = in.drive.options().requires_grad(false);
  // (N) operands per unit, in the convention of hebbian.h: (1, N).
  const auto per_unit = [](const Tensor& x) {
    return x.defined() && x.dim() == 1 ? x.view({1, x.size(0)}) : x;
  };
  const auto step_options =
      PlasticStepOptions(options.update()).activation(options.activation()).clip(options.clip());
  PlasticStepInputs step;
  step.w = in.w;
  step.alpha = in.alpha;
  step.rate = per_unit(in.rate);
  step.h_last = torch::zeros({batch, n}, like);
  step.h_before = torch::zeros({batch, n}, like);
  step.plastic = torch::zeros({batch, n, n}, like);
  step.eligibility = torch::zeros({batch, n, n}, like);
  Tensor level = torch::zeros({batch, 1}, like);  // the baseline
  std::vector<Tensor> outputs;
  for (int64_t t = 0; t < steps; ++t) {
    if (in.modulation_base.defined()) {
      step.modulation = per_unit(in.modulation_base);
      if (in.nucleus_weight.defined()) {
        step.modulation = step.modulation + per_unit(in.modulation_slope) * level;
      }
    }
    step.drive = in.drive[t];
    const auto out = plastic_step_reference(step, step_options);
    step.h_before = step.h_last;
    step.h_last = out.h;
    step.plastic = out.plastic;
    if (out.eligibility.defined()) step.eligibility = out.eligibility;
    if (in.nucleus_weight.defined()) {
      level = activate(torch::mv(out.h, in.nucleus_weight) + in.nucleus_bias,
                       options.nucleus_activation())
                  .unsqueeze(1);
    }
    outputs.push_back(out.h);
  }
  return torch::stack(outputs);
}

}  // namespace neuromod::functional
