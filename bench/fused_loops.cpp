// The fused plastic step's per-sample loops alone (src/functional/fused_plastic_kernels.h), on a
// retroactive update with per-connection α, without LibTorch around them: nanoseconds per
// synapse and sample (printed as `per_Gsynapse`: seconds per 10^9), forward and backward, with the
// traces updated in place or written to other buffers, for one sample (its traces in L1/L2), and
// for a batch of 30 at the maze's (hidden 100) and cue–reward's (hidden 200) sizes, whose traces
// sit in L3 or memory. Compare with the per-synapse cost inside an iteration
// (docs/reproductions/plasticity.md, "Speed"), and the loops' bytes per second with what the
// caches give a plain loop (`cache_bandwidth`).
//
// Run: build/bench/bench_fused_loops [--benchmark_filter=...]

#include <benchmark/benchmark.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "functional/fused_plastic_kernels.h"
#include "neuromod/app/version_info.h"

namespace {

namespace fk = neuromod::functional::fused_kernels;

// Buffers of one batch: traces (and in backward their gradients) as one allocation, each
// array offset by a few cache lines from the last so that none starts at the same page offset.
struct Batch {
  int64_t n, batch, square;
  std::vector<float> memory;
  std::vector<float*> arrays;
  std::vector<float> alpha, grad_alpha, u, v, m, r, g, gu, gv, gm, gr, recurrent, scratch;

