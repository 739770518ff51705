// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "crypto/secretstore.h"

#include <chrono>

namespace flowgate {

/// The OS keychain through QtKeychain (the Secret Service over D-Bus on
/// Linux: gnome-keyring, KWallet's Secret Service, KeePassXC...).
///
/// QtKeychain jobs are asynchronous and need an event loop in the thread
/// that runs them. This store runs every job on one process-wide worker
/// thread ("flowgate-keychain") with its own event loop; the calling thread
/// just waits (std::future with a timeout) and never runs a nested event loop.
/// The thread is shared by every KeychainSecretStore because QtKeychain's
/// internal job queue is a process-wide singleton bound to the thread that
/// first starts a job: a second thread would hang it. For the same reason
/// nothing else in the process may use QtKeychain directly.
///
/// QtKeychain runs one job at a time: after a Timeout, the stuck job may keep
/// later calls waiting until it finishes (each still returns within its own
/// timeout).
///
/// Never uses QtKeychain's insecure fallback: nothing is ever stored in clear.
/// Secrets that are valid UTF-8 are stored as text (visible as such in
/// Seahorse / secret-tool), others as binary (base64, type=base64).
///
/// Blocking: never call it on a GUI thread (it warns if it is).
class KeychainSecretStore final : public SecretStore
{
public:
    static constexpr std::chrono::milliseconds kDefaultTimeout{10000};

    explicit KeychainSecretStore(std::chrono::milliseconds timeout = kDefaultTimeout);
    ~KeychainSecretStore() override;
    Q_DISABLE_COPY_MOVE(KeychainSecretStore)

    [[nodiscard]] Result read(const QString &service, const QString &account) override;
    [[nodiscard]] Result write(const QString &service, const QString &account, const QByteArray &secret) override;
    [[nodiscard]] Result remove(const QString &service, const QString &account) override;
    QString description() const override;

    std::chrono::milliseconds timeout() const { return m_timeout; }

    /// Maps a QtKeychain result (QKeychain::Error as int, errorString()) to a
    /// kind: EntryNotFound -> NotFound; NoBackendAvailable, NotImplemented and
    /// the D-Bus texts "not provided by any .service files", "Cannot autolaunch
    /// D-Bus", "Could not connect", ServiceUnknown -> NoService; AccessDenied,
    /// a locked collection or a missing default collection -> Locked; D-Bus
    /// timeouts -> Timeout; everything else -> Other.
    [[nodiscard]] static ErrorKind classify(int qtKeychainError, const QString &errorString);

private:
    enum class Operation : quint8 { Read, Write, Remove };
    [[nodiscard]] Result run(Operation op, const QString &service, const QString &account, const QByteArray &secret);

    std::chrono::milliseconds m_timeout;
};

} // namespace flowgate
