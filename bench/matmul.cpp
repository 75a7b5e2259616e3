// Matrix-multiply throughput of the BLAS LibTorch is using: the ceiling every dense layer
// runs under. Debian's LibTorch calls the system libblas.so.3, which is the netlib
// reference BLAS (a few GFLOP/s) unless OpenBLAS is installed (tens of GFLOP/s per core).
//
// Run: build/bench/bench_matmul [--benchmark_filter=...]

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <iostream>

#include "neuromod/app/version_info.h"

namespace {

void matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  const auto a = torch::randn({n, n});
  const auto b = torch::randn({n, n});
  auto c = torch::empty({n, n});
  for (auto _ : state) {
    torch::mm_out(c, a, b);
    benchmark::DoNotOptimize(c.data_ptr<float>());
  }
  // 2 n^3 floating-point operations per product.
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::OneK::kIs1000);
  state.counters["GFLOP/s"].value /= 1e9;
  state.SetLabel("float32, " + std::to_string(threads) + " thread(s)");
}

BENCHMARK(matmul)
    ->ArgsProduct({{128, 512, 1024}, {1, 2}})
    ->ArgNames({"n", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  std::cout << neuromod::format_version_info(neuromod::collect_version_info()) << std::endl;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
