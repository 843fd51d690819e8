//! The features of the GeoJSON that `Store::grid_map` returns, read into
//! plain structs for drawing (see `core/src/views/map.rs` for the
//! collection: `grid`, `building`, `event` and `checkpoint` features with
//! camelCase properties). Only ids, codes, names of buildings and
//! checkpoints, and counts are read: the map holds nothing personal.
//!
//! To read a new layer: a struct for its marks, a field in [`MapFeatures`]
//! and an arm for its `kind` in [`MapFeatures::parse`].

use serde_json::Value;

use crate::sim::SimError;

/// A building of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildingMark {
    /// Its number or name (e.g. 3号楼).
    pub number: String,
    /// Longitude and latitude.
    pub at: (f64, f64),
    /// Households in it.
    pub households: i64,
    /// Households due a visit.
    pub due: i64,
    /// Of those, overdue.
    pub overdue: i64,
    /// Households a visit reached this calendar month.
    pub reached: i64,
}

/// An open event of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPin {
    /// Longitude and latitude.
    pub at: (f64, f64),
    /// `green`, `yellow` or `red`; `None` without a deadline.
    pub light: Option<String>,
}

/// A patrol checkpoint of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointMark {
    /// Its name.
    pub name: String,
    /// Longitude and latitude.
    pub at: (f64, f64),
    /// Check-ins that placed it.
    pub checkins: i64,
}

/// The features of one `grid_map` GeoJSON collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapFeatures {
    /// The boundary ring, when drawn.
    pub boundary: Vec<(f64, f64)>,
    /// Buildings.
    pub buildings: Vec<BuildingMark>,
    /// Open events.
    pub events: Vec<EventPin>,
    /// Patrol checkpoints.
    pub checkpoints: Vec<CheckpointMark>,
}

fn point(v: &Value) -> Option<(f64, f64)> {
    Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?))
}

impl MapFeatures {
    /// Reads a `grid_map` FeatureCollection; features of an unknown kind are skipped.
    pub fn parse(geojson: &str) -> Result<MapFeatures, SimError> {
        let collection: Value = serde_json::from_str(geojson)?;
        let features = collection
            .get("features")
            .and_then(Value::as_array)
            .ok_or("the map has no features array")?;
        let mut map = MapFeatures::default();
        for f in features {
            let props = &f["properties"];
            let coords = &f["geometry"]["coordinates"];
            let int = |key: &str| props[key].as_i64().unwrap_or(0);
            let text = |key: &str| props[key].as_str().unwrap_or_default().to_string();
            match props["kind"].as_str() {
                Some("grid") => {
                    map.boundary = coords[0]
                        .as_array()
                        .map(|ring| ring.iter().filter_map(point).collect())
                        .unwrap_or_default();
                }
                Some("building") => map.buildings.push(BuildingMark {
                    number: text("number"),
                    at: point(coords).ok_or("a building without a point")?,
                    households: int("households"),
                    due: int("due"),
                    overdue: int("overdue"),
                    reached: int("reachedThisMonth"),
                }),
                Some("event") => map.events.push(EventPin {
                    at: point(coords).ok_or("an event without a point")?,
                    light: props["warningLight"].as_str().map(String::from),
                }),
                Some("checkpoint") => map.checkpoints.push(CheckpointMark {
                    name: text("name"),
                    at: point(coords).ok_or("a checkpoint without a point")?,
                    checkins: int("checkins"),
                }),
                _ => {}
            }
        }
        Ok(map)
    }

    /// Households reached this month and households, over all buildings.
    pub fn coverage(&self) -> (i64, i64) {
        self.buildings
            .iter()
            .fold((0, 0), |(r, h), b| (r + b.reached, h + b.households))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_read_and_unknown_kinds_are_skipped() {
        let geojson = r#"{"type":"FeatureCollection","coordSystem":"wgs84","features":[
          {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.2]]]},"properties":{"kind":"grid"}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[120.15,30.25]},"properties":{"kind":"building","number":"3号楼","households":10,"due":4,"overdue":1,"reachedThisMonth":6}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[120.16,30.26]},"properties":{"kind":"event","warningLight":"red"}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[120.16,30.26]},"properties":{"kind":"event","warningLight":null}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[120.17,30.27]},"properties":{"kind":"checkpoint","name":"东门","checkins":5}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[120.17,30.27]},"properties":{"kind":"later"}}]}"#;
        let map = MapFeatures::parse(geojson).unwrap();
        assert_eq!(map.boundary.len(), 4);
        assert_eq!(map.buildings.len(), 1);
        assert_eq!(map.buildings[0].number, "3号楼");
        assert_eq!(map.coverage(), (6, 10));
        assert_eq!(map.events.len(), 2);
        assert_eq!(map.events[0].light.as_deref(), Some("red"));
        assert_eq!(map.events[1].light, None);
        assert_eq!(map.checkpoints[0].checkins, 5);
        assert!(MapFeatures::parse("{}").is_err());
    }
}
