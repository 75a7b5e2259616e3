#pragma once
/// The sizes a task gives the network, known from its options alone (so that configs are
/// validated before any data is loaded).

#include "neuromod/models/modulated_network.h"
#include "neuromod/tasks/task_options.h"

namespace neuromod {

/// Input width, output count and context width of the task.
NetworkShape task_shape(const TaskOptions& task);

}  // namespace neuromod
