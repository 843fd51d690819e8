// swift-tools-version:6.0
// The door-knocking demo's non-UI logic: library `GridbookDemo` (state for
// each screen over the Gridbook bindings) and its XCTest tests, which run on
// Linux too (scripts/test-ios-demo). The SwiftUI app around it is in App/
// (an Xcode project made by XcodeGen from App/project.yml; see README.md).
//
// It depends on the bindings' package by relative path. That package's
// generated sources (and, on Apple platforms, GridbookFFI.xcframework) must be
// in place first: `scripts/bindings-swift-package --out bindings/swift` in the
// clone, or the staged copy that scripts/test-ios-demo makes.
import PackageDescription

let package = Package(
    name: "GridbookDemo",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "GridbookDemo", targets: ["GridbookDemo"]),
    ],
    dependencies: [
        // The package's identity is its directory's name, "swift".
        .package(path: "../bindings/swift"),
    ],
    targets: [
        .target(
            name: "GridbookDemo",
            dependencies: [.product(name: "Gridbook", package: "swift")],
            path: "Sources/GridbookDemo"
        ),
        .testTarget(
            name: "GridbookDemoTests",
            dependencies: ["GridbookDemo"],
            path: "Tests/GridbookDemoTests"
        ),
    ]
)
