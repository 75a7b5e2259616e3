#include "neuromod/functional/dose_response.h"

#include <cmath>

#include <c10/util/Exception.h>

namespace neuromod::functional {

double sign_value(ReceptorSign sign) {
  return sign == ReceptorSign::excitatory ? 1.0 : -1.0;
}

torch::Tensor hill(const torch::Tensor& c, const torch::Tensor& e_max, const torch::Tensor& ec50,
                   const torch::Tensor& n, ReceptorSign sign) {
  // clamp_min lets the gradient through for c >= 0 and blocks it below, matching the clamp.
  const auto c_n = c.clamp_min(0.0).pow(n);
  return (sign_value(sign) * e_max) * c_n / (c_n + ec50.pow(n));
}

torch::Tensor hill(const torch::Tensor& c, double e_max, double ec50, double n, ReceptorSign sign) {
  TORCH_CHECK(ec50 > 0.0, "hill: ec50 must be > 0, got ", ec50);
  TORCH_CHECK(n > 0.0, "hill: Hill coefficient n must be > 0, got ", n);
  const auto c_n = c.clamp_min(0.0).pow(n);
  return (sign_value(sign) * e_max) * c_n / (c_n + std::pow(ec50, n));
}

torch::Tensor linear_response(const torch::Tensor& c, const torch::Tensor& e_max,
                              ReceptorSign sign) {
  return (sign_value(sign) * e_max) * c;
}

torch::Tensor linear_response(const torch::Tensor& c, double e_max, ReceptorSign sign) {
  const double slope = sign_value(sign) * e_max;
  return slope == 1.0 ? c : slope * c;
}

torch::Tensor tanh_response(const torch::Tensor& c, const torch::Tensor& e_max,
                            const torch::Tensor& scale, ReceptorSign sign) {
  return (sign_value(sign) * e_max) * torch::tanh(c / scale);
}

torch::Tensor tanh_response(const torch::Tensor& c, double e_max, double scale, ReceptorSign sign) {
  TORCH_CHECK(scale > 0.0, "tanh_response: scale must be > 0, got ", scale);
  return (sign_value(sign) * e_max) * torch::tanh(c / scale);
}

}  // namespace neuromod::functional
