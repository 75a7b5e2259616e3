#include "neuromod/analysis/rate_maps.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {
namespace {

std::string box_string(const std::vector<double>& box) {
  std::ostringstream out;
  out << '{';
  for (size_t i = 0; i < box.size(); ++i) {
    out << (i > 0 ? ", " : "") << box[i];
  }
  out << '}';
  return out.str();
}

/// Normalised Gaussian taps k = −r … r, r = ceil(3σ).
std::vector<double> gaussian_kernel(double sigma) {
  const auto radius = static_cast<int64_t>(std::ceil(3.0 * sigma));
  std::vector<double> kernel(2 * radius + 1);
  double total = 0.0;
  for (int64_t k = -radius; k <= radius; ++k) {
    kernel[k + radius] = std::exp(-0.5 * static_cast<double>(k * k) / (sigma * sigma));
    total += kernel[k + radius];
  }
  for (double& w : kernel) {
    w /= total;
  }
  return kernel;
}

/// Separable convolution of each of `count` (bins × bins) maps in `maps`, zero outside.
void smooth(std::vector<double>& maps, int64_t count, int64_t bins,
            const std::vector<double>& kernel) {
  const auto radius = static_cast<int64_t>(kernel.size() / 2);
  std::vector<double> buffer(bins * bins);
  for (int64_t m = 0; m < count; ++m) {
    double* map = maps.data() + m * bins * bins;
    for (int pass = 0; pass < 2; ++pass) {
      // Pass 0 runs along x (within a row), pass 1 along y (within a column).
      const int64_t stride = pass == 0 ? 1 : bins;
      const int64_t line_stride = pass == 0 ? bins : 1;
      for (int64_t line = 0; line < bins; ++line) {
        for (int64_t i = 0; i < bins; ++i) {
          double value = 0.0;
          for (int64_t k = -radius; k <= radius; ++k) {
            const int64_t j = i + k;
            if (j >= 0 && j < bins) {
              value += kernel[k + radius] * map[line * line_stride + j * stride];
            }
          }
          buffer[line * line_stride + i * stride] = value;
        }
      }
      std::copy(buffer.begin(), buffer.end(), map);
    }
  }
}

}  // namespace

RateMaps rate_maps(const torch::Tensor& positions, const torch::Tensor& activity,
                   const RateMapOptions& options) {
  const std::string function = "rate_maps";
  const auto p = detail::double_tensor(positions, function, "positions", 2, "(T, 2)");
  const auto x = detail::double_tensor(activity, function, "activity", 2, "(T, N)");
  if (p.size(1) != 2) {
    detail::fail(function, "positions must have shape (T, 2) (x, y per step), got shape " +
                               detail::shape_string(p));
  }
  if (x.size(0) != p.size(0)) {
    detail::fail(function, "activity must have one row per position, shape (" +
                               std::to_string(p.size(0)) + ", N), got shape " +
                               detail::shape_string(x));
  }
  const int64_t bins = options.bins();
  if (bins < 1) {
    detail::fail(function, "options.bins must be >= 1, got " + std::to_string(bins));
  }
  if (!(options.sigma() >= 0.0) || !std::isfinite(options.sigma())) {
    std::ostringstream value;
    value << options.sigma();
    detail::fail(function, "options.sigma must be a finite value >= 0 (bins), got " + value.str());
  }
  const int64_t steps = p.size(0), units = x.size(1);
  const double* pos = p.data_ptr<double>();

  RateMaps result;
  result.box = options.box();
  if (result.box.empty()) {
    const double inf = std::numeric_limits<double>::infinity();
    result.box = {inf, -inf, inf, -inf};
    for (int64_t t = 0; t < steps; ++t) {
      for (int axis = 0; axis < 2; ++axis) {
        const double v = pos[t * 2 + axis];
        if (std::isfinite(v)) {
          result.box[2 * axis] = std::min(result.box[2 * axis], v);
          result.box[2 * axis + 1] = std::max(result.box[2 * axis + 1], v);
        }
      }
    }
  }
  const auto& box = result.box;
  if (box.size() != 4 || !std::isfinite(box[0]) || !std::isfinite(box[1]) ||
      !std::isfinite(box[2]) || !std::isfinite(box[3]) || !(box[1] > box[0]) ||
      !(box[3] > box[2])) {
    detail::fail(
        function,
        std::string(options.box().empty() ? "the positions' bounding box" : "options.box") +
            " is " + box_string(box) +
            "; expected {x_min, x_max, y_min, y_max} with x_min < x_max and y_min < y_max");
  }

  std::vector<double> sums(units * bins * bins, 0.0), occupancy(bins * bins, 0.0);
  const double* values = x.data_ptr<double>();
  for (int64_t t = 0; t < steps; ++t) {
    const double px = pos[t * 2], py = pos[t * 2 + 1];
    if (!(px >= box[0] && px <= box[1] && py >= box[2] && py <= box[3])) {
      ++result.outside;
      continue;
    }
    const auto column = std::min(
        bins - 1, static_cast<int64_t>(std::floor((px - box[0]) / (box[1] - box[0]) * bins)));
    const auto row = std::min(
        bins - 1, static_cast<int64_t>(std::floor((py - box[2]) / (box[3] - box[2]) * bins)));
    const int64_t b = row * bins + column;
    occupancy[b] += 1.0;
    for (int64_t i = 0; i < units; ++i) {
      sums[i * bins * bins + b] += values[t * units + i];
    }
  }

  result.occupancy = torch::tensor(occupancy, torch::kDouble).reshape({bins, bins});
  std::vector<double> weights = occupancy;
  if (options.sigma() > 0.0) {
    const auto kernel = gaussian_kernel(options.sigma());
    smooth(sums, units, bins, kernel);
    smooth(weights, 1, bins, kernel);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> rates(units * bins * bins);
  for (int64_t i = 0; i < units; ++i) {
    for (int64_t b = 0; b < bins * bins; ++b) {
      rates[i * bins * bins + b] =
          occupancy[b] > 0.0 ? sums[i * bins * bins + b] / weights[b] : nan;
    }
  }
  result.rates = torch::tensor(rates, torch::kDouble).reshape({units, bins, bins});
  return result;
}

}  // namespace neuromod::analysis
