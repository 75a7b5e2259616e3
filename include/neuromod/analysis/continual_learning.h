#pragma once
/// \file
/// Continual-learning metrics from an accuracy matrix A (T × T): A[i][j] is the accuracy on task
/// j after training on tasks 0 … i (tasks in training order, 0-based; L = T − 1 the last one).
///
///     average accuracy      ā   = (1/T) Σ_j A[L][j]
///     accuracy after task i ā_i = (1/(i+1)) Σ_{j≤i} A[i][j]
///     forgetting of task j  f_j = max_{i<L} A[i][j] − A[L][j],   j < L        (Chaudhry et al.
///     2018) average forgetting    f̄   = (1/L) Σ_{j<L} f_j backward transfer     BWT = (1/L)
///     Σ_{j<L} (A[L][j] − A[j][j])          (Lopez-Paz & Ranzato) forward transfer      FWT = (1/L)
///     Σ_{j≥1} (A[j−1][j] − b_j)            (b: untrained accuracy)
///
/// Positive BWT means later tasks improved earlier ones; negative BWT is forgetting. Units: those
/// of A (fractions or percent). Entries above the diagonal (tasks not yet trained) may be NaN when
/// they were not measured; they are then skipped in the forgetting's max, and FWT needs them.
///
/// Example:
///
///     using namespace neuromod::analysis;
///     ContinualMetrics m = continual_metrics({{0.9, 0.1}, {0.6, 0.8}});
///     // m.average_accuracy = 0.7, m.forgetting = {0.3}, m.backward_transfer = −0.3
///
/// References: Lopez-Paz & Ranzato (2017, NeurIPS, "Gradient episodic memory for continual
/// learning") for ā, BWT and FWT; Chaudhry, Dokania, Ajanthan & Torr (2018, ECCV, "Riemannian
/// walk for incremental learning: understanding forgetting and intransigence") for f_j.

#include <vector>

#include <torch/types.h>

namespace neuromod::analysis {

/// Summary of an accuracy matrix.
struct ContinualMetrics {
  double average_accuracy = 0.0;           ///< ā, mean accuracy over all tasks after the last
  std::vector<double> accuracy_per_stage;  ///< (T) ā_i, mean over the tasks seen after task i
  std::vector<double> forgetting;          ///< (T − 1) f_j for tasks j < L
  double average_forgetting = 0.0;         ///< f̄; NaN for a single task
  double backward_transfer = 0.0;          ///< BWT; NaN for a single task
};

/// Metrics of `accuracy`, a (T, T) floating-point tensor, T ≥ 1.
/// Throws std::invalid_argument for a non-square matrix or a NaN on or below the diagonal or in
/// the last row (entries every metric needs).
ContinualMetrics continual_metrics(const torch::Tensor& accuracy);

/// Same, for a matrix given as rows.
ContinualMetrics continual_metrics(const std::vector<std::vector<double>>& accuracy);

/// Forward transfer FWT of `accuracy` (T, T), T ≥ 2, against `baseline` (T): each task's
/// accuracy before any training (e.g. a randomly initialised network). Throws
/// std::invalid_argument for bad shapes or a NaN entry that FWT needs.
double forward_transfer(const torch::Tensor& accuracy, const std::vector<double>& baseline);

}  // namespace neuromod::analysis
