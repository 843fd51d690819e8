//! Hostile sync requests in the core: every client-supplied string is held
//! to its grammar while the request is decoded (typed errors naming the
//! field, never the text), counts are capped, repeats are merged or refused,
//! and a change pushed under a document it does not descend from is found
//! (`sync::outside_dependencies`). The same shapes against the real server,
//! on both backends, are in `server/tests/hostile_requests.rs`.

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT};

use super::*;
use crate::error::ProtocolError;
use crate::sync::*;

const GRID: &str = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

fn request(doc_ids: &[&str]) -> SyncRequest {
    SyncRequest {
        version: crate::sync::PROTOCOL_VERSION,
        actor: vec![7; 16],
        max_response_bytes: 1 << 20,
        push_upto: 1,
        grids: vec![GridCursor {
            grid_id: GRID.into(),
            ..GridCursor::default()
        }],
        push: doc_ids
            .iter()
            .map(|doc_id| PushedChange {
                doc_id: doc_id.to_string(),
                bytes: vec![1, 2, 3],
            })
            .collect(),
    }
}

/// Decodes a request and checks that its error never carries `text`.
fn decode_error(request: &SyncRequest, text: &str) -> ProtocolError {
    let error = SyncRequest::decode(&request.encode()).unwrap_err();
    let shown = error.to_string();
    assert!(!shown.contains(text), "{shown:?} echoes the request");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    error
}

#[test]
fn document_ids_out_of_grammar_are_refused_naming_the_field() {
    let invalid = ProtocolError::InvalidField { field: "doc_id" };
    let hostile = [
        format!("visits/{GRID}/2026Q1\nINFO forged log line"),
        format!("visits/{GRID}/2026Q1\u{1b}[31m"),
        format!("roster/{GRID}\r"),
        format!("roster/{GRID}/2026Q1"),
        format!("visits/{GRID}"),
        format!("visits/{GRID}/2026Q5"),
        format!("unknown/{GRID}"),
        format!("roster/{}", GRID.to_uppercase()),
        format!("roster/{GRID}/"),
        "roster/../../etc/passwd".to_string(),
        "x".repeat(MAX_DOC_ID_BYTES + 1),
        format!("roster/{GRID}{}", "a".repeat(8 << 20)),
    ];
    for doc_id in &hostile {
        let shown = &doc_id[..doc_id.len().min(40)];
        assert_eq!(
            decode_error(&request(&[doc_id]), shown),
            invalid,
            "{shown:?}"
        );
    }
    // Not UTF-8.
    let mut body = request(&[&format!("roster/{GRID}")]).encode();
    let at = body.windows(6).position(|w| w == b"roster").unwrap();
    body[at] = 0xff;
    assert_eq!(SyncRequest::decode(&body), Err(invalid));
    // The real ones pass.
    let fine = request(&[
        &format!("roster/{GRID}"),
        &format!("visits/{GRID}/2026Q1"),
        &format!("patrol/{GRID}/2025Q4"),
    ]);
    assert_eq!(SyncRequest::decode(&fine.encode()), Ok(fine));
}

#[test]
fn resume_after_and_actor_are_held_to_their_grammar() {
    let mut other_grid = request(&[]);
    other_grid.grids[0].resume_after =
        Some("roster/00000000-0000-4000-8000-000000000000".to_string());
    assert_eq!(
        decode_error(&other_grid, "00000000-0000-4000"),
        ProtocolError::InvalidField {
            field: "resume_after"
        }
    );
    let mut escape = request(&[]);
    escape.grids[0].resume_after = Some("\u{1b}]0;owned\u{7}".to_string());
    assert_eq!(
        decode_error(&escape, "owned"),
        ProtocolError::InvalidField {
            field: "resume_after"
        }
    );
    for actor in [vec![], vec![1; MAX_ACTOR_BYTES + 1], vec![1; 8 << 20]] {
        let mut bad = request(&[]);
        bad.actor = actor;
        assert_eq!(
            decode_error(&bad, "\u{1}"),
            ProtocolError::InvalidField { field: "actor" }
        );
    }
}

