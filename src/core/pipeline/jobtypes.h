// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "crypto/secure.h"
#include "format/containerformat.h"

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace flowgate {

enum class JobMode { Pack, Restore, Verify };

/// Why a file failed. Each maps to one CLI exit code.
enum class ErrorKind {
    None,
    Input, ///< missing, unreadable or special file; changed while read
    DataIntegrity, ///< corrupt, truncated or tampered container; wrong key or passphrase
    Io, ///< writing failed: disk full, permissions, output exists
    Key, ///< no key available (keychain entry missing, no Secret Service)
    Cancelled,
};

enum class FileState { Queued, Running, Paused, Done, Failed, Cancelled };

class CancellationToken;

/// The keychain's master key while it is still being fetched. A pack with it
/// starts at once: it reads and compresses, and only sealing a chunk (and
/// the header, which names the key) waits until the key is there. Resolved
/// once, by whoever asked the keychain. Thread-safe.
class PendingMasterKey
{
public:
    /// The key and its id, or a null key and why the keychain could not give it.
    void resolve(std::shared_ptr<const SecureBytes> key, const QString &keyId, const QString &error);
    /// Waits until resolve() has run (true) or the token is cancelled (false).
    bool wait(const CancellationToken &token) const;
    bool isResolved() const;
    /// After wait() returned true:
    std::shared_ptr<const SecureBytes> key() const;
    QString keyId() const;
    QString error() const;

private:
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    bool m_resolved = false;
    std::shared_ptr<const SecureBytes> m_key;
    QString m_keyId;
    QString m_error;
};

/// Where the keys of a job come from. Copyable; the secret is shared, never
/// duplicated, and wiped when the last copy goes.
struct KeyMaterial
{
    fgc::KeySource source = fgc::KeySource::None;
    /// Keychain: the master key and its id (16 hex chars).
    std::shared_ptr<const SecureBytes> masterKey;
    QString keyId;
    /// Passphrase: the words, the cost, and the job's salt (one scrypt per job).
    QString passphrase;
    ScryptParams scrypt;
    std::array<std::uint8_t, kJobSaltSize> jobSalt{};
    /// Why the keychain could not give its master key, when it was asked and
    /// failed: a container that needs that key reports this as the cause.
    QString keychainError;

    /// Keychain, still being fetched: the master key, its id and any error
    /// come from here once it is resolved (pack only).
    std::shared_ptr<PendingMasterKey> pending;

    static KeyMaterial none() { return {}; }
    static KeyMaterial fromMasterKey(SecureBytes key, const QString &keyId);
    static KeyMaterial fromPendingMasterKey(std::shared_ptr<PendingMasterKey> pending);
    /// A new random job salt is drawn here: every file of the job shares it.
    static KeyMaterial fromPassphrase(const QString &passphrase, const ScryptParams &params = {});
};

struct JobSettings
{
    JobMode mode = JobMode::Pack;
    CodecSpec codec;
    CipherId cipher = CipherId::ChaCha20Poly1305;
    KeyMaterial keys;
    quint32 chunkSize = 0; ///< 0: automatic by file size
    QString outputDir; ///< empty: beside the input
    bool force = false; ///< overwrite an existing output
    bool compatible = false; ///< pack without a container: plain zstd/gzip/lz4/xz stream (no cipher)
};

struct FileReport
{
    int id = -1;
    JobMode mode = JobMode::Pack;
    QString input;
    QString output; ///< empty for verify
    quint64 inputSize = 0; ///< bytes read from the input
    quint64 outputSize = 0; ///< bytes written
    quint64 originalSize = 0;
    double ratio = 0.0; ///< container size / original size
    QString sha256; ///< of the original, lowercase hex as sha256sum prints it
    double seconds = 0.0;
    quint32 chunkSize = 0;
    quint64 chunks = 0;
    FileState state = FileState::Queued;
    ErrorKind errorKind = ErrorKind::None;
    QString error; ///< in words, naming the cause
    QStringList notes; ///< what the user should know although the file succeeded (or before it failed)
};

QString jobModeName(JobMode mode);
QString fileStateName(FileState state);
QString errorKindName(ErrorKind kind);

} // namespace flowgate

Q_DECLARE_METATYPE(flowgate::FileReport)
Q_DECLARE_METATYPE(flowgate::FileState)
