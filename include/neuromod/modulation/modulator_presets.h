#pragma once
/// \file
/// The modulator catalogue: the five classical neuromodulators with a default time constant,
/// baseline, range and source, and their computational role after Doya (2002).
///
/// | name | role (Doya 2002; HA after Haas & Panula 2003)          | tau   | baseline | range   |
/// |------|--------------------------------------------------------|-------|----------|---------|
/// | DA   | reward prediction error delta                          | 1     | 0        | [-1, 1] |
/// | 5HT  | discount factor gamma, the time scale of prediction    | 100   | 0.5      | [0, 1]  |
/// | NE   | inverse temperature beta, randomness of action choice  | 10    | 0.5      | [0, 1]  |
/// | ACh  | learning rate alpha, speed of memory update            | 10    | 0.5      | [0, 1]  |
/// | HA   | arousal and wakefulness                                | 1000  | 0.5      | [0, 1]  |
///
/// Time constants are in network steps; levels are normalised. These are modelling defaults
/// chosen to give a phasic DA, intermediate NE and ACh, a slow 5-HT and a very slow HA. They are
/// not measured values. A config that names a preset may override any field.
///
/// References: Doya 2002 (Neural Networks 15:495–506); Schultz, Dayan & Montague 1997 (Science
/// 275:1593–1599); Yu & Dayan 2005 (Neuron 46:681–692); Aston-Jones & Cohen 2005 (Annu Rev
/// Neurosci 28:403–450); Hasselmo 2006 (Curr Opin Neurobiol 16:710–715); Schweighofer & Doya 2003
/// (Neural Networks 16:5–9); Haas & Panula 2003 (Nat Rev Neurosci 4:121–130).

#include <string>
#include <string_view>
#include <vector>

namespace neuromod {

/// One entry of the modulator catalogue.
struct ModulatorPreset {
  std::string name;       ///< config name: DA, 5HT, NE, ACh or HA
  std::string full_name;  ///< e.g. "dopamine"
  double tau = 1.0;       ///< default time constant tau_m, steps (1 = instantaneous)
  double baseline = 0.0;  ///< default tonic baseline b_m, level units
  double lo = 0.0;        ///< lower bound of the level
  double hi = 1.0;        ///< upper bound of the level
  std::string source;     ///< suggested source kind (DESIGN.md §1 "Sources"), e.g. "rpe"
  std::string role;       ///< one line: the computational role (Doya 2002)
  std::string doc;        ///< one line: why these defaults
  std::string reference;  ///< literature for the role
};

/// The catalogue: DA, 5HT, NE, ACh, HA, in that order.
const std::vector<ModulatorPreset>& modulator_presets();

/// The preset named `name` (exact, case-sensitive), or nullptr.
const ModulatorPreset* find_modulator_preset(std::string_view name);

/// Names of all presets, in catalogue order.
std::vector<std::string> modulator_preset_names();

}  // namespace neuromod