#[test]
fn repeated_grids_and_counts_over_the_limits_are_refused() {
    let mut twice = request(&[]);
    twice.grids.push(twice.grids[0].clone());
    assert_eq!(
        decode_error(&twice, GRID),
        ProtocolError::Duplicate { field: "grid_id" }
    );

    let grid = |i: usize| format!("6f1c2d3e-4a5b-4c6d-8e9f-{i:012x}");
    let mut grids = request(&[]);
    grids.grids = (0..=MAX_GRIDS_PER_REQUEST)
        .map(|i| GridCursor {
            grid_id: grid(i),
            ..GridCursor::default()
        })
        .collect();
    assert_eq!(
        decode_error(&grids, GRID),
        ProtocolError::TooMany {
            what: "grids",
            limit: MAX_GRIDS_PER_REQUEST
        }
    );
    grids.grids.pop();
    assert!(
        SyncRequest::decode(&grids.encode()).is_ok(),
        "the cap itself passes"
    );

    let roster = format!("roster/{GRID}");
    let changes = request(&vec![roster.as_str(); MAX_CHANGES_PER_REQUEST + 1]);
    assert_eq!(
        decode_error(&changes, GRID),
        ProtocolError::TooMany {
            what: "changes",
            limit: MAX_CHANGES_PER_REQUEST
        }
    );
    let docs: Vec<String> = (0..=MAX_DOCS_PER_REQUEST)
        .map(|i| format!("visits/{GRID}/{}Q1", 2000 + i))
        .collect();
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    assert_eq!(
        decode_error(&request(&docs), GRID),
        ProtocolError::TooMany {
            what: "documents",
            limit: MAX_DOCS_PER_REQUEST
        }
    );
    assert!(SyncRequest::decode(&request(&docs[1..]).encode()).is_ok());

    // A count the body cannot hold is refused before anything is allocated for it.
    let mut body = request(&[]).encode();
    let push_count = body.len() - 1;
    body[push_count] = 0xff;
    body.extend([0xff, 0xff, 0xff, 0x0f]);
    assert!(matches!(
        SyncRequest::decode(&body),
        Err(ProtocolError::Malformed(_))
    ));
}

#[test]
fn escape_for_log_escapes_control_characters_and_truncates() {
    let shown = [
        ("roster/abc", "roster/abc"),
        ("a\nb", "a\\u{a}b"),
        ("\u{1b}[31mred", "\\u{1b}[31mred"),
        ("a\\nb", "a\\u{5c}nb"),
        ("\u{202e}evil", "\\u{202e}evil"),
    ];
    for (raw, escaped) in shown {
        assert_eq!(escape_for_log(raw), escaped, "{raw:?}");
    }
    assert_eq!(
        escape_for_log("\r\t\u{0}\u{7f}\u{85}")
            .matches("\\u{")
            .count(),
        5
    );
    let long = escape_for_log(&"网".repeat(10_000));
    assert_eq!(long.chars().count(), SHOWN_TEXT_CHARS + 1);
    assert!(long.ends_with('…'));
    let hostile = escape_for_log(&"\n".repeat(1 << 20));
    assert!(hostile.len() < 8 * SHOWN_TEXT_CHARS, "{}", hostile.len());
    assert!(!hostile.contains('\n'));
}

/// A store with a grid, and its whole outbox as one request.
fn pushed(dir: &tempfile::TempDir) -> (Store, Fixture, SyncRequest) {
    let store = open(dir, "w1");
    let f = fixture(&store);
    store.log_visit(visit_input(&f.household)).unwrap();
    let request = store.sync_request(&SyncLimits::default()).unwrap();
    (store, f, request)
}

#[test]
fn an_honest_push_depends_only_on_genesis_and_itself_then_on_the_stored_log() {
    let dir = tempfile::tempdir().unwrap();
    let (store, f, first) = pushed(&dir);
    let checked = check_push(&first).unwrap();
    assert_eq!(outside_dependencies(&checked), Ok(vec![]));

    // Once the first push is acknowledged, the next depends on what it stored.
    let response = SyncResponse {
        acked_upto: first.push_upto,
        ..SyncResponse::default()
    };
    store.apply_sync_response(&first, &response).unwrap();
    store.log_visit(visit_input(&f.household)).unwrap();
    let second = store.sync_request(&SyncLimits::default()).unwrap();
    let outside = outside_dependencies(&check_push(&second).unwrap()).unwrap();
    assert!(!outside.is_empty());
    for dependency in &outside {
        assert!(
            checked
                .iter()
                .any(|c| c.hash == dependency.hash && c.doc_id == dependency.doc_id),
            "a dependency outside the push is one of the stored changes of its document"
        );
    }
}

