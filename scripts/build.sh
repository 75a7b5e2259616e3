#!/usr/bin/env bash
# Configures and builds neuromod into build/ (Release, Ninja, ccache when present).
# Usage: scripts/build.sh [cmake --build arguments, e.g. --target neuromod]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${NEUROMOD_BUILD_DIR:-"$root/build"}
jobs=${NEUROMOD_JOBS:-$(nproc)}

# ccache must accept precompiled headers.
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
# Paths relative to the checkout, so build directories beside each other share the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DNEUROMOD_BUILD_TESTS=ON -DNEUROMOD_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build_dir" -j "$jobs" "$@"
