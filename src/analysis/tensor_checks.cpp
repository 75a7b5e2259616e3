#include "analysis/tensor_checks.h"

#include <sstream>
#include <stdexcept>

namespace neuromod::analysis::detail {

std::string shape_string(const torch::Tensor& tensor) {
  std::ostringstream out;
  out << '[';
  for (int64_t d = 0; d < tensor.dim(); ++d) {
    out << (d > 0 ? ", " : "") << tensor.size(d);
  }
  out << ']';
  return out.str();
}

void fail(const std::string& function, const std::string& message) {
  throw std::invalid_argument(function + ": " + message);
}

namespace {

void require_cpu(const torch::Tensor& tensor, const std::string& function,
                 const std::string& name) {
  if (!tensor.defined()) {
    fail(function, name + " is an undefined tensor");
  }
  if (!tensor.device().is_cpu()) {
    // Analyses run offline on recordings; copying silently would hide a costly transfer.
    fail(function,
         name + " must be on the CPU, got device " + tensor.device().str() + "; call .cpu() first");
  }
}

}  // namespace

torch::Tensor double_tensor(const torch::Tensor& tensor, const std::string& function,
                            const std::string& name, int64_t dim, const std::string& expected) {
  require_cpu(tensor, function, name);
  if (!tensor.is_floating_point()) {
    std::ostringstream dtype;
    dtype << tensor.scalar_type();
    fail(function,
         name + " must be a floating-point tensor (float or double), got dtype " + dtype.str());
  }
  if (tensor.dim() != dim) {
    fail(function, name + " must have shape " + expected + ", got shape " + shape_string(tensor));
  }
  return tensor.detach().to(torch::kDouble).contiguous();
}

std::vector<int64_t> integer_vector(const torch::Tensor& values, const std::string& function,
                                    const std::string& name, int64_t length) {
  require_cpu(values, function, name);
  if (values.is_floating_point() || values.is_complex() || values.scalar_type() == torch::kBool) {
    std::ostringstream dtype;
    dtype << values.scalar_type();
    fail(function, name + " must be an integer tensor (e.g. int64), got dtype " + dtype.str());
  }
  if (length >= 0 && (values.dim() != 1 || values.size(0) != length)) {
    fail(function, name + " must have shape [" + std::to_string(length) +
                       "] (one entry per time step), got shape " + shape_string(values));
  }
  if (values.dim() != 1) {
    fail(function, name + " must be 1-D, got shape " + shape_string(values));
  }
  const auto contiguous = values.to(torch::kLong).contiguous();
  const int64_t* data = contiguous.data_ptr<int64_t>();
  return std::vector<int64_t>(data, data + contiguous.numel());
}

}  // namespace neuromod::analysis::detail
