//! Photos from hostile bytes: whatever comes in, preparing never panics,
//! and what it accepts prepares again to itself.

use proptest::prelude::*;

use super::photo_formats::{LOSSLESS, phone_png, phone_webp};
use super::photo_heic::phone_heics;
use super::photo_samples::*;
use super::photos::prepare;

/// Prepares `bytes`; when accepted, the stored bytes must prepare to the
/// same photo.
fn check(bytes: &[u8]) {
    if let Ok(prepared) = prepare(bytes) {
        assert!(prepared.bytes.len() <= bytes.len());
        assert_eq!(prepare(&prepared.bytes).unwrap(), prepared);
    }
}

/// Starts of each type, so random tails reach past the sniffing.
fn magic() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![0xFF, 0xD8, 0xFF]),
        Just(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec()),
        Just(b"RIFF\x40\0\0\0WEBPVP8X".to_vec()),
        Just(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec()),
    ]
}

/// Samples that prepare, with metadata to strip.
fn sample() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(samples())
}

/// One edit of a sample: replace a byte, insert a byte, delete a byte, or
/// cut the rest.
#[derive(Debug, Clone)]
enum Edit {
    Replace(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match edit {
        Edit::Replace(i, b) => {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        Edit::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
        Edit::Delete(i) => {
            bytes.remove(i.index(bytes.len()));
        }
        Edit::Truncate(i) => bytes.truncate(i.index(bytes.len())),
    }
}

fn samples() -> Vec<Vec<u8>> {
    let mut samples = vec![
        phone_jpeg(false),
        phone_jpeg(true),
        minimal_jpeg(),
        phone_png(),
        phone_webp(),
        LOSSLESS.to_vec(),
    ];
    samples.extend(phone_heics());
    samples
}

/// Prepares `bytes` like [`check`]; whether they were accepted.
fn checked(bytes: &[u8]) -> bool {
    check(bytes);
    prepare(bytes).is_ok()
}

#[test]
fn every_one_byte_edit_of_the_samples_is_refused_or_reprepares_to_itself() {
    let (mut accepted, mut refused) = (0, 0);
    for sample in samples() {
        assert!(checked(&sample));
        for at in 0..sample.len() {
            let mut edits = vec![
                sample[..at].to_vec(),
                [&sample[..at], &sample[at + 1..]].concat(),
            ];
            for value in [0x00, 0x01, 0x7F, 0xFF, sample[at] ^ 0x80] {
                let mut edited = sample.clone();
                edited[at] = value;
                edits.push(edited);
            }
            for edited in edits {
                if checked(&edited) {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
    }
    // Both outcomes are common, so the property is exercised both ways.
    assert!(
        accepted > 1000 && refused > 1000,
        "{accepted} accepted, {refused} refused"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_magic_number_never_panic(
        head in magic(),
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        check(&[head, tail].concat());
    }

    #[test]
    fn edited_samples_never_panic_and_reprepare_to_themselves(
        sample in sample(),
        edits in proptest::collection::vec(edit(), 1..5),
    ) {
        check(&sample);
        let mut bytes = sample;
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check(&bytes);
    }
}
