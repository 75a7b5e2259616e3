#pragma once
// Helpers shared by the layer tests: save/load round trips of modules and of a LayerState, and a
// finite-difference check of the gradients of a module's parameters.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "neuromod/layers/modulated_layer.h"
#include "support/gradcheck.h"

namespace neuromod::testing {

/// Writes every tensor of `state` to an archive in memory, as a checkpoint would.
inline std::string save_state(const LayerState& state) {
  torch::serialize::OutputArchive archive;
  for (const auto& [key, value] : state) archive.write(key, value);
  std::ostringstream stream;
  archive.save_to(stream);
  return stream.str();
}

/// Reads back a state written by `save_state`.
inline LayerState load_state(const std::string& bytes) {
  std::istringstream stream(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(stream);
  LayerState state;
  for (const auto& key : archive.keys()) {
    torch::Tensor value;
    archive.read(key, value);
    state.emplace(key, value);
  }
  return state;
}

/// Saves `from` with torch::save and loads it into `into` (a module built with other values).
template <class Holder>
void round_trip_module(const Holder& from, Holder& into) {
  std::stringstream stream;
  torch::save(from, stream);
  torch::load(into, stream);
}

/// Whether two states hold the same keys with equal tensors.
inline ::testing::AssertionResult states_equal(const LayerState& a, const LayerState& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure()
           << "states differ in size: " << a.size() << " vs " << b.size();
  }
  for (const auto& [key, value] : a) {
    const auto found = b.find(key);
    if (found == b.end()) return ::testing::AssertionFailure() << "key \"" << key << "\" missing";
    if (!torch::equal(value, found->second)) {
      return ::testing::AssertionFailure() << "state \"" << key << "\" differs";
    }
  }
  return ::testing::AssertionSuccess();
}

/// Compares the autograd gradients of every parameter of `module` with central differences of
/// `run` (which rebuilds the output from the module's current parameters), reduced with the same
/// uneven projection as `gradcheck`. Parameters must be double.
inline ::testing::AssertionResult check_parameter_gradients(
    torch::nn::Module& module, const std::function<torch::Tensor()>& run,
    const GradcheckOptions& options = {}) {
  module.zero_grad();
  const auto out = run();
  (out * detail::projection_like(out)).sum().backward();

  const auto projected = [&run] {
    torch::NoGradGuard no_grad;
    const auto y = run();
    return (y * detail::projection_like(y)).sum().item<double>();
  };
  std::ostringstream failures;
  int64_t failed = 0;
  for (auto& named : module.named_parameters()) {
    auto& parameter = named.value();
    if (parameter.scalar_type() != torch::kDouble) {
      return ::testing::AssertionFailure() << "parameter " << named.key() << " is not double";
    }
    const auto analytic =
        parameter.grad().defined() ? parameter.grad().clone() : torch::zeros_like(parameter);
    if (options.require_nonzero && analytic.abs().max().item<double>() == 0.0) {
      return ::testing::AssertionFailure()
             << "the gradient of parameter " << named.key() << " is identically 0";
    }
    const auto flat_analytic = analytic.reshape(-1);
    auto values = parameter.data().view(-1);
    for (int64_t e = 0; e < values.numel(); ++e) {
      const double saved = values[e].item<double>();
      values[e] = saved + options.eps;
      const double plus = projected();
      values[e] = saved - options.eps;
      const double minus = projected();
      values[e] = saved;
      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double a = flat_analytic[e].item<double>();
      const double scale = std::max(std::abs(a), std::abs(numeric));
      if (!(std::abs(a - numeric) <= options.atol + options.rtol * scale)) {
        if (++failed <= 10) {
          failures << "\n  " << named.key() << " element " << e << ": autograd " << a
                   << ", finite difference " << numeric;
        }
      }
    }
  }
  if (failed > 0) {
    return ::testing::AssertionFailure()
           << failed << " parameter element(s) disagree" << failures.str();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace neuromod::testing
