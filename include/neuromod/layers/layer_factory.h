#pragma once
/// Builds the layer a config entry describes.

#include <memory>

#include "neuromod/layers/layer_options.h"
#include "neuromod/layers/modulated_layer.h"

namespace neuromod {

/// The layer for `options` reading `input_size` inputs (and `apical_size` top-down inputs for
/// dendritic layers). `options.size` must be resolved (> 0). Throws std::invalid_argument
/// naming the layer for options its kind cannot take.
std::shared_ptr<ModulatedLayer> make_layer(const LayerOptions& options, int64_t input_size,
                                           int64_t apical_size = 0);

}  // namespace neuromod
