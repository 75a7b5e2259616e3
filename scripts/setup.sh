#!/usr/bin/env bash
# Installs, from Debian's archive, whatever neuromod needs and this machine lacks.
# Idempotent: packages already present are skipped, so a second call costs a second.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache clang-format
  libtorch-dev
  # Debian's LibTorch calls the system libblas.so.3; without OpenBLAS that is the
  # netlib reference BLAS, about 20x slower. The OpenMP flavour matches LibTorch's threads.
  libopenblas0-openmp
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libcairo2-dev zlib1g-dev libgtest-dev libbenchmark-dev
  dataset-fashion-mnist
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "neuromod setup: installing ${missing[*]}"
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "neuromod setup: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
