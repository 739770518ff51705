// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "crypto/secretstore.h"

#include "crypto/secure.h"

#include <QMutexLocker>

#include <utility>

namespace flowgate {

SecretStore::Result::~Result()
{
    wipe(secret);
}

SecretStore::Result SecretStore::Result::success(QByteArray secret)
{
    Result r;
    r.ok = true;
    r.secret = std::move(secret);
    return r;
}

SecretStore::Result SecretStore::Result::failure(ErrorKind kind, QString message)
{
    Result r;
    r.ok = false;
    r.error = kind == ErrorKind::None ? ErrorKind::Other : kind;
    r.message = std::move(message);
    return r;
}

SecretStore::~SecretStore() = default;

QString SecretStore::errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None:
        return QStringLiteral("none");
    case ErrorKind::NotFound:
        return QStringLiteral("not found");
    case ErrorKind::NoService:
        return QStringLiteral("no service");
    case ErrorKind::Locked:
        return QStringLiteral("locked");
    case ErrorKind::Timeout:
        return QStringLiteral("timeout");
    case ErrorKind::Other:
        break;
    }
    return QStringLiteral("other");
}

QString SecretStore::describe(ErrorKind kind, const QString &detail)
{
    QString text;
    switch (kind) {
    case ErrorKind::None:
        break;
    case ErrorKind::NotFound:
        text = QStringLiteral("The keychain has no such entry.");
        break;
    case ErrorKind::NoService:
        text = QStringLiteral("No keychain service is available: nothing answers for the Secret Service "
                              "(org.freedesktop.secrets) on this session's D-Bus, so keys cannot be kept in the "
                              "OS keychain. Use a passphrase instead, or start a keyring (for example "
                              "gnome-keyring or KWallet) in your desktop session and try again.");
        break;
    case ErrorKind::Locked:
        text = QStringLiteral("The OS keychain is locked or has no usable collection, and it could not be "
                              "unlocked without a prompt. Unlock it (log in to the desktop session) and try "
                              "again, or use a passphrase instead.");
        break;
    case ErrorKind::Timeout:
        text = QStringLiteral("The OS keychain did not answer in time (it may be waiting for an unlock prompt "
                              "that nobody can see). Use a passphrase instead, or unlock the keychain and try "
                              "again.");
        break;
    case ErrorKind::Other:
        text = QStringLiteral("The OS keychain reported an error.");
        break;
    }
    if (!detail.isEmpty())
        text += QStringLiteral(" (details: ") + detail + QLatin1Char(')');
    return text;
}

namespace {

QString entryKey(const QString &service, const QString &account)
{
    return service + QChar(u'\x1f') + account;
}

} // namespace

InMemorySecretStore::InMemorySecretStore() = default;

InMemorySecretStore::~InMemorySecretStore()
{
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
        wipe(it.value());
}

QString InMemorySecretStore::description() const
{
    return QStringLiteral("an in-memory secret store");
}

bool InMemorySecretStore::failing(Result &result)
{
    ++m_calls;
    if (m_failure == ErrorKind::None)
        return false;
    result = Result::failure(m_failure, describe(m_failure, m_failureDetail));
    return true;
}

SecretStore::Result InMemorySecretStore::read(const QString &service, const QString &account)
{
    QMutexLocker lock(&m_mutex);
    Result result;
    if (failing(result))
        return result;
    const auto it = m_entries.constFind(entryKey(service, account));
    if (it == m_entries.constEnd()) {
        return Result::failure(ErrorKind::NotFound,
            QStringLiteral("There is no entry for service \"%1\", account \"%2\".").arg(service, account));
    }
    return Result::success(*it);
}

SecretStore::Result InMemorySecretStore::write(const QString &service, const QString &account, const QByteArray &secret)
{
    QMutexLocker lock(&m_mutex);
    Result result;
    if (failing(result))
        return result;
    QByteArray &slot = m_entries[entryKey(service, account)];
    wipe(slot);
    slot = QByteArray(secret.constData(), secret.size()); // a deep copy we own
    return Result::success();
}

SecretStore::Result InMemorySecretStore::remove(const QString &service, const QString &account)
{
    QMutexLocker lock(&m_mutex);
    Result result;
    if (failing(result))
        return result;
    auto it = m_entries.find(entryKey(service, account));
    if (it != m_entries.end()) {
        wipe(it.value());
        m_entries.erase(it);
    }
    return Result::success();
}

void InMemorySecretStore::setFailure(ErrorKind kind, const QString &detail)
{
    QMutexLocker lock(&m_mutex);
    m_failure = kind;
    m_failureDetail = detail;
}

void InMemorySecretStore::clearFailure()
{
    setFailure(ErrorKind::None);
}

int InMemorySecretStore::callCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_calls;
}

bool InMemorySecretStore::contains(const QString &service, const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.contains(entryKey(service, account));
}

} // namespace flowgate
