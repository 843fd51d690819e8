//! Code lists: closed enums with a stable string code, which is what the
//! documents and query tables store, and a Chinese label.
//!
//! Each record kind declares its own lists with [`code_enum!`] in its module
//! (`kinds/<kind>/mod.rs`); `gridbook::codes` re-exports them all. To add a
//! value to a list, add a line to its `code_enum!` invocation; never change
//! or reuse a code that has shipped, since replicas on older versions keep it
//! in their documents (an unknown code read from a document is kept as the
//! list's fallback value, see [`CodeList::from_code_or_default`]). With the
//! cargo feature `uniffi` every list is also a Kotlin and Swift enum.

/// A closed list of codes with a stable text form.
pub trait CodeList: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stored code.
    fn code(self) -> &'static str;
    /// The Chinese label shown to grid workers.
    fn label(self) -> &'static str;
    /// The value read when a document holds an unknown code.
    fn fallback() -> Self;
    /// The value of a code, if it is known.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.code() == code)
    }
    /// The value of a code, or the fallback for codes this build does not know.
    fn from_code_or_default(code: Option<&str>) -> Self {
        code.and_then(Self::from_code)
            .unwrap_or_else(Self::fallback)
    }
}

/// Declares a code list: an enum with a code and a label per value, and its
/// [`CodeList`] implementation.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, fallback $fallback:ident, { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }
        impl $crate::code_list::CodeList for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)+];
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
            fn fallback() -> Self {
                $name::$fallback
            }
        }
    };
}
pub(crate) use code_enum;

#[cfg(test)]
mod tests {
    use crate::codes::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_fall_back() {
        for value in VisitOutcome::ALL {
            assert_eq!(VisitOutcome::from_code(value.code()), Some(*value));
        }
        assert_eq!(HouseholdStatus::from_code("gone"), None);
        assert_eq!(
            HouseholdStatus::from_code_or_default(Some("gone")),
            HouseholdStatus::Active
        );
        assert_eq!(DwellingUse::Rented.label(), "出租");
    }

    #[test]
    fn relation_codes_follow_gb_t_4761() {
        assert!(is_relation_code("02"));
        assert!(is_relation_code("10"));
        assert!(is_relation_code("99"));
        assert!(!is_relation_code("00"));
        assert!(!is_relation_code("98"));
        assert!(!is_relation_code("2"));
        assert!(!is_relation_code("0a"));
    }
}
