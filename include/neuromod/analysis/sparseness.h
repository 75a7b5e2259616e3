#pragma once
/// \file
/// Sparseness of non-negative activity (Treves–Rolls measure as normalised by Vinje & Gallant).
///
///     S = (1 − (Σ_j r_j / n)² / (Σ_j r_j² / n)) / (1 − 1/n)
///
/// over n ≥ 2 non-negative rates r_j. S = 0 when all rates are equal (dense), S = 1 when exactly
/// one is non-zero (one-hot). Taken across the units at one time step it is the *population*
/// sparseness; across the time steps of one unit it is the *lifetime* sparseness. S is NaN when
/// all rates are 0 (0/0). Units: dimensionless, in [0, 1].
///
/// Rates must be non-negative (firing rates, ReLU or sigmoid outputs): for signed activity such
/// as tanh the measure is undefined (it can leave [0, 1]); pass `x.abs()`, `x.relu()` or a
/// shifted copy and say which in the report.
///
/// Example:
///
///     using namespace neuromod::analysis;
///     torch::Tensor s_pop = population_sparseness(activity);   // (T, N) → (T)
///     torch::Tensor s_life = lifetime_sparseness(activity);    // (T, N) → (N)
///     double s = treves_rolls_sparseness({0, 0, 1, 0});          // 1
///
/// References: Treves & Rolls (1991, Network, "What determines the capacity of autoassociative
/// memories in the brain?"); Vinje & Gallant (2000, Science, "Sparse coding and decorrelation in
/// primary visual cortex during natural vision"); Willmore & Tolhurst (2001, Network,
/// "Characterizing the sparseness of neural codes") for population vs lifetime sparseness.

#include <vector>

#include <torch/types.h>

namespace neuromod::analysis {

/// S of the rates `rates` (n ≥ 2, each ≥ 0); NaN when all are 0.
/// Throws std::invalid_argument for fewer than 2 rates or a negative or NaN rate.
double treves_rolls_sparseness(const std::vector<double>& rates);

/// Population sparseness of each time step: S over the N units of each row.
/// \param activity  (T, N) floating point, N ≥ 2, non-negative.
/// \returns         (T) double.
torch::Tensor population_sparseness(const torch::Tensor& activity);

/// Lifetime sparseness of each unit: S over the T time steps of each column.
/// \param activity  (T, N) floating point, T ≥ 2, non-negative.
/// \returns         (N) double.
torch::Tensor lifetime_sparseness(const torch::Tensor& activity);

}  // namespace neuromod::analysis
