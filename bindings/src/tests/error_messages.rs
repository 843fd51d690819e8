//! The texts of `GridbookError` as the apps show them: `Display` (Swift's
//! `localizedDescription`, Kotlin's `toString()`) and the fields Kotlin's
//! `message` is built from, with field paths in lowerCamelCase and never
//! the rejected value.

use gridbook::ffi::api_field_name;

use super::*;

#[test]
fn field_paths_are_lower_camel_case() {
    assert_eq!(api_field_name("id_number"), "idNumber");
    assert_eq!(api_field_name("phones"), "phones");
    assert_eq!(api_field_name("gps.accuracy_m"), "gps.accuracyM");
    assert_eq!(api_field_name("members[1].phone"), "members[1].phone");
    assert_eq!(
        api_field_name("general_interval_days"),
        "generalIntervalDays"
    );
    assert_eq!(api_field_name(""), "");
}

#[test]
fn every_variant_reads_in_words() {
    let cases: Vec<(GridbookError, &str)> = vec![
        (
            gridbook::Error::Invalid {
                field: "id_number",
                reason: InvalidReason::IdNumberCheckDigit,
            }
            .into(),
            "idNumber check digit does not match (GB 11643)",
        ),
        (
            gridbook::Error::Invalid {
                field: "route",
                reason: InvalidReason::TooLong { max: 200 },
            }
            .into(),
            "route is longer than 200 characters",
        ),
        (
            gridbook::Error::NotFound {
                kind: RecordKind::HeadAppointment,
                id: "a-1".into(),
            }
            .into(),
            "no building-head appointment with id a-1",
        ),
        (
            gridbook::Error::NotADatabase.into(),
            "the file is not a Gridbook database, or the key is wrong",
        ),
        (
            gridbook::Error::WorkerMismatch.into(),
            "this store belongs to another worker",
        ),
        (
            gridbook::Error::TokenOfAnotherWorker.into(),
            "the sync server vouches for another worker than this store's",
        ),
        (
            SyncError::Unauthorized.into(),
            "the server did not accept this device's token",
        ),
        (SyncError::Cancelled.into(), "the sync was cancelled"),
        (
            SyncError::Rejected {
                status: 413,
                message: "too large".into(),
            }
            .into(),
            "the server rejected the request (413): too large",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text, "{error:?}");
    }
}

#[test]
fn fieldless_causes_carry_their_sentence_as_detail() {
    let detail = |error: GridbookError| match error {
        GridbookError::NotADatabase { detail }
        | GridbookError::WorkerMismatch { detail }
        | GridbookError::Unauthorized { detail }
        | GridbookError::Cancelled { detail } => detail,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(
        detail(gridbook::Error::NotADatabase.into()),
        "the file is not a Gridbook database, or the key is wrong"
    );
    assert_eq!(
        detail(gridbook::Error::WorkerMismatch.into()),
        "this store belongs to another worker"
    );
    assert_eq!(
        detail(SyncError::Unauthorized.into()),
        "the server did not accept this device's token"
    );
    assert_eq!(
        detail(SyncError::Cancelled.into()),
        "the sync was cancelled"
    );
}

#[test]
fn a_rejected_id_number_and_phone_never_reach_the_text() {
    let (_dir, store, f) = one_worker("w-zhang");
    let with = |id_number: &str, phone: &str| ResidentInput {
        birth_date: None,
        id_number: Some(id_number.into()),
        phones: vec![phone.into()],
        ..resident(&f.household)
    };
    // The check character of this ID number is wrong (the right one is X).
    let error = store
        .create_resident(with("110105194912310021", "13800138000"))
        .wait()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "idNumber check digit does not match (GB 11643)"
    );
    let error = store
        .create_resident(with("11010519491231002X", "1380013"))
        .wait()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "phones is neither an 11-digit mobile number nor a landline number"
    );
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("1380013"), "{text}");
        assert!(!text.contains("11010519491231002X"), "{text}");
    }
    assert!(
        store
            .household(f.household)
            .wait()
            .unwrap()
            .members
            .is_empty()
    );
}

#[test]
fn every_import_refusal_is_its_own_variant_in_words() {
    use gridbook::ffi::ImportRefusal as R;
    use gridbook::{ImportError as E, ImportField};
    let cases: Vec<(E, R, &str)> = vec![
        (
            E::TooLarge { max_bytes: 100 },
            R::TooLarge { max_bytes: 100 },
            "the file is larger than 100 bytes",
        ),
        (
            E::ZipBomb { max_bytes: 1024 },
            R::ZipBomb { max_bytes: 1024 },
            "the spreadsheet unzips to more than 1024 bytes",
        ),
        (
            E::NotASpreadsheet,
            R::NotASpreadsheet,
            "the file is not a CSV or XLSX spreadsheet",
        ),
        (
            E::UnknownEncoding,
            R::UnknownEncoding,
            "the CSV file is neither UTF-8 nor GBK/GB18030 text",
        ),
        (
            E::MalformedCsv { row: 7 },
            R::MalformedCsv { row: 7 },
            "the CSV file is malformed at row 7",
        ),
        (
            E::MalformedSpreadsheet,
            R::MalformedSpreadsheet,
            "the spreadsheet could not be read",
        ),
        (E::NoHeader, R::NoHeader, "the file has no header row"),
        (
            E::MissingColumn {
                field: ImportField::Room,
            },
            R::MissingColumn {
                field: ImportField::Room,
            },
            "the required column 房号 is missing",
        ),
        (
            E::DuplicateColumn {
                field: ImportField::Phone,
            },
            R::DuplicateColumn {
                field: ImportField::Phone,
            },
            "the column 联系电话 appears twice",
        ),
        (
            E::RowsInError { rows: 2 },
            R::RowsInError { rows: 2 },
            "2 rows are in error; nothing was imported",
        ),
        (
            E::FileNotFound,
            R::FileNotFound {
                field: "path".into(),
            },
            "the file named by path does not exist",
        ),
        (
            E::FileUnreadable {
                kind: std::io::ErrorKind::PermissionDenied,
            },
            R::FileUnreadable {
                field: "path".into(),
                detail: "permission denied".into(),
            },
            "the file named by path could not be read: permission denied",
        ),
    ];
    for (error, refusal, text) in cases {
        let GridbookError::ImportRefused { reason } = GridbookError::from(error) else {
            panic!("{refusal:?} is not ImportRefused");
        };
        assert_eq!(reason, refusal);
        assert_eq!(
            GridbookError::ImportRefused { reason }.to_string(),
            format!("the roster file was refused: {text}")
        );
    }
    let store = GridbookError::from(E::Store(gridbook::Error::NotFound {
        kind: RecordKind::Grid,
        id: "g".into(),
    }));
    assert!(matches!(store, GridbookError::NotFound { .. }));
}
