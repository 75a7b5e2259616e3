#include "neuromod/functional/dendrites.h"

#include <cmath>

#include <c10/util/Exception.h>

namespace neuromod::functional {

void check_two_compartment(const TwoCompartmentOptions& options) {
  TORCH_CHECK(std::isfinite(options.g_leak()) && options.g_leak() > 0.0,
              "two-compartment unit: g_leak must be finite and > 0 (1/ms), got ", options.g_leak());
  TORCH_CHECK(std::isfinite(options.g_basal()) && options.g_basal() >= 0.0,
              "two-compartment unit: g_basal must be finite and >= 0 (1/ms), got ",
              options.g_basal());
}

torch::Tensor somatic_potential(const torch::Tensor& basal, const torch::Tensor& apical,
                                const torch::Tensor& g_apical,
                                const TwoCompartmentOptions& options) {
  check_two_compartment(options);
  const double g_leak = options.g_leak();
  const double g_basal = options.g_basal();
  return (g_basal * basal + g_apical * apical) / (g_apical + (g_leak + g_basal));
}

torch::Tensor somatic_potential(const torch::Tensor& basal, const torch::Tensor& apical,
                                double g_apical, const TwoCompartmentOptions& options) {
  check_two_compartment(options);
  TORCH_CHECK(std::isfinite(g_apical) && g_apical >= 0.0,
              "two-compartment unit: g_apical must be finite and >= 0 (1/ms), got ", g_apical);
  const double g_leak = options.g_leak();
  const double g_basal = options.g_basal();
  return (g_basal * basal + g_apical * apical) / (g_leak + g_basal + g_apical);
}

}  // namespace neuromod::functional
