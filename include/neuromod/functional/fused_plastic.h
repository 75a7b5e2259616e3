#pragma once
/// \file
/// One step of a plastic recurrent layer as a single fused operation with its own backward
/// (issue 4, "Speed"): the pending trace update, then the units' response,
///
///     P', E' = update(P, E; u = h_{t−2}, v = h_{t−1}, m, r)               (the rules below)
///     z      = drive + v (w + α ⊙ P')        drive = W_in x_t + b
///     h_t    = f( gain ⊙ z + offset )        offset = bias − threshold
///
/// | update             | P'                              | E'                           |
/// |--------------------|---------------------------------|------------------------------|
/// | `frozen`           | P                               | —                            |
/// | `clipped_hebb`     | clip(P + m ⊙ u ⊗ v, ±C)         | —                            |
/// | `decaying_hebb`    | (1 − r) ⊙ P + r ⊙ u ⊗ v         | —                            |
/// | `retroactive`      | clip(P + m ⊙ E, ±C) (old E)     | (1 − r) ⊙ E + r ⊙ u ⊗ v      |
/// | `eligibility_only` | P                               | (1 − r) ⊙ E + r ⊙ u ⊗ v      |
///
/// These are the equations of functional/hebbian.h in the order PlasticRecurrent applies them
/// (its header, "Timing"); `plastic_step_reference` composes exactly those functions and is the
/// reference the fused step is tested against.
///
/// **How it is fast.** Each sample's N×N traces are read once per step, row by row, and the new
/// traces, the plastic input Σ_i v_i α_ij P'_ij and (in backward) every gradient are formed in the
/// same pass, so that `w + α ⊙ P'`, u ⊗ v and the clamp mask never exist as tensors; the batched
/// `v w` is one BLAS product. The loops are built for AVX2 + FMA and for baseline x86-64 and
/// chosen at run time.
///
/// **How it saves memory.** Autograd keeps no trace of any step: the steps of an episode share a
/// tape (found through the previous step's P, whose grad_fn is the previous fused step) that keeps
/// (P, E) every K steps, K ≈ √T, growing as the episode does. Backward recomputes a segment's
/// traces once, into a buffer reused by every segment, and serves them in reverse order; a
/// retroactive episode of T steps keeps about (T/K + K) trace pairs instead of T. Everything per
/// step that is saved is (B, N).
///
/// Shapes: drive, h_last, h_before (B, N); P, E (B, N, N) with i presynaptic (row) and j
/// postsynaptic (column); w (N, N); α (N, N), (N) or (). `m` and `r` follow the modulation
/// convention of hebbian.h: () shared, (B) or (B, 1) per sample, (1, N) per unit, (B, N). `gain`
/// and `offset` broadcast against (B, N) as tensors do: (), (N), (1, N), (B, 1), (B, N).
/// Float32 and float64 on the CPU.
///
/// References: Miconi, Clune & Stanley 2018 (ICML), "Differentiable plasticity"; Miconi, Rawal,
/// Clune & Stanley 2019 (ICLR), "Backpropamine"; Griewank 1992 / Chen et al. 2016 for the √T
/// checkpointing.

#include <cstdint>
#include <string>

#include <torch/arg.h>
#include <torch/types.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/functional/activation.h"

