import Foundation
import Gridbook

/// What the screens show of a person. The core reads ID numbers and phones
/// masked (`110105********002X`, `138****8000`); the full values come only
/// from `Store.revealResident`, with a purpose, and the core logs it. Names
/// the demo masks itself through the core's `maskName`, as in search hits and
/// logs (first character kept: `王**`).
public enum Masking {
    /// A member for display: the core's `masked` read (kept current by the
    /// live query) with the ID number and phones of `full`, a reveal, when
    /// there is one; else with the name masked too.
    public static func resident(_ masked: Resident, full: Resident?) -> Resident {
        var shown = masked
        if let full {
            shown.idNumber = full.idNumber
            shown.phones = full.phones
        } else {
            shown.name = maskName(name: masked.name)
        }
        return shown
    }

    /// Whether the revealed `full` resident still has the ID number and
    /// phones of the core's `masked` read (`maskResident` masks them the same
    /// way), i.e. whether the reveal is not stale.
    public static func sameMasked(_ masked: Resident, _ full: Resident) -> Bool {
        let again = maskResident(resident: full)
        return again.idNumber == masked.idNumber && again.phones == masked.phones
    }

    /// A conflicting value of a resident's field for display. The core sends
    /// it as JSON (a string, or null), ID numbers and phones masked already;
    /// the fields the demo masks itself (names, birth dates) are masked
    /// unless `revealed`.
    public static func conflictValue(field: String, valueJson: String, revealed: Bool) -> String {
        guard let text = jsonString(valueJson) else {
            return valueJson.trimmingCharacters(in: .whitespaces) == "null" ? "（空）" : valueJson
        }
        if revealed { return text }
        switch field {
        case "name":
            return maskName(name: text)
        case "birth_date":
            return String(text.prefix(4)) + "-**-**"
        default:
            return text
        }
    }

    private static let sensitive: Set<String> = ["name", "birth_date"]

    /// Whether a resident's field is masked by the demo until revealed on the
    /// conflicts screen (names, birth dates). ID numbers and phones come
    /// masked from the core; their full values only through a reveal on the
    /// household screen.
    public static func isSensitive(_ field: String) -> Bool { sensitive.contains(field) }

    /// Decodes a JSON string literal; nil when `json` is not one.
    static func jsonString(_ json: String) -> String? {
        let s = json.trimmingCharacters(in: .whitespacesAndNewlines)
        guard s.hasPrefix("\""), s.count >= 2 else { return nil }
        let data = Data("[\(s)]".utf8)
        guard let array = try? JSONSerialization.jsonObject(with: data) as? [Any],
              array.count == 1, let text = array[0] as? String
        else { return nil }
        return text
    }
}
