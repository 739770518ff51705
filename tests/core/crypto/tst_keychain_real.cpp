// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// KeychainSecretStore against a REAL Secret Service (gnome-keyring), and the
// errors when none answers. Run it inside scripts/with-keyring.sh:
//
//   scripts/with-keyring.sh ctest -L keychain --output-on-failure
//
// Without the wrapper (FLOWGATE_KEYRING unset) it skips: it would otherwise
// write into the user's own keyring.
//
// The failure cases run this binary again as a child ("--probe"), because
// libsecret keeps one D-Bus connection per process: each child gets its own
// environment (no bus, an unreachable bus, a bus without a Secret Service, a
// Secret Service that never answers) and reports what the store said.

#include "crypto/keychainsecretstore.h"
#include "crypto/masterkeymanager.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

using namespace flowgate;
using namespace std::chrono_literals;

using Kind = SecretStore::ErrorKind;

namespace {

constexpr char kProbeArg[] = "--probe";

// Child mode: one read through the store, one loadOrCreate() through the
// manager; prints what came back, one "key=value" per line.
int runProbe(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int timeoutMs = argc > 2 ? QByteArray(argv[2]).toInt() : 5000;
    KeychainSecretStore store{std::chrono::milliseconds(timeoutMs)};

    QElapsedTimer timer;
    timer.start();
    const auto read = store.read(QStringLiteral("Flowgate-probe"), QStringLiteral("probe"));
    const qint64 readMs = timer.elapsed();

    MasterKeyManager manager(store);
    const auto key = manager.loadOrCreate();

    std::printf("read.ok=%d\nread.kind=%d\nread.ms=%lld\nread.message=%s\n", read.ok ? 1 : 0, int(read.error),
        static_cast<long long>(readMs), qUtf8Printable(read.message));
    std::printf(
        "key.ok=%d\nkey.error=%d\nkey.message=%s\n", key.ok() ? 1 : 0, int(key.error), qUtf8Printable(key.message));
    std::fflush(stdout);
    return 0;
}

QString uniqueService()
{
    return QStringLiteral("Flowgate-test-%1-%2")
        .arg(QCoreApplication::applicationPid())
        .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

struct ProbeResult
{
    bool finished = false;
    QHash<QString, QString> values;
    qint64 wallMs = 0;
    QString stderrText;
};

ProbeResult runChild(const QProcessEnvironment &env, int timeoutMs)
{
    ProbeResult result;
    QProcess child;
    child.setProcessEnvironment(env);
    QElapsedTimer timer;
    timer.start();
    child.start(QCoreApplication::applicationFilePath(), {QLatin1String(kProbeArg), QString::number(timeoutMs)});
    result.finished = child.waitForFinished(60000);
    result.wallMs = timer.elapsed();
    if (!result.finished) {
        child.kill();
        child.waitForFinished(5000);
    }
    const QString out = QString::fromUtf8(child.readAllStandardOutput());
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq > 0)
            result.values.insert(line.left(eq), line.mid(eq + 1));
    }
    result.stderrText = QString::fromUtf8(child.readAllStandardError());
    return result;
}

/// A private dbus-daemon, stopped (by us, its parent) on destruction:
///  - Empty: no services at all;
///  - Hanging: a Secret Service whose activation never completes;
///  - SystemServices: the system's service files, so a request activates a
///    real gnome-keyring-daemon, in a fresh home: no login keyring, locked.
class PrivateBus final
{
public:
    enum class Mode : quint8 { Empty, Hanging, SystemServices };

