// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "crypto/masterkeymanager.h"

#include "crypto/sha256.h"

#include <QFile>
#include <QList>
#include <QMutex>
#include <QMutexLocker>

#include <optional>
#include <utility>

#include <sys/stat.h>
#include <unistd.h>

namespace flowgate {

namespace {

constexpr char kFileHeader[] = "Flowgate master key v1";
constexpr char kFileWarning[] = " - SECRET: it decrypts every container made with it";
constexpr char kKeyIdPrefix[] = "flowgate key id";
constexpr qint64 kMaxKeyFileSize = 4096;

// Serialises create/import within the process (the store itself has no
// compare-and-swap).
QMutex &keyMutex()
{
    static QMutex mutex;
    return mutex;
}

MasterKeyManager::Error fromStore(SecretStore::ErrorKind kind)
{
    switch (kind) {
    case SecretStore::ErrorKind::None:
        return MasterKeyManager::Error::None;
    case SecretStore::ErrorKind::NotFound:
        return MasterKeyManager::Error::NotFound;
    case SecretStore::ErrorKind::NoService:
        return MasterKeyManager::Error::NoService;
    case SecretStore::ErrorKind::Locked:
        return MasterKeyManager::Error::Locked;
    case SecretStore::ErrorKind::Timeout:
        return MasterKeyManager::Error::Timeout;
    case SecretStore::ErrorKind::Other:
        break;
    }
    return MasterKeyManager::Error::StoreFailed;
}

MasterKeyManager::KeyResult failure(MasterKeyManager::Error error, QString message)
{
    MasterKeyManager::KeyResult result;
    result.error = error;
    result.message = std::move(message);
    return result;
}

std::optional<SecureBytes> decodeKey(const QByteArray &base64)
{
    auto decoded = QByteArray::fromBase64Encoding(base64.trimmed(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    QByteArray bytes = std::move(decoded.decoded);
    if (bytes.size() != qsizetype(MasterKeyManager::kKeySize)) {
        wipe(bytes);
        return std::nullopt;
    }
    SecureBytes key = SecureBytes::fromByteArray(bytes);
    wipe(bytes);
    return key;
}

QByteArray encodeKey(const SecureBytes &key)
{
    QByteArray raw = key.toByteArray();
    QByteArray encoded = raw.toBase64();
    wipe(raw);
    return encoded;
}

} // namespace

QString MasterKeyManager::entryName()
{
    return QStringLiteral("service \"%1\", account \"%2\"").arg(serviceName(), accountName());
}

MasterKeyManager::MasterKeyManager(SecretStore &store)
    : m_store(store)
{ }

MasterKeyManager::~MasterKeyManager() = default;

QString MasterKeyManager::keyId(std::span<const std::uint8_t> key)
{
    Sha256 sha;
    sha.update(kKeyIdPrefix, sizeof kKeyIdPrefix - 1);
    sha.update(key);
    const auto digest = sha.finish();
    if (!digest)
        return {};
    return toHex(std::span<const std::uint8_t>(digest->data(), 8));
}

MasterKeyManager::KeyResult MasterKeyManager::loadLocked(bool mustExist)
{
    const SecretStore::Result read = m_store.read(serviceName(), accountName());
    if (!read.ok) {
        if (read.error == SecretStore::ErrorKind::NotFound) {
            QString text = QStringLiteral("There is no Flowgate master key in %1 (keychain entry %2).")
                               .arg(m_store.description(), entryName());
            if (mustExist) {
                text += QStringLiteral(" Pack something with keychain encryption to create one, "
                                       "import a back-up of the key, or use a passphrase.");
            }
            return failure(Error::NotFound, text);
        }
        return failure(fromStore(read.error),
            QStringLiteral("Could not read the Flowgate master key (keychain entry %1) "
                           "from %2. %3")
                .arg(entryName(), m_store.description(), read.message));
    }
    auto key = decodeKey(read.secret);
    if (!key) {
        return failure(Error::Corrupt,
            QStringLiteral("The keychain entry %1 does not hold a valid Flowgate master "
                           "key (expected 32 bytes in base64); another program may have "
                           "changed it. Import a back-up of the key, replacing the "
                           "entry, to repair it.")
                .arg(entryName()));
    }
    KeyResult result;
    result.keyId = keyId(key->span());
    result.key = std::move(*key);
    return result;
}

MasterKeyManager::KeyResult MasterKeyManager::storeKey(SecureBytes key, const QString &what)
{
    QByteArray encoded = encodeKey(key);
    const SecretStore::Result written = m_store.write(serviceName(), accountName(), encoded);
    wipe(encoded);
    if (!written.ok) {
        return failure(fromStore(written.error),
            QStringLiteral("Could not store the %1 Flowgate master key in %2 (keychain "
                           "entry %3). %4")
                .arg(what, m_store.description(), entryName(), written.message));
    }
    // Read it back: proves the store kept it, and if another process stored
    // its own key at the same moment, everybody ends up using the same one.
    KeyResult back = loadLocked(true);
    if (!back.ok()) {
        back.message = QStringLiteral("The master key was written, but reading it back failed. ") + back.message;
        back.key.clear();
        return back;
    }
    back.created = back.key.equals(key.span());
    return back;
}

MasterKeyManager::KeyResult MasterKeyManager::load()
{
    return loadLocked(true);
}

MasterKeyManager::KeyResult MasterKeyManager::loadOrCreate()
{
    QMutexLocker lock(&keyMutex());
    KeyResult existing = loadLocked(false);
    if (existing.ok() || existing.error != Error::NotFound)
        return existing;
    auto fresh = randomSecret(kKeySize);
    if (!fresh) {
        return failure(Error::RandomFailed,
            QStringLiteral("The system's random number generator failed; no key was "
                           "created."));
    }
    return storeKey(std::move(*fresh), QStringLiteral("new"));
}

MasterKeyManager::KeyResult MasterKeyManager::exportToFile(const QString &path)
{
    KeyResult current = load();
    if (!current.ok()) {
        current.message = QStringLiteral("Nothing was exported. ") + current.message;
        return current;
    }

    QFile file(path);
    if (file.exists()) {
        return failure(Error::FileExists,
            QStringLiteral("%1 already exists; the key is never written over an existing "
                           "file. Choose a new file name.")
                .arg(path));
    }
    // Created with O_EXCL and mode 0600 in one step: the secret never sits in
    // a file anyone else could read, and nothing is overwritten (not even
    // through a symbolic link planted meanwhile).
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        if (file.exists()) {
            return failure(Error::FileExists,
                QStringLiteral("%1 already exists; the key is never written over an "
                               "existing file.")
                    .arg(path));
        }
        return failure(Error::FileError, QStringLiteral("Cannot create %1: %2").arg(path, file.errorString()));
    }
    // Exactly 0600 whatever the umask.
    if (::fchmod(file.handle(), S_IRUSR | S_IWUSR) != 0) {
        file.close();
        file.remove();
        return failure(Error::FileError, QStringLiteral("Cannot restrict the permissions of %1.").arg(path));
    }

    QByteArray encoded = encodeKey(current.key);
    QByteArray text
        = QByteArray(kFileHeader) + kFileWarning + "\nid " + current.keyId.toLatin1() + "\nkey " + encoded + '\n';
    wipe(encoded);
    const bool written = file.write(text) == text.size() && file.flush() && ::fsync(file.handle()) == 0;
    wipe(text);
    const QString writeError = file.errorString();
    file.close();
    if (!written || file.error() != QFileDevice::NoError) {
        file.remove();
        return failure(Error::FileError, QStringLiteral("Cannot write %1: %2").arg(path, writeError));
    }
    KeyResult result;
    result.keyId = current.keyId;
    return result;
}

MasterKeyManager::KeyResult MasterKeyManager::importFromFile(const QString &path, bool replace)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return failure(Error::FileError, QStringLiteral("Cannot open %1: %2").arg(path, file.errorString()));
    }
    if (file.size() > kMaxKeyFileSize) {
        return failure(Error::InvalidFile, QStringLiteral("%1 is too large to be a Flowgate key file.").arg(path));
    }
    QByteArray content = file.read(kMaxKeyFileSize + 1);
    file.close();

