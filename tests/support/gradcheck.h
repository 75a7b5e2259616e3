#pragma once
/// \file
/// Finite-difference gradient check for tests: central differences against autograd, in double.
///
///     ∂L/∂x_k ≈ (L(x + eps e_k) − L(x − eps e_k)) / (2 eps),   L(x) = Σ p ⊙ f(x)
///
/// The output of f is reduced with a fixed, uneven projection p (not a plain sum), so that a wrong
/// gradient in one output element cannot hide behind a symmetric reduction.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/types.h>

namespace neuromod::testing {

/// Tolerances of `gradcheck`: an element passes when |analytic − numeric| <= atol + rtol·max(|·|).
struct GradcheckOptions {
  double eps = 1e-6;   ///< step of the central difference
  double rtol = 1e-6;  ///< relative tolerance
  double atol = 1e-9;  ///< absolute tolerance, for gradients near 0
  /// Fail when an input's gradient is identically 0 (a check that would pass for any code).
  bool require_nonzero = true;
};

/// A function of several tensors, as checked by `gradcheck`.
using TensorFunction = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

namespace detail {

inline torch::Tensor projection_like(const torch::Tensor& out) {
  // sin of an irrational stride: deterministic, uneven, no global RNG touched.
  return torch::sin(torch::arange(out.numel(), torch::kDouble) * 0.7548776662 + 0.3)
      .reshape(out.sizes());
}

inline double projected(const TensorFunction& f, const std::vector<torch::Tensor>& inputs) {
  at::NoGradGuard no_grad;
  const auto out = f(inputs);
  return (out.to(torch::kDouble) * projection_like(out)).sum().item<double>();
}

}  // namespace detail

/// Compares autograd with central differences for every input that `requires_grad()`.
/// Inputs must be double; the ones that do not require grad are passed through unchanged.
inline ::testing::AssertionResult gradcheck(const TensorFunction& f,
                                            const std::vector<torch::Tensor>& inputs,
                                            const GradcheckOptions& options = {}) {
  std::vector<torch::Tensor> leaves;
  std::vector<torch::Tensor> checked;
  std::vector<size_t> checked_index;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const bool differentiable = inputs[k].requires_grad();
    if (differentiable && inputs[k].scalar_type() != torch::kDouble) {
      return ::testing::AssertionFailure()
             << "gradcheck: input " << k << " must be double, got " << inputs[k].scalar_type();
    }
    auto leaf = inputs[k].detach().clone().contiguous();
    if (differentiable) {
      leaf.set_requires_grad(true);
      checked.push_back(leaf);
      checked_index.push_back(k);
    }
    leaves.push_back(leaf);
  }
  if (checked.empty()) return ::testing::AssertionFailure() << "gradcheck: no input requires grad";

  const auto out = f(leaves);
  if (out.scalar_type() != torch::kDouble) {
    return ::testing::AssertionFailure()
           << "gradcheck: output must be double, got " << out.scalar_type();
  }
  const auto loss = (out * detail::projection_like(out)).sum();
  const auto grads = torch::autograd::grad({loss}, checked, /*grad_outputs=*/{},
                                           /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);

  std::vector<torch::Tensor> values;
  for (const auto& leaf : leaves) values.push_back(leaf.detach().clone().contiguous());

  std::ostringstream failures;
  int64_t failed = 0;
  for (size_t c = 0; c < checked.size(); ++c) {
    const size_t k = checked_index[c];
    const auto analytic = grads[c].defined() ? grads[c].contiguous() : torch::zeros_like(values[k]);
    if (options.require_nonzero && analytic.abs().max().item<double>() == 0.0) {
      return ::testing::AssertionFailure()
             << "gradcheck: the gradient of input " << k << " is identically 0";
    }
    double* x = values[k].data_ptr<double>();
    const double* a = analytic.data_ptr<double>();
    for (int64_t e = 0; e < values[k].numel(); ++e) {
      const double saved = x[e];
      x[e] = saved + options.eps;
      const double plus = detail::projected(f, values);
      x[e] = saved - options.eps;
      const double minus = detail::projected(f, values);
      x[e] = saved;
      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double scale = std::max(std::abs(a[e]), std::abs(numeric));
      if (!(std::abs(a[e] - numeric) <= options.atol + options.rtol * scale)) {
        if (++failed <= 10) {
          failures << "\n  input " << k << " element " << e << ": autograd " << a[e]
                   << ", finite difference " << numeric << ", difference " << a[e] - numeric;
        }
      }
    }
  }
  if (failed > 0) {
    return ::testing::AssertionFailure()
           << "gradcheck: " << failed << " element(s) disagree" << failures.str();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace neuromod::testing