    explicit PrivateBus(Mode mode)
    {
        if (!m_dir.isValid())
            return;
        const QString socket = m_dir.filePath(QStringLiteral("bus"));
        QString services;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (mode == Mode::Hanging) {
            const QString serviceDir = m_dir.filePath(QStringLiteral("services"));
            QDir().mkpath(serviceDir);
            QFile service(serviceDir + QStringLiteral("/org.freedesktop.secrets.service"));
            if (!service.open(QIODevice::WriteOnly))
                return;
            // Activation starts a process that never takes the name: callers
            // wait until it exits (10 s) or the bus gives up (60 s).
            service.write("[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/sleep 10\n");
            services = QStringLiteral("<servicedir>%1</servicedir>").arg(serviceDir);
        } else if (mode == Mode::SystemServices) {
            services = QStringLiteral("<standard_session_servicedirs/>");
            const QString home = m_dir.filePath(QStringLiteral("home"));
            const QString runtime = m_dir.filePath(QStringLiteral("run"));
            QDir().mkpath(home + QStringLiteral("/.local/share"));
            QDir().mkpath(runtime);
            QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            env.insert(QStringLiteral("HOME"), home);
            env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
            env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
            env.remove(QStringLiteral("DISPLAY"));
            env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        }
        const QString config
            = QStringLiteral("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
                             "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                             "<busconfig><type>session</type><listen>unix:path=%1</listen>"
                             "<auth>EXTERNAL</auth>%2"
                             "<limit name=\"service_start_timeout\">60000</limit>"
                             "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
                             "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n")
                  .arg(socket, services);
        const QString configPath = m_dir.filePath(QStringLiteral("bus.conf"));
        QFile file(configPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0)
            return;
        file.close();
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=") + socket);
        m_daemon.setProcessEnvironment(env);
        m_daemon.start(QStringLiteral("dbus-daemon"),
            {QStringLiteral("--config-file=") + configPath, QStringLiteral("--nofork"),
                QStringLiteral("--print-address=1")});
        if (!m_daemon.waitForStarted(5000) || !m_daemon.waitForReadyRead(10000))
            return;
        m_address = QString::fromUtf8(m_daemon.readLine()).trimmed();
    }
    ~PrivateBus()
    {
        if (m_daemon.state() != QProcess::NotRunning) {
            m_daemon.terminate();
            if (!m_daemon.waitForFinished(5000)) {
                m_daemon.kill();
                m_daemon.waitForFinished(5000);
            }
        }
    }
    Q_DISABLE_COPY_MOVE(PrivateBus)

    QString address() const { return m_address; }

private:
    QTemporaryDir m_dir;
    QProcess m_daemon;
    QString m_address;
};

} // namespace

class TestKeychainReal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writeReadRemoveRoundTrip();
    void binarySecretsRoundTrip();
    void secretToolSeesTheEntry();
    void masterKeyLoadOrCreateTwice();
    void concurrentCallersAreSerialised();
    void noSecretService_data();
    void noSecretService();
    void unansweredSecretServiceTimesOut();
    void lockedKeyringIsReported();
};

void TestKeychainReal::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("FLOWGATE_KEYRING"))
        QFAIL("this test needs a throw-away Secret Service: run it under scripts/with-keyring.sh (scripts/test.sh does)");
    QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"), "no session bus");
}

void TestKeychainReal::writeReadRemoveRoundTrip()
{
    KeychainSecretStore store;
    QCOMPARE(store.timeout(), 10000ms);
    const QString service = uniqueService();
    const QString account = QStringLiteral("round-trip");

    auto r = store.read(service, account);
    QVERIFY(!r.ok);
    QCOMPARE(r.error, Kind::NotFound);

    r = store.write(service, account, QByteArray("first secret"));
    QVERIFY2(r.ok, qPrintable(r.message));
    r = store.read(service, account);
    QVERIFY2(r.ok, qPrintable(r.message));
    QCOMPARE(r.secret, QByteArray("first secret"));

    QVERIFY(store.write(service, account, QByteArray("second secret")).ok);
    QCOMPARE(store.read(service, account).secret, QByteArray("second secret"));
    // Accounts are separate entries.
    QCOMPARE(store.read(service, QStringLiteral("another")).error, Kind::NotFound);

    r = store.remove(service, account);
    QVERIFY2(r.ok, qPrintable(r.message));
    r = store.read(service, account);
    QVERIFY(!r.ok);
    QCOMPARE(r.error, Kind::NotFound);
    QVERIFY2(r.message.contains(service), qPrintable(r.message));
    QVERIFY(store.remove(service, account).ok); // idempotent
}

void TestKeychainReal::binarySecretsRoundTrip()
{
    KeychainSecretStore store;
    const QString service = uniqueService();
    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(char(i)); // NUL, invalid UTF-8, everything
    QVERIFY(store.write(service, QStringLiteral("binary"), binary).ok);
    QCOMPARE(store.read(service, QStringLiteral("binary")).secret, binary);
    const QByteArray text = QStringLiteral("Grüße, 鍵 🔑").toUtf8();
    QVERIFY(store.write(service, QStringLiteral("text"), text).ok);
    QCOMPARE(store.read(service, QStringLiteral("text")).secret, text);
    QVERIFY(store.remove(service, QStringLiteral("binary")).ok);
    QVERIFY(store.remove(service, QStringLiteral("text")).ok);
}

