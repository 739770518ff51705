// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "crypto/secretstore.h"
#include "crypto/secure.h"

#include <QString>
#include <QtGlobal>

#include <cstdint>
#include <span>

namespace flowgate {

/// The keychain's master key: 32 random bytes, kept base64-encoded in a
/// SecretStore under service "Flowgate", account "master-key". Per-file keys
/// are derived from it (deriveFileKey()); a container records only its key id.
///
/// Every call blocks on the store: never on a GUI thread.
class MasterKeyManager final
{
public:
    enum class Error : quint8 {
        None = 0,
        NotFound, ///< No master key in the store (load()).
        NoService, ///< The store says no keychain service is available.
        Locked, ///< The keychain is locked / access denied.
        Timeout, ///< The keychain did not answer in time.
        StoreFailed, ///< Any other store failure.
        Corrupt, ///< The stored value is not a valid master key.
        Mismatch, ///< import: a different key is already stored.
        FileExists, ///< export: the file exists (never overwritten).
        FileError, ///< A file could not be created, written or read.
        InvalidFile, ///< import: not a valid key file.
        RandomFailed, ///< The random generator failed.
    };

    struct KeyResult
    {
        SecureBytes key; ///< The master key (empty on failure).
        QString keyId; ///< keyId(key), when there is a key.
        bool created = false; ///< loadOrCreate()/import: a new key was stored.
        Error error = Error::None;
        QString message; ///< Plain words for a person; empty when ok.

        [[nodiscard]] bool ok() const { return error == Error::None; }
    };

    static constexpr std::size_t kKeySize = 32;
    static QString serviceName() { return QStringLiteral("Flowgate"); }
    static QString accountName() { return QStringLiteral("master-key"); }
    /// "service \"Flowgate\", account \"master-key\"": how messages name the entry.
    static QString entryName();

    explicit MasterKeyManager(SecretStore &store);
    ~MasterKeyManager();
    Q_DISABLE_COPY_MOVE(MasterKeyManager)

    /// The stored key, or a new one stored first (created = true: the UI
    /// should offer a back-up with exportToFile()). Serialised within the
    /// process; a concurrent creator in another process is detected by
    /// reading the entry back, and its key wins.
    [[nodiscard]] KeyResult loadOrCreate();
    /// The stored key; a missing key is an error (NotFound) naming the entry.
    [[nodiscard]] KeyResult load();

    /// Writes the stored key to a new file, mode 0600 from the moment it
    /// exists, three lines:
    ///     Flowgate master key v1 - SECRET: it decrypts every container made with it
    ///     id <keyId>
    ///     key <base64 of the 32 bytes>
    /// Refuses to overwrite anything (FileExists). Anyone with the file can
    /// decrypt: the UI must warn before calling this.
    [[nodiscard]] KeyResult exportToFile(const QString &path);
    /// Reads such a file, checks it (header, base64, length, id), and stores
    /// the key. If the store already holds a different key, refuses
    /// (Mismatch) unless replace is true; the same key is a no-op
    /// (created = false).
    [[nodiscard]] KeyResult importFromFile(const QString &path, bool replace = false);

    /// First 8 bytes of SHA-256("flowgate key id" || key), as 16 lowercase hex
    /// characters. Containers record this id, never the key. Empty if
    /// SHA-256 fails.
    [[nodiscard]] static QString keyId(std::span<const std::uint8_t> key);

private:
    [[nodiscard]] KeyResult loadLocked(bool mustExist);
    [[nodiscard]] KeyResult storeKey(SecureBytes key, const QString &what);

    SecretStore &m_store;
};

} // namespace flowgate
