#include "neuromod/modulation/receptor_presets.h"

namespace neuromod {

namespace {

using functional::DoseResponseKind;
using functional::EffectKind;
using functional::ReceptorSign;

// Parameters are normalised modelling defaults (levels ~[0, 1]); only the ordering of ec50
// between receptors of one modulator follows the cited affinities. e_max 0.5 lets a gain swing
// by at most ±50 % around 1, which keeps a modulated network trainable.
std::vector<ReceptorPreset> make_catalogue() {
  const auto entry = [](std::string name, std::string modulator, ReceptorFamily family,
                        ReceptorSign sign, EffectKind effect, Compartment compartment, double e_max,
                        double ec50, double n, double offset, std::string doc,
                        std::string reference) {
    ReceptorPreset preset;
    preset.name = std::move(name);
    preset.modulator = std::move(modulator);
    preset.family = family;
    preset.sign = sign;
    preset.effect = effect;
    preset.compartment = compartment;
    preset.kind = DoseResponseKind::hill;
    preset.e_max = e_max;
    preset.ec50 = ec50;
    preset.n = n;
    preset.offset = offset;
    preset.doc = std::move(doc);
    preset.reference = std::move(reference);
    return preset;
  };
  constexpr auto excitatory = ReceptorSign::excitatory;
  constexpr auto inhibitory = ReceptorSign::inhibitory;
  return {
      // Dopamine.
      entry("D1", "DA", ReceptorFamily::gs, excitatory, EffectKind::gain, Compartment::soma, 0.5,
            0.5, 1.0, 1.0,
            "raises the excitability of pyramidal cells (NMDA and persistent Na+ currents up); "
            "low affinity, engaged by phasic release",
            "Seamans & Yang 2004, Prog Neurobiol 74:1-58; affinity below D2: Richfield et al. "
            "1989, Neuroscience 30:767-777"),
      entry("D2", "DA", ReceptorFamily::gi, inhibitory, EffectKind::gain, Compartment::soma, 0.5,
            0.2, 1.0, 1.0,
            "lowers the excitability of its targets; high affinity, engaged by tonic levels",
            "Seamans & Yang 2004, Prog Neurobiol 74:1-58; Durstewitz & Seamans 2008, Biol "
            "Psychiatry 64:739-749; tonic vs phasic occupancy: Dreyer et al. 2010, J Neurosci "
            "30:14273-14283"),
      // Acetylcholine.
      entry("M1", "ACh", ReceptorFamily::gq, excitatory, EffectKind::coupling, Compartment::apical,
            1.0, 0.5, 1.0, 1.0,
            "muscarinic boost of dendritic Ca2+ channels in layer-5 pyramidal cells: apical "
            "plateau potentials drive the soma more strongly",
            "Williams & Fletcher 2019, Neuron 101:486-499; somatic M-current closure (use effect "
            "gain): Brown & Adams 1980, Nature 283:673-676"),
      entry("M2", "ACh", ReceptorFamily::gi, inhibitory, EffectKind::gain, Compartment::soma, 0.5,
            0.3, 1.0, 1.0,
            "presynaptic inhibition of recurrent (intrinsic) excitatory transmission",
            "Hasselmo & Bower 1992, J Neurophysiol 67:1222-1229; Hasselmo 2006, Curr Opin "
            "Neurobiol 16:710-715"),
      entry("nicotinic", "ACh", ReceptorFamily::ionotropic, excitatory, EffectKind::bias,
            Compartment::soma, 0.5, 0.5, 2.0, 0.0,
            "fast cation channel: depolarises (adds drive); cooperative binding (n = 2)",
            "Dani & Bertrand 2007, Annu Rev Pharmacol Toxicol 47:699-729; Picciotto, Higley & "
            "Mineur 2012, Neuron 76:116-129"),
      // Noradrenaline.
      entry("alpha1", "NE", ReceptorFamily::gq, excitatory, EffectKind::gain, Compartment::soma,
            0.5, 0.7, 1.0, 1.0,
            "raises excitability; low affinity, engaged at high (stress) levels",
            "Ramos & Arnsten 2007, Pharmacol Ther 113:523-536; Arnsten 2009, Nat Rev Neurosci "
            "10:410-422"),
      entry("alpha2", "NE", ReceptorFamily::gi, excitatory, EffectKind::gain, Compartment::soma,
            0.5, 0.2, 1.0, 1.0,
            "alpha2A in prefrontal cortex: closes HCN channels on spines and strengthens "
            "recurrent firing; highest affinity for NE",
            "Wang et al. 2007, Cell 129:397-410; Arnsten 2009, Nat Rev Neurosci 10:410-422"),
      entry("beta", "NE", ReceptorFamily::gs, excitatory, EffectKind::gain, Compartment::soma, 0.5,
            0.6, 1.0, 1.0,
            "blocks the slow afterhyperpolarisation and spike-frequency adaptation: a steeper "
            "input-output curve",
            "Madison & Nicoll 1986, J Physiol 372:221-244; Ramos & Arnsten 2007, Pharmacol Ther "
            "113:523-536"),
      // Serotonin.
      entry("5-HT1A", "5HT", ReceptorFamily::gi, inhibitory, EffectKind::bias, Compartment::soma,
            0.5, 0.3, 1.0, 0.0,
            "hyperpolarises pyramidal cells through GIRK channels (subtracts drive); high "
            "affinity",
            "Celada, Puig & Artigas 2013, Front Integr Neurosci 7:25; Puig & Gulledge 2011, Mol "
            "Neurobiol 44:449-464"),
      entry("5-HT2A", "5HT", ReceptorFamily::gq, excitatory, EffectKind::bias, Compartment::soma,
            0.5, 0.5, 1.0, 0.0,
            "depolarises layer-5 pyramidal cells (adds drive), opposing 5-HT1A on the same "
            "cells",
            "Celada, Puig & Artigas 2013, Front Integr Neurosci 7:25; Puig & Gulledge 2011, Mol "
            "Neurobiol 44:449-464"),
      // Histamine.
      entry("H1", "HA", ReceptorFamily::gq, excitatory, EffectKind::bias, Compartment::soma, 0.5,
            0.5, 1.0, 0.0, "depolarises by closing a leak K+ conductance (adds drive): arousal",
            "Haas & Panula 2003, Nat Rev Neurosci 4:121-130"),
      entry("H2", "HA", ReceptorFamily::gs, excitatory, EffectKind::gain, Compartment::soma, 0.5,
            0.5, 1.0, 1.0,
            "blocks the Ca2+-activated K+ current and accommodation: a steeper input-output "
            "curve",
            "Haas & Konnerth 1983, Nature 302:432-434; Haas & Panula 2003, Nat Rev Neurosci "
            "4:121-130"),
      entry("H3", "HA", ReceptorFamily::gi, inhibitory, EffectKind::gain, Compartment::soma, 0.5,
            0.2, 1.0, 1.0,
            "presynaptic auto- and heteroreceptor: damps transmitter release; high affinity",
            "Haas & Panula 2003, Nat Rev Neurosci 4:121-130"),
  };
}

}  // namespace

ReceptorOptions ReceptorPreset::options() const {
  ReceptorOptions options;
  options.preset = name;
  options.kind = kind;
  options.sign = sign;
  options.e_max = e_max;
  options.ec50 = ec50;
  options.n = n;
  options.offset = offset;
  return options;
}

const std::vector<ReceptorPreset>& receptor_presets() {
  static const std::vector<ReceptorPreset> catalogue = make_catalogue();
  return catalogue;
}

const ReceptorPreset* find_receptor_preset(std::string_view name) {
  for (const auto& preset : receptor_presets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

std::vector<std::string> receptor_preset_names() {
  std::vector<std::string> names;
  for (const auto& preset : receptor_presets()) names.push_back(preset.name);
  return names;
}

}  // namespace neuromod
