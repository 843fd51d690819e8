//! The sync protocol in-process: stores talk to a hub that keeps a grid's
//! log and snapshots in memory and answers with the same `sync::hub`
//! functions the sync server uses. Network faults are simulated by dropping
//! or repeating requests and responses; the real server, over HTTP and
//! through a faulty proxy, is tested by the desktop harness.

use std::collections::{BTreeMap, HashSet};

use super::*;
use crate::sync::*;

/// One log entry: (seq, doc_id, hash, actor hex, bytes).
type Entry = (u64, String, [u8; 32], String, Vec<u8>);

#[derive(Default)]
struct Hub {
    /// grid → log entries
    logs: BTreeMap<String, Vec<Entry>>,
    /// grid → (generation, doc_id → snapshot)
    snapshots: BTreeMap<String, (u64, BTreeMap<String, Vec<u8>>)>,
    /// An unclamped page budget, to force small pages.
    page_bytes: Option<u32>,
}

impl Hub {
    fn handle(&mut self, body: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        let request = SyncRequest::decode(body)?;
        let actor = request_actor(&request)?;
        let checked = check_push(&request)?;
        // What the push does not carry must be stored under the same document.
        for dependency in outside_dependencies(&checked)? {
            let stored = self.logs.get(&dependency.grid_id).is_some_and(|log| {
                log.iter()
                    .any(|e| e.1 == dependency.doc_id && e.2 == dependency.hash)
            });
            if !stored {
                return Err(ProtocolError::NotOfDocument {
                    index: dependency.index,
                });
            }
        }
        for change in checked {
            let log = self.logs.entry(change.grid_id.clone()).or_default();
            if !log
                .iter()
                .any(|e| e.1 == change.doc_id && e.2 == change.hash)
            {
                let seq = log.last().map_or(1, |e| e.0 + 1);
                log.push((seq, change.doc_id, change.hash, change.actor, change.bytes));
            }
        }
        let mut budget = ByteBudget::new(
            self.page_bytes
                .unwrap_or_else(|| response_budget(request.max_response_bytes)),
        );
        let mut pages = Vec::new();
        for cursor in &request.grids {
            let log = self.logs.get(&cursor.grid_id).cloned().unwrap_or_default();
            let (generation, snapshots) = self
                .snapshots
                .get(&cursor.grid_id)
                .cloned()
                .unwrap_or_default();
            let mut page = PageBuilder::new(cursor, generation, &mut budget);
            let mut full = false;
            if let PagePlan::Snapshots { after_doc } = plan_page(cursor, generation) {
                for (doc_id, bytes) in &snapshots {
                    if after_doc.as_ref().is_some_and(|after| doc_id <= after) {
                        continue;
                    }
                    if !page.add_snapshot(doc_id, bytes) {
                        full = true;
                        break;
                    }
                }
                if !full {
                    page.snapshots_done();
                }
            }
            if !full {
                let after = page.cursor();
                for (seq, doc_id, _, author, bytes) in log.iter().filter(|e| e.0 > after) {
                    let bytes = (*author != actor).then_some(bytes.as_slice());
                    if !page.add_change(*seq, doc_id, bytes) {
                        full = true;
                        break;
                    }
                }
            }
            pages.push(page.finish(full));
        }
        Ok(SyncResponse {
            acked_upto: request.push_upto,
            grids: pages,
            // This hub knows no workers; `tests/vouched.rs` covers the identity.
            ..SyncResponse::default()
        }
        .encode())
    }

    /// Compacts every document of a grid up to the end of its log.
    fn compact(&mut self, grid: &str) {
        let log = self.logs.get(grid).cloned().unwrap_or_default();
        let generation = log.last().map_or(0, |e| e.0);
        let (_, previous) = self.snapshots.get(grid).cloned().unwrap_or_default();
        let docs: HashSet<&String> = log.iter().map(|e| &e.1).collect();
        let mut snapshots = previous.clone();
        for doc_id in docs {
            let mut chunks: Vec<Vec<u8>> = previous.get(doc_id).cloned().into_iter().collect();
            chunks.extend(log.iter().filter(|e| &e.1 == doc_id).map(|e| e.4.clone()));
            snapshots.insert(doc_id.clone(), compact_document(doc_id, &chunks).unwrap());
        }
        self.snapshots
            .insert(grid.to_string(), (generation, snapshots));
    }

    fn changes_stored(&self) -> usize {
        self.logs.values().map(Vec::len).sum()
    }

    /// Syncs a store until it has nothing more; returns the round trips.
    fn sync(&mut self, store: &Store) -> u32 {
        let mut rounds = 0;
        loop {
            let request = store.sync_request(&SyncLimits::default()).unwrap();
            let response = SyncResponse::decode(&self.handle(&request.encode()).unwrap()).unwrap();
            rounds += 1;
            if !store.apply_sync_response(&request, &response).unwrap().more {
                return rounds;
            }
            assert!(rounds < 1000, "sync does not finish");
        }
    }
}