void TestKeychainReal::secretToolSeesTheEntry()
{
    // Proves the secret really went to the Secret Service (not a file of
    // ours), under QtKeychain's schema: server=<service> user=<account>.
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (tool.isEmpty())
        QFAIL("secret-tool is missing: scripts/deps.sh installs libsecret-tools");
    KeychainSecretStore store;
    const QString service = uniqueService();
    QVERIFY(store.write(service, QStringLiteral("visible"), QByteArray("c2VjcmV0")).ok);
    QProcess lookup;
    lookup.start(tool,
        {QStringLiteral("lookup"), QStringLiteral("server"), service, QStringLiteral("user"),
            QStringLiteral("visible")});
    QVERIFY(lookup.waitForFinished(20000));
    QCOMPARE(lookup.exitCode(), 0);
    QCOMPARE(lookup.readAllStandardOutput().trimmed(), QByteArray("c2VjcmV0"));
    QVERIFY(store.remove(service, QStringLiteral("visible")).ok);
}

void TestKeychainReal::masterKeyLoadOrCreateTwice()
{
    KeychainSecretStore store;
    // A clean start in this throw-away keyring.
    QVERIFY(store.remove(MasterKeyManager::serviceName(), MasterKeyManager::accountName()).ok);

    MasterKeyManager manager(store);
    const auto missing = manager.load();
    QCOMPARE(missing.error, MasterKeyManager::Error::NotFound);
    QVERIFY(missing.message.contains(QLatin1String("master-key")));

    const auto first = manager.loadOrCreate();
    QVERIFY2(first.ok(), qPrintable(first.message));
    QVERIFY(first.created);
    const auto second = manager.loadOrCreate();
    QVERIFY2(second.ok(), qPrintable(second.message));
    QVERIFY(!second.created);
    QVERIFY(second.key.equals(first.key));

    // Another store object (same process-wide keychain thread) sees it too.
    KeychainSecretStore otherStore(3s);
    const auto loaded = MasterKeyManager(otherStore).load();
    QVERIFY2(loaded.ok(), qPrintable(loaded.message));
    QVERIFY(loaded.key.equals(first.key));
    QCOMPARE(loaded.keyId, first.keyId);

    // Stored as base64 text under server=Flowgate user=master-key.
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (!tool.isEmpty()) {
        QProcess lookup;
        lookup.start(tool,
            {QStringLiteral("lookup"), QStringLiteral("server"), QStringLiteral("Flowgate"), QStringLiteral("user"),
                QStringLiteral("master-key")});
        QVERIFY(lookup.waitForFinished(20000));
        QCOMPARE(lookup.readAllStandardOutput().trimmed(), first.key.toByteArray().toBase64());
    }

    QVERIFY(store.remove(MasterKeyManager::serviceName(), MasterKeyManager::accountName()).ok);
    QCOMPARE(manager.load().error, MasterKeyManager::Error::NotFound);
}

void TestKeychainReal::concurrentCallersAreSerialised()
{
    KeychainSecretStore store;
    const QString service = uniqueService();
    constexpr int kThreads = 6;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            const QString account = QStringLiteral("thread-%1").arg(i);
            const QByteArray secret = QByteArray("secret-") + QByteArray::number(i);
            for (int round = 0; round < 3; ++round) {
                if (!store.write(service, account, secret).ok)
                    ++failures;
                const auto r = store.read(service, account);
                if (!r.ok || r.secret != secret)
                    ++failures;
            }
            if (!store.remove(service, account).ok)
                ++failures;
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(failures.load(), 0);
}

void TestKeychainReal::noSecretService_data()
{
    QTest::addColumn<QString>("setup");
    QTest::newRow("session bus address unreachable") << QStringLiteral("unreachable");
    QTest::newRow("no session bus at all") << QStringLiteral("nobus");
    QTest::newRow("session bus disabled") << QStringLiteral("disabled");
    QTest::newRow("bus without a Secret Service") << QStringLiteral("emptybus");
}

