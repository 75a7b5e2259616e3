#pragma once
/// Context-dependent labels: each example is given one of K contexts, and in context k its
/// label is rotated by k·⌊C/K⌋ classes (context 0 keeps the original labels). The context is
/// a separate one-hot signal, not part of the input: a network must use it to route the same
/// image to different answers — the situation of neuromodulated networks that adapt one
/// network to several tasks (Vecoven et al. 2020, PLoS ONE 15(1):e0227922).

#include <torch/types.h>

#include <cstdint>

#include "neuromod/tasks/fashion_mnist.h"

namespace neuromod {

/// Contexts of a classification dataset.
struct LabelContexts {
  torch::Tensor train;  ///< (N_train, K) one-hot float context of each training example
  torch::Tensor test;   ///< (N_test, K)
};

/// Draws a context for every example (seeded, uniform over K), relabels `data` in place as
/// above and returns the contexts. K = 1 leaves the labels and returns single-column contexts.
LabelContexts assign_label_contexts(ClassificationData& data, int64_t contexts, uint64_t seed);

/// Label of class `label` in context `context` of `contexts`, out of `classes`.
int64_t contextual_label(int64_t label, int64_t context, int64_t contexts, int64_t classes);

}  // namespace neuromod