fn dump(store: &Store) -> BTreeMap<String, Vec<String>> {
    store.query_table_dump().unwrap()
}

#[test]
fn three_workers_converge_through_the_hub_and_idle_syncs_are_tiny() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::default();
    let a = open(&dir, "head");
    let b = open(&dir, "assistant");
    let c = open(&dir, "police");
    let f = fixture(&a);
    assert_eq!(hub.sync(&a), 1);
    // b and c hold no grid yet; the server tells them which grids they have
    // only through a cursor they send, so seed it as an assignment would.
    for store in [&b, &c] {
        let request = pulling(store, &f.grid);
        let response = SyncResponse::decode(&hub.handle(&request.encode()).unwrap()).unwrap();
        store.apply_sync_response(&request, &response).unwrap();
    }
    assert_eq!(dump(&a), dump(&b));

    a.log_visit(visit_input(&f.household)).unwrap();
    b.log_visit(visit_input(&f.household)).unwrap();
    let mut edited = resident_input(&f.household, "张秀英");
    edited.phones = vec!["13911112222".into()];
    c.update_resident(&f.head, edited).unwrap();
    for store in [&b, &a, &c, &b, &a] {
        assert_eq!(hub.sync(store), 1);
    }
    assert_eq!(dump(&a), dump(&b));
    assert_eq!(dump(&a), dump(&c));
    assert_eq!(a.household(&f.household).unwrap().visits.len(), 2);
    for store in [&a, &b, &c] {
        assert_eq!(store.sync_status().unwrap().unsent_changes, 0);
    }

    // Nothing new anywhere: one small round trip each way.
    let request = a.sync_request(&SyncLimits::default()).unwrap();
    let body = request.encode();
    let answer = hub.handle(&body).unwrap();
    assert!(request.push.is_empty());
    assert!(
        body.len() + answer.len() < 100,
        "{} + {}",
        body.len(),
        answer.len()
    );
    let response = SyncResponse::decode(&answer).unwrap();
    assert!(
        response
            .grids
            .iter()
            .all(|p| p.chunks.is_empty() && !p.more)
    );
}

#[test]
fn lost_and_repeated_responses_store_each_change_once() {
    let (_dir, a, b, f) = head_and_assistant();
    let mut hub = Hub::default();
    hub.sync(&a);
    let stored = hub.changes_stored();
    for _ in 0..3 {
        a.log_visit(visit_input(&f.household)).unwrap();
    }

    // The server stores the push, but the response never arrives.
    let request = a.sync_request(&SyncLimits::default()).unwrap();
    assert_eq!(request.push.len(), 3);
    hub.handle(&request.encode()).unwrap();
    assert_eq!(hub.changes_stored(), stored + 3);
    assert_eq!(a.sync_status().unwrap().unsent_changes, 3);

    // The retry pushes the same changes again; the server keeps one copy.
    let request = a.sync_request(&SyncLimits::default()).unwrap();
    let answer = hub.handle(&request.encode()).unwrap();
    assert_eq!(hub.changes_stored(), stored + 3);
    let response = SyncResponse::decode(&answer).unwrap();
    let applied = a.apply_sync_response(&request, &response).unwrap();
    assert_eq!(applied.acked_changes, 3);
    assert!(!applied.more);
    // The same response delivered twice changes nothing more.
    let again = a.apply_sync_response(&request, &response).unwrap();
    assert_eq!(again.acked_changes, 0);
    assert_eq!(again.import.new_changes, 0);

    // b pulls the grid; a page applied twice is applied once.
    let request = pulling(&b, &f.grid);
    let response = SyncResponse::decode(&hub.handle(&request.encode()).unwrap()).unwrap();
    let first = b.apply_sync_response(&request, &response).unwrap();
    assert!(first.import.new_changes > 3);
    let cursor = b.sync_cursor(&f.grid).unwrap();
    assert_eq!(cursor, u64::try_from(hub.changes_stored()).unwrap());
    let second = b.apply_sync_response(&request, &response).unwrap();
    assert_eq!(second.import.new_changes, 0);
    assert_eq!(b.sync_cursor(&f.grid).unwrap(), cursor);
    assert_eq!(dump(&a), dump(&b));
    assert_eq!(b.household(&f.household).unwrap().visits.len(), 3);
}

