import Foundation
import Gridbook

/// What the screens show of a person. Masked by default: the ID number and
/// phones through the core's `maskResident` (`110105********002X`,
/// `138****8000`), the name through the core's `maskName`, as in search hits
/// and logs (first character kept: `王**`).
public enum Masking {
    /// `resident` for display: masked unless `revealed`.
    public static func resident(_ resident: Resident, revealed: Bool) -> Resident {
        if revealed { return resident }
        var masked = maskResident(resident: resident)
        masked.name = maskName(name: resident.name)
        return masked
    }

    /// A conflicting value of a resident's field for display. The core sends
    /// it as JSON (a string, or null); personal fields are masked unless
    /// `revealed`. Phones are stored comma-separated.
    public static func conflictValue(field: String, valueJson: String, revealed: Bool) -> String {
        guard let text = jsonString(valueJson) else {
            return valueJson.trimmingCharacters(in: .whitespaces) == "null" ? "（空）" : valueJson
        }
        if revealed { return text }
        switch field {
        case "name":
            return maskName(name: text)
        case "phones":
            let phones = text.split(separator: ",").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return maskResident(resident: carrier(phones: phones)).phones.joined(separator: ",")
        case "id_number":
            return maskResident(resident: carrier(idNumber: text)).idNumber ?? ""
        case "birth_date":
            return String(text.prefix(4)) + "-**-**"
        default:
            return text
        }
    }

    private static let sensitive: Set<String> = ["name", "phones", "id_number", "birth_date"]

    /// Whether a resident's field holds personal data that is masked by default.
    public static func isSensitive(_ field: String) -> Bool { sensitive.contains(field) }

    /// A resident holding only the values to mask, so the core's masks apply.
    private static func carrier(phones: [String] = [], idNumber: String? = nil) -> Resident {
        Resident(
            id: "", gridId: "", householdId: "", name: "", gender: .unknown, birthDate: nil,
            idNumber: idNumber, phones: phones, relation: "", registration: .local,
            residenceState: .consistent, care: [], movedIn: nil, movedOut: nil, status: .active
        )
    }

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
