// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The master key manager over the in-memory secret store: creation and
// loading, the export file (mode 0600, never overwritten), import checks,
// store failures in plain words, and the mapping of QtKeychain's errors.

#include "crypto/keychainsecretstore.h"
#include "crypto/masterkeymanager.h"
#include "crypto/secretstore.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

#include <sys/stat.h>

using namespace flowgate;

using Kind = SecretStore::ErrorKind;
using KeyError = MasterKeyManager::Error;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

QByteArray storedBase64(InMemorySecretStore &store)
{
    const auto r = store.read(MasterKeyManager::serviceName(), MasterKeyManager::accountName());
    return r.ok ? r.secret : QByteArray();
}

} // namespace

class TestKeyStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void inMemoryStoreBasics();
    void createThenLoadSameKey();
    void missingKeyNamesTheEntry();
    void corruptEntryIsNeverReplacedSilently();
    void exportFileIsPrivate();
    void exportRefusesToOverwrite();
    void exportWithoutKeyWritesNothing();
    void importRoundTrip();
    void importRefusesADifferentKeyUnlessReplacing();
    void importRejectsBadFiles_data();
    void importRejectsBadFiles();
    void storeFailuresSayWhatToDo_data();
    void storeFailuresSayWhatToDo();
    void concurrentLoadOrCreateAgrees();
    void qtKeychainErrorsAreClassified_data();
    void qtKeychainErrorsAreClassified();

private:
    QTemporaryDir m_dir;
};

void TestKeyStore::inMemoryStoreBasics()
{
    InMemorySecretStore store;
    const QString s = QStringLiteral("svc");
    const QString a = QStringLiteral("acct");
    auto r = store.read(s, a);
    QVERIFY(!r.ok);
    QCOMPARE(r.error, Kind::NotFound);
    QVERIFY(store.write(s, a, QByteArray("one")).ok);
    r = store.read(s, a);
    QVERIFY(r.ok);
    QCOMPARE(r.secret, QByteArray("one"));
    QVERIFY(store.write(s, a, QByteArray("two\0three", 9)).ok);
    QCOMPARE(store.read(s, a).secret, QByteArray("two\0three", 9));
    QVERIFY(!store.read(s, QStringLiteral("other")).ok);
    QVERIFY(store.remove(s, a).ok);
    QVERIFY(store.remove(s, a).ok); // removing a missing entry succeeds
    QCOMPARE(store.read(s, a).error, Kind::NotFound);

    store.setFailure(Kind::Locked, QStringLiteral("simulated"));
    r = store.write(s, a, QByteArray("x"));
    QVERIFY(!r.ok);
    QCOMPARE(r.error, Kind::Locked);
    QVERIFY(r.message.contains(QLatin1String("simulated")));
    QVERIFY(!store.contains(s, a));
    store.clearFailure();
    QVERIFY(store.write(s, a, QByteArray("x")).ok);
    QCOMPARE(store.callCount(), 11);
}

void TestKeyStore::createThenLoadSameKey()
{
    InMemorySecretStore store;
    MasterKeyManager manager(store);

    const auto first = manager.loadOrCreate();
    QVERIFY2(first.ok(), qPrintable(first.message));
    QVERIFY(first.created);
    QCOMPARE(first.key.size(), MasterKeyManager::kKeySize);
    QCOMPARE(first.keyId, MasterKeyManager::keyId(first.key));
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{16}$")).match(first.keyId).hasMatch());

    // Stored as base64 of the 32 bytes, under Flowgate / master-key.
    QVERIFY(store.contains(QStringLiteral("Flowgate"), QStringLiteral("master-key")));
    QCOMPARE(storedBase64(store), first.key.toByteArray().toBase64());

    const auto second = manager.loadOrCreate();
    QVERIFY(second.ok());
    QVERIFY(!second.created);
    QVERIFY(second.key.equals(first.key));

    MasterKeyManager another(store);
    const auto loaded = another.load();
    QVERIFY(loaded.ok());
    QVERIFY(!loaded.created);
    QVERIFY(loaded.key.equals(first.key));
    QCOMPARE(loaded.keyId, first.keyId);

    // A different store: a different key.
    InMemorySecretStore other;
    const auto elsewhere = MasterKeyManager(other).loadOrCreate();
    QVERIFY(elsewhere.ok() && elsewhere.created);
    QVERIFY(!elsewhere.key.equals(first.key));
    QVERIFY(elsewhere.keyId != first.keyId);
}

