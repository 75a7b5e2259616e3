#pragma once
/// \file
/// The receptor catalogue: named receptors with their modulator, signalling class, sign, default
/// effect and compartment, dose–response and a literature reference (DESIGN.md §1 "Receptors").
///
/// Every preset is a Hill curve `offset + sign * e_max * c^n / (c^n + ec50^n)` on a normalised
/// level (a concentration near 0 at rest and near 1 at a strong phasic release). The numbers are
/// **modelling defaults**, not measured affinities. Only their ordering follows the literature:
/// D2 is more sensitive than D1, alpha2A more than alpha1 and beta, 5-HT1A more than 5-HT2A, and
/// H3 is a high-affinity presynaptic receptor. `offset` is the neutral value of the default effect
/// (1 for gain and coupling, 0 for bias), so at zero level the receptor changes nothing. When a
/// projection uses a preset for another effect, set `offset` to that effect's neutral value.
///
/// `sign` is the sign of the modelled effect, not the G protein's: alpha2A is Gi/o-coupled, yet in
/// prefrontal cortex it strengthens network firing (Wang et al. 2007), so its preset is excitatory.
///
/// docs/modulation/receptors.md has the full table with references.

#include <string>
#include <string_view>
#include <vector>

#include "neuromod/config/enum_names.h"
#include "neuromod/functional/dose_response.h"
#include "neuromod/functional/effects.h"
#include "neuromod/modulation/effect_target.h"
#include "neuromod/modulation/receptor_options.h"

namespace neuromod {

/// Signalling class of a receptor.
enum class ReceptorFamily {
  gs,          ///< metabotropic, Gs-coupled: cAMP up (D1, beta, H2)
  gi,          ///< metabotropic, Gi/o-coupled: cAMP down, GIRK opening (D2, M2, alpha2, 5-HT1A, H3)
  gq,          ///< metabotropic, Gq-coupled: PLC, K+ channels closed (M1, alpha1, 5-HT2A, H1)
  ionotropic,  ///< ligand-gated ion channel (nicotinic)
};

/// Names of the families (`Gs`, `Gi/o`, `Gq`, `ionotropic`).
inline const config::EnumNames<ReceptorFamily>& enum_names(ReceptorFamily) {
  static const config::EnumNames<ReceptorFamily> names{
      {ReceptorFamily::gs, "Gs", "metabotropic, Gs-coupled (cAMP up)"},
      {ReceptorFamily::gi, "Gi/o", "metabotropic, Gi/o-coupled (cAMP down, GIRK channels open)"},
      {ReceptorFamily::gq, "Gq", "metabotropic, Gq-coupled (PLC; K+ channels closed)"},
      {ReceptorFamily::ionotropic, "ionotropic", "ligand-gated cation channel, fast"}};
  return names;
}

/// One entry of the receptor catalogue.
struct ReceptorPreset {
  std::string name;       ///< config name, e.g. "D1", "5-HT1A"
  std::string modulator;  ///< modulator preset that binds it: DA, ACh, NE, 5HT or HA
  ReceptorFamily family = ReceptorFamily::gs;
  functional::ReceptorSign sign = functional::ReceptorSign::excitatory;
  functional::EffectKind effect = functional::EffectKind::gain;  ///< default effect
  Compartment compartment = Compartment::soma;                   ///< default compartment
  functional::DoseResponseKind kind = functional::DoseResponseKind::hill;
  double e_max = 0.5;     ///< maximal effect, effect units
  double ec50 = 0.5;      ///< half-maximal level, normalised level units
  double n = 1.0;         ///< Hill coefficient
  double offset = 1.0;    ///< neutral value of `effect`
  std::string doc;        ///< one line: what the receptor does in the model
  std::string reference;  ///< literature supporting the default effect

  /// The receptor options this preset stands for (`preset` set to `name`, no learning, no
  /// fan-out).
  ReceptorOptions options() const;
};

/// The catalogue, in a fixed order (dopamine, acetylcholine, noradrenaline, serotonin,
/// histamine).
const std::vector<ReceptorPreset>& receptor_presets();

/// The preset named `name` (exact, case-sensitive), or nullptr.
const ReceptorPreset* find_receptor_preset(std::string_view name);

/// Names of all presets, in catalogue order (for messages and `neuromod list`).
std::vector<std::string> receptor_preset_names();

}  // namespace neuromod
