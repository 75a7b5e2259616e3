#include "neuromod/functional/fused_plastic.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include <ATen/ExpandUtils.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/graph_task.h>
#include <torch/torch.h>

#include "functional/cpu_cache.h"
#include "functional/fused_plastic_kernels.h"
#include "functional/fused_tape_memory.h"
#include "functional/fused_update.h"
#include "functional/trace_buffers.h"
#include "neuromod/functional/hebbian.h"

namespace neuromod::functional {
namespace {

namespace fk = fused_kernels;
using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

using detail::alpha_shape;
using detail::has_eligibility;
using detail::kernel_update;
using detail::reads_clip;
using detail::reads_modulation;
using detail::reads_rate;
using detail::writes_plastic;

using detail::count_tape_bytes;
using detail::TraceBuffers;

int64_t bytes_of(const Tensor& tensor) {
  return tensor.defined() ? static_cast<int64_t>(tensor.nbytes()) : 0;
}

// ---------------------------------------------------------------------------------------------
// Operands broadcast against (B, N), read one sample's row at a time: () or 2-D with size-1
// dimensions (the wrapper brings every accepted shape to one of these).

template <class T>
struct Rows {
  const T* data = nullptr;
  int64_t stride_b = 0;
  int64_t stride_j = 0;

  explicit Rows(const Tensor& tensor) {
    if (!tensor.defined()) return;
    data = tensor.data_ptr<T>();
    if (tensor.dim() == 2) {
      stride_b = tensor.size(0) == 1 ? 0 : tensor.stride(0);
      stride_j = tensor.size(1) == 1 ? 0 : tensor.stride(1);
    }
  }
  // Row b into out (n values); nothing when absent.
  void fill(int64_t b, int64_t n, T* out) const {
    if (data == nullptr) return;
    const T* row = data + b * stride_b;
    for (int64_t j = 0; j < n; ++j) out[j] = row[j * stride_j];
  }
};

template <class T>
T* pointer(const Tensor& tensor) {
  return tensor.defined() ? tensor.data_ptr<T>() : nullptr;
}

// The operands of one step's trace update, sample by sample. With `recurrent` defined the
// kernel also forms Σ_i v_i α_ij P'_ij into it; in_place: the outputs are the inputs' storage
// (see fk::ForwardSample::in_place).
template <class T>
struct ForwardOperands {
  FusedUpdate update;
  fk::ForwardSample<T> common;
  const T *p, *e, *u, *v;
  T *p_out, *e_out, *rec;
  Rows<T> m, r;

  ForwardOperands(FusedUpdate update_in, double clip, const Tensor& h_before, const Tensor& h_last,
                  const Tensor& plastic, const Tensor& eligibility, const Tensor& modulation,
                  const Tensor& rate, const Tensor& alpha, const Tensor& plastic_out,
                  const Tensor& eligibility_out, const Tensor& recurrent, bool in_place)
      : update(update_in),
        p(pointer<T>(plastic)),
        e(pointer<T>(eligibility)),
        u(pointer<T>(h_before)),
        v(pointer<T>(h_last)),
        p_out(writes_plastic(update_in) ? pointer<T>(plastic_out) : nullptr),
        e_out(has_eligibility(update_in) ? pointer<T>(eligibility_out) : nullptr),
        rec(pointer<T>(recurrent)),
        m(modulation),
        r(rate) {
    common.n = plastic.size(1);
    common.update = kernel_update(update_in);
    common.alpha_shape = alpha.defined() ? alpha_shape(alpha) : fk::AlphaShape::scalar;
    common.clip = static_cast<T>(clip);
    common.alpha = pointer<T>(alpha);
    common.in_place = in_place;
  }

  static int64_t scratch_size(int64_t n) { return fk::forward_scratch(n) + 2 * n; }

  // Runs sample b; `scratch` holds scratch_size(n) values.
  void run(int64_t b, T* scratch) const {
    const int64_t n = common.n;
    const int64_t square = n * n;
    T* m_row = scratch + fk::forward_scratch(n);
    T* r_row = m_row + n;
    fk::ForwardSample<T> s = common;
    s.plastic = p + b * square;
    s.eligibility = e ? e + b * square : nullptr;
    s.plastic_out = p_out ? p_out + b * square : nullptr;
    s.eligibility_out = e_out ? e_out + b * square : nullptr;
    s.h_before = u ? u + b * n : nullptr;
    s.h_last = v + b * n;
    m.fill(b, n, m_row);
    r.fill(b, n, r_row);
    s.modulation = m_row;
    s.rate = r_row;
    s.recurrent = rec ? rec + b * n : nullptr;
    s.scratch = scratch;
    fk::forward_sample(s);
  }
};

// One step of every sample (see ForwardOperands).
template <class T>
void forward_samples(FusedUpdate update, double clip, const Tensor& h_before, const Tensor& h_last,
                     const Tensor& plastic, const Tensor& eligibility, const Tensor& modulation,
                     const Tensor& rate, const Tensor& alpha, const Tensor& plastic_out,
                     const Tensor& eligibility_out, const Tensor& recurrent, bool in_place) {
  const ForwardOperands<T> step(update, clip, h_before, h_last, plastic, eligibility, modulation,
                                rate, alpha, plastic_out, eligibility_out, recurrent, in_place);
  const int64_t n = plastic.size(1);
  at::parallel_for(0, plastic.size(0), 1, [&](int64_t begin, int64_t end) {
    std::vector<T> scratch(static_cast<size_t>(ForwardOperands<T>::scratch_size(n)));
    for (int64_t b = begin; b < end; ++b) step.run(b, scratch.data());
  });
}

// Several consecutive steps' trace updates (no recurrent input), sample by sample and, within a
// sample, step by step: a sample's traces stay in cache from one step to the next, so the
// segment costs about one write of each step's traces instead of a read and a write.
template <class T>
void forward_segment(const std::vector<ForwardOperands<T>>& steps, int64_t batch, int64_t n) {
  at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> scratch(static_cast<size_t>(ForwardOperands<T>::scratch_size(n)));
    for (int64_t b = begin; b < end; ++b) {
      for (const auto& step : steps) step.run(b, scratch.data());
    }
  });
}

