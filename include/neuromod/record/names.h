#pragma once
/// Canonical names of everything a run can record — one header, shared by the network that
/// reports the values, the recorder that stores them and the analyses and plots that read
/// them back (STYLE.md: "record by name").
///
///   layers/<layer>/output                 (B, N) a layer's output
///   layers/<layer>/state/<key>            a layer's state tensor ("h", "hebb", "eligibility", ...)
///   modulators/<modulator>/level          (B, C) a modulator's level
///   effects/<layer>/<compartment>.<effect> (B, N) the combined effect on a layer's knob
///   task/<signal>                         what the task and the learner exchange, e.g.
///                                         task/reward (B), task/action (B), task/value (B),
///                                         task/label (B), task/loss (), task/target (B, K)

#include <string>

#include "neuromod/config/enum_names.h"
#include "neuromod/modulation/effect_target.h"

namespace neuromod::names {

inline std::string layer_output(const std::string& layer) {
  return "layers/" + layer + "/output";
}

inline std::string layer_state(const std::string& layer, const std::string& key) {
  return "layers/" + layer + "/state/" + key;
}

inline std::string modulator_level(const std::string& modulator) {
  return "modulators/" + modulator + "/level";
}

inline std::string effect(const std::string& layer, EffectKey key) {
  return "effects/" + layer + "/" + config::enum_name(key.compartment) + "." +
         config::enum_name(key.effect);
}

/// `task/<signal>`: a value of the task or the learner, e.g. task_signal("reward").
inline std::string task_signal(const std::string& signal) {
  return "task/" + signal;
}

}  // namespace neuromod::names
