#pragma once
/// `neuromod version`: what this binary is built from and runs on.

#include <string>

namespace neuromod {

/// Versions and runtime facts recorded in every run's meta.json.
struct VersionInfo {
  std::string neuromod;      ///< e.g. "0.1.0"
  std::string git_revision;  ///< source revision at build time, or "unknown"
  std::string libtorch;      ///< e.g. "1.13.0"
  std::string compiler;      ///< e.g. "GCC 12.2.0"
  std::string
      blas;  ///< the BLAS library that serves dgemm, e.g. ".../openblas-openmp/libblas.so.3"
  bool blas_is_reference = false;  ///< netlib reference BLAS: about 20x slower than OpenBLAS
  int threads = 0;                 ///< LibTorch intra-op threads now
};

/// Collects the versions; the BLAS is found by asking the dynamic linker who defines dgemm_.
VersionInfo collect_version_info();

/// The text `neuromod version` prints, one "name: value" per line.
std::string format_version_info(const VersionInfo& info);

}  // namespace neuromod
