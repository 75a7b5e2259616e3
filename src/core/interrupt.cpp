#include "neuromod/core/interrupt.h"

#include <atomic>
#include <csignal>

namespace neuromod {

namespace {
// Lock-free atomics are async-signal-safe; std::atomic<int> is lock-free on our targets.
std::atomic<int> requested_signal{-1};

extern "C" void on_signal(int signal_number) {
  requested_signal.store(signal_number);
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupt_requested() {
  return requested_signal.load() >= 0;
}

int interrupt_signal() {
  return requested_signal.load() > 0 ? requested_signal.load() : 0;
}

void request_interrupt(int signal_number) {
  requested_signal.store(signal_number);
}

void clear_interrupt() {
  requested_signal.store(-1);
}

}  // namespace neuromod
