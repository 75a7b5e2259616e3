#include "neuromod/modulation/receptor_options.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "neuromod/config/suggest.h"
#include "neuromod/modulation/receptor_presets.h"

namespace neuromod {

namespace config::check {

bool KnownReceptorPreset::ok(const std::string& value) const {
  return value.empty() || find_receptor_preset(value) != nullptr;
}

std::string KnownReceptorPreset::expected() const {
  std::string names;
  for (const auto& name : receptor_preset_names()) names += (names.empty() ? "" : " | ") + name;
  return "naming a receptor preset (" + names + ") or empty";
}

}  // namespace config::check

ReceptorOptions ReceptorOptions::from_preset(std::string_view name) {
  if (name.empty()) return ReceptorOptions{};
  const ReceptorPreset* preset = find_receptor_preset(name);
  if (preset == nullptr) {
    const std::string word(name);
    throw std::invalid_argument("unknown receptor preset \"" + word + "\"" +
                                config::did_you_mean(word, receptor_preset_names()) +
                                "; expected " + config::check::known_receptor_preset().expected());
  }
  return preset->options();
}

void check_receptor_options(const ReceptorOptions& options) {
  const std::string who =
      options.preset.empty() ? "receptor" : "receptor \"" + options.preset + "\"";
  if (!config::check::known_receptor_preset().ok(options.preset)) {
    throw std::invalid_argument(who + ": preset must be " +
                                config::check::known_receptor_preset().expected());
  }
  const auto positive = [&](const char* field, double value) {
    if (!(std::isfinite(value) && value > 0.0)) {
      std::ostringstream message;
      message << who << ": " << field << " must be a finite number > 0, got " << value;
      throw std::invalid_argument(message.str());
    }
  };
  positive("e_max", options.e_max);
  positive("ec50", options.ec50);
  positive("n", options.n);
  positive("scale", options.scale);
  if (!std::isfinite(options.offset)) {
    std::ostringstream message;
    message << who << ": offset must be a finite number, got " << options.offset;
    throw std::invalid_argument(message.str());
  }
}

}  // namespace neuromod
