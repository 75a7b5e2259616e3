#pragma once
/// SIGINT / SIGTERM as a polite request: the trainer finishes the current step, writes a
/// checkpoint and stops, instead of dying mid-write.

namespace neuromod {

/// Routes SIGINT and SIGTERM to the interrupt flag (idempotent).
void install_interrupt_handlers();

/// Whether a stop was requested since the last clear_interrupt().
bool interrupt_requested();

/// The signal that requested the stop (SIGINT, SIGTERM), or 0 for a programmatic request.
int interrupt_signal();

/// Requests a stop as a signal would (used by tests and by embedding programs).
void request_interrupt(int signal_number = 0);

/// Clears the flag.
void clear_interrupt();

}  // namespace neuromod