void TestKeyStore::missingKeyNamesTheEntry()
{
    InMemorySecretStore store;
    MasterKeyManager manager(store);
    const auto r = manager.load();
    QVERIFY(!r.ok());
    QCOMPARE(r.error, KeyError::NotFound);
    QVERIFY(r.key.isEmpty());
    QVERIFY2(r.message.contains(QLatin1String("\"Flowgate\"")), qPrintable(r.message));
    QVERIFY2(r.message.contains(QLatin1String("\"master-key\"")), qPrintable(r.message));
    QVERIFY(r.message.contains(MasterKeyManager::entryName()));
    // load() never creates.
    QVERIFY(!store.contains(MasterKeyManager::serviceName(), MasterKeyManager::accountName()));
}

void TestKeyStore::corruptEntryIsNeverReplacedSilently()
{
    InMemorySecretStore store;
    const QByteArray junk("this is not a key!!");
    QVERIFY(store.write(MasterKeyManager::serviceName(), MasterKeyManager::accountName(), junk).ok);
    MasterKeyManager manager(store);
    for (const auto &r : {manager.load(), manager.loadOrCreate()}) {
        QVERIFY(!r.ok());
        QCOMPARE(r.error, KeyError::Corrupt);
        QVERIFY(r.message.contains(QLatin1String("master-key")));
    }
    QCOMPARE(storedBase64(store), junk); // untouched

    // Valid base64 of the wrong length is corrupt too.
    QVERIFY(
        store.write(MasterKeyManager::serviceName(), MasterKeyManager::accountName(), QByteArray(31, 'k').toBase64())
            .ok);
    QCOMPARE(manager.load().error, KeyError::Corrupt);
}

void TestKeyStore::exportFileIsPrivate()
{
    InMemorySecretStore store;
    MasterKeyManager manager(store);
    const auto key = manager.loadOrCreate();
    QVERIFY(key.ok());

    // Even with a permissive umask the file is 0600.
    const mode_t oldMask = ::umask(0);
    const QString path = m_dir.filePath(QStringLiteral("private.key"));
    const auto exported = manager.exportToFile(path);
    ::umask(oldMask);
    QVERIFY2(exported.ok(), qPrintable(exported.message));
    QCOMPARE(exported.keyId, key.keyId);
    QVERIFY(exported.key.isEmpty()); // the result does not carry the key around

    struct stat st = {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0600));
    QCOMPARE(QFileInfo(path).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    const QList<QByteArray> lines = readFile(path).trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith("Flowgate master key v1"));
    QVERIFY(lines[0].contains("SECRET"));
    QCOMPARE(lines[1], QByteArray("id ") + key.keyId.toLatin1());
    QCOMPARE(lines[2], QByteArray("key ") + key.key.toByteArray().toBase64());
}

void TestKeyStore::exportRefusesToOverwrite()
{
    InMemorySecretStore store;
    MasterKeyManager manager(store);
    QVERIFY(manager.loadOrCreate().ok());

    const QString path = m_dir.filePath(QStringLiteral("precious.txt"));
    QVERIFY(writeFile(path, "precious data"));
    const auto r = manager.exportToFile(path);
    QVERIFY(!r.ok());
    QCOMPARE(r.error, KeyError::FileExists);
    QVERIFY(r.message.contains(path));
    QCOMPARE(readFile(path), QByteArray("precious data"));

    // Not through a symbolic link either (dangling or not).
    const QString target = m_dir.filePath(QStringLiteral("link-target.txt"));
    const QString link = m_dir.filePath(QStringLiteral("link.key"));
    QVERIFY(QFile::link(target, link));
    const auto viaLink = manager.exportToFile(link);
    QVERIFY(!viaLink.ok());
    QCOMPARE(viaLink.error, KeyError::FileExists);
    QVERIFY(!QFile::exists(target));

    // A directory that does not exist: a file error, clearly.
    const auto noDir = manager.exportToFile(m_dir.filePath(QStringLiteral("no/such/dir/key")));
    QVERIFY(!noDir.ok());
    QCOMPARE(noDir.error, KeyError::FileError);
    QVERIFY(noDir.message.contains(QLatin1String("Cannot create")));
}