// The tensors of one backward step; see fk::BackwardSample for what each is.
struct BackwardTensors {
  Tensor plastic, eligibility, grad_plastic_out, grad_eligibility_out;
  Tensor grad_plastic, grad_eligibility, alpha, grad_alpha;
  Tensor h_before, h_last, modulation, rate, grad_z;
  Tensor grad_h_before, grad_h_last, grad_modulation, grad_rate;
  bool in_place = false;  // grad_plastic is grad_plastic_out, grad_eligibility grad_eligibility_out
};

template <class T>
void backward_samples(FusedUpdate update, double clip, const BackwardTensors& t) {
  const int64_t batch = t.plastic.size(0);
  const int64_t n = t.plastic.size(1);
  const int64_t square = n * n;
  const Rows<T> m(t.modulation);
  const Rows<T> r(t.rate);
  const bool eligibility = has_eligibility(update);
  fk::BackwardSample<T> common;
  common.n = n;
  common.update = kernel_update(update);
  common.alpha_shape = alpha_shape(t.alpha);
  common.clip = static_cast<T>(clip);
  common.alpha = pointer<T>(t.alpha);
  common.in_place = t.in_place;
  const T* p = pointer<T>(t.plastic);
  const T* e = eligibility ? pointer<T>(t.eligibility) : nullptr;
  const T* gp_out = pointer<T>(t.grad_plastic_out);
  const T* ge_out = eligibility ? pointer<T>(t.grad_eligibility_out) : nullptr;
  T* gp = pointer<T>(t.grad_plastic);
  T* ge = eligibility ? pointer<T>(t.grad_eligibility) : nullptr;
  const T* u = pointer<T>(t.h_before);
  const T* v = pointer<T>(t.h_last);
  const T* gz = pointer<T>(t.grad_z);
  T* gu = pointer<T>(t.grad_h_before);
  T* gv = pointer<T>(t.grad_h_last);
  T* gm = pointer<T>(t.grad_modulation);
  T* gr = pointer<T>(t.grad_rate);
  const int64_t alpha_size = t.alpha.numel();
  std::mutex alpha_mutex;
  // One chunk (one thread, or already inside a parallel region): the α gradient is summed
  // straight into its tensor; otherwise each chunk sums its own, and the chunks' sums are added
  // in the order of their samples (whichever thread ends first: the same gradient every run).
  std::map<int64_t, std::vector<T>> chunk_sums;
  const bool one_chunk = at::get_num_threads() == 1 || at::in_parallel_region();
  at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> scratch(static_cast<size_t>(fk::backward_scratch(n) + 4 * n));
    T* m_row = scratch.data() + fk::backward_scratch(n);
    T* r_row = m_row + n;
    T* gm_sink = r_row + n;
    T* gr_sink = gm_sink + n;
    std::vector<T> grad_alpha(
        (t.grad_alpha.defined() && !one_chunk) ? static_cast<size_t>(alpha_size) : 0, T(0));
    T* const alpha_sum = grad_alpha.empty() ? pointer<T>(t.grad_alpha) : grad_alpha.data();
    for (int64_t b = begin; b < end; ++b) {
      fk::BackwardSample<T> s = common;
      s.plastic = p + b * square;
      s.eligibility = e ? e + b * square : nullptr;
      s.grad_plastic_out = gp_out ? gp_out + b * square : nullptr;
      s.grad_eligibility_out = ge_out ? ge_out + b * square : nullptr;
      s.grad_plastic = gp ? gp + b * square : nullptr;
      s.grad_eligibility = ge ? ge + b * square : nullptr;
      s.grad_alpha = alpha_sum;
      s.h_before = u ? u + b * n : v + b * n;  // unread by `frozen`
      s.h_last = v + b * n;
      m.fill(b, n, m_row);
      r.fill(b, n, r_row);
      s.modulation = m_row;
      s.rate = r_row;
      s.grad_recurrent = gz + b * n;
      s.grad_h_before = gu + b * n;
      s.grad_h_last = gv + b * n;
      s.grad_modulation = gm ? gm + b * n : gm_sink;
      s.grad_rate = gr ? gr + b * n : gr_sink;
      s.scratch = scratch.data();
      fk::backward_sample(s);
    }
    if (!grad_alpha.empty()) {
      std::lock_guard<std::mutex> lock(alpha_mutex);
      chunk_sums.emplace(begin, std::move(grad_alpha));
    }
  });
  if (chunk_sums.empty()) return;
  T* total = t.grad_alpha.template data_ptr<T>();
  for (const auto& chunk : chunk_sums) {
    for (int64_t k = 0; k < alpha_size; ++k) total[k] += chunk.second[static_cast<size_t>(k)];
  }
}

