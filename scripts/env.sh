# Sourced by the scripts: a build cache outside the clone, shared by runs.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gridbook/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
