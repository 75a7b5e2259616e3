#include "neuromod/modulation/source.h"

#include <torch/torch.h>

#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "neuromod/modulation/sources/constant_source.h"
#include "neuromod/modulation/sources/learned_source.h"
#include "neuromod/modulation/sources/loss_change_source.h"
#include "neuromod/modulation/sources/meta_source.h"
#include "neuromod/modulation/sources/reward_source.h"
#include "neuromod/modulation/sources/rpe_source.h"
#include "neuromod/modulation/sources/schedule_source.h"
#include "neuromod/modulation/sources/uncertainty_source.h"

namespace neuromod {
namespace {

std::string prefix(const SourceOptions& options) {
  return "source " + config::enum_name(options.kind) + ": ";
}

// Re-applies the per-field checks declared in SourceOptions::visit, so that options built in code
// (not read from YAML) are held to the same ranges.
class RangeChecker {
 public:
  explicit RangeChecker(std::string prefix) : prefix_(std::move(prefix)) {}

  template <class T, class... Checks>
  void operator()(const std::string& key, const T& value, const char* doc,
                  const Checks&... checks) {
    (check(key, value, checks), ...);
  }

 private:
  template <class T, class Check>
  void check(const std::string& key, const T& value, const Check& check) const {
    if (check.ok(value)) return;
    std::ostringstream message;
    message << prefix_ << key << " must be " << check.expected();
    if constexpr (std::is_arithmetic_v<T>) message << ", got " << value;
    throw std::invalid_argument(message.str());
  }

  std::string prefix_;
};

std::string known_signals(const std::map<std::string, int64_t>& signal_sizes) {
  std::string names;
  for (const auto& [name, size] : signal_sizes) names += (names.empty() ? "" : ", ") + name;
  return names.empty() ? "(none)" : names;
}

}  // namespace

void check_source_options(const SourceOptions& options,
                          const std::map<std::string, int64_t>& signal_sizes) {
  RangeChecker checker(prefix(options));
  const_cast<SourceOptions&>(options).visit(checker);  // visit only reads through RangeChecker

  switch (options.kind) {
    case SourceKind::learned:
      if (options.reads.empty()) {
        throw std::invalid_argument(
            prefix(options) +
            "reads must name at least one signal; known: " + known_signals(signal_sizes));
      }
      for (const auto& name : options.reads) {
        const auto found = signal_sizes.find(name);
        if (found == signal_sizes.end()) {
          throw std::invalid_argument(
              prefix(options) + "reads names \"" + name +
              "\", which is not a readable signal; known: " + known_signals(signal_sizes));
        }
        if (found->second < 1) {
          throw std::invalid_argument(prefix(options) + "reads \"" + name + "\" of width " +
                                      std::to_string(found->second) + ", expected >= 1");
        }
      }
      break;
    case SourceKind::meta:
      try {
        meta_mapping_inverse(options.value, options.mapping);
      } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(prefix(options) + error.what());
      }
      break;
    default:
      break;
  }
}

std::shared_ptr<Source> make_source(const SourceOptions& options,
                                    const std::map<std::string, int64_t>& signal_sizes) {
  check_source_options(options, signal_sizes);
  switch (options.kind) {
    case SourceKind::learned: {
      std::vector<int64_t> read_sizes;
      for (const auto& name : options.reads) read_sizes.push_back(signal_sizes.at(name));
      return std::make_shared<LearnedSourceImpl>(options, std::move(read_sizes));
    }
    case SourceKind::rpe:
      return std::make_shared<RpeSourceImpl>(options);
    case SourceKind::reward:
      return std::make_shared<RewardSourceImpl>(options);
    case SourceKind::loss_change:
      return std::make_shared<LossChangeSourceImpl>(options);
    case SourceKind::uncertainty:
      return std::make_shared<UncertaintySourceImpl>(options);
    case SourceKind::schedule:
      return std::make_shared<ScheduleSourceImpl>(options);
    case SourceKind::meta:
      return std::make_shared<MetaSourceImpl>(options);
    case SourceKind::constant:
      return std::make_shared<ConstantSourceImpl>(options);
  }
  throw std::logic_error("make_source: unknown source kind");
}

void throw_missing_signal(SourceKind kind, const std::string& field) {
  throw std::runtime_error("source " + config::enum_name(kind) + " needs " + field +
                           ", which this task does not provide");
}

torch::TensorOptions release_options(const SourceSignals& signals) {
  auto floating = [](const torch::Tensor& t) {
    return t.is_floating_point() ? t.options() : t.options().dtype(torch::kFloat);
  };
  for (const auto* t :
       {&signals.reward, &signals.td_error, &signals.prediction, &signals.context}) {
    if (t->defined()) return floating(*t);
  }
  for (const auto& [name, activity] : signals.activity) {
    if (activity.defined()) return floating(activity);
  }
  return torch::TensorOptions().dtype(torch::kFloat);
}

torch::Tensor per_sample_release(const torch::Tensor& value, const SourceSignals& signals,
                                 int64_t channels, SourceKind kind, const std::string& field) {
  const int64_t batch = signals.batch;
  torch::Tensor v = value.detach();
  if (!v.is_floating_point()) v = v.to(torch::kFloat);
  if (v.dim() == 0) {
    v = v.reshape({1, 1});
  } else if (v.dim() == 1 && v.size(0) == batch) {
    v = v.unsqueeze(1);
  } else if (!(v.dim() == 2 && v.size(0) == batch && (v.size(1) == 1 || v.size(1) == channels))) {
    std::ostringstream message;
    message << "source " << config::enum_name(kind) << ": " << field
            << " must be (B), (B, 1) or (B, channels) with B = " << batch
            << " and channels = " << channels << ", got " << v.sizes();
    throw std::runtime_error(message.str());
  }
  return v.expand({batch, channels}).contiguous();
}

int64_t clock_value(const SourceSignals& signals, SourceClock clock) {
  switch (clock) {
    case SourceClock::step:
      return signals.training_step;
    case SourceClock::epoch:
      return signals.epoch;
    case SourceClock::episode_step:
      return signals.time_step;
  }
  throw std::logic_error("clock_value: unknown clock");
}

}  // namespace neuromod