// ---------------------------------------------------------------------------------------------
// The tape of an episode.

// Bytes of recomputed traces backward tries to keep in cache (set_fused_recompute_cache_bytes).
std::atomic<int64_t>& recompute_cache_setting() {
  static std::atomic<int64_t> bytes{0};  // 0: a third of the L3 cache
  return bytes;
}

int64_t recompute_cache_bytes() {
  const int64_t set = recompute_cache_setting().load();
  if (set > 0) return set;
  static const int64_t third_of_l3 = [] {
    const int64_t l3 = detail::cpu_cache_bytes(3);
    return l3 > 0 ? l3 / 3 : int64_t{8} << 20;
  }();
  return third_of_l3;
}

// What a step's trace update read, kept to recompute traces in backward ((B, N) or smaller).
struct TapeStep {
  FusedUpdate update = FusedUpdate::frozen;
  Tensor h_before, h_last, modulation, rate;
};

// The steps of one episode, their trace snapshots every `stride_` steps, and in backward the
// recomputed traces of one segment. Steps are numbered from 0 in the order they ran.
class TraceTape : public torch::CustomClassHolder {
 public:
  explicit TraceTape(double clip) : clip_(clip) {}
  ~TraceTape() override { count_tape_bytes(-held_); }

  int64_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int64_t>(steps_.size());
  }
  double clip() const { return clip_; }

  // Records a step whose input traces are (plastic, eligibility); returns its number. Keeps the
  // input traces of every stride-th step; when there are more than kSnapshotsPerStride × stride
  // snapshots, the stride doubles and every other snapshot goes, so that the stride stays near
  // √(T/4) and the snapshots near √(4T). Shorter segments than Chen et al.'s √T keep backward's
  // recomputed traces (stride − 1 pairs) in cache more often: at the maze's sizes (200 steps,
  // 2.4 MB a pair) stride 8 instead of 16 took a quarter off the layer's backward. The tape then
  // holds T/8 + 8 pairs at most while T ≤ 256: a quarter of every step's traces or less from
  // T = 64 on.
  // copy: the step is about to overwrite its input traces, so a snapshot must be a copy of them.
  int64_t append(TapeStep step, const Tensor& plastic, const Tensor& eligibility, bool copy) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto index = static_cast<int64_t>(steps_.size());
    steps_.push_back(std::move(step));
    if (index % stride_ == 0) {
      const auto keep = [copy](const Tensor& trace) {
        if (!trace.defined()) return Tensor();
        if (!copy) return trace.detach();
        return TraceBuffers::instance().empty_like(trace).copy_(trace.detach());
      };
      auto snapshot = std::make_pair(keep(plastic), keep(eligibility));
      hold(bytes_of(snapshot.first) + bytes_of(snapshot.second));
      snapshots_.emplace(index, std::move(snapshot));
      if (static_cast<int64_t>(snapshots_.size()) > kSnapshotsPerStride * stride_) {
        stride_ *= 2;
        for (auto it = snapshots_.begin(); it != snapshots_.end();) {
          if (it->first % stride_ == 0) {
            ++it;
          } else {
            hold(-bytes_of(it->second.first) - bytes_of(it->second.second));
            it = snapshots_.erase(it);
          }
        }
      }
    }
    return index;
  }

  TapeStep step(int64_t index) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return steps_.at(static_cast<size_t>(index));
  }

  // The traces (P, E) at the input of step `index`. Backward asks for them from the last step to
  // the first: the first request in a segment recomputes the segment from its snapshot, the
  // others are served from the buffer. Without keep_graph nothing is asked twice, so what a step
  // has used is let go.
  std::pair<Tensor, Tensor> traces_at(int64_t index, bool keep_graph) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = snapshots_.upper_bound(index);
    TORCH_CHECK(found != snapshots_.begin(),
                "fused_plastic_step: the traces of this step are gone; trying to backward through "
                "the graph a second time? (use retain_graph=true)");
    --found;
    const int64_t start = found->first;
    std::pair<Tensor, Tensor> traces;
    if (start == index) {
      traces = found->second;
      if (!keep_graph) {
        hold(-bytes_of(found->second.first) - bytes_of(found->second.second));
        snapshots_.erase(found);
      }
    } else {
      if (cache_start_ != start || cache_.count(index) == 0) {
        recompute(start, index, found->second);
      }
      traces = cache_.at(index);
    }
    if (!keep_graph && index == 0) release_buffers();
    return traces;
  }

 private:
  void hold(int64_t bytes) {
    held_ += bytes;
    count_tape_bytes(bytes);
  }

  void release_buffers() {
    cache_.clear();
    cache_start_ = -1;
    for (auto* slots : {&slots_plastic_, &slots_eligibility_, &running_}) {
      for (const auto& slot : *slots) hold(-bytes_of(slot));
      slots->clear();
    }
  }

  // At least `count` slots for traces like `like` (one segment), reused by every segment.
  void reserve(std::vector<Tensor>& slots, const Tensor& like, int64_t count) {
    while (static_cast<int64_t>(slots.size()) < count) {
      slots.push_back(TraceBuffers::instance().empty_like(like));
      hold(bytes_of(slots.back()));
    }
  }

  // How many steps' traces one recomputation keeps, for a segment of `steps` steps whose trace
  // pair (P and E of the batch) takes `pair_bytes`: all of them, unless a third of the L3 cache
  // holds at least half of them; then as many as it holds, recomputing the rest of the segment
  // again later (for a segment of 8 kept in halves, 10 steps' work instead of 7), because
  // traces that stay in cache until backward reads them save more than the extra work costs.
  static int64_t kept_steps(int64_t steps, int64_t pair_bytes) {
    const int64_t fits = recompute_cache_bytes() / std::max<int64_t>(pair_bytes, 1);
    return (fits >= (steps + 1) / 2 && fits < steps) ? std::max<int64_t>(fits, 1) : steps;
  }

  // Traces at the inputs of (at most kept_steps of) the steps start + 1 … end, ending at `end`,
  // from the snapshot at `start`; those before go through one running pair, updated in place.
  void recompute(int64_t start, int64_t end, const std::pair<Tensor, Tensor>& snapshot) {
    bool plastic_written = false;
    bool eligibility_written = false;
    for (int64_t k = start; k < end; ++k) {
      plastic_written |= writes_plastic(steps_[static_cast<size_t>(k)].update);
      eligibility_written |= has_eligibility(steps_[static_cast<size_t>(k)].update);
    }
    const int64_t pair_bytes = bytes_of(snapshot.first) + bytes_of(snapshot.second);
    const int64_t kept = kept_steps(end - start, pair_bytes);
    const int64_t first_kept = end - kept + 1;
    if (plastic_written) reserve(slots_plastic_, snapshot.first, kept);
    if (eligibility_written) reserve(slots_eligibility_, snapshot.second, kept);
    if (first_kept > start + 1 && running_.empty()) {
      running_ = {TraceBuffers::instance().empty_like(snapshot.first),
                  snapshot.second.defined() ? TraceBuffers::instance().empty_like(snapshot.second)
                                            : Tensor()};
      hold(bytes_of(running_[0]) + bytes_of(running_[1]));
    }
    cache_.clear();
    cache_start_ = start;
    // Every step's input and output traces first, then one pass over the samples.
    std::vector<SegmentStep> chain;
    Tensor plastic = snapshot.first;
    Tensor eligibility = snapshot.second;
    for (int64_t k = start; k < end; ++k) {
      const TapeStep& step = steps_[static_cast<size_t>(k)];
      const bool keep = k + 1 >= first_kept;
      const auto slot = static_cast<size_t>(k + 1 - first_kept);
      const bool writes_p = writes_plastic(step.update);
      const bool writes_e = has_eligibility(step.update);
      Tensor plastic_next = !writes_p ? plastic : (keep ? slots_plastic_[slot] : running_[0]);
      Tensor eligibility_next =
          !writes_e ? eligibility : (keep ? slots_eligibility_[slot] : running_[1]);
      const bool p_in_place = writes_p && plastic_next.is_same(plastic);
      const bool e_in_place = writes_e && eligibility_next.is_same(eligibility);
      if (writes_p && writes_e && p_in_place != e_in_place) {
        // One trace runs in place, the other not (e.g. P came straight from the snapshot, E from
        // the running pair): bring the other into the running pair first (no step of this
        // recomputation has written it), so that both run in place, as the loops require.
        if (p_in_place) {
          running_[1].copy_(eligibility);
          eligibility = running_[1];
        } else {
          running_[0].copy_(plastic);
          plastic = running_[0];
        }
      }
      chain.push_back(
          {plastic, eligibility, plastic_next, eligibility_next, p_in_place || e_in_place});
      if (keep) cache_[k + 1] = {plastic_next, eligibility_next};
      plastic = std::move(plastic_next);
      eligibility = std::move(eligibility_next);
    }
    if (snapshot.first.scalar_type() == torch::kFloat) {
      run_segment<float>(start, chain);
    } else {
      run_segment<double>(start, chain);
    }
  }

  // One step of a recomputation: its input and output traces.
  struct SegmentStep {
    Tensor plastic, eligibility, plastic_next, eligibility_next;
    bool in_place;
  };

  template <class T>
  void run_segment(int64_t start, const std::vector<SegmentStep>& chain) const {
    std::vector<ForwardOperands<T>> steps;
    for (size_t k = 0; k < chain.size(); ++k) {
      const TapeStep& step = steps_[static_cast<size_t>(start) + k];
      const SegmentStep& t = chain[k];
      steps.emplace_back(step.update, clip_, step.h_before, step.h_last, t.plastic, t.eligibility,
                         step.modulation, step.rate, Tensor(), t.plastic_next, t.eligibility_next,
                         Tensor(), t.in_place);
    }
    const Tensor& first = chain.front().plastic;
    forward_segment<T>(steps, first.size(0), first.size(1));
  }

  const double clip_;
  std::vector<TapeStep> steps_;
  std::map<int64_t, std::pair<Tensor, Tensor>> snapshots_;
  static constexpr int64_t kSnapshotsPerStride = 4;
  int64_t stride_ = 8;
  int64_t cache_start_ = -1;
  std::map<int64_t, std::pair<Tensor, Tensor>> cache_;  // step → its input traces, recomputed
  std::vector<Tensor> slots_plastic_;
  std::vector<Tensor> slots_eligibility_;
  std::vector<Tensor> running_;  // P, E of a recomputation's steps that are not kept
  int64_t held_ = 0;
  mutable std::mutex mutex_;
};