    const auto invalid = [&path](const QString &why) {
        return failure(Error::InvalidFile, QStringLiteral("%1 is not a valid Flowgate key file: %2").arg(path, why));
    };

    QList<QByteArray> lines = content.split('\n');
    wipe(content);
    QByteArray idLine;
    QByteArray keyLine;
    bool headerSeen = false;
    for (QByteArray &raw : lines) {
        const QByteArray line = raw.trimmed();
        if (line.isEmpty())
            continue;
        if (!headerSeen) {
            if (!line.startsWith(kFileHeader))
                break;
            headerSeen = true;
        } else if (line.startsWith("id ")) {
            idLine = line.mid(3).trimmed();
        } else if (line.startsWith("key ")) {
            keyLine = line.mid(4).trimmed();
        }
    }
    for (QByteArray &raw : lines)
        wipe(raw);

    if (!headerSeen) {
        return invalid(QStringLiteral("it does not start with the line \"%1\".").arg(QLatin1String(kFileHeader)));
    }
    if (keyLine.isEmpty())
        return invalid(QStringLiteral("it has no \"key\" line."));
    if (idLine.isEmpty())
        return invalid(QStringLiteral("it has no \"id\" line."));
    auto key = decodeKey(keyLine);
    wipe(keyLine);
    if (!key)
        return invalid(QStringLiteral("the key is not 32 bytes of base64; the file is damaged."));
    const QString id = keyId(key->span());
    if (QString::fromLatin1(idLine) != id) {
        return invalid(QStringLiteral("the key does not match its id (%1 in the file, %2 computed); "
                                      "the file is damaged.")
                           .arg(QString::fromLatin1(idLine), id));
    }

    QMutexLocker lock(&keyMutex());
    KeyResult current = loadLocked(false);
    if (current.ok()) {
        if (current.key.equals(key->span()))
            return current; // already there: nothing to do
        if (!replace) {
            return failure(Error::Mismatch,
                QStringLiteral("%1 already holds a different Flowgate master key (id %2) "
                               "than %3 (id %4). Containers made with the current key "
                               "need it: export it before replacing it, then import "
                               "again with replace.")
                    .arg(m_store.description(), current.keyId, path, id));
        }
    } else if (current.error != Error::NotFound && !(current.error == Error::Corrupt && replace)) {
        current.message = QStringLiteral("Nothing was imported. ") + current.message;
        return current;
    }
    return storeKey(std::move(*key), QStringLiteral("imported"));
}

} // namespace flowgate
