//! Views across record kinds: read models that join several kinds' query
//! tables for one purpose, writing nothing. A view names kinds; no kind
//! names a view, so views sit in a layer of their own above the kinds.
//!
//! - `gps.rs`: visits and check-ins whose GPS fix is far from where they
//!   were said to be, listed for review, never refused;
//! - `map.rs`: the grid as GeoJSON for any map SDK.
//!
//! To add a view: a file with its records (uniffi records when apps read
//! them) and an `impl Store` block of reads through `Store::read`, plain
//! SQL on the query tables, and the geometry of `spatial`.

mod gps;
mod map;

pub use gps::{DEFAULT_GPS_REVIEW_METRES, GpsFlag};
