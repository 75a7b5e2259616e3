#pragma once
/// \file
/// Unit selectivity: how strongly each unit's activity depends on a condition (stimulus, cue,
/// context) labelled per time step.
///
///     r_k          = mean of x_i(t) over the steps t with label k            (per unit i)
///     preferred    = argmax_k r_k                                            (lowest k on ties)
///     r_other      = mean of r_k over the other observed conditions k ≠ preferred
///     index        = (r_pref − r_other) / (r_pref + r_other)
///     eta²         = SS_between / SS_total
///                  = Σ_k n_k (r_k − r̄)² / Σ_t (x_i(t) − r̄)²,   r̄ = mean over all labelled steps
///
/// The index is meant for non-negative rates (ReLU, sigmoid, firing rates): it is then in [0, 1],
/// 0 for a unit that responds equally to every condition and 1 for a unit silent outside its
/// preferred one. For signed activity (tanh) it is not bounded — use `eta_squared`, the fraction
/// of the unit's variance explained by the condition (one-way ANOVA effect size), which is in
/// [0, 1] for any activity. Units: `mean_response` in the activity's units; the index and eta²
/// are dimensionless.
///
/// Example:
///
///     using namespace neuromod::analysis;
///     UnitSelectivity s = unit_selectivity(activity /* (T, N) */, cue /* (T) int64 */, 4);
///     // s.preferred[i]: the cue unit i prefers; s.eta_squared[i]: variance it explains
///
/// References: the contrast index (r_pref − r_other)/(r_pref + r_other) as in Moody, Wise, di
/// Pellegrino & Zipser (1998, J. Neurosci.) and Freedman & Assad (2006, Nature); eta² as the
/// ANOVA effect size (Cohen 1973, Educ. Psychol. Meas., "Eta-squared and partial eta-squared in
/// fixed factor ANOVA designs").

#include <cstdint>

#include <torch/types.h>

namespace neuromod::analysis {

/// Per-unit responses to K conditions and how selective they are.
struct UnitSelectivity {
  torch::Tensor mean_response;  ///< (K, N) double, r_k per unit; NaN for a condition never seen
  torch::Tensor counts;         ///< (K) int64, time steps per condition
  torch::Tensor preferred;      ///< (N) int64, preferred condition (−1 when none was observed)
  torch::Tensor index;          ///< (N) double, contrast index; NaN when r_pref + r_other = 0 or
                                ///< fewer than 2 conditions were observed
  torch::Tensor eta_squared;    ///< (N) double, eta² in [0, 1]; NaN for a constant unit
};

/// Selectivity of each unit of `activity` to the condition `labels`.
/// \param activity        (T, N) floating point, one row per time step.
/// \param labels          (T) integer condition per step, in [0, K); steps with a negative label
///                        (e.g. −1 for an inter-trial interval) are ignored.
/// \param num_conditions  K; −1 (default) for max(labels) + 1.
/// Throws std::invalid_argument for bad shapes or dtypes or a label >= K.
UnitSelectivity unit_selectivity(const torch::Tensor& activity, const torch::Tensor& labels,
                                 int64_t num_conditions = -1);

}  // namespace neuromod::analysis