void TestKeychainReal::noSecretService()
{
    QFETCH(QString, setup);
    QTemporaryDir runtime; // a fresh XDG_RUNTIME_DIR: no "bus" socket in it
    QVERIFY(runtime.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));

    std::unique_ptr<PrivateBus> bus;
    if (setup == QLatin1String("unreachable")) {
        env.insert(
            QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/flowgate-test-bus"));
    } else if (setup == QLatin1String("disabled")) {
        // What scripts/test.sh exports for every other test.
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("disabled:"));
    } else if (setup == QLatin1String("nobus")) {
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    } else {
        bus = std::make_unique<PrivateBus>(PrivateBus::Mode::Empty);
        QVERIFY2(!bus->address().isEmpty(), "could not start a private dbus-daemon");
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), bus->address());
    }

    constexpr int kTimeoutMs = 8000;
    const ProbeResult probe = runChild(env, kTimeoutMs);
    QVERIFY2(probe.finished, "the probe hung");
    QVERIFY2(probe.values.contains(QStringLiteral("read.kind")), qPrintable(probe.stderrText));
    qInfo("%s: %s", qPrintable(setup), qPrintable(probe.values.value(QStringLiteral("read.message"))));

    QCOMPARE(probe.values.value(QStringLiteral("read.ok")), QStringLiteral("0"));
    QCOMPARE(probe.values.value(QStringLiteral("read.kind")).toInt(), int(Kind::NoService));
    // An answer, not a timeout: well within the store's timeout.
    QVERIFY2(probe.values.value(QStringLiteral("read.ms")).toLongLong() < kTimeoutMs / 2,
        qPrintable(probe.values.value(QStringLiteral("read.ms"))));
    const QString readMessage = probe.values.value(QStringLiteral("read.message"));
    QVERIFY2(readMessage.contains(QLatin1String("passphrase")), qPrintable(readMessage));
    QVERIFY2(readMessage.contains(QLatin1String("Secret Service")), qPrintable(readMessage));

    QCOMPARE(probe.values.value(QStringLiteral("key.ok")), QStringLiteral("0"));
    QCOMPARE(probe.values.value(QStringLiteral("key.error")).toInt(), int(MasterKeyManager::Error::NoService));
    const QString keyMessage = probe.values.value(QStringLiteral("key.message"));
    QVERIFY2(keyMessage.contains(QLatin1String("master-key")), qPrintable(keyMessage));
    QVERIFY2(keyMessage.contains(QLatin1String("passphrase")), qPrintable(keyMessage));
}

void TestKeychainReal::unansweredSecretServiceTimesOut()
{
    PrivateBus bus(PrivateBus::Mode::Hanging);
    QVERIFY2(!bus.address().isEmpty(), "could not start a private dbus-daemon");
    QTemporaryDir runtime;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), bus.address());

    constexpr int kTimeoutMs = 1500;
    const ProbeResult probe = runChild(env, kTimeoutMs);
    QVERIFY2(probe.finished, "the probe hung");
    QVERIFY2(probe.values.contains(QStringLiteral("read.kind")), qPrintable(probe.stderrText));
    qInfo("hanging service: %s (read took %s ms)", qPrintable(probe.values.value(QStringLiteral("read.message"))),
        qPrintable(probe.values.value(QStringLiteral("read.ms"))));
    QCOMPARE(probe.values.value(QStringLiteral("read.kind")).toInt(), int(Kind::Timeout));
    const qint64 ms = probe.values.value(QStringLiteral("read.ms")).toLongLong();
    QVERIFY2(ms >= kTimeoutMs - 50 && ms < kTimeoutMs + 2000, qPrintable(QString::number(ms)));
    QVERIFY(probe.values.value(QStringLiteral("read.message")).contains(QLatin1String("passphrase")));
    // The manager's call queues behind the stuck one and times out too.
    QCOMPARE(probe.values.value(QStringLiteral("key.error")).toInt(), int(MasterKeyManager::Error::Timeout));
    // Two timeouts and process start-up, no hang.
    QVERIFY2(probe.wallMs < 4 * kTimeoutMs + 5000, qPrintable(QString::number(probe.wallMs)));
}

void TestKeychainReal::lockedKeyringIsReported()
{
    if (QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon")).isEmpty())
        QFAIL("gnome-keyring is missing: scripts/deps.sh installs it");
    PrivateBus bus(PrivateBus::Mode::SystemServices);
    QVERIFY2(!bus.address().isEmpty(), "could not start a private dbus-daemon");
    QTemporaryDir runtime;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), bus.address());
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));

    constexpr int kTimeoutMs = 8000;
    const ProbeResult probe = runChild(env, kTimeoutMs);
    QVERIFY2(probe.finished, "the probe hung");
    QVERIFY2(probe.values.contains(QStringLiteral("key.error")), qPrintable(probe.stderrText));
    qInfo("locked keyring: read: %s / create: %s", qPrintable(probe.values.value(QStringLiteral("read.message"))),
        qPrintable(probe.values.value(QStringLiteral("key.message"))));
    // Nothing can be stored in a keyring nobody unlocked: Locked, with advice.
    QCOMPARE(probe.values.value(QStringLiteral("key.ok")), QStringLiteral("0"));
    QCOMPARE(probe.values.value(QStringLiteral("key.error")).toInt(), int(MasterKeyManager::Error::Locked));
    QVERIFY(probe.values.value(QStringLiteral("key.message")).contains(QLatin1String("passphrase")));
}

int main(int argc, char **argv)
{
    if (argc > 1 && qstrcmp(argv[1], kProbeArg) == 0)
        return runProbe(argc, argv);
    QCoreApplication app(argc, argv);
    TestKeychainReal test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychain_real.moc"
