//! `uniffi-bindgen`: generates the Kotlin and Swift bindings of `gridbook-ffi`
//! in library mode (see `bindings/README.md` and `scripts/bindings-generate`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
