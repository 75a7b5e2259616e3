#include "neuromod/analysis/grid_score.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double pi = 3.14159265358979323846;

/// Pearson correlation from running sums; NaN when a side is constant or n < 2.
struct PearsonSums {
  double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  void add(double x, double y) {
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  double correlation() const {
    if (n < 2) {
      return nan;
    }
    const double vx = sxx - sx * sx / n, vy = syy - sy * sy / n;
    if (!(vx > 0.0) || !(vy > 0.0)) {
      return nan;
    }
    return std::clamp((sxy - sx * sy / n) / std::sqrt(vx * vy), -1.0, 1.0);
  }
};

/// Autocorrelogram of a contiguous (h × w) double map.
std::vector<double> autocorrelogram(const double* map, int64_t h, int64_t w, int64_t min_overlap) {
  const int64_t sh = 2 * h - 1, sw = 2 * w - 1;
  std::vector<double> result(sh * sw, nan);
  for (int64_t dy = -(h - 1); dy <= h - 1; ++dy) {
    for (int64_t dx = -(w - 1); dx <= w - 1; ++dx) {
      PearsonSums sums;
      for (int64_t y = std::max<int64_t>(0, -dy); y < std::min(h, h - dy); ++y) {
        for (int64_t x = std::max<int64_t>(0, -dx); x < std::min(w, w - dx); ++x) {
          const double a = map[y * w + x], b = map[(y + dy) * w + x + dx];
          if (!std::isnan(a) && !std::isnan(b)) {
            sums.add(a, b);
          }
        }
      }
      if (sums.n >= static_cast<double>(min_overlap)) {
        result[(dy + h - 1) * sw + dx + w - 1] = sums.correlation();
      }
    }
  }
  return result;
}

/// Bilinear rotation of a contiguous (h × w) double map by `degrees` about its centre.
std::vector<double> rotated(const double* map, int64_t h, int64_t w, double degrees) {
  const double angle = degrees * pi / 180.0;
  const double c = std::cos(angle), s = std::sin(angle);
  const double cy = 0.5 * static_cast<double>(h - 1), cx = 0.5 * static_cast<double>(w - 1);
  // Snap sources within rounding of a bin centre, so that 90° rotations stay exact.
  auto snap = [](double v) {
    const double r = std::round(v);
    return std::abs(v - r) < 1e-9 ? r : v;
  };
  std::vector<double> result(h * w, nan);
  for (int64_t i = 0; i < h; ++i) {
    for (int64_t j = 0; j < w; ++j) {
      const double dy = static_cast<double>(i) - cy, dx = static_cast<double>(j) - cx;
      // The output at offset d takes the input at R(−α) d.
      const double sy = snap(cy - s * dx + c * dy), sx = snap(cx + c * dx + s * dy);
      if (sy < 0.0 || sx < 0.0 || sy > static_cast<double>(h - 1) ||
          sx > static_cast<double>(w - 1)) {
        continue;
      }
      const auto y0 = static_cast<int64_t>(std::floor(sy)),
                 x0 = static_cast<int64_t>(std::floor(sx));
      const double fy = sy - static_cast<double>(y0), fx = sx - static_cast<double>(x0);
      double value = 0.0;
      bool defined = true;
      for (int64_t a = 0; a < 2 && defined; ++a) {
        for (int64_t b = 0; b < 2 && defined; ++b) {
          const double weight = (a ? fy : 1.0 - fy) * (b ? fx : 1.0 - fx);
          if (weight == 0.0) {
            continue;  // also keeps the last row and column in range
          }
          const double v = map[(y0 + a) * w + x0 + b];
          defined = !std::isnan(v);
          value += weight * v;
        }
      }
      if (defined) {
        result[i * w + j] = value;
      }
    }
  }
  return result;
}

GridScore score_of(const double* sac, int64_t sh, int64_t sw, const GridScoreOptions& options) {
  static constexpr std::array<double, 7> angles = {30, 45, 60, 90, 120, 135, 150};
  std::array<std::vector<double>, angles.size()> rotations;
  for (size_t a = 0; a < angles.size(); ++a) {
    rotations[a] = rotated(sac, sh, sw, angles[a]);
  }
  const double side = 0.5 * static_cast<double>(std::min(sh, sw) + 1);
  const double cy = 0.5 * static_cast<double>(sh - 1), cx = 0.5 * static_cast<double>(sw - 1);

  GridScore best{nan, nan, {nan, nan}, {nan, nan}};
  for (const auto& ring : options.rings()) {
    const double inner = ring.first * side, outer = ring.second * side;
    std::array<double, angles.size()> corr;
    for (size_t a = 0; a < angles.size(); ++a) {
      PearsonSums sums;
      for (int64_t i = 0; i < sh; ++i) {
        for (int64_t j = 0; j < sw; ++j) {
          const double r = std::hypot(static_cast<double>(i) - cy, static_cast<double>(j) - cx);
          const double u = sac[i * sw + j], v = rotations[a][i * sw + j];
          if (r > inner && r <= outer && !std::isnan(u) && !std::isnan(v)) {
            sums.add(u, v);
          }
        }
      }
      corr[a] = sums.correlation();
    }
    const double c30 = corr[0], c45 = corr[1], c60 = corr[2], c90 = corr[3], c120 = corr[4],
                 c135 = corr[5], c150 = corr[6];
    double s60 = nan, s90 = nan;
    if (options.min_max()) {
      // std::min and std::max would silently drop a NaN correlation; a score needs all of them.
      if (!std::isnan(c30 + c60 + c90 + c120 + c150)) {
        s60 = std::min(c60, c120) - std::max({c30, c90, c150});
      }
      if (!std::isnan(c45 + c90 + c135)) {
        s90 = c90 - std::max(c45, c135);
      }
    } else {
      s60 = (c60 + c120) / 2.0 - (c30 + c90 + c150) / 3.0;
      s90 = c90 - (c45 + c135) / 2.0;
    }
    if (!std::isnan(s60) && (std::isnan(best.score_60) || s60 > best.score_60)) {
      best.score_60 = s60;
      best.ring_60 = ring;
    }
    if (!std::isnan(s90) && (std::isnan(best.score_90) || s90 > best.score_90)) {
      best.score_90 = s90;
      best.ring_90 = ring;
    }
  }
  return best;
}

void check_options(const GridScoreOptions& options, const std::string& function) {
  if (options.rings().empty()) {
    detail::fail(function, "options.rings is empty; expected at least one (inner, outer) ring");
  }
  for (size_t k = 0; k < options.rings().size(); ++k) {
    const auto [inner, outer] = options.rings()[k];
    if (!(inner >= 0.0) || !(outer > inner) || !std::isfinite(outer)) {
      std::ostringstream value;
      value << "(" << inner << ", " << outer << ")";
      detail::fail(function, "options.rings[" + std::to_string(k) + "] = " + value.str() +
                                 "; expected 0 <= inner < outer (fractions of the map's side)");
    }
  }
}

void check_min_overlap(int64_t min_overlap, const std::string& function) {
  if (min_overlap < 2) {
    detail::fail(function, "min_overlap must be >= 2 bins (a correlation needs two pairs), got " +
                               std::to_string(min_overlap));
  }
}

torch::Tensor from_vector(const std::vector<double>& values, int64_t h, int64_t w) {
  return torch::tensor(values, torch::kDouble).reshape({h, w});
}

}  // namespace

