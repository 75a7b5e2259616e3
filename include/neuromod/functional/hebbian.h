#pragma once
/// \file
/// Plastic recurrent connections with (neuromodulated) Hebbian traces, batched.
///
///     input_j   = Σ_i h_i(t−1) · [ w_ij + α_ij · P_ij(t) ]                       plastic input
///     decaying:    Hebb' = (1 − η) · Hebb + η · h(t−1) ⊗ h(t)                      (2018)
///     modulated:   Hebb' = clip( Hebb + M(t) · h(t−1) ⊗ h(t), −C, C )            (2019, modplast)
///     clipped:     Hebb' = clip( Hebb + η · h(t−1) ⊗ h(t), −C, C )               (2019, plastic)
///     retroactive: P'    = clip( P + M(t) · E, −C, C )     with the OLD E,        (2019, modul)
///                  E'    = (1 − η) · E + η · h(t−1) ⊗ h(t)
///     fan-out:     M_j   = f_j · M + g_j
///
/// Index i is presynaptic (row), j postsynaptic (column), as in `h_prev @ w`.
///
/// | symbol | shape                                          | meaning                          |
/// |--------|------------------------------------------------|----------------------------------|
/// | h_prev | (B, N_pre)                                     | presynaptic activity h(t−1)      |
/// | h      | (B, N_post)                                    | postsynaptic activity h(t)       |
/// | w      | (N_pre, N_post)                                | fixed (slow, learned) weights    |
/// | α      | (N_pre, N_post), (N_post) or ()                | plasticity coefficients          |
/// | P, Hebb, E | (B, N_pre, N_post)                         | per-episode traces, reset to 0   |
/// | M, η   | (), (B), (B, 1) or (B, N_post)                 | modulation / rate, see below     |
/// | C      | double > 0, +inf for none                      | clip bound (1 or 2 in the papers)|
///
/// Modulation and rate tensors (`m`, `eta`) follow one convention: a 0-dim tensor is shared by
/// all samples; (B) is one value per sample (Backpropamine's global M(t)); (B, N_post) is one
/// value per sample and postsynaptic neuron (fan-out); a 3-D tensor is used as given and must
/// broadcast to (B, N_pre, N_post). A learned scalar stored as shape (1) works as (B) with B = 1.
///
/// The clip is torch::clamp, a hard clamp whose gradient is 0 where the bound is active, exactly as
/// in the reference code. Nothing is detached: gradients flow through the traces over the episode.
///
/// References: Miconi, Clune & Stanley 2018 (ICML), "Differentiable plasticity"; Miconi, Rawal,
/// Clune & Stanley 2019 (ICLR), "Backpropamine".

#include <torch/types.h>

namespace neuromod::functional {

/// Batched outer product `h_prev ⊗ h`, element [b, i, j] = h_prev[b, i] * h[b, j].
/// \param h_prev  (B, N_pre).
/// \param h       (B, N_post).
/// \returns       (B, N_pre, N_post).
torch::Tensor hebbian_outer(const torch::Tensor& h_prev, const torch::Tensor& h);

/// Plastic recurrent input `h_prev @ (w + α ⊙ P)`, per sample.
///
/// Computed as `h_prev @ w + h_prev @ (α ⊙ P)`, so `w + α ⊙ P` is never formed per sample; for
/// scalar or per-postsynaptic α it is applied after the product, `(h_prev @ P) ⊙ α`, and α ⊙ P is
/// not formed either.
/// \param h_prev   (B, N_pre).
/// \param w        (N_pre, N_post).
/// \param alpha    (N_pre, N_post) per connection, (N_post) per postsynaptic neuron, or ().
/// \param plastic  P, (B, N_pre, N_post).
/// \returns        (B, N_post).
torch::Tensor plastic_input(const torch::Tensor& h_prev, const torch::Tensor& w,
                            const torch::Tensor& alpha, const torch::Tensor& plastic);

/// Decaying Hebbian trace (differentiable plasticity):
/// `Hebb' = (1 − η) · Hebb + η · h_prev ⊗ h`. No clip: the trace stays within the range of the
/// outer products when 0 <= η <= 1.
/// \param hebb  (B, N_pre, N_post).
/// \param eta   rate η, modulation convention (usually a learned 0-dim scalar).
/// \returns     (B, N_pre, N_post).
torch::Tensor decaying_hebb_update(const torch::Tensor& hebb, const torch::Tensor& h_prev,
                                   const torch::Tensor& h, const torch::Tensor& eta);

/// Simple neuromodulated Hebbian trace: `Hebb' = clip(Hebb + M ⊙ h_prev ⊗ h, −clip, clip)`.
/// \param hebb  (B, N_pre, N_post).
/// \param m     modulation M(t): (B) global or (B, N_post) fanned out (modulation convention).
/// \param clip  bound C > 0; +inf disables the clamp.
/// \returns     (B, N_pre, N_post).
torch::Tensor modulated_hebb_update(const torch::Tensor& hebb, const torch::Tensor& h_prev,
                                    const torch::Tensor& h, const torch::Tensor& m, double clip);

/// Non-modulated plastic trace: `Hebb' = clip(Hebb + η · h_prev ⊗ h, −clip, clip)`; the same as
/// `modulated_hebb_update` with M ≡ η (a constant source in the modulatory system).
/// \param eta   rate η, modulation convention (usually a learned 0-dim scalar).
torch::Tensor clipped_hebb_update(const torch::Tensor& hebb, const torch::Tensor& h_prev,
                                  const torch::Tensor& h, const torch::Tensor& eta, double clip);

/// Plastic weights and eligibility trace of retroactive neuromodulation.
struct RetroactiveTraces {
  torch::Tensor plastic;      ///< P, (B, N_pre, N_post).
  torch::Tensor eligibility;  ///< E, (B, N_pre, N_post).
};

/// Retroactive neuromodulation with an eligibility trace, in the reference order:
/// first `P' = clip(P + M ⊙ E, −clip, clip)` with the OLD eligibility E, then
/// `E' = (1 − η) · E + η · h_prev ⊗ h`. The modulator therefore acts on past co-activations.
/// \param traces  P and E at time t, each (B, N_pre, N_post).
/// \param m       modulation M(t), (B) or (B, N_post) (modulation convention).
/// \param eta     eligibility rate η (the trace decays by 1 − η per step), modulation convention.
/// \param clip    bound C > 0 on P; +inf disables the clamp. E is not clipped.
/// \returns       P and E at time t + 1.
RetroactiveTraces retroactive_update(const RetroactiveTraces& traces, const torch::Tensor& h_prev,
                                     const torch::Tensor& h, const torch::Tensor& m,
                                     const torch::Tensor& eta, double clip);

/// Learned fan-out of a scalar modulation to postsynaptic neurons: `M_j = f_j · M + g_j`.
/// \param m  M, (B) or (B, 1).
/// \param f  slopes, (N_post).
/// \param g  offsets, (N_post).
/// \returns  (B, N_post).
torch::Tensor fan_out(const torch::Tensor& m, const torch::Tensor& f, const torch::Tensor& g);

}  // namespace neuromod::functional
