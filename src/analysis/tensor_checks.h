#pragma once
// Argument checks shared by the analyses: each throws std::invalid_argument with a message of
// the form "<function>: <argument> <problem>, got <value>; expected <what>".

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace neuromod::analysis::detail {

/// "[2, 3]" for a tensor of shape (2, 3).
std::string shape_string(const torch::Tensor& tensor);

/// Throws std::invalid_argument("<function>: <message>").
[[noreturn]] void fail(const std::string& function, const std::string& message);

/// Checks that `tensor` is a defined CPU floating-point tensor with `dim` dimensions (the shape
/// is described as `expected`, e.g. "(T, N)") and returns it as a contiguous, detached double
/// tensor.
torch::Tensor double_tensor(const torch::Tensor& tensor, const std::string& function,
                            const std::string& name, int64_t dim, const std::string& expected);

/// Checks that `values` is a defined, 1-D CPU integer tensor and returns its entries; with
/// `length` >= 0 it must hold one entry per time step of a (T = length, ...) recording.
std::vector<int64_t> integer_vector(const torch::Tensor& values, const std::string& function,
                                    const std::string& name, int64_t length = -1);

}  // namespace neuromod::analysis::detail
