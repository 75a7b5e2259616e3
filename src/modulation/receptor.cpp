#include "neuromod/modulation/receptor.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <c10/util/Exception.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include "neuromod/functional/dose_response.h"
#include "neuromod/functional/hebbian.h"

namespace neuromod {

using functional::DoseResponseKind;

ReceptorImpl::ReceptorImpl(ReceptorOptions options, int64_t units)
    : options_(std::move(options)), units_(units) {
  check_receptor_options(options_);
  if (units_ <= 0) {
    throw std::invalid_argument("receptor: the target population must have > 0 units, got " +
                                std::to_string(units_));
  }
  reset();
}

void ReceptorImpl::reset() {
  log_e_max_ = log_ec50_ = log_n_ = log_scale_ = torch::Tensor();
  fanout_slope_ = fanout_offset_ = torch::Tensor();
  // The log of the configured value, so that exp(parameter) starts exactly where the options say
  // (up to the default dtype's rounding) and can never change sign.
  const auto log_parameter = [this](const char* name, double value) {
    return register_parameter(name, torch::full({}, std::log(value)));
  };
  if (options_.learn) {
    log_e_max_ = log_parameter("log_e_max", options_.e_max);
    if (options_.kind == DoseResponseKind::hill) {
      log_ec50_ = log_parameter("log_ec50", options_.ec50);
      log_n_ = log_parameter("log_n", options_.n);
    } else if (options_.kind == DoseResponseKind::tanh) {
      log_scale_ = log_parameter("log_scale", options_.scale);
    }
  }
  if (options_.fanout == FanOut::learned) {
    // Backpropamine's modfanout is a torch Linear(1, N): weight and bias both U(-1, 1) for one
    // input (bound 1/sqrt(fan_in) = 1).
    torch::NoGradGuard no_grad;
    fanout_slope_ = register_parameter("fanout_slope", torch::empty({units_}).uniform_(-1.0, 1.0));
    fanout_offset_ =
        register_parameter("fanout_offset", torch::empty({units_}).uniform_(-1.0, 1.0));
  }
}

torch::Tensor ReceptorImpl::current(const torch::Tensor& log_value, double fixed) {
  return log_value.defined() ? log_value.exp() : torch::scalar_tensor(fixed, torch::kDouble);
}

torch::Tensor ReceptorImpl::e_max() const {
  return current(log_e_max_, options_.e_max);
}
torch::Tensor ReceptorImpl::ec50() const {
  return current(log_ec50_, options_.ec50);
}
torch::Tensor ReceptorImpl::n() const {
  return current(log_n_, options_.n);
}
torch::Tensor ReceptorImpl::scale() const {
  return current(log_scale_, options_.scale);
}

torch::Tensor ReceptorImpl::response(const torch::Tensor& level) const {
  const auto sign = options_.sign;
  // Fixed curves use the double overloads: no tensor parameters, and exact values (a Hill curve
  // at ec50 gives exactly e_max / 2).
  switch (options_.kind) {
    case DoseResponseKind::hill:
      return options_.learn
                 ? functional::hill(level, log_e_max_.exp(), log_ec50_.exp(), log_n_.exp(), sign)
                 : functional::hill(level, options_.e_max, options_.ec50, options_.n, sign);
    case DoseResponseKind::linear:
      return options_.learn ? functional::linear_response(level, log_e_max_.exp(), sign)
                            : functional::linear_response(level, options_.e_max, sign);
    case DoseResponseKind::tanh:
      return options_.learn
                 ? functional::tanh_response(level, log_e_max_.exp(), log_scale_.exp(), sign)
                 : functional::tanh_response(level, options_.e_max, options_.scale, sign);
  }
  TORCH_CHECK(false, "Receptor: unknown dose-response kind");
}

torch::Tensor ReceptorImpl::forward(const torch::Tensor& level) {
  // Adding the offset last keeps it the effect's neutral value whatever the fan-out learns; the
  // sum is also a fresh tensor, never a view of the expanded response.
  return deviation(level) + options_.offset;
}

torch::Tensor ReceptorImpl::deviation(const torch::Tensor& level) {
  TORCH_CHECK(
      level.dim() == 1 || (level.dim() == 2 && (level.size(1) == 1 || level.size(1) == units_)),
      "Receptor: level must be (B), (B, 1) or (B, ", units_, "), got ", level.sizes());
  const auto column = level.dim() == 1 ? level.unsqueeze(1) : level;
  const auto r = response(column);
  if (options_.fanout == FanOut::none) return r.expand({column.size(0), units_});
  if (column.size(1) == 1) return functional::fan_out(r, fanout_slope_, fanout_offset_);
  return r * fanout_slope_ + fanout_offset_;  // a per-unit level keeps its own slope f_j
}

void ReceptorImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::Receptor(";
  if (!options_.preset.empty()) stream << "preset=" << options_.preset << ", ";
  stream << "kind=" << config::enum_name(options_.kind)
         << ", sign=" << config::enum_name(options_.sign) << ", units=" << units_
         << ", learn=" << (options_.learn ? "true" : "false")
         << ", fanout=" << config::enum_name(options_.fanout) << ")";
}

}  // namespace neuromod
