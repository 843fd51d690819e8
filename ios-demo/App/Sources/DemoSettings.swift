import Foundation
import Gridbook
import GridbookDemo
import Security

/// The worker's identity and the server's address in UserDefaults; the
/// secrets (the device token and the store's SQLCipher key) in the Keychain,
/// readable only on this device after its first unlock and never in backups
/// (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`).
final class DemoSettings: @unchecked Sendable {
    private let defaults = UserDefaults.standard
    private let lock = NSLock()

    var identity: WorkerIdentity? {
        guard let id = defaults.string(forKey: "worker_id"), !id.isEmpty,
              let name = defaults.string(forKey: "worker_name"),
              let role = Self.role(defaults.string(forKey: "worker_role") ?? "")
        else { return nil }
        return WorkerIdentity(workerId: id, name: name, role: role, deviceLabel: "\(name)的 iPhone")
    }

    var serverUrl: String { defaults.string(forKey: "server_url") ?? "" }

    /// Where to sync, or nil until both the URL and the token are set.
    var server: SyncConfig? {
        guard !serverUrl.isEmpty, let token = Keychain.get("device_token"), !token.isEmpty else { return nil }
        return SyncConfig(serverUrl: serverUrl, token: token)
    }

    func save(workerId: String, name: String, role: WorkerRole, serverUrl: String, token: String) {
        defaults.set(workerId.trimmingCharacters(in: .whitespaces), forKey: "worker_id")
        defaults.set(name.trimmingCharacters(in: .whitespaces), forKey: "worker_name")
        defaults.set(Self.code(role), forKey: "worker_role")
        defaults.set(serverUrl.trimmingCharacters(in: .whitespaces), forKey: "server_url")
        // An empty field keeps the token already saved.
        let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        if !token.isEmpty { Keychain.set("device_token", token) }
    }

    /// The store's SQLCipher key: 32 random bytes made on first use, kept in the Keychain.
    func databaseKey() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let key = Keychain.get("db_key") { return key }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard SecRandomCopyBytes(kSecRandomDefault, bytes.count, &bytes) == errSecSuccess else {
            throw KeychainError.random
        }
        let key = bytes.map { String(format: "%02x", $0) }.joined()
        guard Keychain.set("db_key", key) else { throw KeychainError.store }
        return key
    }

    static let roles: [WorkerRole] = [.gridHead, .assistant, .policeOfficer, .buildingHead, .patrolVolunteer, .department]

    private static func code(_ role: WorkerRole) -> String { "\(role)" }
    private static func role(_ code: String) -> WorkerRole? { roles.first { "\($0)" == code } }
}

enum KeychainError: Error {
    case random
    case store
}

/// Generic passwords of this app in the Keychain.
enum Keychain {
    private static let service = "org.gridbook.demo"

    static func get(_ account: String) -> String? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecReturnData as String: true,
            kSecMatchLimit as String: kSecMatchLimitOne,
        ]
        var item: CFTypeRef?
        guard SecItemCopyMatching(query as CFDictionary, &item) == errSecSuccess, let data = item as? Data else { return nil }
        return String(data: data, encoding: .utf8)
    }

    @discardableResult
    static func set(_ account: String, _ value: String) -> Bool {
        let match: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
        SecItemDelete(match as CFDictionary)
        var add = match
        add[kSecValueData as String] = Data(value.utf8)
        add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        return SecItemAdd(add as CFDictionary, nil) == errSecSuccess
    }
}
