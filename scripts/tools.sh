# Shared by scripts/run and scripts/test: installs what is missing, from the package
# registries only (nothing is downloaded at build time). Source it; do not run it.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
# Leptos reads it when compiled: cargo test and the benchmarks compile it with the value
# cargo-leptos gives it.
export LEPTOS_OUTPUT_NAME=marketplace
# Components are erased in every build (`always-erase-components` in Cargo.toml, which
# cargo-leptos turns into this flag); cargo test and the benchmarks use the same flag.
export RUSTFLAGS="--cfg erase_components"
# cargo-leptos, run without our RUSTFLAGS: it appends its own `--cfg erase_components` to
# the RUSTFLAGS it finds (cargo-config2 reads them), and a flag given twice makes every crate
# compile again apart from cargo test's and the benchmarks' (cargo fingerprints the flags).
# Run alone, it passes the flag once, so a `cargo leptos build` after `cargo test` compiles
# only what the features make differ, and scripts/run's server shares the benchmarks' crates.
cargo_leptos=(env -u RUSTFLAGS cargo leptos)

say() { printf '\n==> %s\n' "$*"; }
die() { printf '\nerror: %s\n' "$*" >&2; exit 1; }
loud() { printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' "$*"; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# Commands the install steps themselves need, from Debian's packages when missing.
need_command() {
  local command="$1" package="$2"
  command -v "$command" >/dev/null 2>&1 && return 0
  say "Installing $package (for $command)"
  apt_install "$package" >/dev/null || die "$command is needed and could not be installed; install Debian's $package and run this again."
  command -v "$command" >/dev/null 2>&1 || die "$command is still missing after installing $package."
}

# cargo-leptos and wasm-bindgen-cli are compiled here (the registries carry no binaries of
# them), side by side in the background: start_tool_installs starts what is missing,
# wait_for_tools waits for both and stops with the log's end if one failed. Their output goes
# to .tools/logs/.
TOOL_LOGS="$ROOT/.tools/logs"
tool_pids=()
tool_names=()
# Every job started in the background here or in scripts/run; a failure stops them all
# (stop_background_jobs), so no cargo goes on compiling and holding target/'s lock.
background_pids=()
stop_background_jobs() {
  local pid
  for pid in "${background_pids[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
}
trap 'status=$?; [ "$status" -eq 0 ] || stop_background_jobs' EXIT
start_install() {
  local name="$1"
  shift
  mkdir -p "$TOOL_LOGS"
  "$@" >"$TOOL_LOGS/$name.log" 2>&1 &
  tool_pids+=("$!")
  tool_names+=("$name")
  background_pids+=("$!")
}

# A build tool needs no link-time optimisation and little optimisation: the tools compile at
# opt-level 0, without LTO, in 16 codegen units, but for the crates that work on our bundles
# at every build, named here, at opt-level 3. Sets the array install_flags (--config ...).
set_install_flags() {
  install_flags=(--config profile.release.lto=false --config profile.release.codegen-units=16
    --config profile.release.opt-level=0)
  local crate
  for crate in "$@"; do
    install_flags+=(--config "profile.release.package.\"$crate\".opt-level=3")
  done
}

install_cargo_leptos() {
  # Its crates (606 with swc, lightningcss, OpenSSL and aws-lc) would otherwise compile with
  # its own profile (fat LTO, one codegen unit). Measured here beside wasm-bindgen-cli: after 14
  # minutes 582 crates were compiled at opt-level 0, 355 at opt-level 1. Optimised:
  # compression (brotli, gzip), WASM splitting, hashing, and cargo-leptos itself at 1
  # (brotli's code is generic, so it is compiled there).
  set_install_flags brotli brotli-decompressor alloc-no-stdlib alloc-stdlib libflate libflate_lz77 \
    adler32 crc32fast dary_heap rle-decode-fast core2 wasm_split_cli_support wasmparser \
    wasm-encoder seahash md-5
  install_flags+=(--config 'profile.release.package."cargo-leptos".opt-level=1')
  # 0.3.x with --locked needs a newer rustc than stable 1.95; a nightly is used if present.
  if rustup toolchain list | grep -q '^nightly'; then
    cargo +nightly install cargo-leptos --locked --features no_downloads "${install_flags[@]}"
  else
    cargo install cargo-leptos --features no_downloads "${install_flags[@]}"
  fi
}

install_wasm_bindgen() {
  # Without its default feature (TLS, which only its test runner's downloads use), and with
  # the WASM crates optimised: measured, 466 s of CPU became 284 s, and binding the console's
  # bundle takes 0.4 s with either build, with the same output.
  set_install_flags walrus wasmparser wasm-encoder wasm-bindgen-cli-support wasm-bindgen-shared \
    gimli id-arena leb128 hashbrown indexmap serde_json
  cargo install wasm-bindgen-cli --version "$1" --force --no-default-features "${install_flags[@]}"
}

wasm_bindgen_wanted() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

start_tool_installs() {
  local want have=""
  if ! command -v cargo-leptos >/dev/null 2>&1; then
    say "Compiling cargo-leptos in the background (once; log: .tools/logs/cargo-leptos.log)"
    start_install cargo-leptos install_cargo_leptos
  fi
  want="$(wasm_bindgen_wanted)"
  if command -v wasm-bindgen >/dev/null 2>&1; then
    have="$(wasm-bindgen --version | awk '{print $2}')"
  fi
  if [ "$have" != "$want" ]; then
    say "Compiling wasm-bindgen-cli $want, the lockfile's wasm-bindgen, in the background (log: .tools/logs/wasm-bindgen.log)"
    start_install wasm-bindgen install_wasm_bindgen "$want"
  fi
}

wait_for_tools() {
  local i
  [ "${#tool_pids[@]}" -gt 0 ] || return 0
  say "Waiting for ${tool_names[*]} to compile (10 to 16 minutes on 2 cores, once)"
  for i in "${!tool_pids[@]}"; do
    if ! wait "${tool_pids[$i]}"; then
      stop_background_jobs
      tail -n 40 "$TOOL_LOGS/${tool_names[$i]}.log" >&2 || true
      die "installing ${tool_names[$i]} failed (above: the end of .tools/logs/${tool_names[$i]}.log)"
    fi
    say "${tool_names[$i]} installed"
  done
  tool_pids=()
  tool_names=()
}

# Binaryen before 116 (Debian's is 108) corrupts the table wasm-bindgen's output uses: the
# release build then fails at hydration ("WebAssembly.Table.set(): Argument 1 is invalid").
# The npm package `binaryen` ships a wasm-opt (version 132) that runs under node and installs
# in seconds into this project's own .tools/. scripts/bin/wasm-opt, ahead of any other on the
# PATH, runs it (with node's faster start for WebAssembly; see there).
WASM_OPT_MIN=116
BINARYEN_NPM_VERSION=132
export PATH="$ROOT/scripts/bin:$PATH"
# The version of the wasm-opt on the PATH, or nothing when there is none (never a failure:
# a missing wasm-opt is what ensure_wasm_opt installs).
wasm_opt_version() {
  command -v wasm-opt >/dev/null 2>&1 || return 0
  { wasm-opt --version 2>/dev/null || true; } | sed -n 's/^wasm-opt version \([0-9]*\).*/\1/p'
}
ensure_wasm_opt() {
  local v
  v="$(wasm_opt_version)"
  if [ -z "$v" ] || [ "$v" -lt "$WASM_OPT_MIN" ]; then
    say "Installing wasm-opt (binaryen $BINARYEN_NPM_VERSION, from npm) into .tools/binaryen"
    need_command node nodejs
    need_command npm npm
    mkdir -p "$ROOT/.tools/binaryen"
    npm install --prefix "$ROOT/.tools/binaryen" --no-audit --no-fund --no-save --silent "binaryen@$BINARYEN_NPM_VERSION" ||
      die "could not install the npm package binaryen@$BINARYEN_NPM_VERSION (wasm-opt); check access to the npm registry."
    v="$(wasm_opt_version)"
    if [ -z "$v" ] || [ "$v" -lt "$WASM_OPT_MIN" ]; then
      die "wasm-opt $WASM_OPT_MIN or newer is needed for release builds, and $(command -v wasm-opt || echo none) is ${v:-not runnable}."
    fi
  fi
}

# What `cargo leptos build` needs. Debug builds (the tests) skip wasm-opt.
ensure_build_tools() {
  ensure_wasm_target
  start_tool_installs
  wait_for_tools
}

# What `cargo leptos build --release` needs besides.
ensure_release_tools() {
  ensure_wasm_target
  start_tool_installs
  ensure_wasm_opt
  wait_for_tools
}