void TestKeyStore::exportWithoutKeyWritesNothing()
{
    InMemorySecretStore store;
    MasterKeyManager manager(store);
    const QString path = m_dir.filePath(QStringLiteral("nothing.key"));
    const auto r = manager.exportToFile(path);
    QVERIFY(!r.ok());
    QCOMPARE(r.error, KeyError::NotFound);
    QVERIFY(r.message.contains(QLatin1String("master-key")));
    QVERIFY(!QFile::exists(path));
}

void TestKeyStore::importRoundTrip()
{
    InMemorySecretStore a;
    MasterKeyManager ma(a);
    const auto original = ma.loadOrCreate();
    QVERIFY(original.ok());
    const QString path = m_dir.filePath(QStringLiteral("roundtrip.key"));
    QVERIFY(ma.exportToFile(path).ok());

    InMemorySecretStore b;
    MasterKeyManager mb(b);
    const auto imported = mb.importFromFile(path);
    QVERIFY2(imported.ok(), qPrintable(imported.message));
    QVERIFY(imported.created);
    QVERIFY(imported.key.equals(original.key));
    QCOMPARE(imported.keyId, original.keyId);
    QVERIFY(mb.load().key.equals(original.key));

    // Importing the same key again is a no-op.
    const auto again = mb.importFromFile(path);
    QVERIFY(again.ok());
    QVERIFY(!again.created);
    QVERIFY(again.key.equals(original.key));

    // Windows line endings and surrounding blank lines are tolerated.
    QByteArray crlf = readFile(path);
    crlf.replace("\n", "\r\n");
    const QString crlfPath = m_dir.filePath(QStringLiteral("crlf.key"));
    QVERIFY(writeFile(crlfPath, "\r\n" + crlf + "\r\n"));
    InMemorySecretStore c;
    const auto fromCrlf = MasterKeyManager(c).importFromFile(crlfPath);
    QVERIFY2(fromCrlf.ok(), qPrintable(fromCrlf.message));
    QVERIFY(fromCrlf.key.equals(original.key));
}

void TestKeyStore::importRefusesADifferentKeyUnlessReplacing()
{
    InMemorySecretStore a;
    MasterKeyManager ma(a);
    const auto keyA = ma.loadOrCreate();
    const QString path = m_dir.filePath(QStringLiteral("a.key"));
    QVERIFY(ma.exportToFile(path).ok());

    InMemorySecretStore b;
    MasterKeyManager mb(b);
    const auto keyB = mb.loadOrCreate();
    QVERIFY(keyA.ok() && keyB.ok());

    const auto refused = mb.importFromFile(path);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error, KeyError::Mismatch);
    QVERIFY(refused.message.contains(keyA.keyId));
    QVERIFY(refused.message.contains(keyB.keyId));
    QVERIFY(mb.load().key.equals(keyB.key)); // unchanged

    const auto replaced = mb.importFromFile(path, true);
    QVERIFY2(replaced.ok(), qPrintable(replaced.message));
    QVERIFY(replaced.created);
    QVERIFY(mb.load().key.equals(keyA.key));

    // replace also repairs a corrupt entry, which a plain import refuses.
    QVERIFY(b.write(MasterKeyManager::serviceName(), MasterKeyManager::accountName(), "garbage").ok);
    QCOMPARE(mb.importFromFile(path).error, KeyError::Corrupt);
    QVERIFY(mb.importFromFile(path, true).ok());
    QVERIFY(mb.load().key.equals(keyA.key));
}