#[test]
fn a_roster_change_under_a_visits_document_depends_on_what_that_document_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let (_, f, mut request) = pushed(&dir);
    let roster = request
        .push
        .iter()
        .position(|p| p.doc_id.starts_with("roster/"))
        .unwrap();
    let visits = format!("visits/{}/2026Q1", f.grid);
    request.push[roster].doc_id = visits.clone();
    let outside = outside_dependencies(&check_push(&request).unwrap()).unwrap();
    let first = outside.first().unwrap();
    assert_eq!(
        (first.index, first.doc_id.as_str()),
        (roster, visits.as_str())
    );
}

#[test]
fn a_change_without_dependencies_starts_a_second_history_and_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, f, mut request) = pushed(&dir);
    let mut rogue = AutoCommit::new().with_actor(ActorId::from(store.actor_bytes().as_slice()));
    rogue.put(ROOT, "kind", "visits").unwrap();
    rogue.commit();
    let bytes = rogue.get_last_local_change().unwrap().raw_bytes().to_vec();
    request.push.push(PushedChange {
        doc_id: format!("visits/{}/2026Q1", f.grid),
        bytes,
    });
    let index = request.push.len() - 1;
    assert_eq!(
        outside_dependencies(&check_push(&request).unwrap()),
        Err(ProtocolError::NotOfDocument { index })
    );
}

#[test]
fn a_change_twice_is_kept_once_but_under_two_documents_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, f, request) = pushed(&dir);
    let once = check_push(&request).unwrap();
    let mut twice = request.clone();
    twice.push.extend(request.push.iter().cloned());
    assert_eq!(check_push(&twice).unwrap(), once);

    let mut elsewhere = request.clone();
    let mut copy = request.push[0].clone();
    copy.doc_id = format!("visits/{}/2026Q1", f.grid);
    elsewhere.push.push(copy);
    assert_eq!(
        check_push(&elsewhere),
        Err(ProtocolError::ChangeRejected {
            index: request.push.len(),
            reason: "the same change under two documents"
        })
    );
}

#[test]
fn a_compressed_change_is_refused_before_it_is_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let (store, f, mut request) = pushed(&dir);
    let doc_id = format!("visits/{}/2026Q1", f.grid);
    let mut doc = AutoCommit::load(&genesis_change(&doc_id).unwrap()).unwrap();
    doc.set_actor(ActorId::from(store.actor_bytes().as_slice()));
    doc.put(ROOT, "text", "x".repeat(1 << 20)).unwrap();
    doc.commit();
    let mut change = doc.get_last_local_change().unwrap().clone();
    let compressed = change.bytes().to_vec();
    assert!(compressed.len() < 64 * 1024, "{}", compressed.len());
    request.push.push(PushedChange {
        doc_id,
        bytes: compressed,
    });
    assert_eq!(
        check_push(&request),
        Err(ProtocolError::ChangeRejected {
            index: request.push.len() - 1,
            reason: "undecodable change"
        })
    );
}

#[test]
fn a_change_over_the_operations_limit_is_refused_before_its_authors_are_read() {
    // One text splice of one character more than the limit: a change well
    // under the byte limit, so only the operations limit can refuse it.
    let mut doc = crate::docs::genesis(&crate::docs::ROSTER).unwrap();
    doc.set_actor(ActorId::from(vec![7; 16]));
    let text = doc
        .put_object(ROOT, "notes", automerge::ObjType::Text)
        .unwrap();
    doc.splice_text(&text, 0, 0, &"x".repeat(MAX_OPS_PER_CHANGE + 1))
        .unwrap();
    doc.commit();
    let bytes = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    assert!(bytes.len() < MAX_CHANGE_BYTES / 2, "{} bytes", bytes.len());
    let mut bomb = request(&[&format!("roster/{GRID}")]);
    bomb.push[0].bytes = bytes;
    assert_eq!(
        check_push(&bomb).map(|checked| checked.len()),
        Err(ProtocolError::TooMany {
            what: "operations in one change",
            limit: MAX_OPS_PER_CHANGE,
        })
    );
}