  Batch(int64_t n_in, int64_t batch_in, int count) : n(n_in), batch(batch_in), square(n_in * n_in) {
    const int64_t stride = batch * square + 64;
    memory.resize(static_cast<size_t>(stride * count));
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> draw(-0.5f, 0.5f);
    for (auto& x : memory) x = draw(rng);
    for (int k = 0; k < count; ++k) arrays.push_back(memory.data() + k * stride);
    const auto vector = [&](int64_t size, float scale) {
      std::vector<float> out(static_cast<size_t>(size));
      for (auto& x : out) x = scale * draw(rng);
      return out;
    };
    alpha = vector(square, 1);
    grad_alpha = vector(square, 0);
    u = vector(batch * n, 1);
    v = vector(batch * n, 1);
    m = vector(n, 1);
    r = std::vector<float>(static_cast<size_t>(n), 0.1f);
    g = vector(batch * n, 1e-3f);
    gu = vector(batch * n, 0);
    gv = vector(batch * n, 0);
    gm = vector(batch * n, 0);
    gr = vector(batch * n, 0);
    recurrent = vector(batch * n, 0);
    scratch = vector(fk::backward_scratch(n), 0);
  }
};

// Times `sample(k)` over the batch, then `next_round()` (which swaps buffers when the loops do
// not write in place), and reports the time per synapse and sample.
template <class Sample, class NextRound>
void time_batch(benchmark::State& state, const Batch& b, Sample sample, NextRound next_round,
                const std::string& label) {
  for (auto _ : state) {
    for (int64_t k = 0; k < b.batch; ++k) sample(k);
    next_round();
    benchmark::ClobberMemory();
  }
  // Seconds per 10^9 synapse-samples, i.e. nanoseconds per synapse and sample.
  state.counters["per_Gsynapse"] = benchmark::Counter(
      static_cast<double>(b.batch * b.square) * 1e-9,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.SetLabel(label);
}

std::string way(bool in_place) {
  return in_place ? "in place" : "to other buffers";
}

// Args: hidden size, batch, in place (1) or not (0).
void forward(benchmark::State& state) {
  const bool in_place = state.range(2) != 0;
  Batch b(state.range(0), state.range(1), 4);
  float *p = b.arrays[0], *e = b.arrays[1], *p_next = b.arrays[2], *e_next = b.arrays[3];
  const auto sample = [&](int64_t k) {
    fk::ForwardSample<float> s;
    s.n = b.n;
    s.update = fk::Update::retroactive;
    s.clip = 1;
    s.plastic = p + k * b.square;
    s.eligibility = e + k * b.square;
    s.plastic_out = (in_place ? p : p_next) + k * b.square;
    s.eligibility_out = (in_place ? e : e_next) + k * b.square;
    s.alpha = b.alpha.data();
    s.h_before = b.u.data() + k * b.n;
    s.h_last = b.v.data() + k * b.n;
    s.modulation = b.m.data();
    s.rate = b.r.data();
    s.recurrent = b.recurrent.data() + k * b.n;
    s.scratch = b.scratch.data();
    s.in_place = in_place;
    fk::forward_sample(s);
  };
  const auto next_round = [&] {
    if (in_place) return;
    std::swap(p, p_next);
    std::swap(e, e_next);
  };
  time_batch(state, b, sample, next_round, "forward, " + way(in_place));
}

void backward(benchmark::State& state) {
  const bool in_place = state.range(2) != 0;
  Batch b(state.range(0), state.range(1), 6);
  float *p = b.arrays[0], *e = b.arrays[1], *gp_in = b.arrays[2], *ge_in = b.arrays[3];
  float *gp = in_place ? gp_in : b.arrays[4], *ge = in_place ? ge_in : b.arrays[5];
  const auto sample = [&](int64_t k) {
    fk::BackwardSample<float> s;
    s.n = b.n;
    s.update = fk::Update::retroactive;
    s.clip = 1;
    s.plastic = p + k * b.square;
    s.eligibility = e + k * b.square;
    s.grad_plastic_out = gp_in + k * b.square;
    s.grad_eligibility_out = ge_in + k * b.square;
    s.grad_plastic = gp + k * b.square;
    s.grad_eligibility = ge + k * b.square;
    s.alpha = b.alpha.data();
    s.grad_alpha = b.grad_alpha.data();
    s.h_before = b.u.data() + k * b.n;
    s.h_last = b.v.data() + k * b.n;
    s.modulation = b.m.data();
    s.rate = b.r.data();
    s.grad_recurrent = b.g.data() + k * b.n;
    s.grad_h_before = b.gu.data() + k * b.n;
    s.grad_h_last = b.gv.data() + k * b.n;
    s.grad_modulation = b.gm.data() + k * b.n;
    s.grad_rate = b.gr.data() + k * b.n;
    s.scratch = b.scratch.data();
    s.in_place = in_place;
    fk::backward_sample(s);
  };
  const auto next_round = [&] {
    if (in_place) return;
    std::swap(gp, gp_in);
    std::swap(ge, ge_in);
  };
  time_batch(state, b, sample, next_round, "backward, " + way(in_place));
}

// For scale: what one core's caches deliver to the simplest loop of the backward's kind (two
// arrays read and written back, one only read; AVX2 like the kernels), in bytes per second, at a
// working set in L2 (160 and 480 KiB on a 512 KiB L2), in L3 and in memory.
__attribute__((target("avx2,fma"), noinline)) void read_modify_write(float* __restrict a,
                                                                     float* __restrict b,
                                                                     const float* __restrict c,
                                                                     int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float old_b = b[i];
    a[i] += 1e-7f * old_b;
    b[i] = 0.9f * old_b + 1e-7f * c[i];
  }
}

void cache_bandwidth(benchmark::State& state) {
  const int64_t n = state.range(0) * 1024 / static_cast<int64_t>(3 * sizeof(float));
  std::vector<float> a(static_cast<size_t>(n), 1.0f), b(a), c(a);
  for (auto _ : state) {
    read_modify_write(a.data(), b.data(), c.data(), n);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * 5 * static_cast<int64_t>(sizeof(float)));
  state.SetLabel("2 arrays read and written, 1 read");
}

BENCHMARK(forward)
    ->ArgsProduct({{100, 200}, {1, 30}, {0, 1}})
    ->ArgNames({"n", "batch", "in_place"});
BENCHMARK(backward)
    ->ArgsProduct({{100, 200}, {1, 30}, {0, 1}})
    ->ArgNames({"n", "batch", "in_place"});
BENCHMARK(cache_bandwidth)->ArgName("KiB")->Arg(160)->Arg(480)->Arg(2400)->Arg(65536);

}  // namespace

int main(int argc, char** argv) {
  std::cout << neuromod::format_version_info(neuromod::collect_version_info()) << "\n"
            << "fused loops: " << fk::instruction_set() << std::endl;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
