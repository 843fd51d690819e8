//! Natural sort keys, so that building "10栋" sorts after "9栋" and room
//! "1202" after "302". Each run of ASCII digits is replaced by its length (two
//! digits) followed by the digits, so byte order equals numeric order; other
//! text is kept as it is. Extend here if other numerals (全角 digits,
//! Chinese numerals) must sort numerically.

/// The natural sort key of a label.
pub(crate) fn natural_key(label: &str) -> String {
    let mut key = String::with_capacity(label.len() + 8);
    let mut digits = String::new();
    let flush = |digits: &mut String, key: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
            key.push_str(&format!("{:02}", trimmed.len().min(99)));
            key.push_str(trimmed);
            digits.clear();
        }
    };
    for ch in label.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
        } else {
            flush(&mut digits, &mut key);
            key.push(ch);
        }
    }
    flush(&mut digits, &mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::natural_key;

    #[test]
    fn numbers_sort_numerically() {
        let mut labels = vec!["10栋", "9栋", "1202", "302", "B2", "B10", "007"];
        labels.sort_by_key(|l| natural_key(l));
        assert_eq!(
            labels,
            vec!["007", "9栋", "10栋", "302", "1202", "B2", "B10"]
        );
    }
}