// The tape a step's context holds.
c10::intrusive_ptr<TraceTape> tape_in(const c10::IValue& capsule) {
  const auto holder = capsule.toCapsule();
  return c10::intrusive_ptr<TraceTape>::reclaim_copy(static_cast<TraceTape*>(holder.get()));
}

// ---------------------------------------------------------------------------------------------
// The step itself.

struct StepConfig {
  FusedUpdate update;
  Activation activation;
  double clip;
  bool in_place;  // PlasticStepOptions::in_place: allowed, where the traces are ours
};

bool may_overwrite(const Tensor& tensor) {
  return TraceBuffers::instance().owns(tensor) && !(tensor.is_leaf() && tensor.requires_grad());
}

// Whether this step updates its traces in their own storage: allowed, and every trace it writes
// is a buffer an earlier fused step made (never a tensor of the caller's, such as the zeros an
// episode starts from).
bool updates_in_place(const StepConfig& config, const Tensor& plastic, const Tensor& eligibility) {
  const bool writes_p = writes_plastic(config.update);
  const bool writes_e = has_eligibility(config.update);
  return config.in_place && (writes_p || writes_e) && (!writes_p || may_overwrite(plastic)) &&
         (!writes_e || may_overwrite(eligibility));
}

// The units' response from z and what backward needs of it.
struct Response {
  Tensor z, y, h;
};

