//! Desktop harness for Gridbook: a seeded grid generator, helpers shared by
//! the `gridbench` benchmark, the `gridbook-demo` walkthrough and the
//! `gridsim` team simulation (`sim`), Chromium headless for the report's
//! browser test (`browser`), and the integration tests under `tests/`.
//!
//! Everything here drives the store through its public API only, the way an
//! app on a phone does. To add a helper, put it in the module it belongs to
//! (or a new small module declared below) and document what it measures or
//! produces; binaries live in `src/bin/`.

pub mod browser;
pub mod eventbench;
pub mod exportbench;
pub mod generator;
pub mod importbench;
pub mod openbench;
pub mod pointsbench;
pub mod rng;
pub mod scratch;
pub mod sim;
pub mod stats;
pub mod timefmt;
