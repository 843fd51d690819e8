import Foundation
import Gridbook

/// Where the store lives on the phone: `Application Support/Gridbook/gridbook.db`,
/// an SQLCipher file (key in the Keychain), in a directory that is
/// excluded from iCloud and iTunes/Finder backups and protected by iOS data
/// protection (`.complete`: unreadable while the phone is locked).
enum StoreFile {
    static func directory() throws -> URL {
        let support = try FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true
        )
        var dir = support.appendingPathComponent("Gridbook", isDirectory: true)
        if !FileManager.default.fileExists(atPath: dir.path) {
            try FileManager.default.createDirectory(
                at: dir, withIntermediateDirectories: true,
                attributes: [.protectionKey: FileProtectionType.complete]
            )
        }
        // New files in the directory (the database, its -wal and -shm) inherit
        // its protection class; excluding the directory excludes its contents.
        try FileManager.default.setAttributes([.protectionKey: FileProtectionType.complete], ofItemAtPath: dir.path)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        return dir
    }

    /// Opens (or creates) the store with the Keychain's 32 bytes (hex text) as
    /// its raw key: no key derivation, about a millisecond; migrations run on
    /// the library's pool.
    static func open(identity: WorkerIdentity, key: String) async throws -> Store {
        let path = try directory().appendingPathComponent("gridbook.db").path
        let digits = Array(key.utf8)
        let bytes = stride(from: 0, to: digits.count - 1, by: 2).compactMap {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)
        }
        return try await Store.open(path: path, identity: identity, key: .raw(bytes: Data(bytes)))
    }
}