namespace neuromod::functional {

/// The trace update of a fused step (see the table above).
enum class FusedUpdate {
  frozen,            ///< P' = P
  clipped_hebb,      ///< P' = clip(P + m u ⊗ v)
  decaying_hebb,     ///< P' = (1 − r) P + r u ⊗ v
  retroactive,       ///< P' = clip(P + m E), E' = (1 − r) E + r u ⊗ v
  eligibility_only,  ///< P' = P, E' = (1 − r) E + r u ⊗ v
};

/// Names of the fused updates (for messages).
inline const config::EnumNames<FusedUpdate>& enum_names(FusedUpdate) {
  static const config::EnumNames<FusedUpdate> names{
      {FusedUpdate::frozen, "frozen", "P' = P"},
      {FusedUpdate::clipped_hebb, "clipped_hebb", "P' = clip(P + m u v)"},
      {FusedUpdate::decaying_hebb, "decaying_hebb", "P' = (1 - r) P + r u v"},
      {FusedUpdate::retroactive, "retroactive", "P' = clip(P + m E), E' = (1 - r) E + r u v"},
      {FusedUpdate::eligibility_only, "eligibility_only", "P' = P, E' = (1 - r) E + r u v"}};
  return names;
}

/// The tensors of one step. Undefined where the update does not read them.
struct PlasticStepInputs {
  torch::Tensor drive;        ///< W_in x_t + b, (B, N)
  torch::Tensor h_last;       ///< v = h_{t−1}, (B, N)
  torch::Tensor h_before;     ///< u = h_{t−2}, (B, N); not read by `frozen`
  torch::Tensor plastic;      ///< P, (B, N, N)
  torch::Tensor eligibility;  ///< E, (B, N, N): `retroactive`, `eligibility_only`
  torch::Tensor modulation;   ///< m: `clipped_hebb`, `retroactive`
  torch::Tensor rate;         ///< r: `decaying_hebb`, `retroactive`, `eligibility_only`
  torch::Tensor w;            ///< (N, N)
  torch::Tensor alpha;        ///< (N, N), (N) or ()
  torch::Tensor gain;         ///< soma gain, or undefined for 1
  torch::Tensor offset;       ///< bias − threshold, or undefined for 0
};

/// What a step does besides its tensors.
/// Example: `PlasticStepOptions(FusedUpdate::retroactive).clip(1.0)`
struct PlasticStepOptions {
  explicit PlasticStepOptions(FusedUpdate update) : update_(update) {}
  /// The trace update.
  TORCH_ARG(FusedUpdate, update);
  /// f.
  TORCH_ARG(Activation, activation) = Activation::tanh;
  /// C > 0 of `clipped_hebb` and `retroactive` (+inf: no clamp).
  TORCH_ARG(double, clip) = 1.0;
  /// Update P and E in their own storage where they are traces an earlier fused step returned
  /// (never the caller's own tensors, e.g. an episode's initial zeros): the outputs are then the
  /// input tensors themselves, modified (autograd knows: they are marked dirty), which halves
  /// the memory a step streams. Off by default, since a caller that keeps an earlier step's
  /// traces would see them change; PlasticRecurrent, which hands each step's traces only to the
  /// next, turns it on.
  TORCH_ARG(bool, in_place) = false;
};

/// What a step returns.
struct PlasticStepOutputs {
  torch::Tensor h;            ///< h_t, (B, N)
  torch::Tensor plastic;      ///< P', (B, N, N) (the input P itself when the update keeps it)
  torch::Tensor eligibility;  ///< E', (B, N, N), or undefined
};

/// Why `fused_plastic_step` cannot take these inputs, or "" when it can (device, dtype, shapes).
std::string fused_plastic_step_unsupported(const PlasticStepInputs& inputs,
                                           const PlasticStepOptions& options);

/// The fused step, differentiable in every input that requires grad. Throws c10::Error with the
/// reason of `fused_plastic_step_unsupported` for inputs it does not take.
PlasticStepOutputs fused_plastic_step(const PlasticStepInputs& inputs,
                                      const PlasticStepOptions& options);

/// The same step composed from hebbian.h and generic tensor ops: the reference of the tests.
PlasticStepOutputs plastic_step_reference(const PlasticStepInputs& inputs,
                                          const PlasticStepOptions& options);

/// Bytes of traces the fused steps' tapes hold for backward, over all live tapes.
struct FusedTapeMemory {
  int64_t current_bytes = 0;  ///< now
  int64_t peak_bytes = 0;     ///< highest since the last `reset_fused_tape_peak`
};

/// The tapes' memory now and at its peak.
FusedTapeMemory fused_tape_memory();

/// Restarts the peak of `fused_tape_memory` from the current value.
void reset_fused_tape_peak();

/// The instruction set of the fused loops in use: "avx2+fma" or "portable".
std::string fused_instruction_set();

/// How many bytes of recomputed traces backward aims to keep in cache (0, the default: a third
/// of the L3 cache). When half a segment's traces fit, a recomputation keeps only what fits and
/// recomputes the rest again later; otherwise it keeps the whole segment. For tests and tuning.
void set_fused_recompute_cache_bytes(int64_t bytes);

/// true: use the portable loops even on a CPU with AVX2 + FMA (tests and benches compare both).
void force_portable_fused_loops(bool portable);

}  // namespace neuromod::functional
