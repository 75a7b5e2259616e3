#pragma once
/// \file
/// Options of a receptor: the dose–response that maps a local modulator level to an effect
/// value, its sign, offset, learned parameters and learned fan-out (DESIGN.md §1 "Receptors").
///
///     effect_j = offset + fanout_j( sign * response(level) )
///     fanout_j(x) = x                        (fanout: none)
///     fanout_j(x) = f_j * x + g_j            (fanout: learned, Backpropamine's modfanout)
///
/// | field    | default    | unit         | meaning                                              |
/// |----------|------------|--------------|------------------------------------------------------|
/// | `preset` | ""         | —            | catalogue entry whose values are the defaults        |
/// | `kind`   | linear     | —            | hill, linear or tanh (functional/dose_response.h)    |
/// | `sign`   | excitatory | —            | +1 excitatory (D1-like), −1 inhibitory (D2-like)     |
/// | `e_max`  | 1          | effect units | maximal effect (hill, tanh) or slope (linear), > 0   |
/// | `ec50`   | 0.5        | level units  | half-maximal level of hill, > 0                      |
/// | `n`      | 1          | 1            | Hill coefficient, > 0                                |
/// | `scale`  | 1          | level units  | level scale of tanh, > 0                             |
/// | `offset` | 0          | effect units | added after the response: 1 makes `gain = 1 + r`     |
/// | `learn`  | false      | —            | the curve's positive parameters become learned       |
/// | `fanout` | none       | —            | `learned`: per-unit affine map f_j x + g_j           |
///
/// Without a preset the defaults are the identity receptor: `effect = level`.
///
/// **Presets and overrides.** `preset` is visited first. When a reader changes it (the YAML
/// mapping names a preset), every field is reset to the preset's values at once, and the keys that
/// follow in the same mapping are read on top of them. So `{preset: D2, ec50: 0.1}` is D2 with a
/// different EC50, keys that are not given keep the preset's value, and a resolved config
/// (`preset` plus every field written out) reads back to the same options. In code, start from
/// `ReceptorOptions::from_preset("D2")` and assign fields. Writers and describers never change
/// `preset`, so they never trigger the reset.
///
/// **Learned parameters.** With `learn: true` the positive parameters of the chosen curve (hill:
/// e_max, ec50, n; linear: e_max; tanh: e_max, scale) are stored as their logarithms
/// (`log_e_max`, ...) and used as `exp(·)`. They therefore stay positive and the sign cannot flip
/// during training, and gradient steps are relative to the value. The initial values are the
/// configured ones.
///
/// **Fan-out.** `fanout: learned` adds per-unit slopes f and offsets g, (N) each, initialised
/// U(−1, 1) as in the reference code (Backpropamine's `modfanout`, a `Linear(1, N)` with
/// PyTorch's default initialisation; uber-research/backpropamine, simplemaze/maze.py). The offset
/// is added after the fan-out, so it stays the effect's neutral value whatever f and g learn.
///
/// References: Hill (1910) for the curve; Miconi, Rawal, Clune & Stanley (2019, ICLR,
/// "Backpropamine") for the learned linear receptor with fan-out.

#include <string>
#include <string_view>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/functional/dose_response.h"

namespace neuromod {

/// Whether a receptor fans its response out over units with learned per-unit weights.
enum class FanOut {
  none,     ///< the same response for every unit
  learned,  ///< m_j = f_j * m + g_j with learned f, g (N) each (Backpropamine)
};

/// Names of the fan-out modes (`none`, `learned`).
inline const config::EnumNames<FanOut>& enum_names(FanOut) {
  static const config::EnumNames<FanOut> names{
      {FanOut::none, "none", "the same response for every unit"},
      {FanOut::learned, "learned",
       "per-unit affine map f_j * m + g_j, f and g learned (Backpropamine's fan-out)"}};
  return names;
}

namespace config::check {

/// A receptor preset name: empty (no preset) or an entry of `receptor_presets()`.
struct KnownReceptorPreset {
  bool ok(const std::string& value) const;
  std::string expected() const;
};

inline KnownReceptorPreset known_receptor_preset() {
  return {};
}

}  // namespace config::check

/// Options of a receptor (the `receptor:` mapping of a projection).
/// Example: `receptor: D1`, `receptor: {preset: D1, fanout: learned}` or
/// `receptor: {kind: linear, learn: true}`.
struct ReceptorOptions {
  std::string preset;  ///< catalogue entry giving the defaults; "" for none
  functional::DoseResponseKind kind = functional::DoseResponseKind::linear;
  functional::ReceptorSign sign = functional::ReceptorSign::excitatory;
  double e_max = 1.0;   ///< maximal effect (hill, tanh) or slope (linear), effect units, > 0
  double ec50 = 0.5;    ///< half-maximal level of hill, level units, > 0
  double n = 1.0;       ///< Hill coefficient, > 0
  double scale = 1.0;   ///< level scale of tanh, level units, > 0
  double offset = 0.0;  ///< effect value added after the response (1 for gain = 1 + r)
  bool learn = false;   ///< learn the positive parameters of the curve (log-parametrised)
  FanOut fanout = FanOut::none;  ///< per-unit learned fan-out

  /// A plain scalar stands for this key: `receptor: D1` reads as `receptor: {preset: D1}`.
  static constexpr const char* shorthand_key = "preset";

  /// The options of the catalogue entry `name` (receptor_presets.h), with `preset` set to it.
  /// Throws std::invalid_argument naming the unknown preset and the known ones.
  /// Example: `auto d2 = ReceptorOptions::from_preset("D2"); d2.ec50 = 0.1;`
  static ReceptorOptions from_preset(std::string_view name);

  /// Example: receptor: {preset: D1, fanout: learned}
  template <class V>
  void visit(V& v) {
    using namespace config::check;
    const std::string before = preset;
    v("preset", preset, "receptor preset whose values are the defaults (\"\": none)",
      known_receptor_preset());
    // Only a reader changes `preset`: apply the preset, then let the keys below override it.
    if (preset != before) *this = from_preset(preset);
    v("kind", kind, "dose-response curve");
    v("sign", sign, "excitatory (+1) or inhibitory (-1) effect");
    v("e_max", e_max, "maximal effect (hill, tanh) or slope (linear)", positive());
    v("ec50", ec50, "level at half-maximal effect (hill)", positive());
    v("n", n, "Hill coefficient (hill)", positive());
    v("scale", scale, "level scale of tanh: e_max * tanh(level / scale)", positive());
    v("offset", offset, "effect value added after the response (1: gain = 1 + response)");
    v("learn", learn, "learn the curve's parameters (kept positive through exp)");
    v("fanout", fanout, "per-unit fan-out of the response");
  }
};

/// Throws std::invalid_argument unless every numeric field is finite and e_max, ec50, n, scale
/// are > 0, e.g. `receptor "D1": ec50 must be a finite number > 0, got -1`. `preset` must be
/// empty or known. The config reader checks the same bounds with file and line; this check is
/// for options built in code.
void check_receptor_options(const ReceptorOptions& options);

}  // namespace neuromod