Response respond(Tensor z, const Tensor& gain, const Tensor& offset, Activation activation) {
  Tensor y = z;
  if (gain.defined()) y = y * gain;
  if (offset.defined()) y = y + offset;
  Tensor h = activate(y, activation);
  return {std::move(z), std::move(y), std::move(h)};
}

// dL/dy from dL/dh, with f' from h or y as the activation allows.
Tensor activation_backward(const Tensor& grad_h, const Tensor& h, const Tensor& y,
                           Activation activation) {
  switch (activation) {
    case Activation::identity:
      return grad_h;
    case Activation::relu:
      return grad_h * (h > 0).to(grad_h.scalar_type());
    case Activation::tanh:
      return grad_h * (1 - h * h);
    case Activation::sigmoid:
      return grad_h * h * (1 - h);
    case Activation::softplus:
      return grad_h * torch::sigmoid(y);
    case Activation::saturated_linear:
      return grad_h * ((y >= -1.0) & (y <= 1.0)).to(grad_h.scalar_type());
  }
  throw std::logic_error("unknown activation");
}

struct ForwardResult {
  Response response;
  Tensor plastic, eligibility;
};

// in_place (from updates_in_place): the written traces are updated in their own storage and
// returned as the outputs.
ForwardResult run_forward(const StepConfig& config, bool in_place, const Tensor& drive,
                          const Tensor& h_last, const Tensor& h_before, const Tensor& plastic,
                          const Tensor& eligibility, const Tensor& modulation, const Tensor& rate,
                          const Tensor& w, const Tensor& alpha, const Tensor& gain,
                          const Tensor& offset) {
  auto& buffers = TraceBuffers::instance();
  const auto output_like = [&](const Tensor& input) {
    return in_place ? input : buffers.empty_like(input);
  };
  const Tensor plastic_out = writes_plastic(config.update) ? output_like(plastic) : plastic;
  const Tensor eligibility_out =
      has_eligibility(config.update) ? output_like(eligibility) : Tensor();
  const Tensor recurrent = torch::empty_like(h_last);
  if (plastic.scalar_type() == torch::kFloat) {
    forward_samples<float>(config.update, config.clip, h_before, h_last, plastic, eligibility,
                           modulation, rate, alpha, plastic_out, eligibility_out, recurrent,
                           in_place);
  } else {
    forward_samples<double>(config.update, config.clip, h_before, h_last, plastic, eligibility,
                            modulation, rate, alpha, plastic_out, eligibility_out, recurrent,
                            in_place);
  }
  // z = drive + v w + Σ_i v_i α_ij P'_ij: one product for the batch, then the plastic part.
  Tensor z = torch::addmm(drive, h_last, w).add_(recurrent);
  return {respond(std::move(z), gain, offset, config.activation), plastic_out, eligibility_out};
}

// Input positions of FusedPlasticStep::forward after the config (for the `needs` bit mask).
enum Input : int {
  kDrive,
  kHLast,
  kHBefore,
  kPlastic,
  kEligibility,
  kModulation,
  kRate,
  kW,
  kAlpha,
  kGain,
  kOffset,
  kInputCount
};

bool requires(const Tensor& tensor) {
  return tensor.defined() && tensor.requires_grad();
}

Tensor value(const c10::optional<Tensor>& tensor) {
  return tensor ? *tensor : Tensor();
}

