// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QtGlobal>

namespace flowgate {

/// Where secrets live: an entry is named by (service, account) and holds a
/// small byte string.
///
/// Every call BLOCKS until the store answers or gives up (the OS keychain may
/// take seconds, or wait for an unlock prompt). Never call it on a GUI thread:
/// run it on a worker (QtConcurrent::run) and deliver the result back.
/// Implementations are thread-safe.
class SecretStore
{
public:
    enum class ErrorKind : quint8 {
        None = 0,
        NotFound, ///< No such entry.
        NoService, ///< No keychain service answers (no session bus, no Secret Service).
        Locked, ///< The keychain is locked / has no usable collection / access denied.
        Timeout, ///< No answer within the store's timeout.
        Other, ///< Anything else; see the message.
    };

    struct Result
    {
        bool ok = false;
        QByteArray secret; ///< read(): the secret. Wiped when the Result dies.
        ErrorKind error = ErrorKind::None;
        QString message; ///< Plain words for a person, with advice; empty when ok.

        Result() = default;
        Result(const Result &) = default;
        Result(Result &&) noexcept = default;
        Result &operator=(const Result &) = default;
        Result &operator=(Result &&) noexcept = default;
        ~Result();

        [[nodiscard]] static Result success(QByteArray secret = {});
        [[nodiscard]] static Result failure(ErrorKind kind, QString message);
    };

    virtual ~SecretStore();
    Q_DISABLE_COPY_MOVE(SecretStore)

    /// The entry's secret, or NotFound / another error.
    [[nodiscard]] virtual Result read(const QString &service, const QString &account) = 0;
    /// Creates or replaces the entry.
    [[nodiscard]] virtual Result write(const QString &service, const QString &account, const QByteArray &secret) = 0;
    /// Deletes the entry; deleting a missing entry succeeds.
    [[nodiscard]] virtual Result remove(const QString &service, const QString &account) = 0;

    /// For messages: "the OS keychain (Secret Service)", "an in-memory store".
    virtual QString description() const = 0;

    /// "not found", "no service", "locked", "timeout", "other", "none".
    [[nodiscard]] static QString errorKindName(ErrorKind kind);
    /// A message in plain words for kind, ending with "(details: detail)" when
    /// detail is not empty. NoService, Locked and Timeout suggest using a
    /// passphrase instead.
    [[nodiscard]] static QString describe(ErrorKind kind, const QString &detail);

protected:
    SecretStore() = default;
};

/// A SecretStore in memory, for tests: nothing persists. setFailure() makes
/// every later call fail with the given kind until clearFailure().
class InMemorySecretStore final : public SecretStore
{
public:
    InMemorySecretStore();
    ~InMemorySecretStore() override;
    Q_DISABLE_COPY_MOVE(InMemorySecretStore)

    [[nodiscard]] Result read(const QString &service, const QString &account) override;
    [[nodiscard]] Result write(const QString &service, const QString &account, const QByteArray &secret) override;
    [[nodiscard]] Result remove(const QString &service, const QString &account) override;
    QString description() const override;

    void setFailure(ErrorKind kind, const QString &detail = {});
    void clearFailure();
    /// Calls made so far (read, write, remove), successful or not.
    int callCount() const;
    bool contains(const QString &service, const QString &account) const;

private:
    [[nodiscard]] bool failing(Result &result);

    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_entries;
    ErrorKind m_failure = ErrorKind::None;
    QString m_failureDetail;
    int m_calls = 0;
};

} // namespace flowgate