std::vector<Ring> banino_rings() {
  std::vector<Ring> rings;
  for (int k = 0; k < 10; ++k) {
    rings.emplace_back(0.2, 0.4 + 0.6 * k / 9.0);
  }
  return rings;
}

torch::Tensor spatial_autocorrelogram(const torch::Tensor& rate_map, int64_t min_overlap) {
  const std::string function = "spatial_autocorrelogram";
  const auto map = detail::double_tensor(rate_map, function, "rate_map", 2, "(H, W)");
  check_min_overlap(min_overlap, function);
  const int64_t h = map.size(0), w = map.size(1);
  if (h < 1 || w < 1) {
    detail::fail(function, "rate_map must be non-empty, got shape " + detail::shape_string(map));
  }
  return from_vector(autocorrelogram(map.data_ptr<double>(), h, w, min_overlap), 2 * h - 1,
                     2 * w - 1);
}

torch::Tensor rotate_map(const torch::Tensor& map, double degrees) {
  const auto m = detail::double_tensor(map, "rotate_map", "map", 2, "(H, W)");
  if (!std::isfinite(degrees)) {
    detail::fail("rotate_map", "degrees must be finite, got " + std::to_string(degrees));
  }
  return from_vector(rotated(m.data_ptr<double>(), m.size(0), m.size(1), degrees), m.size(0),
                     m.size(1));
}

GridScore grid_score(const torch::Tensor& autocorrelogram, const GridScoreOptions& options) {
  const std::string function = "grid_score";
  const auto sac =
      detail::double_tensor(autocorrelogram, function, "autocorrelogram", 2, "(2H - 1, 2W - 1)");
  if (sac.size(0) % 2 == 0 || sac.size(1) % 2 == 0) {
    detail::fail(function,
                 "autocorrelogram must have odd sides (zero lag at the centre), got "
                 "shape " +
                     detail::shape_string(sac));
  }
  check_options(options, function);
  return score_of(sac.data_ptr<double>(), sac.size(0), sac.size(1), options);
}

GridScores grid_scores(const torch::Tensor& rate_maps, const GridScoreOptions& options) {
  const std::string function = "grid_scores";
  const auto maps = detail::double_tensor(rate_maps, function, "rate_maps", 3, "(N, H, W)");
  check_options(options, function);
  check_min_overlap(options.min_overlap(), function);
  const int64_t n = maps.size(0), h = maps.size(1), w = maps.size(2);
  if (h < 1 || w < 1) {
    detail::fail(function,
                 "rate_maps must have non-empty maps, got shape " + detail::shape_string(maps));
  }
  GridScores result;
  result.score_60 = torch::empty({n}, torch::kDouble);
  result.score_90 = torch::empty({n}, torch::kDouble);
  result.autocorrelograms = torch::empty({n, 2 * h - 1, 2 * w - 1}, torch::kDouble);
  const double* data = maps.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    const auto sac = autocorrelogram(data + i * h * w, h, w, options.min_overlap());
    std::copy(sac.begin(), sac.end(), result.autocorrelograms[i].data_ptr<double>());
    const GridScore score = score_of(sac.data(), 2 * h - 1, 2 * w - 1, options);
    result.score_60[i] = score.score_60;
    result.score_90[i] = score.score_90;
  }
  return result;
}

}  // namespace neuromod::analysis