#[test]
fn a_new_device_bootstraps_from_snapshots_in_small_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::default();
    let a = open(&dir, "head");
    let f = fixture(&a);
    for room in 0..20 {
        let household = a
            .create_household(household_input(&f.building, &format!("{}", 101 + room)))
            .unwrap();
        a.log_visit(visit_input(&household)).unwrap();
    }
    hub.sync(&a);
    hub.compact(&f.grid);
    // Two more changes after the compaction, served from the log.
    a.log_visit(visit_input(&f.household)).unwrap();
    a.log_visit(visit_input(&f.household)).unwrap();
    hub.sync(&a);

    let b = open(&dir, "assistant");
    hub.page_bytes = Some(1);
    let mut cursor = GridCursor {
        grid_id: f.grid.clone(),
        ..GridCursor::default()
    };
    let mut rounds = 0;
    let mut snapshots = 0;
    loop {
        let mut request = b.sync_request(&SyncLimits::default()).unwrap();
        if request.grids.is_empty() {
            request.grids = vec![cursor.clone()];
        }
        let response = SyncResponse::decode(&hub.handle(&request.encode()).unwrap()).unwrap();
        let page = &response.grids[0];
        assert!(
            page.chunks.len() <= 1,
            "one chunk per page at a 1-byte budget"
        );
        snapshots += page
            .chunks
            .iter()
            .filter(|c| c.kind == ChunkKind::Snapshot)
            .count();
        let applied = b.apply_sync_response(&request, &response).unwrap();
        cursor = b.sync_cursors().unwrap()[0].clone();
        rounds += 1;
        if rounds == 2 {
            // The server compacts again in the middle of the bootstrap.
            hub.compact(&f.grid);
        }
        if !applied.more {
            break;
        }
    }
    // roster + one visits document, then the two later changes.
    assert_eq!(snapshots, 2);
    assert_eq!(dump(&a), dump(&b));
    assert_eq!(cursor.resume_after, None);
    assert_eq!(cursor.cursor, u64::try_from(hub.changes_stored()).unwrap());
}

#[test]
fn the_hub_refuses_foreign_actors_unnamed_grids_and_broken_changes() {
    let (_dir, a, b, f) = head_and_assistant();
    let mut hub = Hub::default();
    let a_request = a.sync_request(&SyncLimits::default()).unwrap();
    let b_actor = b.sync_request(&SyncLimits::default()).unwrap().actor;

    let foreign = SyncRequest {
        actor: b_actor,
        ..a_request.clone()
    };
    assert!(matches!(
        hub.handle(&foreign.encode()),
        Err(ProtocolError::ForeignActor { index: 0 })
    ));
    let unnamed = SyncRequest {
        grids: vec![],
        ..a_request.clone()
    };
    assert!(matches!(
        hub.handle(&unnamed.encode()),
        Err(ProtocolError::ChangeRejected { index: 0, .. })
    ));
    let mut broken = a_request.clone();
    let last = broken.push.len() - 1;
    let middle = broken.push[last].bytes.len() / 2;
    broken.push[last].bytes[middle] ^= 0x40;
    assert!(matches!(
        hub.handle(&broken.encode()),
        Err(ProtocolError::ChangeRejected { .. })
    ));
    assert_eq!(hub.changes_stored(), 0, "a refused request stores nothing");
    assert_eq!(
        a.sync_status().unwrap().unsent_changes,
        a_request.push.len() as i64
    );

    // A response that acknowledges another push is refused and changes nothing.
    let response = SyncResponse {
        acked_upto: a_request.push_upto + 1,
        ..SyncResponse::default()
    };
    assert!(matches!(
        a.apply_sync_response(&a_request, &response),
        Err(crate::Error::Protocol(ProtocolError::Mismatch(_)))
    ));
    assert_eq!(
        a.sync_status().unwrap().unsent_changes,
        a_request.push.len() as i64
    );
    assert_eq!(f.grid.len(), 36);
}

#[test]
fn only_this_devices_changes_enter_the_outbox() {
    let (_dir, a, b, f) = head_and_assistant();
    send(&a, &b);
    assert_eq!(b.sync_status().unwrap().unsent_changes, 0);
    b.log_visit(visit_input(&f.household)).unwrap();
    // The visit and the roster change that registers b's device in the grid.
    assert_eq!(b.sync_status().unwrap().unsent_changes, 2);
    // Compaction folds chunks into snapshots but the outbox keeps every change.
    let before = a.sync_status().unwrap();
    let push = a.sync_request(&SyncLimits::default()).unwrap().push;
    a.compact().unwrap();
    assert_eq!(a.sync_status().unwrap(), before);
    assert_eq!(a.sync_request(&SyncLimits::default()).unwrap().push, push);
    assert!(push.len() > 3 && push.iter().all(|c| !c.bytes.is_empty()));
}

/// The store's next request, asking for `grid` from the start as a new
/// assignment would: the server learns which grids a phone holds only from
/// the cursors it sends.
fn pulling(store: &Store, grid: &str) -> SyncRequest {
    SyncRequest {
        grids: vec![GridCursor {
            grid_id: grid.to_string(),
            ..GridCursor::default()
        }],
        ..store.sync_request(&SyncLimits::default()).unwrap()
    }
}
