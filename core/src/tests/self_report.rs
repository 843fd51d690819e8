//! The self-report form: reading posted fields, the roster's checks with
//! errors per field in Chinese, the stored JSON, and the QR code.

use crate::Date;
use crate::codes::Gender;
use crate::self_report::{
    FieldError, FieldName, MAX_MEMBERS, MemberField, Problem, SelfReport, SelfReportDraft, qr_svg,
};
use crate::validate::InvalidReason;

fn today() -> Date {
    Date::new(2026, 12, 8).unwrap()
}

/// A household of two, as a phone posts it.
fn fields(id0: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("building", " 3栋 "),
        ("unit", "2"),
        ("floor", "5"),
        ("room", "502"),
        ("consent", "yes"),
        ("m0_name", "王建国"),
        ("m0_gender", "male"),
        ("m0_id_number", id0),
        ("m0_birth_date", ""),
        ("m0_phone", "+86 138 0013 8000"),
        ("m0_relation", "02"),
        ("m1_name", "王小雨"),
        ("m1_gender", "female"),
        ("m1_id_number", "110105201006150020"),
        ("m1_birth_date", "2010-06-15"),
        ("m1_phone", ""),
        ("m1_relation", "30"),
    ]
}

fn member_error(index: usize, field: MemberField, problem: Problem) -> FieldError {
    FieldError {
        field: FieldName::Member { index, field },
        problem,
    }
}

#[test]
fn a_good_form_reads_checks_and_normalises() {
    let (draft, consent, errors) = SelfReportDraft::from_form(fields("110105198001010016"));
    assert!(consent);
    assert_eq!(errors, vec![]);
    let report = draft.check(today()).unwrap();
    assert_eq!(
        (
            report.building.as_str(),
            report.unit.as_str(),
            report.floor,
            report.room.as_str()
        ),
        ("3栋", "2", 5, "502")
    );
    let m: Vec<_> = report
        .members
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.gender,
                m.id_number.as_str(),
                m.birth_date.map(|d| d.to_string()),
                m.phone.clone(),
                m.relation.as_str(),
            )
        })
        .collect();
    assert_eq!(
        m,
        vec![
            (
                "王建国",
                Gender::Male,
                "110105198001010016",
                None,
                Some("13800138000".into()),
                "02"
            ),
            (
                "王小雨",
                Gender::Female,
                "110105201006150020",
                Some("2010-06-15".into()),
                None,
                "30"
            ),
        ]
    );
    // Stored as JSON and read back the same; Debug masks the people.
    let json = report.to_json();
    assert_eq!(SelfReport::from_json(&json, today()), Some(report.clone()));
    let debug = format!("{report:?}");
    assert!(
        !debug.contains("110105198001010016") && !debug.contains("王建国"),
        "{debug}"
    );
    assert_eq!(SelfReport::from_json("{}", today()), None);
}

#[test]
fn a_wrong_check_digit_is_a_field_error_in_chinese_without_the_value() {
    let (draft, _, _) = SelfReportDraft::from_form(fields("110105198001010017"));
    let errors = draft.check(today()).unwrap_err();
    assert_eq!(
        errors,
        vec![member_error(
            0,
            MemberField::IdNumber,
            Problem::Invalid(InvalidReason::IdNumberCheckDigit)
        )]
    );
    assert_eq!(errors[0].field.key(), "m0_id_number");
    assert_eq!(errors[0].message(), "身份证号校验位不正确");
    assert!(!errors[0].to_string().contains("110105198001010017"));
}