void TestKeyStore::importRejectsBadFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("mentions");

    const QByteArray key = QByteArray(32, '\x42');
    const QByteArray id = MasterKeyManager::keyId(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(key.constData()), 32))
                              .toLatin1();
    const QByteArray header("Flowgate master key v1 - SECRET\n");
    const QByteArray good = header + "id " + id + "\nkey " + key.toBase64() + "\n";

    QTest::newRow("control: valid") << good << int(KeyError::None) << QString();
    QTest::newRow("empty") << QByteArray() << int(KeyError::InvalidFile) << QStringLiteral("Flowgate master key v1");
    QTest::newRow("wrong header") << QByteArray("ssh-rsa AAAA...\n") << int(KeyError::InvalidFile)
                                  << QStringLiteral("does not start");
    QTest::newRow("no key line") << QByteArray(header + "id " + id + "\n") << int(KeyError::InvalidFile)
                                 << QStringLiteral("\"key\"");
    QTest::newRow("no id line") << QByteArray(header + "key " + key.toBase64() + "\n") << int(KeyError::InvalidFile)
                                << QStringLiteral("\"id\"");
    QTest::newRow("not base64") << QByteArray(header + "id " + id + "\nkey !!!notbase64***\n")
                                << int(KeyError::InvalidFile) << QStringLiteral("base64");
    QTest::newRow("31 bytes") << QByteArray(header + "id " + id + "\nkey " + QByteArray(31, 'x').toBase64() + "\n")
                              << int(KeyError::InvalidFile) << QStringLiteral("32 bytes");
    QByteArray flipped = key;
    flipped[0] = '\x43';
    QTest::newRow("key does not match id") << QByteArray(header + "id " + id + "\nkey " + flipped.toBase64() + "\n")
                                           << int(KeyError::InvalidFile) << QStringLiteral("damaged");
    QTest::newRow("too large") << QByteArray(good + QByteArray(5000, '#')) << int(KeyError::InvalidFile)
                               << QStringLiteral("too large");
}

void TestKeyStore::importRejectsBadFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(int, expected);
    QFETCH(QString, mentions);

    const QString path = m_dir.filePath(
        QStringLiteral("import-%1.key")
            .arg(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))));
    QVERIFY(writeFile(path, content));
    InMemorySecretStore store;
    MasterKeyManager manager(store);
    const auto r = manager.importFromFile(path);
    QCOMPARE(int(r.error), expected);
    if (expected == int(KeyError::None)) {
        QVERIFY(r.ok());
        return;
    }
    QVERIFY(r.key.isEmpty());
    QVERIFY2(r.message.contains(path), qPrintable(r.message));
    QVERIFY2(r.message.contains(mentions), qPrintable(r.message));
    QVERIFY(!store.contains(MasterKeyManager::serviceName(), MasterKeyManager::accountName()));
}

void TestKeyStore::storeFailuresSayWhatToDo_data()
{
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<int>("expected");
    QTest::addColumn<bool>("suggestsPassphrase");
    QTest::newRow("no service") << Kind::NoService << int(KeyError::NoService) << true;
    QTest::newRow("locked") << Kind::Locked << int(KeyError::Locked) << true;
    QTest::newRow("timeout") << Kind::Timeout << int(KeyError::Timeout) << true;
    QTest::newRow("other") << Kind::Other << int(KeyError::StoreFailed) << false;
}

void TestKeyStore::storeFailuresSayWhatToDo()
{
    QFETCH(Kind, kind);
    QFETCH(int, expected);
    QFETCH(bool, suggestsPassphrase);

    InMemorySecretStore store;
    store.setFailure(kind, QStringLiteral("simulated failure"));
    MasterKeyManager manager(store);
    for (const auto &r : {manager.loadOrCreate(), manager.load()}) {
        QVERIFY(!r.ok());
        QCOMPARE(int(r.error), expected);
        QVERIFY(r.key.isEmpty());
        QVERIFY2(r.message.contains(QLatin1String("master-key")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QLatin1String("simulated failure")), qPrintable(r.message));
        QCOMPARE(r.message.contains(QLatin1String("passphrase")), suggestsPassphrase);
    }
    const QString path = m_dir.filePath(QStringLiteral("fail-%1.key").arg(int(kind)));
    const auto exported = manager.exportToFile(path);
    QCOMPARE(int(exported.error), expected);
    QVERIFY(!QFile::exists(path));

    // Nothing was written while failing; after recovery a key is created.
    store.clearFailure();
    QVERIFY(!store.contains(MasterKeyManager::serviceName(), MasterKeyManager::accountName()));
    const auto recovered = manager.loadOrCreate();
    QVERIFY(recovered.ok() && recovered.created);
}

