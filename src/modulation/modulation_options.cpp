#include "neuromod/modulation/modulation_options.h"

#include "neuromod/modulation/modulator_presets.h"

namespace neuromod {

void apply_modulator_preset(ModulatorOptions& options) {
  const ModulatorPreset* preset = find_modulator_preset(options.name);
  if (preset == nullptr) return;
  options.tau = preset->tau;
  options.baseline = preset->baseline;
  options.range = {preset->lo, preset->hi};
}

}  // namespace neuromod
