#include "neuromod/modulation/modulator_presets.h"

namespace neuromod {

namespace {

std::vector<ModulatorPreset> make_catalogue() {
  const auto entry = [](std::string name, std::string full_name, double tau, double baseline,
                        double lo, double hi, std::string source, std::string role, std::string doc,
                        std::string reference) {
    ModulatorPreset preset;
    preset.name = std::move(name);
    preset.full_name = std::move(full_name);
    preset.tau = tau;
    preset.baseline = baseline;
    preset.lo = lo;
    preset.hi = hi;
    preset.source = std::move(source);
    preset.role = std::move(role);
    preset.doc = std::move(doc);
    preset.reference = std::move(reference);
    return preset;
  };
  return {
      entry("DA", "dopamine", 1.0, 0.0, -1.0, 1.0, "rpe",
            "reward prediction error delta = r + gamma V(s') - V(s)",
            "phasic and signed: instantaneous (tau = 1, Backpropamine's M(t)) in [-1, 1] around "
            "a zero baseline",
            "Doya 2002, Neural Networks 15:495-506; Schultz, Dayan & Montague 1997, Science "
            "275:1593-1599"),
      entry("5HT", "serotonin", 100.0, 0.5, 0.0, 1.0, "meta",
            "discount factor gamma: the time scale of reward prediction",
            "slow tonic level; a meta-learning source tunes it from short- vs long-term reward",
            "Doya 2002, Neural Networks 15:495-506; Schweighofer & Doya 2003, Neural Networks "
            "16:5-9"),
      entry("NE", "noradrenaline", 10.0, 0.5, 0.0, 1.0, "uncertainty",
            "inverse temperature beta: randomness of action selection (adaptive gain)",
            "intermediate time scale, driven by unexpected uncertainty",
            "Doya 2002, Neural Networks 15:495-506; Aston-Jones & Cohen 2005, Annu Rev Neurosci "
            "28:403-450; Yu & Dayan 2005, Neuron 46:681-692"),
      entry("ACh", "acetylcholine", 10.0, 0.5, 0.0, 1.0, "uncertainty",
            "learning rate alpha: speed of memory update (expected uncertainty)",
            "intermediate time scale, driven by expected uncertainty",
            "Doya 2002, Neural Networks 15:495-506; Hasselmo 2006, Curr Opin Neurobiol "
            "16:710-715; Yu & Dayan 2005, Neuron 46:681-692"),
      entry("HA", "histamine", 1000.0, 0.5, 0.0, 1.0, "schedule",
            "arousal and wakefulness (not part of Doya's mapping)",
            "very slow; high in wake and low in sleep, so a sleep-wake schedule drives it",
            "Haas & Panula 2003, Nat Rev Neurosci 4:121-130"),
  };
}

}  // namespace

const std::vector<ModulatorPreset>& modulator_presets() {
  static const std::vector<ModulatorPreset> catalogue = make_catalogue();
  return catalogue;
}

const ModulatorPreset* find_modulator_preset(std::string_view name) {
  for (const auto& preset : modulator_presets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

std::vector<std::string> modulator_preset_names() {
  std::vector<std::string> names;
  for (const auto& preset : modulator_presets()) names.push_back(preset.name);
  return names;
}

}  // namespace neuromod