struct FusedPlasticStep : public torch::autograd::Function<FusedPlasticStep> {
  static variable_list forward(AutogradContext* ctx, StepConfig config, const Tensor& drive,
                               const Tensor& h_last, const c10::optional<Tensor>& h_before_in,
                               const Tensor& plastic, const c10::optional<Tensor>& eligibility_in,
                               const c10::optional<Tensor>& modulation_in,
                               const c10::optional<Tensor>& rate_in, const Tensor& w,
                               const Tensor& alpha, const c10::optional<Tensor>& gain_in,
                               const c10::optional<Tensor>& offset_in) {
    ctx->set_materialize_grads(false);
    const Tensor h_before = value(h_before_in);
    const Tensor eligibility = value(eligibility_in);
    const Tensor modulation = value(modulation_in);
    const Tensor rate = value(rate_in);
    const Tensor gain = value(gain_in);
    const Tensor offset = value(offset_in);

    // The tape's snapshot of this step's input traces (taken below) must be a copy when the step
    // overwrites them, so the decision and the snapshot come before the kernels run.
    const bool in_place = updates_in_place(config, plastic, eligibility);

    // The tape: the previous step's, when this step's traces are that step's outputs.
    c10::intrusive_ptr<TraceTape> tape;
    using Node = torch::autograd::CppNode<FusedPlasticStep>;
    if (const auto node = std::dynamic_pointer_cast<Node>(plastic.grad_fn())) {
      const auto& data = node->ctx_.saved_data;
      const auto found = data.find("tape");
      const auto number = data.find("index");
      const bool same_source =
          !eligibility.defined() || eligibility.grad_fn().get() == plastic.grad_fn().get();
      if (found != data.end() && number != data.end() && same_source) {
        auto previous = tape_in(found->second);
        if (number->second.toInt() == previous->size() - 1 && previous->clip() == config.clip) {
          tape = std::move(previous);
        }
      }
    }
    if (!tape) tape = c10::make_intrusive<TraceTape>(config.clip);
    TapeStep step;
    step.update = config.update;
    step.h_before = h_before.defined() ? h_before.detach() : Tensor();
    step.h_last = h_last.detach();
    step.modulation = modulation.defined() ? modulation.detach() : Tensor();
    // A learned η is a parameter the optimiser changes in place: keep this step's value.
    step.rate = rate.defined() ? rate.detach().clone() : Tensor();
    const int64_t index = tape->append(std::move(step), plastic, eligibility, in_place);

    ForwardResult result = run_forward(config, in_place, drive, h_last, h_before, plastic,
                                       eligibility, modulation, rate, w, alpha, gain, offset);
    if (in_place) {
      variable_list dirty;
      if (writes_plastic(config.update)) dirty.push_back(plastic);
      if (has_eligibility(config.update)) dirty.push_back(eligibility);
      ctx->mark_dirty(dirty);
    }

    int64_t needs = 0;
    const Tensor inputs[kInputCount] = {drive, h_last, h_before, plastic, eligibility, modulation,
                                        rate,  w,      alpha,    gain,    offset};
    for (int k = 0; k < kInputCount; ++k) {
      if (requires(inputs[k])) needs |= int64_t{1} << k;
    }
    ctx->saved_data["tape"] = c10::IValue::make_capsule(std::move(tape));
    ctx->saved_data["index"] = index;
    ctx->saved_data["needs"] = needs;
    ctx->saved_data["update"] = static_cast<int64_t>(config.update);
    ctx->saved_data["activation"] = static_cast<int64_t>(config.activation);
    ctx->saved_data["clip"] = config.clip;
    ctx->save_for_backward(
        {w, alpha, gain, offset, result.response.z, result.response.y, result.response.h});

    variable_list outputs{result.response.h, result.plastic};
    if (result.eligibility.defined()) outputs.push_back(result.eligibility);
    return outputs;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const Tensor& w = saved[0];
    const Tensor& alpha = saved[1];
    const Tensor& gain = saved[2];
    const Tensor& offset = saved[3];
    const Tensor& z = saved[4];
    const Tensor& y = saved[5];
    const Tensor& h = saved[6];
    const auto& data = ctx->saved_data;
    const auto tape = tape_in(data.at("tape"));
    const int64_t index = data.at("index").toInt();
    const int64_t needs = data.at("needs").toInt();
    const auto update = static_cast<FusedUpdate>(data.at("update").toInt());
    const auto activation = static_cast<Activation>(data.at("activation").toInt());
    const double clip = data.at("clip").toDouble();
    const auto need = [needs](Input k) { return (needs >> k) & 1; };

    const TapeStep step = tape->step(index);
    const auto traces =
        tape->traces_at(index, torch::autograd::get_current_graph_task_keep_graph());

    const Tensor grad_h = grads[0].defined() ? grads[0] : torch::zeros_like(h);
    const Tensor grad_y = activation_backward(grad_h, h, y, activation);
    const Tensor grad_z = (gain.defined() ? grad_y * gain : grad_y).contiguous();

    BackwardTensors t;
    t.plastic = traces.first;
    t.eligibility = traces.second;
    if (grads.size() > 1 && grads[1].defined()) t.grad_plastic_out = grads[1].contiguous();
    if (grads.size() > 2 && grads[2].defined()) t.grad_eligibility_out = grads[2].contiguous();
    // The trace gradients overwrite the incoming ones where those are buffers the next step's
    // backward made (nothing else holds them: autograd sums several into a new tensor or into
    // one it alone holds), which saves streaming a third pair of (B, N, N) tensors.
    const bool eligibility = has_eligibility(update);
    t.in_place = need(kPlastic) && may_overwrite(t.grad_plastic_out) &&
                 (!eligibility || (need(kEligibility) && may_overwrite(t.grad_eligibility_out)));
    if (t.in_place) {
      t.grad_plastic = t.grad_plastic_out;
      if (eligibility) t.grad_eligibility = t.grad_eligibility_out;
    } else {
      if (need(kPlastic)) t.grad_plastic = TraceBuffers::instance().empty_like(traces.first);
      if (need(kEligibility)) {
        t.grad_eligibility = TraceBuffers::instance().empty_like(traces.second);
      }
    }
    t.alpha = alpha;
    if (need(kAlpha)) t.grad_alpha = torch::zeros_like(alpha);
    t.h_before = step.h_before;
    t.h_last = step.h_last;
    t.modulation = step.modulation;
    t.rate = step.rate;
    t.grad_z = grad_z;
    t.grad_h_before = torch::empty_like(step.h_last);
    t.grad_h_last = torch::mm(grad_z, w.t()).contiguous();
    if (reads_modulation(update)) t.grad_modulation = torch::empty_like(step.h_last);
    if (reads_rate(update)) t.grad_rate = torch::empty_like(step.h_last);

    if (traces.first.scalar_type() == torch::kFloat) {
      backward_samples<float>(update, clip, t);
    } else {
      backward_samples<double>(update, clip, t);
    }

    variable_list result(1 + kInputCount);  // the config first, then the inputs in order
    const auto set = [&](Input k, Tensor grad) {
      if (need(k)) result[1 + k] = std::move(grad);
    };
    set(kDrive, grad_z);
    set(kHLast, t.grad_h_last);
    set(kHBefore, t.grad_h_before);
    set(kPlastic, t.grad_plastic);
    set(kEligibility, t.grad_eligibility);
    if (need(kModulation)) set(kModulation, at::sum_to(t.grad_modulation, step.modulation.sizes()));
    if (need(kRate)) set(kRate, at::sum_to(t.grad_rate, step.rate.sizes()));
    if (need(kW)) set(kW, torch::mm(step.h_last.t(), grad_z));
    set(kAlpha, t.grad_alpha);
    if (need(kGain)) set(kGain, at::sum_to(grad_y * z, gain.sizes()));
    if (need(kOffset)) set(kOffset, at::sum_to(grad_y, offset.sizes()));
    return result;
  }
};

