#include "neuromod/modulation/sources/schedule_source.h"

#include <torch/torch.h>

#include <cmath>

namespace neuromod {

namespace {
constexpr double pi = 3.14159265358979323846;
}  // namespace

double schedule_value(const SourceOptions& o, double t) {
  switch (o.schedule) {
    case ScheduleKind::constant:
      return o.value;
    case ScheduleKind::step:
      return o.value * std::pow(o.factor, std::floor(t / o.period));
    case ScheduleKind::exponential: {
      const double v = o.value * std::pow(o.factor, t / o.period);
      // Held at `end` from the first time at which it reaches or passes it.
      return (o.value - o.end) * (v - o.end) <= 0.0 ? o.end : v;
    }
    case ScheduleKind::cosine:
      if (t >= o.period) return o.end;
      return o.end + (o.value - o.end) * 0.5 * (1.0 + std::cos(pi * t / o.period));
    case ScheduleKind::square:
      return std::fmod(t, o.period) < o.duty * o.period ? o.value : o.low_value;
  }
  throw std::logic_error("schedule_value: unknown schedule");
}

ScheduleSourceImpl::ScheduleSourceImpl(SourceOptions options) : options_(std::move(options)) {}

torch::Tensor ScheduleSourceImpl::release(const SourceSignals& signals) {
  const int64_t t = clock_value(signals, options_.clock) / options_.every;
  return torch::full({signals.batch, options_.channels},
                     schedule_value(options_, static_cast<double>(t)), release_options(signals));
}

void ScheduleSourceImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::ScheduleSource(" << config::enum_name(options_.schedule)
         << ", clock=" << config::enum_name(options_.clock) << ", every=" << options_.every
         << ", value=" << options_.value << ")";
}

}  // namespace neuromod
