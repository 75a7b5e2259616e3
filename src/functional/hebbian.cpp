#include "neuromod/functional/hebbian.h"

#include <cmath>
#include <utility>

#include <c10/util/Exception.h>

namespace neuromod::functional {
namespace {

// Brings a modulation or rate tensor to a shape that broadcasts against (B, N_pre, N_post):
// () stays, (B) -> (B, 1, 1), (B, N_post) -> (B, 1, N_post), 3-D stays.
torch::Tensor as_synaptic(const torch::Tensor& x, const char* what) {
  switch (x.dim()) {
    case 0:
      return x;
    case 1:
      return x.view({x.size(0), 1, 1});
    case 2:
      return x.unsqueeze(1);
    case 3:
      return x;
    default:
      TORCH_CHECK(false, what, " must be (), (B), (B, N_post) or 3-D, got shape ", x.sizes());
  }
}

void check_activity(const torch::Tensor& h_prev, const torch::Tensor& h, const char* caller) {
  TORCH_CHECK(h_prev.dim() == 2, caller, ": h_prev must be (B, N_pre), got ", h_prev.sizes());
  TORCH_CHECK(h.dim() == 2, caller, ": h must be (B, N_post), got ", h.sizes());
  TORCH_CHECK(h_prev.size(0) == h.size(0), caller, ": h_prev and h must share the batch size, got ",
              h_prev.size(0), " and ", h.size(0));
}

void check_clip(double clip, const char* caller) {
  TORCH_CHECK(clip > 0.0, caller, ": clip must be > 0 (or +inf for none), got ", clip);
}

torch::Tensor clip_symmetric(const torch::Tensor& x, double clip) {
  return std::isinf(clip) ? x : torch::clamp(x, -clip, clip);
}

}  // namespace

torch::Tensor hebbian_outer(const torch::Tensor& h_prev, const torch::Tensor& h) {
  check_activity(h_prev, h, "hebbian_outer");
  return h_prev.unsqueeze(2) * h.unsqueeze(1);
}

torch::Tensor plastic_input(const torch::Tensor& h_prev, const torch::Tensor& w,
                            const torch::Tensor& alpha, const torch::Tensor& plastic) {
  TORCH_CHECK(h_prev.dim() == 2, "plastic_input: h_prev must be (B, N_pre), got ", h_prev.sizes());
  TORCH_CHECK(w.dim() == 2, "plastic_input: w must be (N_pre, N_post), got ", w.sizes());
  TORCH_CHECK(alpha.dim() <= 2,
              "plastic_input: alpha must be (N_pre, N_post), (N_post) or (), got ", alpha.sizes());
  const auto fixed = h_prev.matmul(w);
  const auto h_row = h_prev.unsqueeze(1);  // (B, 1, N_pre) for a batched vector-matrix product
  if (alpha.dim() <= 1) {
    // α does not depend on i, so it factors out of the sum over presynaptic units.
    return fixed + h_row.matmul(plastic).squeeze(1) * alpha;
  }
  return fixed + h_row.matmul(alpha * plastic).squeeze(1);
}

torch::Tensor decaying_hebb_update(const torch::Tensor& hebb, const torch::Tensor& h_prev,
                                   const torch::Tensor& h, const torch::Tensor& eta) {
  const auto rate = as_synaptic(eta, "decaying_hebb_update: eta");
  return (1.0 - rate) * hebb + rate * hebbian_outer(h_prev, h);
}

torch::Tensor modulated_hebb_update(const torch::Tensor& hebb, const torch::Tensor& h_prev,
                                    const torch::Tensor& h, const torch::Tensor& m, double clip) {
  check_clip(clip, "modulated_hebb_update");
  const auto modulation = as_synaptic(m, "modulated_hebb_update: m");
  return clip_symmetric(hebb + modulation * hebbian_outer(h_prev, h), clip);
}

torch::Tensor clipped_hebb_update(const torch::Tensor& hebb, const torch::Tensor& h_prev,
                                  const torch::Tensor& h, const torch::Tensor& eta, double clip) {
  check_clip(clip, "clipped_hebb_update");
  const auto rate = as_synaptic(eta, "clipped_hebb_update: eta");
  return clip_symmetric(hebb + rate * hebbian_outer(h_prev, h), clip);
}

RetroactiveTraces retroactive_update(const RetroactiveTraces& traces, const torch::Tensor& h_prev,
                                     const torch::Tensor& h, const torch::Tensor& m,
                                     const torch::Tensor& eta, double clip) {
  check_clip(clip, "retroactive_update");
  const auto modulation = as_synaptic(m, "retroactive_update: m");
  const auto rate = as_synaptic(eta, "retroactive_update: eta");
  // Order matters (Backpropamine, `modul`): P reads E(t) before E takes in the new co-activation.
  auto plastic = clip_symmetric(traces.plastic + modulation * traces.eligibility, clip);
  auto eligibility = (1.0 - rate) * traces.eligibility + rate * hebbian_outer(h_prev, h);
  return {std::move(plastic), std::move(eligibility)};
}

torch::Tensor fan_out(const torch::Tensor& m, const torch::Tensor& f, const torch::Tensor& g) {
  TORCH_CHECK(m.dim() == 1 || (m.dim() == 2 && m.size(1) == 1),
              "fan_out: m must be (B) or (B, 1), got ", m.sizes());
  TORCH_CHECK(f.dim() == 1 && g.dim() == 1 && f.size(0) == g.size(0),
              "fan_out: f and g must both be (N_post), got ", f.sizes(), " and ", g.sizes());
  const auto column = m.dim() == 1 ? m.unsqueeze(1) : m;
  return column * f + g;
}

}  // namespace neuromod::functional
