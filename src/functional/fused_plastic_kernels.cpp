#include "functional/fused_plastic_kernels.h"

#include <algorithm>
#include <atomic>

// The loops below are compiled twice: once for the baseline x86-64 the library targets and once
// for AVX2 + FMA, chosen at run time. Two liberties with floating point, for speed, each changing
// results only in the last bits (the tests compare with tolerances): a·b + c may become one FMA
// (the ISO C++ mode the project builds in would otherwise forbid it), and sums may be reassociated,
// so that the row sums vectorise inside the loops that produce their terms. Both builds see the
// same options, so the always-inline bodies inline into either.
#pragma GCC optimize("fp-contract=fast", "no-signed-zeros", "no-trapping-math", "associative-math")

#define NEUROMOD_ALWAYS_INLINE inline __attribute__((always_inline))

namespace neuromod::functional::fused_kernels {
namespace {

// Not std::min/std::max: those were declared before the optimize pragma above, and g++ refuses
// to inline a function whose optimisation attributes differ from its caller's, so every element
// became two calls and no loop with a clamp vectorised.
template <class T>
NEUROMOD_ALWAYS_INLINE T clamp_to(T x, T bound) {
  const T low = x < -bound ? -bound : x;
  return low > bound ? bound : low;
}

// 1 where the clamp lets the gradient through (−C <= x <= C, as torch::clamp's gradient has it),
// else 0; a float, not a bool, for g++ to vectorise the loops. Tested on x itself, not as
// clamp_to(x) == x: that comparison kept g++ from turning the clamp into min/max instructions
// (two compares, two blends and four logic operations per vector instead).
template <class T>
NEUROMOD_ALWAYS_INLINE T passes_clamp(T x, T bound) {
  return (x <= bound && x >= -bound) ? T(1) : T(0);
}

// Σ_j x_j y_j (reassociated into vector lanes, see the top of the file).
template <class T>
NEUROMOD_ALWAYS_INLINE T row_dot(const T* __restrict x, const T* __restrict y, int64_t n) {
  T sum = 0;
  for (int64_t j = 0; j < n; ++j) sum += x[j] * y[j];
  return sum;
}

// One row i of the forward pass. Every array is a parameter marked __restrict: g++ keeps that
// promise through inlining (it does not for local pointers), and without it the loop does not
// vectorise. kInPlace: the written traces are updated in their own storage, read through the
// output pointers (p, e unused), so that no two restrict pointers name the same memory.
template <class T, Update U, AlphaShape A, bool kRecurrent, bool kInPlace>
NEUROMOD_ALWAYS_INLINE void forward_row(int64_t n, T bound, T ui, T vi, const T* __restrict p,
                                        const T* __restrict e, T* __restrict p_out,
                                        T* __restrict e_out, const T* __restrict a,
                                        const T* __restrict m, const T* __restrict mv,
                                        const T* __restrict rv, const T* __restrict keep,
                                        T* __restrict acc) {
  constexpr bool kPlasticInPlace = kInPlace && writes_plastic(U);
  constexpr bool kEligibilityInPlace = kInPlace && has_eligibility(U);
  for (int64_t j = 0; j < n; ++j) {
    const T old_p = kPlasticInPlace ? p_out[j] : p[j];
    [[maybe_unused]] T old_e = 0;
    if constexpr (has_eligibility(U)) old_e = kEligibilityInPlace ? e_out[j] : e[j];
    T next;
    if constexpr (U == Update::clipped_hebb) {
      next = clamp_to(old_p + ui * mv[j], bound);
    } else if constexpr (U == Update::decaying_hebb) {
      next = keep[j] * old_p + ui * rv[j];
    } else if constexpr (U == Update::retroactive) {
      next = clamp_to(old_p + m[j] * old_e, bound);
    } else {
      next = old_p;
    }
    if constexpr (writes_plastic(U)) p_out[j] = next;
    if constexpr (has_eligibility(U)) e_out[j] = keep[j] * old_e + ui * rv[j];
    if constexpr (kRecurrent) {
      if constexpr (A == AlphaShape::per_connection) {
        acc[j] += vi * (a[j] * next);
      } else {
        acc[j] += vi * next;
      }
    }
  }
}

template <class T, Update U, AlphaShape A, bool kRecurrent, bool kInPlace>
NEUROMOD_ALWAYS_INLINE void forward_body(const ForwardSample<T>& s) {
  constexpr bool kWrites = writes_plastic(U);
  constexpr bool kEligibility = has_eligibility(U);
  const int64_t n = s.n;
  const T bound = s.clip;
  const T* __restrict u = s.h_before;
  const T* __restrict v = s.h_last;
  const T* __restrict m = s.modulation;
  const T* __restrict r = s.rate;
  T* __restrict mv = s.scratch;            // m_j v_j
  T* __restrict rv = s.scratch + n;        // r_j v_j
  T* __restrict keep = s.scratch + 2 * n;  // 1 − r_j
  T* __restrict acc = s.recurrent;

  if constexpr (U == Update::clipped_hebb) {
    for (int64_t j = 0; j < n; ++j) mv[j] = m[j] * v[j];
  }
  if constexpr (U == Update::decaying_hebb || kEligibility) {
    for (int64_t j = 0; j < n; ++j) {
      rv[j] = r[j] * v[j];
      keep[j] = T(1) - r[j];
    }
  }
  if constexpr (kRecurrent) std::fill(acc, acc + n, T(0));

  for (int64_t i = 0; i < n; ++i) {
    const T* __restrict p = (kInPlace && kWrites) ? nullptr : s.plastic + i * n;
    const T* __restrict e = (kEligibility && !kInPlace) ? s.eligibility + i * n : nullptr;
    T* __restrict p_out = kWrites ? s.plastic_out + i * n : nullptr;
    T* __restrict e_out = kEligibility ? s.eligibility_out + i * n : nullptr;
    const T* __restrict a =
        (kRecurrent && A == AlphaShape::per_connection) ? s.alpha + i * n : nullptr;
    forward_row<T, U, A, kRecurrent, kInPlace>(n, bound, u[i], v[i], p, e, p_out, e_out, a, m, mv,
                                               rv, keep, acc);
  }
  if constexpr (kRecurrent && A == AlphaShape::per_neuron) {
    for (int64_t j = 0; j < n; ++j) acc[j] *= s.alpha[j];
  }
  if constexpr (kRecurrent && A == AlphaShape::scalar) {
    const T alpha = s.alpha[0];
    for (int64_t j = 0; j < n; ++j) acc[j] *= alpha;
  }
}

// One row i of the backward pass; __restrict parameters as in forward_row. kInPlace: the trace
// gradients overwrite the incoming ones, read through gp and ge (gp_out, ge_out unused).
template <class T, Update U, AlphaShape A, bool kInPlace>
NEUROMOD_ALWAYS_INLINE void backward_row(
    int64_t n, T bound, T ui, T vi, const T* __restrict p, const T* __restrict e,
    const T* __restrict gp_out, const T* __restrict ge_out, T* __restrict gp, T* __restrict ge,
    const T* __restrict a, T* __restrict ga, const T* __restrict m, const T* __restrict mv,
    const T* __restrict rv, const T* __restrict keep, const T* __restrict ag, const T* __restrict g,
    T* __restrict col_s, T* __restrict col_x, T* __restrict col_y, T* __restrict col_w,
    T& row_plastic, T& row_hebb) {
  constexpr bool kPerConnection = A == AlphaShape::per_connection;
  T sum_plastic = 0;  // Σ_j α_ij P'_ij g_j: the plastic part of dL/dv_i
  T sum_hebb = 0;     // Σ_j (gradient into the Hebbian term)_ij (m or r)_j v_j: dL/du_i
  for (int64_t j = 0; j < n; ++j) {
    // The trace after the update (P') and whether its clamp lets the gradient through (1 or 0;
    // a float, not a bool, for g++ to vectorise the loop).
    T next;
    [[maybe_unused]] T pass = T(1);
    if constexpr (U == Update::clipped_hebb) {
      const T sum = p[j] + ui * mv[j];
      next = clamp_to(sum, bound);
      pass = passes_clamp(sum, bound);
    } else if constexpr (U == Update::decaying_hebb) {
      next = keep[j] * p[j] + ui * rv[j];
    } else if constexpr (U == Update::retroactive) {
      const T sum = p[j] + m[j] * e[j];
      next = clamp_to(sum, bound);
      pass = passes_clamp(sum, bound);
    } else {
      next = p[j];
    }

    // The recurrent input Σ_i v_i α_ij P'_ij: its gradient into P' (q), v_i and α.
    T q;
    if constexpr (kPerConnection) {
      const T pg = next * g[j];
      sum_plastic += a[j] * pg;
      ga[j] += vi * pg;
      q = vi * (a[j] * g[j]);
    } else {
      sum_plastic += next * ag[j];
      col_w[j] += vi * next;
      q = vi * ag[j];
    }
    const T grad_next = (kInPlace ? gp[j] : gp_out[j]) + q;

    if constexpr (U == Update::frozen) {
      gp[j] = grad_next;
    } else if constexpr (U == Update::clipped_hebb) {
      const T through = grad_next * pass;
      gp[j] = through;
      col_s[j] += through * ui;
      sum_hebb += through * mv[j];
    } else if constexpr (U == Update::decaying_hebb) {
      gp[j] = keep[j] * grad_next;
      sum_hebb += grad_next * rv[j];
      col_s[j] += grad_next * ui;
      col_x[j] += grad_next * p[j];
    } else {
      // retroactive and eligibility_only: E' = (1 − r) E + r u ⊗ v; P' reads the old E.
      const T go = kInPlace ? ge[j] : ge_out[j];
      sum_hebb += go * rv[j];
      if constexpr (U == Update::retroactive) {
        const T through = grad_next * pass;
        gp[j] = through;
        col_y[j] += through * e[j];
        ge[j] = through * m[j] + keep[j] * go;
      } else {
        gp[j] = grad_next;
        ge[j] = keep[j] * go;
      }
      col_s[j] += go * ui;
      col_x[j] += go * e[j];
    }
  }
  row_plastic = sum_plastic;
  row_hebb = sum_hebb;
}

// The backward pass of one sample, row by row. With q_ij = v_i α_ij g_j (g = dL/d recurrent) the
// gradient reaching P' is gP'_ij + q_ij; it goes through the update of each rule back to P, E, u,
// v, m and r. Sums over i (columns) are kept in vectors, sums over j (rows) in backward_row.
template <class T, Update U, AlphaShape A, bool kInPlace>
NEUROMOD_ALWAYS_INLINE void backward_body(const BackwardSample<T>& s) {
  constexpr bool kEligibility = has_eligibility(U);
  constexpr bool kPerConnection = A == AlphaShape::per_connection;
  const int64_t n = s.n;
  const T bound = s.clip;
  const T* __restrict u = s.h_before;
  const T* __restrict v = s.h_last;
  const T* __restrict m = s.modulation;
  const T* __restrict r = s.rate;
  const T* __restrict g = s.grad_recurrent;

  T* const base = s.scratch;
  T* __restrict zero = base;            // a row of zeros for absent incoming gradients
  T* __restrict sink_p = base + n;      // where unwanted rows of dL/dP go
  T* __restrict sink_e = base + 2 * n;  // ... of dL/dE
  T* __restrict sink_a = base + 3 * n;  // ... of dL/dα
  T* __restrict mv = base + 4 * n;      // m_j v_j
  T* __restrict rv = base + 5 * n;      // r_j v_j
  T* __restrict keep = base + 6 * n;    // 1 − r_j
  T* __restrict ag = base + 7 * n;      // α_j g_j (per-neuron or scalar α)
  T* __restrict col_s = base + 8 * n;   // S_j = Σ_i (gradient into the update)_ij u_i
  T* __restrict col_x = base + 9 * n;   // X_j = Σ_i (gradient into E' or P')_ij (E or P)_ij
  T* __restrict col_y = base + 10 * n;  // Y_j = Σ_i (gradient through the clamp)_ij E_ij
  T* __restrict col_w = base + 11 * n;  // W_j = Σ_i v_i P'_ij (per-neuron or scalar α)

  std::fill(zero, zero + n, T(0));
  std::fill(col_s, col_s + 4 * n, T(0));
  if constexpr (U == Update::clipped_hebb) {
    for (int64_t j = 0; j < n; ++j) mv[j] = m[j] * v[j];
  }
  if constexpr (U == Update::decaying_hebb || kEligibility) {
    for (int64_t j = 0; j < n; ++j) {
      rv[j] = r[j] * v[j];
      keep[j] = T(1) - r[j];
    }
  }
  if constexpr (A == AlphaShape::per_neuron) {
    for (int64_t j = 0; j < n; ++j) ag[j] = s.alpha[j] * g[j];
  } else if constexpr (A == AlphaShape::scalar) {
    const T alpha = s.alpha[0];
    for (int64_t j = 0; j < n; ++j) ag[j] = alpha * g[j];
  }

  for (int64_t i = 0; i < n; ++i) {
    const int64_t row = i * n;
    const T* __restrict p = s.plastic + row;
    const T* __restrict e = kEligibility ? s.eligibility + row : nullptr;
    const T* __restrict gp_out =
        kInPlace ? nullptr : (s.grad_plastic_out ? s.grad_plastic_out + row : zero);
    const T* __restrict ge_out =
        (kInPlace || !kEligibility)
            ? nullptr
            : (s.grad_eligibility_out ? s.grad_eligibility_out + row : zero);
    T* __restrict gp = s.grad_plastic ? s.grad_plastic + row : sink_p;
    T* __restrict ge = (kEligibility && s.grad_eligibility) ? s.grad_eligibility + row : sink_e;
    const T* __restrict a = kPerConnection ? s.alpha + row : nullptr;
    T* __restrict ga = kPerConnection ? (s.grad_alpha ? s.grad_alpha + row : sink_a) : nullptr;
    T row_plastic = 0;
    T row_hebb = 0;
    backward_row<T, U, A, kInPlace>(n, bound, u[i], v[i], p, e, gp_out, ge_out, gp, ge, a, ga, m,
                                    mv, rv, keep, ag, g, col_s, col_x, col_y, col_w, row_plastic,
                                    row_hebb);
    s.grad_h_last[i] += row_plastic;
    s.grad_h_before[i] = row_hebb;
  }

  // Column sums into the per-sample gradients.
  if constexpr (U == Update::clipped_hebb) {
    for (int64_t j = 0; j < n; ++j) {
      s.grad_modulation[j] = col_s[j] * v[j];
      s.grad_h_last[j] += m[j] * col_s[j];
    }
  } else if constexpr (U == Update::decaying_hebb || kEligibility) {
    for (int64_t j = 0; j < n; ++j) {
      s.grad_rate[j] = v[j] * col_s[j] - col_x[j];
      s.grad_h_last[j] += r[j] * col_s[j];
    }
  }
  if constexpr (U == Update::retroactive) {
    std::copy(col_y, col_y + n, s.grad_modulation);
  }
  if (s.grad_alpha != nullptr) {
    if constexpr (A == AlphaShape::per_neuron) {
      for (int64_t j = 0; j < n; ++j) s.grad_alpha[j] += col_w[j] * g[j];
    } else if constexpr (A == AlphaShape::scalar) {
      s.grad_alpha[0] += row_dot(col_w, g, n);
    }
  }
}

template <class T, Update U, bool kInPlace>
NEUROMOD_ALWAYS_INLINE void forward_shape(const ForwardSample<T>& s) {
  if (s.recurrent == nullptr) return forward_body<T, U, AlphaShape::scalar, false, kInPlace>(s);
  switch (s.alpha_shape) {
    case AlphaShape::per_connection:
      return forward_body<T, U, AlphaShape::per_connection, true, kInPlace>(s);
    case AlphaShape::per_neuron:
      return forward_body<T, U, AlphaShape::per_neuron, true, kInPlace>(s);
    case AlphaShape::scalar:
      return forward_body<T, U, AlphaShape::scalar, true, kInPlace>(s);
  }
}

template <class T, Update U>
NEUROMOD_ALWAYS_INLINE void forward_alpha(const ForwardSample<T>& s) {
  return s.in_place ? forward_shape<T, U, true>(s) : forward_shape<T, U, false>(s);
}

template <class T>
NEUROMOD_ALWAYS_INLINE void forward_dispatch(const ForwardSample<T>& s) {
  switch (s.update) {
    case Update::frozen:
      return forward_alpha<T, Update::frozen>(s);
    case Update::clipped_hebb:
      return forward_alpha<T, Update::clipped_hebb>(s);
    case Update::decaying_hebb:
      return forward_alpha<T, Update::decaying_hebb>(s);
    case Update::retroactive:
      return forward_alpha<T, Update::retroactive>(s);
    case Update::eligibility_only:
      return forward_alpha<T, Update::eligibility_only>(s);
  }
}

template <class T, Update U, bool kInPlace>
NEUROMOD_ALWAYS_INLINE void backward_shape(const BackwardSample<T>& s) {
  switch (s.alpha_shape) {
    case AlphaShape::per_connection:
      return backward_body<T, U, AlphaShape::per_connection, kInPlace>(s);
    case AlphaShape::per_neuron:
      return backward_body<T, U, AlphaShape::per_neuron, kInPlace>(s);
    case AlphaShape::scalar:
      return backward_body<T, U, AlphaShape::scalar, kInPlace>(s);
  }
}

template <class T, Update U>
NEUROMOD_ALWAYS_INLINE void backward_alpha(const BackwardSample<T>& s) {
  return s.in_place ? backward_shape<T, U, true>(s) : backward_shape<T, U, false>(s);
}

template <class T>
NEUROMOD_ALWAYS_INLINE void backward_dispatch(const BackwardSample<T>& s) {
  switch (s.update) {
    case Update::frozen:
      return backward_alpha<T, Update::frozen>(s);
    case Update::clipped_hebb:
      return backward_alpha<T, Update::clipped_hebb>(s);
    case Update::decaying_hebb:
      return backward_alpha<T, Update::decaying_hebb>(s);
    case Update::retroactive:
      return backward_alpha<T, Update::retroactive>(s);
    case Update::eligibility_only:
      return backward_alpha<T, Update::eligibility_only>(s);
  }
}

template <class T>
NEUROMOD_ALWAYS_INLINE void axpy_row(T scale, const T* __restrict row, int64_t n,
                                     T* __restrict acc) {
  for (int64_t j = 0; j < n; ++j) acc[j] += scale * row[j];
}

template <class T>
NEUROMOD_ALWAYS_INLINE void vector_matrix_body(const T* x, const T* m, int64_t n, T* acc) {
  for (int64_t i = 0; i < n; ++i) axpy_row(x[i], m + i * n, n, acc);
}

template <class T>
NEUROMOD_ALWAYS_INLINE void matrix_vector_body(const T* m, const T* y, int64_t n, T* out) {
  for (int64_t i = 0; i < n; ++i) out[i] += row_dot(m + i * n, y, n);
}

// The two builds of each entry point.
#define NEUROMOD_AVX2 __attribute__((target("avx2,fma")))

NEUROMOD_AVX2 void forward_avx2(const ForwardSample<float>& s) {
  forward_dispatch(s);
}
NEUROMOD_AVX2 void forward_avx2(const ForwardSample<double>& s) {
  forward_dispatch(s);
}
NEUROMOD_AVX2 void backward_avx2(const BackwardSample<float>& s) {
  backward_dispatch(s);
}
NEUROMOD_AVX2 void backward_avx2(const BackwardSample<double>& s) {
  backward_dispatch(s);
}
void forward_portable(const ForwardSample<float>& s) {
  forward_dispatch(s);
}
void forward_portable(const ForwardSample<double>& s) {
  forward_dispatch(s);
}
void backward_portable(const BackwardSample<float>& s) {
  backward_dispatch(s);
}
void backward_portable(const BackwardSample<double>& s) {
  backward_dispatch(s);
}

NEUROMOD_AVX2 void vector_matrix_avx2(const float* x, const float* m, int64_t n, float* acc) {
  vector_matrix_body(x, m, n, acc);
}
NEUROMOD_AVX2 void vector_matrix_avx2(const double* x, const double* m, int64_t n, double* acc) {
  vector_matrix_body(x, m, n, acc);
}
NEUROMOD_AVX2 void matrix_vector_avx2(const float* m, const float* y, int64_t n, float* out) {
  matrix_vector_body(m, y, n, out);
}
NEUROMOD_AVX2 void matrix_vector_avx2(const double* m, const double* y, int64_t n, double* out) {
  matrix_vector_body(m, y, n, out);
}
void vector_matrix_portable(const float* x, const float* m, int64_t n, float* acc) {
  vector_matrix_body(x, m, n, acc);
}
void vector_matrix_portable(const double* x, const double* m, int64_t n, double* acc) {
  vector_matrix_body(x, m, n, acc);
}
void matrix_vector_portable(const float* m, const float* y, int64_t n, float* out) {
  matrix_vector_body(m, y, n, out);
}
void matrix_vector_portable(const double* m, const double* y, int64_t n, double* out) {
  matrix_vector_body(m, y, n, out);
}

std::atomic<bool> forced_portable{false};

bool cpu_has_avx2_fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

bool use_avx2() {
  return cpu_has_avx2_fma() && !forced_portable.load(std::memory_order_relaxed);
}

}  // namespace

void forward_sample(const ForwardSample<float>& sample) {
  use_avx2() ? forward_avx2(sample) : forward_portable(sample);
}
void forward_sample(const ForwardSample<double>& sample) {
  use_avx2() ? forward_avx2(sample) : forward_portable(sample);
}
void backward_sample(const BackwardSample<float>& sample) {
  use_avx2() ? backward_avx2(sample) : backward_portable(sample);
}
void backward_sample(const BackwardSample<double>& sample) {
  use_avx2() ? backward_avx2(sample) : backward_portable(sample);
}

void add_vector_matrix(const float* x, const float* m, int64_t n, float* acc) {
  use_avx2() ? vector_matrix_avx2(x, m, n, acc) : vector_matrix_portable(x, m, n, acc);
}
void add_vector_matrix(const double* x, const double* m, int64_t n, double* acc) {
  use_avx2() ? vector_matrix_avx2(x, m, n, acc) : vector_matrix_portable(x, m, n, acc);
}
void add_matrix_vector(const float* m, const float* y, int64_t n, float* out) {
  use_avx2() ? matrix_vector_avx2(m, y, n, out) : matrix_vector_portable(m, y, n, out);
}
void add_matrix_vector(const double* m, const double* y, int64_t n, double* out) {
  use_avx2() ? matrix_vector_avx2(m, y, n, out) : matrix_vector_portable(m, y, n, out);
}

const char* instruction_set() {
  return use_avx2() ? "avx2+fma" : "portable";
}

void force_portable(bool portable) {
  forced_portable.store(portable, std::memory_order_relaxed);
}

}  // namespace neuromod::functional::fused_kernels
