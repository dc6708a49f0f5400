# Shared by scripts/run and scripts/test: installs what is missing, from the package
# registries only (nothing is downloaded at build time). Source it; do not run it.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
# cargo test and cargo-leptos then build the server with the same environment, so they
# share one target/ without rebuilding each other's dependencies.
export LEPTOS_OUTPUT_NAME=marketplace

say() { printf '\n==> %s\n' "$*"; }
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

ensure_cargo_leptos() {
  if ! command -v cargo-leptos >/dev/null 2>&1; then
    say "Installing cargo-leptos (about 10 minutes, once)"
    # 0.3.x with --locked needs a newer rustc than stable 1.95; a nightly is used if present.
    if rustup toolchain list | grep -q '^nightly'; then
      cargo +nightly install cargo-leptos --locked --features no_downloads
    else
      cargo install cargo-leptos --features no_downloads
    fi
  fi
}

ensure_wasm_bindgen() {
  local want have=""
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if command -v wasm-bindgen >/dev/null 2>&1; then
    have="$(wasm-bindgen --version | awk '{print $2}')"
  fi
  if [ "$have" != "$want" ]; then
    say "Installing wasm-bindgen-cli $want (the lockfile's wasm-bindgen)"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# Binaryen before 116 (Debian's is 108) corrupts the table wasm-bindgen's output uses: the
# release build then fails at hydration ("WebAssembly.Table.set(): Argument 1 is invalid").
# The wasm-opt crate builds binaryen 116 from source (about 15 minutes on 2 cores, once).
WASM_OPT_MIN=116
wasm_opt_version() {
  wasm-opt --version 2>/dev/null | sed -n 's/^wasm-opt version \([0-9]*\).*/\1/p'
}
ensure_wasm_opt() {
  local v
  v="$(wasm_opt_version)"
  if [ -z "$v" ] || [ "$v" -lt "$WASM_OPT_MIN" ]; then
    say "Installing wasm-opt (binaryen $WASM_OPT_MIN) from crates.io"
    cargo install wasm-opt --locked --version 0.116.1
  fi
}

# What `cargo leptos build` needs. Debug builds (the tests) skip wasm-opt.
ensure_build_tools() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
}

# What `cargo leptos build --release` needs besides.
ensure_release_tools() {
  ensure_build_tools
  ensure_wasm_opt
}
