#pragma once
// Private: the per-sample loops of the fused plastic-recurrent step (functional/fused_plastic.h).
// Plain pointers and sizes only, so that the loops compile without LibTorch in sight of the
// optimiser: each sample's N×N traces are read once per step, row by row (i presynaptic), with
// contiguous inner loops over the postsynaptic index j that g++ vectorises. The entry points pick,
// once per process, a build of the loops for AVX2 + FMA when the CPU has them and a portable one
// otherwise (the library is compiled without -march).

#include <cstdint>

namespace neuromod::functional::fused_kernels {

/// What the trace update of a step does (each rule of PlasticRecurrent maps to one).
enum class Update : int {
  frozen,            ///< P' = P (simple rule without a modulator)
  clipped_hebb,      ///< P' = clip(P + m_j u_i v_j)                       (simple, clipped)
  decaying_hebb,     ///< P' = (1 − r_j) P + r_j u_i v_j                    (decaying)
  retroactive,       ///< P' = clip(P + m_j E), E' = (1 − r_j) E + r_j u_i v_j
  eligibility_only,  ///< P' = P, E' = (1 − r_j) E + r_j u_i v_j          (retroactive, no M)
};

/// Shape of α.
enum class AlphaShape : int { per_connection, per_neuron, scalar };

/// Whether an update writes a new P (otherwise P' is P itself).
constexpr bool writes_plastic(Update update) {
  return update == Update::clipped_hebb || update == Update::decaying_hebb ||
         update == Update::retroactive;
}
/// Whether an update has an eligibility trace E.
constexpr bool has_eligibility(Update update) {
  return update == Update::retroactive || update == Update::eligibility_only;
}

/// One sample of the forward step: the trace update, then (optionally) the plastic part of the
/// recurrent input, recurrent_j = Σ_i v_i α_ij P'_ij. u = h_{t−2}, v = h_{t−1}.
template <class T>
struct ForwardSample {
  int64_t n = 0;
  Update update = Update::frozen;
  AlphaShape alpha_shape = AlphaShape::per_connection;
  T clip = 0;
  const T* plastic = nullptr;      ///< P (n, n)
  const T* eligibility = nullptr;  ///< E (n, n), when has_eligibility
  T* plastic_out = nullptr;        ///< P' (n, n), when writes_plastic
  T* eligibility_out = nullptr;    ///< E' (n, n), when has_eligibility
  const T* alpha = nullptr;        ///< (n, n), (n) or (1); unused without `recurrent`
  const T* h_before = nullptr;     ///< u (n)
  const T* h_last = nullptr;       ///< v (n)
  const T* modulation = nullptr;   ///< m (n), when the update reads it
  const T* rate = nullptr;         ///< r (n), when the update reads it
  T* recurrent = nullptr;          ///< (n) output, or null: traces only
  T* scratch = nullptr;            ///< 4 n
  /// The written traces are updated in place: plastic_out == plastic (when the update writes P)
  /// and eligibility_out == eligibility.
  bool in_place = false;
};

/// One sample of the backward step. Incoming gradients may be null (zero); outgoing trace
/// gradients may be null (not needed). `grad_alpha` and `grad_h_last` are accumulated (+=), the
/// other outputs written.
template <class T>
struct BackwardSample {
  int64_t n = 0;
  Update update = Update::frozen;
  AlphaShape alpha_shape = AlphaShape::per_connection;
  T clip = 0;
  const T* plastic = nullptr;               ///< P (n, n), the step's input
  const T* eligibility = nullptr;           ///< E (n, n), the step's input
  const T* grad_plastic_out = nullptr;      ///< dL/dP' (n, n) or null
  const T* grad_eligibility_out = nullptr;  ///< dL/dE' (n, n) or null
  T* grad_plastic = nullptr;                ///< dL/dP (n, n) or null
  T* grad_eligibility = nullptr;            ///< dL/dE (n, n) or null
  const T* alpha = nullptr;                 ///< (n, n), (n) or (1)
  T* grad_alpha = nullptr;                  ///< += dL/dα, same shape, or null
  const T* h_before = nullptr;              ///< u (n)
  const T* h_last = nullptr;                ///< v (n)
  const T* modulation = nullptr;            ///< m (n)
  const T* rate = nullptr;                  ///< r (n)
  const T* grad_recurrent = nullptr;        ///< dL/d recurrent (n): the gradient of z
  T* grad_h_before = nullptr;               ///< = dL/du (n)
  T* grad_h_last = nullptr;                 ///< += dL/dv (n), the plastic and trace parts
  T* grad_modulation = nullptr;             ///< = dL/dm (n)
  T* grad_rate = nullptr;                   ///< = dL/dr (n)
  T* scratch = nullptr;                     ///< 12 n
  /// The trace gradients overwrite the incoming ones: grad_plastic == grad_plastic_out and (with
  /// an eligibility trace) grad_eligibility == grad_eligibility_out, none of them null.
  bool in_place = false;
};

/// Scratch lengths, in elements of T, for a layer of n units.
inline int64_t forward_scratch(int64_t n) {
  return 4 * n;
}
inline int64_t backward_scratch(int64_t n) {
  return 14 * n;
}

void forward_sample(const ForwardSample<float>& sample);
void forward_sample(const ForwardSample<double>& sample);
void backward_sample(const BackwardSample<float>& sample);
void backward_sample(const BackwardSample<double>& sample);

/// acc_j += Σ_i x_i m_ij for an (n, n) row-major m: a row vector times a matrix (the recurrent
/// input v w of one sample).
void add_vector_matrix(const float* x, const float* m, int64_t n, float* acc);
void add_vector_matrix(const double* x, const double* m, int64_t n, double* acc);
/// out_i += Σ_j m_ij y_j for an (n, n) row-major m: a matrix times a column vector (the gradient
/// w g that the recurrent input sends back to v).
void add_matrix_vector(const float* m, const float* y, int64_t n, float* out);
void add_matrix_vector(const double* m, const double* y, int64_t n, double* out);

/// The instruction set the entry points use: "avx2+fma" or "portable".
const char* instruction_set();
/// Forces the portable build (true) or the best one the CPU has (false); for tests and benches.
void force_portable(bool portable);

}  // namespace neuromod::functional::fused_kernels