void TestKeyStore::concurrentLoadOrCreateAgrees()
{
    InMemorySecretStore store;
    constexpr int kThreads = 8;
    std::vector<QByteArray> keys(kThreads);
    std::atomic<int> created{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            MasterKeyManager manager(store);
            const auto r = manager.loadOrCreate();
            if (!r.ok()) {
                ++failures;
                return;
            }
            if (r.created)
                ++created;
            keys[std::size_t(i)] = r.key.toByteArray();
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(failures.load(), 0);
    QCOMPARE(created.load(), 1);
    for (const QByteArray &k : keys)
        QCOMPARE(k, keys.front());
}

void TestKeyStore::qtKeychainErrorsAreClassified_data()
{
    // QKeychain::Error values: 1 EntryNotFound, 2 CouldNotDeleteEntry,
    // 3 AccessDeniedByUser, 4 AccessDenied, 5 NoBackendAvailable,
    // 6 NotImplemented, 7 OtherError. Texts as seen on Debian 12
    // (docs: TOOLCHAIN.md §4) and from GLib/libsecret.
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("text");
    QTest::addColumn<Kind>("kind");
    QTest::newRow("no error") << 0 << QString() << Kind::None;
    QTest::newRow("entry not found") << 1 << QStringLiteral("Entry not found") << Kind::NotFound;
    QTest::newRow("no session bus") << 7 << QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY")
                                    << Kind::NoService;
    QTest::newRow("bus without secret service")
        << 7 << QStringLiteral("The name org.freedesktop.secrets was not provided by any .service files")
        << Kind::NoService;
    QTest::newRow("unreachable bus") << 7 << QStringLiteral("Could not connect: No such file or directory")
                                     << Kind::NoService;
    QTest::newRow("bus disabled (disabled:)")
        << 7
        << QStringLiteral("Unknown or unsupported transport \u201cdisabled\u201d for address \u201cdisabled:\u201d")
        << Kind::NoService;
    QTest::newRow("no backend") << 5 << QStringLiteral("No keychain service available") << Kind::NoService;
    QTest::newRow("kwallet no server") << 7
                                       << QStringLiteral(
                                              "Could not open wallet: org.freedesktop.DBus.Error.NoServer; ...")
                                       << Kind::NoService;
    QTest::newRow("not implemented") << 6 << QString() << Kind::NoService;
    QTest::newRow("no login collection")
        << 7 << QStringLiteral("Object does not exist at path \u201c/org/freedesktop/secrets/collection/login\u201d")
        << Kind::Locked;
    QTest::newRow("locked") << 4 << QStringLiteral("Cannot get secret of a locked object") << Kind::Locked;
    QTest::newRow("denied by user") << 3 << QStringLiteral("Access to keychain denied") << Kind::Locked;
    QTest::newRow("dbus timeout") << 7 << QStringLiteral("Timeout was reached") << Kind::Timeout;
    QTest::newRow("could not delete") << 2 << QStringLiteral("Could not delete") << Kind::Other;
    QTest::newRow("anything else") << 7 << QStringLiteral("Unknown error") << Kind::Other;
}

void TestKeyStore::qtKeychainErrorsAreClassified()
{
    QFETCH(int, code);
    QFETCH(QString, text);
    QFETCH(Kind, kind);
    QCOMPARE(KeychainSecretStore::classify(code, text), kind);
    if (kind == Kind::NoService || kind == Kind::Timeout || kind == Kind::Locked)
        QVERIFY(SecretStore::describe(kind, text).contains(QLatin1String("passphrase")));
}

QTEST_GUILESS_MAIN(TestKeyStore)
#include "tst_keystore.moc"