// ---------------------------------------------------------------------------------------------
// Shapes.

std::string shape_of(const Tensor& tensor) {
  std::ostringstream text;
  text << tensor.sizes();
  return text.str();
}

// Modulation convention of hebbian.h, brought to () or 2-D: (k) → (k, 1).
Tensor synaptic_operand(const Tensor& x) {
  if (!x.defined() || x.dim() != 1) return x;
  return x.view({x.size(0), 1});
}

// Broadcasting against (B, N): (k) → (1, k).
Tensor unit_operand(const Tensor& x) {
  if (!x.defined() || x.dim() != 1) return x;
  return x.view({1, x.size(0)});
}

std::string check_operand(const char* name, const Tensor& x, bool synaptic, int64_t batch,
                          int64_t n, const torch::Tensor& like) {
  if (!x.defined()) return "";
  if (x.device() != like.device() || x.scalar_type() != like.scalar_type()) {
    return std::string(name) + " must be on the traces' device with their dtype";
  }
  const Tensor shaped = synaptic ? synaptic_operand(x) : unit_operand(x);
  const bool fits =
      shaped.dim() == 0 || (shaped.dim() == 2 && (shaped.size(0) == 1 || shaped.size(0) == batch) &&
                            (shaped.size(1) == 1 || shaped.size(1) == n));
  if (!fits) {
    return std::string(name) + " must broadcast to (B, N) = (" + std::to_string(batch) + ", " +
           std::to_string(n) + "), got shape " + shape_of(x);
  }
  return "";
}

}  // namespace

std::string fused_plastic_step_unsupported(const PlasticStepInputs& in,
                                           const PlasticStepOptions& options) {
  const auto update = options.update();
  const Tensor& p = in.plastic;
  if (!p.defined() || p.dim() != 3 || p.size(1) != p.size(2)) {
    return "P must be (B, N, N), got " + (p.defined() ? shape_of(p) : std::string("none"));
  }
  if (!p.device().is_cpu()) return "the fused step runs on the CPU only";
  if (p.scalar_type() != torch::kFloat && p.scalar_type() != torch::kDouble) {
    return "the fused step takes float32 and float64 only";
  }
  const int64_t batch = p.size(0);
  const int64_t n = p.size(1);
  const auto same = [&](const Tensor& x) {
    return x.device() == p.device() && x.scalar_type() == p.scalar_type() &&
           x.layout() == torch::kStrided;
  };
  const auto matrix = [&](const char* name, const Tensor& x, std::vector<int64_t> shape,
                          bool required) -> std::string {
    if (!x.defined()) return required ? std::string(name) + " is missing" : "";
    if (!same(x)) return std::string(name) + " must be on the traces' device with their dtype";
    if (x.sizes() != c10::IntArrayRef(shape)) {
      return std::string(name) + " must have shape " + shape_of(torch::empty(shape)) + ", got " +
             shape_of(x);
    }
    return "";
  };
  std::string why;
  if (!(why = matrix("drive", in.drive, {batch, n}, true)).empty()) return why;
  if (!(why = matrix("h_last", in.h_last, {batch, n}, true)).empty()) return why;
  if (!(why = matrix("h_before", in.h_before, {batch, n}, update != FusedUpdate::frozen)).empty()) {
    return why;
  }
  if (!(why = matrix("E", in.eligibility, {batch, n, n}, has_eligibility(update))).empty()) {
    return why;
  }
  if (!(why = matrix("w", in.w, {n, n}, true)).empty()) return why;
  if (!in.alpha.defined()) return "alpha is missing";
  const std::vector<int64_t> alpha_shape =
      in.alpha.dim() == 2
          ? std::vector<int64_t>{n, n}
          : (in.alpha.dim() == 1 ? std::vector<int64_t>{n} : std::vector<int64_t>{});
  if (!(why = matrix("alpha", in.alpha, alpha_shape, true)).empty()) return why;
  if (reads_modulation(update) && !in.modulation.defined()) return "m is missing";
  if (reads_rate(update) && !in.rate.defined()) return "r is missing";
  if (!(why = check_operand("m", in.modulation, true, batch, n, p)).empty()) return why;
  if (!(why = check_operand("r", in.rate, true, batch, n, p)).empty()) return why;
  if (!(why = check_operand("gain", in.gain, false, batch, n, p)).empty()) return why;
  if (!(why = check_operand("offset", in.offset, false, batch, n, p)).empty()) return why;
  if (reads_clip(update) && !(options.clip() > 0.0)) {
    return "clip must be > 0, got " + std::to_string(options.clip());
  }
  return "";
}

