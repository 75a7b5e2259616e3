#pragma once
/// One entry of the `layers:` list of a run's config.

#include <cstdint>
#include <string>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/functional/activation.h"

namespace neuromod {

/// The layer kinds neuromod builds.
enum class LayerKind {
  linear,  ///< fully connected: y = f(W x + b)
};

inline const config::EnumNames<LayerKind>& enum_names(LayerKind) {
  static const config::EnumNames<LayerKind> names{
      {LayerKind::linear, "linear", "fully connected units: y = f(W x + b)"}};
  return names;
}

/// Options of one layer.
struct LayerOptions {
  std::string name;  ///< unique; projections target it by name
  LayerKind kind = LayerKind::linear;
  int64_t size = 0;  ///< units; 0 on the last layer = task outputs
  functional::Activation activation = functional::Activation::relu;
  bool bias = true;
  double dropout = 0.0;  ///< dropout probability on the layer's output

  /// Example: - {name: hidden, kind: linear, size: 128, activation: relu}
  template <class V>
  void visit(V& v) {
    v("name", name, "unique layer name (projections target layers by name)");
    v("kind", kind, "layer kind");
    v("size", size, "number of units (0 on the last layer: the task's output count)",
      config::check::at_least(int64_t{0}));
    v("activation", activation, "activation function f in f(W x + b)");
    v("bias", bias, "whether the layer has a bias b");
    v("dropout", dropout, "dropout probability on the layer's output while training",
      config::check::in_range(0.0, 0.99));
  }
};

}  // namespace neuromod