#[test]
fn every_bad_field_is_reported_in_the_forms_order() {
    let mut posted = fields("110105198001010016");
    posted.retain(|(k, _)| !k.starts_with("m1_"));
    for (key, value) in [
        ("building", ""),
        ("floor", "五"),
        ("m0_gender", "unknown"),
        ("m0_phone", "12345"),
        ("m0_relation", "98"),
        ("m0_birth_date", "2030-01-01"),
    ] {
        posted.retain(|(k, _)| *k != key);
        posted.push((key, value));
    }
    let (draft, consent, _) = SelfReportDraft::from_form(posted);
    assert!(consent);
    let errors = draft.check(today()).unwrap_err();
    let shown: Vec<(String, String)> = errors
        .iter()
        .map(|e| (e.field.key(), e.message()))
        .collect();
    let expected = [
        ("building", "请填写楼栋"),
        ("floor", "楼层超出范围"),
        ("m0_gender", "请选择性别"),
        ("m0_birth_date", "出生日期中的日期不能晚于今天"),
        (
            "m0_phone",
            "手机号格式不正确（11位手机号或带区号的固定电话）",
        ),
        ("m0_relation", "请选择与户主关系"),
    ];
    assert_eq!(
        shown,
        expected
            .iter()
            .map(|(k, m)| (k.to_string(), m.to_string()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn members_are_counted_capped_and_distinct() {
    let (draft, consent, errors) = SelfReportDraft::from_form(vec![
        ("building", "3"),
        ("unit", "1"),
        ("floor", "1"),
        ("room", "101"),
    ]);
    assert!(!consent);
    assert_eq!(errors, vec![]);
    assert_eq!(
        draft.check(today()).unwrap_err(),
        vec![FieldError {
            field: FieldName::Members,
            problem: Problem::NoMembers
        }]
    );
    // A member past the cap is refused at reading; a repeated ID number too.
    let key = format!("m{MAX_MEMBERS}_name");
    let mut posted = fields("110105201006150020");
    posted.push((key.as_str(), "多余的人"));
    let (draft, _, errors) = SelfReportDraft::from_form(posted.iter().map(|(k, v)| (*k, *v)));
    assert_eq!(
        errors,
        vec![FieldError {
            field: FieldName::Members,
            problem: Problem::TooManyMembers
        }]
    );
    assert_eq!(draft.members.len(), 2);
    assert_eq!(
        draft.check(today()).unwrap_err(),
        vec![member_error(
            1,
            MemberField::IdNumber,
            Problem::DuplicateIdNumber
        )]
    );
}

#[test]
fn a_link_becomes_an_svg_qr_code_and_junk_is_refused() {
    let svg = qr_svg("https://grid.example.cn/r/abc").unwrap();
    assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
    assert!(svg.contains("<svg") && svg.contains("#000000"));
    let other = qr_svg("https://grid.example.cn/r/abd").unwrap();
    assert_ne!(svg, other);
    for (url, reason) in [
        ("", InvalidReason::Empty),
        ("https://x/\n", InvalidReason::ControlCharacters),
    ] {
        match qr_svg(url) {
            Err(crate::Error::Invalid { field, reason: r }) => {
                assert_eq!((field, r), ("url", reason))
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
    let long = "a".repeat(513);
    assert!(matches!(
        qr_svg(&long),
        Err(crate::Error::Invalid {
            field: "url",
            reason: InvalidReason::TooLong { max: 512 }
        })
    ));
}

/// A household of two reporting from 3栋 2单元 601, queued on `store`.
fn queue_household_of_two(store: &crate::Store, grid: &str) {
    use crate::self_report::{ReceivedSelfReport, SelfReportMember};
    let member = |name: &str, id: &str, relation: &str| SelfReportMember {
        name: name.into(),
        gender: Gender::Male,
        id_number: id.into(),
        birth_date: None,
        phone: Some("13800138001".into()),
        relation: relation.into(),
    };
    let report = ReceivedSelfReport {
        id: "r-1".into(),
        received_at: 1_796_000_000_000,
        report: SelfReport {
            building: "3栋".into(),
            unit: "2".into(),
            floor: 6,
            room: "601".into(),
            members: vec![
                member("王建国", "110105198001010016", "02"),
                member("王小雨", "110105201006150020", "30"),
            ],
        },
    };
    store.queue_self_reports(grid, &[report]).unwrap();
}

/// Accepting writes the household, its members and the queue's outcome in
/// one transaction and one change of the roster.
#[test]
fn an_accepted_report_is_one_change_with_its_outcome() {
    let (_dir, store, f) = super::one_worker("w1");
    queue_household_of_two(&store, &f.grid);
    let unsent = store.sync_status().unwrap().unsent_changes;
    let accepted = store.accept_self_report("r-1").unwrap();
    assert!(accepted.created_household);
    assert_eq!(accepted.created_residents.len(), 2);
    assert_eq!(store.sync_status().unwrap().unsent_changes, unsent + 1);
    let members = store.household(&accepted.household_id).unwrap().members;
    assert_eq!(members.len(), 2);
    assert_eq!(store.self_reports(&f.grid).unwrap().len(), 0);
    let outcomes = store.self_report_outcomes().unwrap();
    assert_eq!(outcomes.len(), 1);
    assert!(outcomes[0].accepted);
}

/// A report whose building was retired since it arrived is refused whole:
/// no household, no member, no outcome; the report keeps waiting.
#[test]
fn a_report_for_a_retired_building_leaves_nothing() {
    use crate::{Error, Store};
    let (_dir, store, f) = super::one_worker("w1");
    queue_household_of_two(&store, &f.grid);
    store.retire_building(&f.building).unwrap();
    let rows = |s: &Store| s.roster(&f.grid).unwrap().len();
    let before = store.query_table_dump().unwrap();
    let households = rows(&store);
    let refused = store.accept_self_report("r-1");
    assert!(
        matches!(
            refused,
            Err(Error::Invalid {
                field: "building",
                reason: InvalidReason::UnknownCode
            })
        ),
        "{refused:?}"
    );
    assert_eq!(store.query_table_dump().unwrap(), before);
    assert_eq!(rows(&store), households);
    assert_eq!(store.self_reports(&f.grid).unwrap().len(), 1);
    assert_eq!(store.self_report_outcomes().unwrap(), vec![]);
}
