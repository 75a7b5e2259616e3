#pragma once
/// \file
/// Two-compartment units with a basal and an apical dendrite, non-spiking steady state.
///
///     dC/dt = −g_L C + g_B (B − C) + g_A (A − C)
///     C*    = (g_B B + g_A A) / (g_L + g_B + g_A)                 steady somatic potential
///
/// | parameter | default | unit | meaning                                                      |
/// |-----------|---------|------|--------------------------------------------------------------|
/// | `g_leak`  | 0.1     | 1/ms | leak conductance g_L = 1/tau_L, tau_L = 10 ms                 |
/// | `g_basal` | 0.6     | 1/ms | basal-to-soma conductance g_B                                 |
/// | `g_apical`| 0       | 1/ms | apical-to-soma conductance g_A (tensor; the `coupling` effect |
/// |           |         |      | scales it; 0 = apical dendrite disconnected)                  |
///
/// With g_A = 0 the soma follows the basal input only, C* = k_B B with k_B = g_B / (g_L + g_B),
/// the default of the reference code (apical conductance disabled). Potentials are in the
/// reference's dimensionless voltage units.
///
/// Reference: Guerguiev, Lillicrap & Richards 2017 (eLife 6:e22901), "Towards deep learning with
/// segregated dendrites", non-spiking mode.

#include <torch/arg.h>
#include <torch/types.h>

namespace neuromod::functional {

/// Fixed conductances of a two-compartment unit.
/// Example: `TwoCompartmentOptions().g_basal(0.6)` — the reference values.
struct TwoCompartmentOptions {
  /// Leak conductance g_L in 1/ms (> 0); 0.1 is tau_L = 10 ms.
  TORCH_ARG(double, g_leak) = 0.1;
  /// Basal-to-soma conductance g_B in 1/ms (>= 0).
  TORCH_ARG(double, g_basal) = 0.6;
};

/// Throws c10::Error naming the field unless g_leak > 0 and g_basal >= 0 (both finite).
void check_two_compartment(const TwoCompartmentOptions& options);

/// Steady-state somatic potential `C = (g_B B + g_A A) / (g_L + g_B + g_A)`.
/// \param basal     basal potential B, (B, N) (any shape).
/// \param apical    apical potential A, broadcastable to `basal`.
/// \param g_apical  apical conductance g_A in 1/ms (>= 0, not checked for tensors), broadcastable:
///                  () for a layer, (N) per unit, (B, N) when modulated per sample.
/// \returns         C, shape broadcast(basal, apical, g_apical).
torch::Tensor somatic_potential(const torch::Tensor& basal, const torch::Tensor& apical,
                                const torch::Tensor& g_apical,
                                const TwoCompartmentOptions& options = {});

/// Steady-state somatic potential with a fixed apical conductance `g_apical` (>= 0, checked).
torch::Tensor somatic_potential(const torch::Tensor& basal, const torch::Tensor& apical,
                                double g_apical, const TwoCompartmentOptions& options = {});

}  // namespace neuromod::functional
