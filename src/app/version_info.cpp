#include "neuromod/app/version_info.h"

#include <dlfcn.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <filesystem>

#include <fmt/format.h>

#include "neuromod/build_info.h"

namespace neuromod {

namespace {

std::string compiler_version() {
#if defined(__clang__)
  return fmt::format("Clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("GCC {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

// LibTorch resolves dgemm_ through the system's libblas.so.3 alternative; the file that
// defines the symbol (after following the alternatives' symlinks) names the implementation.
std::string blas_library() {
  void* symbol = dlsym(RTLD_DEFAULT, "dgemm_");
  Dl_info info{};
  if (symbol == nullptr || dladdr(symbol, &info) == 0 || info.dli_fname == nullptr) {
    return "not found (LibTorch may use its own kernels)";
  }
  std::error_code error;
  const auto resolved = std::filesystem::canonical(info.dli_fname, error);
  return error ? std::string(info.dli_fname) : resolved.string();
}

}  // namespace

VersionInfo collect_version_info() {
  VersionInfo info;
  info.neuromod = NEUROMOD_VERSION;
  info.git_revision = NEUROMOD_GIT_REVISION;
  info.libtorch = TORCH_VERSION;
  info.compiler = compiler_version();
  info.blas = blas_library();
  info.blas_is_reference = info.blas.find("openblas") == std::string::npos &&
                           info.blas.find("mkl") == std::string::npos &&
                           info.blas.find("blis") == std::string::npos &&
                           info.blas.find("/blas/") != std::string::npos;
  info.threads = torch::get_num_threads();
  return info;
}

std::string format_version_info(const VersionInfo& info) {
  std::string text;
  text += fmt::format("neuromod: {} (revision {})\n", info.neuromod, info.git_revision);
  text += fmt::format("libtorch: {}\n", info.libtorch);
  text += fmt::format("compiler: {}\n", info.compiler);
  text +=
      fmt::format("blas: {}{}\n", info.blas,
                  info.blas_is_reference ? " (netlib reference BLAS, ~20x slower: apt-get install "
                                           "libopenblas0-openmp)"
                                         : "");
  text += fmt::format("threads: {}\n", info.threads);
  return text;
}

}  // namespace neuromod
