#pragma once
/// \file
/// Population synchrony: Golomb's χ and the mean pairwise correlation, overall and per brain
/// state (e.g. wake vs sleep).
///
///     V(t)  = (1/N) Σ_i V_i(t)                                    population mean
///     χ²    = var_t(V) / ((1/N) Σ_i var_t(V_i)),   χ = sqrt(χ²)      (var over time, 1/T)
///     ρ̄     = (2 / (M(M−1))) Σ_{i<j} corr_t(V_i, V_j)                 over the M non-constant
///     units
///
/// χ = 1 when all units are identical (full synchrony) and χ ≈ 1/sqrt(N) for N independent units
/// (asynchrony; the bias is O(1/sqrt(T))). Constant units count in χ's denominator with zero
/// variance; they are left out of ρ̄, whose Pearson correlation is undefined for them. Both
/// measures ignore the order of the time steps, so a state's steps need not be contiguous.
/// Units: dimensionless; χ in [0, 1], ρ̄ in [−1/(M−1), 1].
///
/// Example:
///
///     using namespace neuromod::analysis;
///     double chi = golomb_chi(activity);                 // (T, N)
///     auto per_state = synchrony_by_state(activity, state);  // state: (T) int64, 0 wake, 1 sleep
///     // per_state[1].chi > per_state[0].chi for a synchronising sleep state
///
/// References: Golomb & Rinzel (1993, Phys. Rev. E, "Dynamics of globally coupled inhibitory
/// neurons with heterogeneity"); Golomb (2007, Scholarpedia 2(1):1347, "Neuronal synchrony
/// measures"); sleep synchrony: Steriade, McCormick & Sejnowski (1993, Science, "Thalamocortical
/// oscillations in the sleeping and aroused brain").

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace neuromod::analysis {

/// Golomb's synchrony χ of `activity` (T, N) floating point, T ≥ 2, N ≥ 1.
/// NaN when every unit is constant. Throws std::invalid_argument for a bad shape or dtype.
double golomb_chi(const torch::Tensor& activity);

/// Mean Pearson correlation over all pairs of non-constant units of `activity` (T, N), T ≥ 2.
/// NaN when fewer than 2 units vary. Costs O(T N) (via the variance of the summed z-scores).
double mean_pairwise_correlation(const torch::Tensor& activity);

/// Synchrony of the steps spent in one state.
struct StateSynchrony {
  std::string state;         ///< the state's name (the label as text for integer labels)
  int64_t steps = 0;         ///< time steps in the state
  double chi = 0.0;          ///< Golomb's χ over those steps (NaN for fewer than 2 steps)
  double correlation = 0.0;  ///< mean pairwise correlation over those steps (NaN likewise)
};

/// χ and ρ̄ per state for integer state labels, ordered by label; steps with a negative label are
/// ignored. \param states (T) integer, one label per row of `activity` (T, N).
std::vector<StateSynchrony> synchrony_by_state(const torch::Tensor& activity,
                                               const torch::Tensor& states);

/// χ and ρ̄ per named state (e.g. "wake", "sleep"), in order of first appearance.
/// \param states  one name per row of `activity` (T, N).
std::vector<StateSynchrony> synchrony_by_state(const torch::Tensor& activity,
                                               const std::vector<std::string>& states);

}  // namespace neuromod::analysis