PlasticStepOutputs fused_plastic_step(const PlasticStepInputs& in,
                                      const PlasticStepOptions& options) {
  const std::string why = fused_plastic_step_unsupported(in, options);
  TORCH_CHECK(why.empty(), "fused_plastic_step (", config::enum_name(options.update()), "): ", why);
  const auto update = options.update();
  const StepConfig config{update, options.activation(), options.clip(), options.in_place()};
  // Operands the update does not read stay out, so that they get no gradient either.
  const Tensor h_before = update == FusedUpdate::frozen ? Tensor() : in.h_before.contiguous();
  const Tensor eligibility = has_eligibility(update) ? in.eligibility.contiguous() : Tensor();
  const Tensor modulation = reads_modulation(update) ? synaptic_operand(in.modulation) : Tensor();
  const Tensor rate = reads_rate(update) ? synaptic_operand(in.rate) : Tensor();
  const Tensor gain = unit_operand(in.gain);
  const Tensor offset = unit_operand(in.offset);
  const Tensor drive = in.drive.contiguous();
  const Tensor h_last = in.h_last.contiguous();
  const Tensor plastic = in.plastic.contiguous();
  const Tensor w = in.w.contiguous();
  const Tensor alpha = in.alpha.contiguous();

  const bool graph =
      torch::GradMode::is_enabled() &&
      (requires(drive) || requires(h_last) || requires(h_before) || requires(plastic) ||
       requires(eligibility) || requires(modulation) || requires(rate) || requires(w) ||
       requires(alpha) || requires(gain) || requires(offset));
  if (!graph) {
    const bool in_place = updates_in_place(config, plastic, eligibility);
    ForwardResult result = run_forward(config, in_place, drive, h_last, h_before, plastic,
                                       eligibility, modulation, rate, w, alpha, gain, offset);
    if (in_place) {
      if (writes_plastic(update)) torch::autograd::impl::bump_version(plastic);
      if (has_eligibility(update)) torch::autograd::impl::bump_version(eligibility);
    }
    return {result.response.h, result.plastic, result.eligibility};
  }
  const auto optional = [](const Tensor& x) {
    return x.defined() ? c10::optional<Tensor>(x) : c10::optional<Tensor>();
  };
  auto outputs = FusedPlasticStep::apply(
      config, drive, h_last, optional(h_before), plastic, optional(eligibility),
      optional(modulation), optional(rate), w, alpha, optional(gain), optional(offset));
  PlasticStepOutputs result{outputs[0], outputs[1], Tensor()};
  if (outputs.size() > 2) result.eligibility = outputs[2];
  return result;
}

PlasticStepOutputs plastic_step_reference(const PlasticStepInputs& in,
                                          const PlasticStepOptions& options) {
  Tensor plastic = in.plastic;
  Tensor eligibility;
  switch (options.update()) {
    case FusedUpdate::frozen:
      break;
    case FusedUpdate::clipped_hebb:
      plastic =
          modulated_hebb_update(in.plastic, in.h_before, in.h_last, in.modulation, options.clip());
      break;
    case FusedUpdate::decaying_hebb:
      plastic = decaying_hebb_update(in.plastic, in.h_before, in.h_last, in.rate);
      break;
    case FusedUpdate::retroactive: {
      auto traces = retroactive_update({in.plastic, in.eligibility}, in.h_before, in.h_last,
                                       in.modulation, in.rate, options.clip());
      plastic = std::move(traces.plastic);
      eligibility = std::move(traces.eligibility);
      break;
    }
    case FusedUpdate::eligibility_only:
      eligibility = decaying_hebb_update(in.eligibility, in.h_before, in.h_last, in.rate);
      break;
  }
  Tensor z = in.drive + plastic_input(in.h_last, in.w, in.alpha, plastic);
  return {respond(std::move(z), in.gain, in.offset, options.activation()).h, plastic, eligibility};
}

std::string fused_instruction_set() {
  return fk::instruction_set();
}

void set_fused_recompute_cache_bytes(int64_t bytes) {
  recompute_cache_setting().store(std::max<int64_t>(bytes, 0));
}

void force_portable_fused_loops(bool portable) {
  fk::force_portable(portable);
}

}  // namespace neuromod::functional
