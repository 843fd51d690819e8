// Hand-written, beside the generated Gridbook.swift and GridbookCore.swift.
//
// uniffi 0.32 gives GridbookError the core's `Display` as `description`
// (exported with `#[uniffi::export(Display)]`) but, unlike for plain enums,
// does not declare CustomStringConvertible for an error. Without it, string
// interpolation and `localizedDescription` (`String(reflecting:)`) print the
// case's reflection instead of the core's sentence. Declaring the conformance
// makes all three the sentence, for example
// "idNumber check digit does not match (GB 11643)".
extension GridbookError: CustomStringConvertible {}
