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

    /// Opens (or creates) the store (key derivation and migrations run on the library's pool).
    static func open(identity: WorkerIdentity, key: String) async throws -> Store {
        let path = try directory().appendingPathComponent("gridbook.db").path
        return try await Store.open(path: path, identity: identity, key: key)
    }
}
