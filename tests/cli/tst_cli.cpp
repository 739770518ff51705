// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// End-to-end tests of flowgate-cli: every case runs the built binary
// (FLOWGATE_CLI) in a fresh temporary folder and checks what a user sees —
// exit codes, messages, files, the --json report — and, for the compatible
// mode, that zstd, gzip, lz4 and xz themselves decompress what it wrote.
// No keychain: encryption always uses --passphrase-file, and the session bus
// is disabled so nothing can reach a real Secret Service.

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

#include <sys/stat.h>
#include <sys/time.h>

#ifndef FLOWGATE_CLI
#error "FLOWGATE_CLI must name the flowgate-cli binary under test"
#endif

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitInput = 3;
constexpr int kExitDataIntegrity = 4;
constexpr int kExitIo = 5;

struct Result
{
    bool finished = false; ///< exited on its own within the time allowed
    int code = -1;         ///< exit code (-1: crashed or killed)
    QByteArray out;
    QByteArray err;
    QStringList args;
};

QString describe(const Result &r, int expected)
{
    QString s = QStringLiteral("flowgate-cli %1\n").arg(r.args.join(u' '));
    if (!r.finished)
        s += QStringLiteral("  did not finish in time (killed)\n");
    else
        s += QStringLiteral("  expected exit code %1, got %2\n").arg(expected).arg(r.code);
    s += QStringLiteral("  stdout: %1\n  stderr: %2").arg(QString::fromUtf8(r.out.left(4000)), QString::fromUtf8(r.err.left(4000)));
    return s;
}

#define EXPECT_EXIT(result, expected)                                                                           \
    do {                                                                                                         \
        const Result &r_ = (result);                                                                             \
        QVERIFY2(r_.finished && r_.code == (expected), qPrintable(describe(r_, (expected))));                   \
    } while (false)

#define EXPECT_CONTAINS(haystack, needle, result)                                                                \
    QVERIFY2(QString::fromUtf8(haystack).contains(needle),                                                       \
             qPrintable(QStringLiteral("expected \"%1\" in the output of\n%2").arg(needle, describe((result), (result).code))))

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray b(size, Qt::Uninitialized);
    QRandomGenerator gen(seed);
    qsizetype i = 0;
    for (; i + 4 <= size; i += 4) {
        const quint32 v = gen.generate();
        std::memcpy(b.data() + i, &v, 4);
    }
    for (; i < size; ++i)
        b[i] = char(gen.generate() & 0xff);
    return b;
}

QByteArray compressibleBytes(qsizetype size)
{
    QByteArray b;
    b.reserve(size + 64);
    for (int line = 0; b.size() < size; ++line)
        b += "line " + QByteArray::number(line) + " of a fairly compressible text, repeated with a counter\n";
    b.truncate(size);
    return b;
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;

    QString path(const QString &name) const { return m_dir->filePath(name); }

    void writeFile(const QString &name, const QByteArray &data)
    {
        const QString p = path(name);
        QDir().mkpath(QFileInfo(p).absolutePath());
        QFile f(p);
        QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(f.errorString()));
        QCOMPARE(f.write(data), data.size());
    }

    QByteArray readFile(const QString &name) const
    {
        QFile f(QFileInfo(name).isAbsolute() ? name : path(name));
        if (!f.open(QIODevice::ReadOnly))
            return QByteArray("<cannot read ") + f.fileName().toUtf8() + '>';
        return f.readAll();
    }

    bool exists(const QString &name) const { return QFileInfo::exists(path(name)); }

    /// Every file under a folder (relative paths, sorted), hidden ones included.
    QStringList filesUnder(const QString &name) const
    {
        QStringList out;
        const QDir base(path(name));
        QDirIterator it(base.path(), QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            out.append(base.relativeFilePath(it.next()));
        out.sort();
        return out;
    }

    Result run(const QStringList &args, int timeoutMs = 120'000, const QByteArray &stdinData = {})
    {
        Result r;
        r.args = args;
        QProcess p;
        p.setProgram(QStringLiteral(FLOWGATE_CLI));
        p.setArguments(args);
        p.setWorkingDirectory(m_dir->path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("disabled:"));
        p.setProcessEnvironment(env);
        if (stdinData.isEmpty())
            p.setStandardInputFile(QProcess::nullDevice());
        p.start();
        if (!p.waitForStarted(30'000)) {
            r.err = "could not start " FLOWGATE_CLI ": " + p.errorString().toUtf8();
            return r;
        }
        if (!stdinData.isEmpty()) {
            p.write(stdinData);
            p.closeWriteChannel();
        }
        r.finished = p.waitForFinished(timeoutMs);
        if (!r.finished) {
            p.kill();
            p.waitForFinished(10'000);
        }
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return r;
    }

    /// What `sha256sum FILE` prints for the file (its first field).
    QString sha256sum(const QString &name)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir->path());
        p.start(QStringLiteral("sha256sum"), {QStringLiteral("--"), name});
        if (!p.waitForFinished(60'000) || p.exitCode() != 0)
            return QStringLiteral("<sha256sum failed: %1>").arg(QString::fromUtf8(p.readAllStandardError()));
        return QString::fromLatin1(p.readAllStandardOutput()).section(u' ', 0, 0);
    }

    /// Runs a standard tool (zstd -d -c FILE ...) and returns its standard output.
    QByteArray runTool(const QString &program, const QStringList &args, int *exitCode)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir->path());
        p.start(program, args);
        if (!p.waitForStarted(30'000)) {
            *exitCode = -2;
            return {};
        }
        p.closeWriteChannel();
        if (!p.waitForFinished(120'000)) {
            p.kill();
            p.waitForFinished();
            *exitCode = -3;
            return {};
        }
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return p.readAllStandardOutput();
    }

    void flipByte(const QString &name, qint64 offset)
    {
        QFile f(path(name));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(offset));
        char c = 0;
        QVERIFY(f.getChar(&c));
        QVERIFY(f.seek(offset));
        QVERIFY(f.putChar(char(c ^ 0x5a)));
    }

    QJsonObject parseJson(const Result &r)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            QTest::qFail(qPrintable(QStringLiteral("stdout is not one JSON object (%1 at %2)\n%3")
                                        .arg(error.errorString())
                                        .arg(error.offset)
                                        .arg(describe(r, r.code))),
                         __FILE__, __LINE__);
            return {};
        }
        return doc.object();
    }

    /// The --json entry whose "input" ends with the given name.
    static QJsonObject entryFor(const QJsonObject &root, const QString &inputName)
    {
        const QJsonArray files = root.value(u"files").toArray();
        for (const QJsonValue &v : files) {
            const QJsonObject o = v.toObject();
            if (o.value(u"input").toString().endsWith(u'/' + inputName))
                return o;
        }
        return {};
    }

    const QString m_pass = QStringLiteral("pass.txt");
    QStringList passArgs() const { return {QStringLiteral("--passphrase-file"), m_pass}; }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        writeFile(m_pass, "correct horse battery staple\n");
    }
    void cleanup() { m_dir.reset(); }

    // --- help and version ----------------------------------------------------------------------

    void helpMentionsEveryCommandAndTheExitCodes()
    {
        const Result r = run({QStringLiteral("--help")});
        EXPECT_EXIT(r, kExitOk);
        const QString help = QString::fromUtf8(r.out);
        for (const char *command : {"pack", "restore", "verify", "bench", "key", "governor-demo"})
            QVERIFY2(help.contains(QRegularExpression(QStringLiteral("^\\s+%1\\s").arg(QLatin1String(command)),
                                                      QRegularExpression::MultilineOption)),
                     command);
        QVERIFY(help.contains(u"Exit codes"));
        for (const char *code : {"0", "2", "3", "4", "5", "6"})
            QVERIFY2(help.contains(QRegularExpression(QStringLiteral("^\\s+%1\\s+\\S").arg(QLatin1String(code)),
                                                      QRegularExpression::MultilineOption)),
                     code);
        QVERIFY(help.contains(u"--passphrase-file"));
        // help, -h, and no command at all (usage on stderr, exit 2).
        EXPECT_EXIT(run({QStringLiteral("-h")}), kExitOk);
        const Result none = run({});
        EXPECT_EXIT(none, kExitUsage);
        EXPECT_CONTAINS(none.err, QStringLiteral("Exit codes"), none);
        const Result unknown = run({QStringLiteral("frobnicate")});
        EXPECT_EXIT(unknown, kExitUsage);
        EXPECT_CONTAINS(unknown.err, QStringLiteral("frobnicate"), unknown);
    }

    void commandHelp_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("pack") << QStringLiteral("pack") << QStringLiteral("--compatible");
        QTest::newRow("restore") << QStringLiteral("restore") << QStringLiteral("--force");
        QTest::newRow("verify") << QStringLiteral("verify") << QStringLiteral("--passphrase-file");
        QTest::newRow("bench") << QStringLiteral("bench") << QStringLiteral("--");
        QTest::newRow("key") << QStringLiteral("key") << QStringLiteral("export");
        QTest::newRow("governor-demo") << QStringLiteral("governor-demo") << QStringLiteral("--cpu-tokens");
    }
    void commandHelp()
    {
        QFETCH(QString, command);
        QFETCH(QString, mentions);
        const Result r = run({command, QStringLiteral("--help")});
        EXPECT_EXIT(r, kExitOk);
        EXPECT_CONTAINS(r.out, mentions, r);
        // The usage line names the command as it is typed, not the binary's path.
        QVERIFY2(QString::fromUtf8(r.out).startsWith(QStringLiteral("Usage: flowgate-cli ") + command + u' '), r.out.left(200).constData());
    }

    void version()
    {
        const Result r = run({QStringLiteral("--version")});
        EXPECT_EXIT(r, kExitOk);
        QCOMPARE(QString::fromUtf8(r.out).trimmed(), QStringLiteral("flowgate-cli " FLOWGATE_EXPECTED_VERSION));
        EXPECT_EXIT(run({QStringLiteral("-v")}), kExitOk);
    }

    // --- bench ---------------------------------------------------------------------------------

    void benchPrintsEveryStageAndBothLimits()
    {
        const Result r = run({QStringLiteral("bench"), QStringLiteral("--size"), QStringLiteral("2"),
            QStringLiteral("--chunk-size"), QStringLiteral("1"), QStringLiteral("--rounds"), QStringLiteral("3")});
        EXPECT_EXIT(r, kExitOk);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(u"median of 3 rounds"), r.out.constData());
        for (const char *stage : {"read (page cache)", "SHA-256", "compress zstd:3", "encrypt chacha20",
                 "write (page cache)", "decompress zstd"})
            QVERIFY2(out.contains(QRegularExpression(QStringLiteral("^  %1\\s+[1-9]\\d*\\s+[1-9]\\d*")
                                                         .arg(QRegularExpression::escape(QLatin1String(stage))),
                         QRegularExpression::MultilineOption)),
                stage);
        // Each limit from the median rounds, then from the best rounds: no
        // median round is faster than the best one.
        for (const char *job : {"pack", "restore"}) {
            const auto m = QRegularExpression(QStringLiteral("^  %1\\s+(\\d+)\\s+(\\d+)$").arg(QLatin1String(job)),
                QRegularExpression::MultilineOption)
                               .match(out);
            QVERIFY2(m.hasMatch(), job);
            const int median = m.captured(1).toInt();
            const int best = m.captured(2).toInt();
            QVERIFY2(median > 0 && median <= best, qPrintable(m.captured(0)));
        }
        // One round: its time is both the median and the best.
        const Result one = run({QStringLiteral("bench"), QStringLiteral("--size"), QStringLiteral("2"),
            QStringLiteral("--chunk-size"), QStringLiteral("1"), QStringLiteral("--rounds"), QStringLiteral("1")});
        EXPECT_EXIT(one, kExitOk);
        const auto limits
            = QRegularExpression(QStringLiteral("^  pack\\s+(\\d+)\\s+(\\d+)$"), QRegularExpression::MultilineOption)
                  .match(QString::fromUtf8(one.out));
        QVERIFY2(limits.hasMatch() && limits.captured(1) == limits.captured(2), one.out.constData());
        for (const char *rounds : {"0", "100", "many"}) {
            const Result bad = run({QStringLiteral("bench"), QStringLiteral("--rounds"), QLatin1String(rounds)});
            EXPECT_EXIT(bad, kExitUsage);
            EXPECT_CONTAINS(bad.err, QStringLiteral("bad option value"), bad);
        }
    }

    void benchMakesTheCorpus()
    {
        const QString corpus = m_dir->filePath(QStringLiteral("corpus.bin"));
        const Result r = run({QStringLiteral("bench"), QStringLiteral("--make-corpus"), corpus,
            QStringLiteral("--size"), QStringLiteral("3")});
        EXPECT_EXIT(r, kExitOk);
        QCOMPARE(QFileInfo(corpus).size(), 3 * 1024 * 1024);
        // Deterministic for a given system: the same corpus twice.
        const QString again = m_dir->filePath(QStringLiteral("again.bin"));
        EXPECT_EXIT(run({QStringLiteral("bench"), QStringLiteral("--make-corpus"), again, QStringLiteral("--size"),
                        QStringLiteral("3")}),
            kExitOk);
        QFile a(corpus), b(again);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        const QByteArray bytes = a.readAll();
        QVERIFY(bytes == b.readAll());
        QVERIFY(bytes.count('\0') < bytes.size()); // real files, not zeros
    }

    // --- exit codes ----------------------------------------------------------------------------

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        const auto row = [](const char *name, QStringList args, const char *mentions) {
            args.append(QStringLiteral("in.txt"));
            QTest::newRow(name) << args << QString::fromUtf8(mentions);
        };
        row("unknown option", {QStringLiteral("pack"), QStringLiteral("--bogus")}, "bogus");
        row("codec level out of range", {QStringLiteral("pack"), QStringLiteral("--codec"), QStringLiteral("zstd:42")}, "42");
        row("unknown codec", {QStringLiteral("pack"), QStringLiteral("--codec"), QStringLiteral("brotli")}, "brotli");
        row("bad storage", {QStringLiteral("pack"), QStringLiteral("--storage"), QStringLiteral("floppy")}, "floppy");
        row("bad cipher", {QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("rot13")}, "rot13");
        row("chunk size too small", {QStringLiteral("pack"), QStringLiteral("--chunk-size"), QStringLiteral("1K")}, "chunk-size");
        row("zero cpu tokens", {QStringLiteral("pack"), QStringLiteral("--cpu-tokens"), QStringLiteral("0")}, "cpu-tokens");
        row("bad memory limit", {QStringLiteral("pack"), QStringLiteral("--memory-limit"), QStringLiteral("lots")}, "lots");
        row("compatible and encrypted",
            {QStringLiteral("pack"), QStringLiteral("--compatible"), QStringLiteral("--cipher"), QStringLiteral("chacha20")},
            "compatible");
        row("restore: unknown option", {QStringLiteral("restore"), QStringLiteral("--codec"), QStringLiteral("zstd")}, "codec");
        row("verify: bad storage", {QStringLiteral("verify"), QStringLiteral("--storage"), QStringLiteral("-3")}, "storage");
        QTest::newRow("no paths") << QStringList{QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("none")}
                                  << QStringLiteral("nothing to do");
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        writeFile(QStringLiteral("in.txt"), "some input\n");
        const Result r = run(args);
        EXPECT_EXIT(r, kExitUsage);
        EXPECT_CONTAINS(r.err, mentions, r);
        QCOMPARE(filesUnder(QStringLiteral(".")), QStringList({QStringLiteral("in.txt"), m_pass}));
    }

    void inputErrors()
    {
        // A missing file: exit 3, named.
        Result r = run({QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("none"), QStringLiteral("nothere.txt")});
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("nothere.txt"), r);

        // A folder with no containers in it, given to restore and verify.
        writeFile(QStringLiteral("plain/sub/a.txt"), "not a container\n");
        r = run(QStringList{QStringLiteral("restore"), QStringLiteral("-o"), QStringLiteral("out"), QStringLiteral("plain")} + passArgs());
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("plain"), r);
        QVERIFY(filesUnder(QStringLiteral("out")).isEmpty());
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("plain")} + passArgs());
        EXPECT_EXIT(r, kExitInput);

        // A FIFO given to pack: refused at once (nobody ever writes to it).
        const QByteArray fifo = QFile::encodeName(path(QStringLiteral("fifo")));
        QCOMPARE(::mkfifo(fifo.constData(), 0600), 0);
        r = run({QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("none"), QStringLiteral("fifo")}, 30'000);
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("fifo"), r);
        QVERIFY2(r.err.contains("FIFO") || r.err.contains("pipe"), r.err.constData());
        QVERIFY(!exists(QStringLiteral("fifo.fgc")));

        // A missing or empty passphrase file.
        writeFile(QStringLiteral("in.txt"), "x");
        r = run({QStringLiteral("pack"), QStringLiteral("--passphrase-file"), QStringLiteral("nopass.txt"), QStringLiteral("in.txt")});
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("nopass.txt"), r);
        writeFile(QStringLiteral("empty-pass.txt"), "\n");
        r = run({QStringLiteral("pack"), QStringLiteral("--passphrase-file"), QStringLiteral("empty-pass.txt"), QStringLiteral("in.txt")});
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("empty"), r);

        // Encryption with no key: no keychain here (the bus is disabled), so
        // the message suggests the passphrase, and nothing is written.
        r = run({QStringLiteral("pack"), QStringLiteral("in.txt")});
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("--passphrase-file"), r);
        QVERIFY(!exists(QStringLiteral("in.txt.fgc")));
        // A folder: the run starts while the keychain is asked, and when no
        // key comes nothing of it stays, not even the folders made for outputs.
        writeFile(QStringLiteral("tree/sub/deep.txt"), compressibleBytes(300'000));
        writeFile(QStringLiteral("tree/top.txt"), "top\n");
        QVERIFY(QDir().mkpath(path(QStringLiteral("keyless"))));
        r = run({QStringLiteral("pack"), QStringLiteral("-o"), QStringLiteral("keyless"), QStringLiteral("tree")});
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("--passphrase-file"), r);
        QVERIFY2(!r.err.contains("Resources:"), r.err.constData());
        const QDir keyless(path(QStringLiteral("keyless")));
        QCOMPARE(keyless.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());

        // A passphrase container restored without the passphrase: a key
        // problem (exit 3), not a corrupt container.
        EXPECT_EXIT(run(QStringList{QStringLiteral("pack"), QStringLiteral("-o"), QStringLiteral("p"), QStringLiteral("in.txt")} + passArgs()), kExitOk);
        r = run({QStringLiteral("verify"), QStringLiteral("p/in.txt.fgc")});
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("passphrase"), r);
    }

    void dataIntegrityErrors()
    {
        // 5 chunks of 64 KiB, encrypted; and the same unencrypted.
        writeFile(QStringLiteral("data.bin"), randomBytes(150 * 1024, 1) + compressibleBytes(150 * 1024));
        EXPECT_EXIT(run(QStringList{QStringLiteral("pack"), QStringLiteral("--chunk-size"), QStringLiteral("64K"), QStringLiteral("-o"),
                                    QStringLiteral("enc"), QStringLiteral("data.bin")}
                        + passArgs()),
                    kExitOk);
        EXPECT_EXIT(run({QStringLiteral("pack"), QStringLiteral("--chunk-size"), QStringLiteral("64K"), QStringLiteral("--cipher"),
                         QStringLiteral("none"), QStringLiteral("-o"), QStringLiteral("plain"), QStringLiteral("data.bin")}),
                    kExitOk);
        EXPECT_EXIT(run(QStringList{QStringLiteral("verify"), QStringLiteral("enc/data.bin.fgc")} + passArgs()), kExitOk);
        EXPECT_EXIT(run({QStringLiteral("verify"), QStringLiteral("plain/data.bin.fgc")}), kExitOk);
        const QByteArray good = readFile(QStringLiteral("enc/data.bin.fgc"));

        // One flipped byte in the middle of an encrypted container.
        writeFile(QStringLiteral("flipped.fgc"), good);
        flipByte(QStringLiteral("flipped.fgc"), good.size() / 2);
        Result r = run(QStringList{QStringLiteral("verify"), QStringLiteral("flipped.fgc")} + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("flipped.fgc"), r);
        // ... restore refuses it too and leaves nothing behind.
        r = run(QStringList{QStringLiteral("restore"), QStringLiteral("-o"), QStringLiteral("restored"), QStringLiteral("flipped.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("flipped.fgc"), r);
        QCOMPARE(filesUnder(QStringLiteral("restored")), QStringList());

        // The same in an unencrypted container (CRC-32 per chunk).
        writeFile(QStringLiteral("plainflip.fgc"), readFile(QStringLiteral("plain/data.bin.fgc")));
        flipByte(QStringLiteral("plainflip.fgc"), QFileInfo(path(QStringLiteral("plainflip.fgc"))).size() / 2);
        r = run({QStringLiteral("verify"), QStringLiteral("plainflip.fgc")});
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("plainflip.fgc"), r);

        // The wrong passphrase.
        writeFile(QStringLiteral("wrong.txt"), "Tr0ub4dor&3\n");
        r = run({QStringLiteral("verify"), QStringLiteral("--passphrase-file"), QStringLiteral("wrong.txt"), QStringLiteral("enc/data.bin.fgc")});
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("data.bin.fgc"), r);
        EXPECT_CONTAINS(r.err, QStringLiteral("passphrase"), r);

        // Truncated.
        writeFile(QStringLiteral("short.fgc"), good.left(good.size() - 10));
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("short.fgc")} + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("short.fgc"), r);

        // Not a container at all.
        writeFile(QStringLiteral("notone.fgc"), compressibleBytes(1000));
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("notone.fgc")} + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("not a Flowgate container"), r);

        // The original container was never touched by any of this.
        QCOMPARE(readFile(QStringLiteral("enc/data.bin.fgc")), good);
    }

    void ioErrors()
    {
        const QByteArray original = compressibleBytes(100'000);
        writeFile(QStringLiteral("doc.txt"), original);
        EXPECT_EXIT(run(QStringList{QStringLiteral("pack"), QStringLiteral("-o"), QStringLiteral("packed"), QStringLiteral("doc.txt")}
                        + passArgs()),
                    kExitOk);

        // Restore onto an existing file: refused without --force, the file kept.
        writeFile(QStringLiteral("restored/doc.txt"), "precious edits\n");
        Result r = run(QStringList{QStringLiteral("restore"), QStringLiteral("-o"), QStringLiteral("restored"), QStringLiteral("packed/doc.txt.fgc")}
                       + passArgs());
        EXPECT_EXIT(r, kExitIo);
        EXPECT_CONTAINS(r.err, QStringLiteral("already exists"), r);
        EXPECT_CONTAINS(r.err, QStringLiteral("--force"), r);
        QCOMPARE(readFile(QStringLiteral("restored/doc.txt")), QByteArray("precious edits\n"));
        QCOMPARE(filesUnder(QStringLiteral("restored")), QStringList{QStringLiteral("doc.txt")});
        // ... and replaced with it.
        r = run(QStringList{QStringLiteral("restore"), QStringLiteral("--force"), QStringLiteral("-o"), QStringLiteral("restored"),
                            QStringLiteral("packed/doc.txt.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitOk);
        QCOMPARE(readFile(QStringLiteral("restored/doc.txt")), original);
        QCOMPARE(filesUnder(QStringLiteral("restored")), QStringList{QStringLiteral("doc.txt")});

        // Pack onto an existing container: the same rule.
        const QByteArray container = readFile(QStringLiteral("packed/doc.txt.fgc"));
        r = run(QStringList{QStringLiteral("pack"), QStringLiteral("-o"), QStringLiteral("packed"), QStringLiteral("doc.txt")} + passArgs());
        EXPECT_EXIT(r, kExitIo);
        QCOMPARE(readFile(QStringLiteral("packed/doc.txt.fgc")), container);
        r = run(QStringList{QStringLiteral("pack"), QStringLiteral("--force"), QStringLiteral("-o"), QStringLiteral("packed"),
                            QStringLiteral("doc.txt")}
                + passArgs());
        EXPECT_EXIT(r, kExitOk);
        QVERIFY(readFile(QStringLiteral("packed/doc.txt.fgc")) != container); // new salts
        QCOMPARE(filesUnder(QStringLiteral("packed")), QStringList{QStringLiteral("doc.txt.fgc")});

        // An output folder that cannot be made (a file is in the way).
        writeFile(QStringLiteral("blocker"), "x");
        r = run({QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("none"), QStringLiteral("-o"),
                 QStringLiteral("blocker/out"), QStringLiteral("doc.txt")});
        EXPECT_EXIT(r, kExitIo);
        EXPECT_CONTAINS(r.err, QStringLiteral("blocker/out"), r);
    }

    /// One bad input among good ones: the good ones are done, the exit code
    /// reports the bad one.
    void otherFilesCarryOn()
    {
        const QByteArray one = randomBytes(200'000, 7);
        const QByteArray two = compressibleBytes(300'000);
        writeFile(QStringLiteral("one.bin"), one);
        writeFile(QStringLiteral("two.txt"), two);
        QCOMPARE(::mkfifo(QFile::encodeName(path(QStringLiteral("pipe"))).constData(), 0600), 0);

        // pack: good, FIFO, good.
        Result r = run(QStringList{QStringLiteral("pack"), QStringLiteral("-o"), QStringLiteral("packed"), QStringLiteral("one.bin"),
                                   QStringLiteral("pipe"), QStringLiteral("two.txt")}
                           + passArgs(),
                       60'000);
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("pipe"), r);
        QCOMPARE(filesUnder(QStringLiteral("packed")), QStringList({QStringLiteral("one.bin.fgc"), QStringLiteral("two.txt.fgc")}));
        EXPECT_CONTAINS(r.out, QStringLiteral("one.bin.fgc"), r);
        EXPECT_CONTAINS(r.out, QStringLiteral("two.txt.fgc"), r);

        // pack: a missing path among good ones.
        r = run({QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("none"), QStringLiteral("-o"), QStringLiteral("plain"),
                 QStringLiteral("one.bin"), QStringLiteral("missing.bin"), QStringLiteral("two.txt")});
        EXPECT_EXIT(r, kExitInput);
        EXPECT_CONTAINS(r.err, QStringLiteral("missing.bin"), r);
        QCOMPARE(filesUnder(QStringLiteral("plain")), QStringList({QStringLiteral("one.bin.fgc"), QStringLiteral("two.txt.fgc")}));

        // verify and restore: good, corrupt, good.
        writeFile(QStringLiteral("packed/bad.bin.fgc"), readFile(QStringLiteral("packed/one.bin.fgc")));
        flipByte(QStringLiteral("packed/bad.bin.fgc"), 150'000);
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("packed/one.bin.fgc"), QStringLiteral("packed/bad.bin.fgc"),
                            QStringLiteral("packed/two.txt.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("bad.bin.fgc"), r);
        EXPECT_CONTAINS(r.out, QStringLiteral("one.bin.fgc: OK"), r);
        EXPECT_CONTAINS(r.out, QStringLiteral("two.txt.fgc: OK"), r);
        QVERIFY(!r.out.contains("bad.bin.fgc"));

        r = run(QStringList{QStringLiteral("restore"), QStringLiteral("-o"), QStringLiteral("restored"), QStringLiteral("packed/one.bin.fgc"),
                            QStringLiteral("packed/bad.bin.fgc"), QStringLiteral("packed/two.txt.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        // bad.bin.fgc holds the name "one.bin" too: it must not have replaced
        // the good one, whichever finished first.
        QCOMPARE(filesUnder(QStringLiteral("restored")), QStringList({QStringLiteral("one.bin"), QStringLiteral("two.txt")}));
        QCOMPARE(readFile(QStringLiteral("restored/one.bin")), one);
        QCOMPARE(readFile(QStringLiteral("restored/two.txt")), two);

        // The worst error wins: a missing input (3) and a corrupt container (4) give 4.
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("packed/nothere.fgc"), QStringLiteral("packed/bad.bin.fgc"),
                            QStringLiteral("packed/two.txt.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        EXPECT_CONTAINS(r.err, QStringLiteral("nothere.fgc"), r);
    }

    // --- --json ------------------------------------------------------------------------------

    void jsonReport()
    {
        writeFile(QStringLiteral("empty.txt"), {});
        writeFile(QStringLiteral("one.txt"), "x");
        const QByteArray multi = compressibleBytes(180'000) + randomBytes(100'000, 3);
        writeFile(QStringLiteral("multi.bin"), multi);
        const QStringList names = {QStringLiteral("empty.txt"), QStringLiteral("one.txt"), QStringLiteral("multi.bin")};

        Result r = run(QStringList{QStringLiteral("pack"), QStringLiteral("--json"), QStringLiteral("--chunk-size"), QStringLiteral("64K"),
                                   QStringLiteral("-o"), QStringLiteral("packed")}
                       + passArgs() + names);
        EXPECT_EXIT(r, kExitOk);
        QJsonObject root = parseJson(r);
        QCOMPARE(root.value(u"command").toString(), QStringLiteral("pack"));
        QCOMPARE(root.value(u"exit_code").toInt(-1), 0);
        QCOMPARE(root.value(u"files").toArray().size(), 3);
        const QRegularExpression hex64(QStringLiteral("^[0-9a-f]{64}$"));
        for (const QString &name : names) {
            const QJsonObject o = entryFor(root, name);
            QVERIFY2(!o.isEmpty(), qPrintable(name));
            const qint64 size = QFileInfo(path(name)).size();
            const QString output = o.value(u"output").toString();
            QCOMPARE(output, path(QStringLiteral("packed/") + name + QStringLiteral(".fgc")));
            const qint64 outSize = QFileInfo(output).size();
            QCOMPARE(o.value(u"mode").toString(), QStringLiteral("pack"));
            QCOMPARE(o.value(u"state").toString(), QStringLiteral("done"));
            QCOMPARE(qint64(o.value(u"original_size").toDouble(-1)), size);
            QCOMPARE(qint64(o.value(u"input_size").toDouble(-1)), size);
            QCOMPARE(qint64(o.value(u"output_size").toDouble(-1)), outSize);
            QVERIFY(o.value(u"ratio").isDouble());
            if (size > 0)
                QVERIFY2(qAbs(o.value(u"ratio").toDouble() - double(outSize) / double(size)) < 1e-9, qPrintable(name));
            const QString sha = o.value(u"sha256").toString();
            QVERIFY2(hex64.match(sha).hasMatch(), qPrintable(sha));
            QCOMPARE(sha, sha256sum(name));
            QVERIFY(o.value(u"seconds").isDouble());
            QVERIFY(o.value(u"seconds").toDouble() >= 0.0);
            QVERIFY(o.value(u"error").isNull());
            QVERIFY(o.value(u"error_kind").isNull());
            QCOMPARE(qint64(o.value(u"chunk_size").toDouble()), qint64(64 * 1024));
            QCOMPARE(qint64(o.value(u"chunks").toDouble(-1)), (size + 64 * 1024 - 1) / (64 * 1024));
        }
        QCOMPARE(entryFor(root, QStringLiteral("empty.txt")).value(u"sha256").toString(),
                 QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

        // verify --json: one good, one corrupt.
        writeFile(QStringLiteral("packed/corrupt.fgc"), readFile(QStringLiteral("packed/multi.bin.fgc")));
        flipByte(QStringLiteral("packed/corrupt.fgc"), 100'000);
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("--json"), QStringLiteral("packed/multi.bin.fgc"),
                            QStringLiteral("packed/corrupt.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitDataIntegrity);
        root = parseJson(r);
        QCOMPARE(root.value(u"command").toString(), QStringLiteral("verify"));
        QCOMPARE(root.value(u"exit_code").toInt(-1), kExitDataIntegrity);
        const QJsonObject good = entryFor(root, QStringLiteral("multi.bin.fgc"));
        QCOMPARE(good.value(u"state").toString(), QStringLiteral("done"));
        QCOMPARE(good.value(u"sha256").toString(), sha256sum(QStringLiteral("multi.bin")));
        QCOMPARE(qint64(good.value(u"original_size").toDouble(-1)), qint64(multi.size()));
        QCOMPARE(qint64(good.value(u"input_size").toDouble(-1)), QFileInfo(path(QStringLiteral("packed/multi.bin.fgc"))).size());
        QVERIFY(good.value(u"output").isNull());
        QVERIFY(good.value(u"error").isNull());
        const QJsonObject bad = entryFor(root, QStringLiteral("corrupt.fgc"));
        QCOMPARE(bad.value(u"state").toString(), QStringLiteral("failed"));
        QCOMPARE(bad.value(u"error_kind").toString(), QStringLiteral("data-integrity"));
        QVERIFY2(bad.value(u"error").toString().contains(u"corrupt.fgc"), qPrintable(bad.value(u"error").toString()));
        QVERIFY(bad.value(u"sha256").isNull());

        // restore --json: the outputs, their sizes, the same SHA-256.
        r = run(QStringList{QStringLiteral("restore"), QStringLiteral("--json"), QStringLiteral("-o"), QStringLiteral("restored"),
                            QStringLiteral("packed/multi.bin.fgc"), QStringLiteral("packed/one.txt.fgc"), QStringLiteral("packed/empty.txt.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitOk);
        root = parseJson(r);
        for (const QString &name : names) {
            const QJsonObject o = entryFor(root, name + QStringLiteral(".fgc"));
            QCOMPARE(o.value(u"output").toString(), path(QStringLiteral("restored/") + name));
            QCOMPARE(qint64(o.value(u"output_size").toDouble(-1)), QFileInfo(path(name)).size());
            QCOMPARE(o.value(u"sha256").toString(), sha256sum(name));
            QCOMPARE(readFile(QStringLiteral("restored/") + name), readFile(name));
        }

        // A path that does not exist is in the report too, as an input error.
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("--json"), QStringLiteral("packed/one.txt.fgc"),
                            QStringLiteral("nowhere/gone.fgc")}
                + passArgs());
        EXPECT_EXIT(r, kExitInput);
        root = parseJson(r);
        QCOMPARE(root.value(u"exit_code").toInt(-1), kExitInput);
        QCOMPARE(root.value(u"files").toArray().size(), 2);
        QCOMPARE(entryFor(root, QStringLiteral("one.txt.fgc")).value(u"state").toString(), QStringLiteral("done"));
        const QJsonObject gone = entryFor(root, QStringLiteral("gone.fgc"));
        QCOMPARE(gone.value(u"input").toString(), QStringLiteral("nowhere/gone.fgc"));
        QCOMPARE(gone.value(u"mode").toString(), QStringLiteral("verify"));
        QCOMPARE(gone.value(u"state").toString(), QStringLiteral("failed"));
        QCOMPARE(gone.value(u"error_kind").toString(), QStringLiteral("input"));
        QCOMPARE(gone.value(u"error").toString(), QStringLiteral("no such file or folder"));

        // Nothing to do at all: still a report, with the exit code.
        r = run(QStringList{QStringLiteral("pack"), QStringLiteral("--json"), QStringLiteral("missing.txt")} + passArgs());
        EXPECT_EXIT(r, kExitInput);
        root = parseJson(r);
        QCOMPARE(root.value(u"command").toString(), QStringLiteral("pack"));
        QCOMPARE(root.value(u"exit_code").toInt(-1), kExitInput);
        QCOMPARE(root.value(u"files").toArray().size(), 1);
        const QJsonObject missing = root.value(u"files").toArray().at(0).toObject();
        QCOMPARE(missing.value(u"input").toString(), QStringLiteral("missing.txt"));
        QCOMPARE(missing.value(u"error_kind").toString(), QStringLiteral("input"));
    }

    // --- folders, output folders, metrics --------------------------------------------------------

    void foldersRecursively()
    {
        const QMap<QString, QByteArray> tree = {
            {QStringLiteral("src/a.txt"), compressibleBytes(5000)},
            {QStringLiteral("src/.hidden"), "hidden but packed\n"},
            {QStringLiteral("src/sub/b.bin"), randomBytes(70'000, 11)},
            {QStringLiteral("src/sub/empty.dat"), QByteArray()},
            {QStringLiteral("src/sub/deeper/c.txt"), compressibleBytes(90'000)},
        };
        for (auto it = tree.cbegin(); it != tree.cend(); ++it)
            writeFile(it.key(), it.value());
        const QByteArray cPath = QFile::encodeName(path(QStringLiteral("src/sub/deeper/c.txt")));
        QCOMPARE(::chmod(cPath.constData(), 0640), 0);
        struct timeval times[2] = {{1'000'000'000, 0}, {1'000'000'000, 250'000}}; // 2001-09-09
        QCOMPARE(::utimes(cPath.constData(), times), 0);

        // A FIFO and a broken link in the folder are skipped, and said so.
        const QByteArray fifo = QFile::encodeName(path(QStringLiteral("src/sub/pipe")));
        QCOMPARE(::mkfifo(fifo.constData(), 0600), 0);
        QVERIFY(QFile::link(path(QStringLiteral("src/nowhere")), path(QStringLiteral("src/broken-link"))));

        Result r = run(QStringList{QStringLiteral("pack"), QStringLiteral("-o"), QStringLiteral("packed"), QStringLiteral("src")} + passArgs());
        EXPECT_EXIT(r, kExitOk);
        QVERIFY2(!r.err.contains('\r'), "no progress display when standard error is not a terminal");
        QVERIFY2(r.err.contains(QStringLiteral("skipped %1: not a regular file").arg(path(QStringLiteral("src/sub/pipe"))).toUtf8()),
            r.err.constData());
        QVERIFY2(r.err.contains(QStringLiteral("skipped %1: not a regular file").arg(path(QStringLiteral("src/broken-link"))).toUtf8()),
            r.err.constData());
        // The summary counts the files (the skipped ones are not among them).
        const QString summary = QStringLiteral("%1 of %1 files packed in ").arg(tree.size());
        QVERIFY2(r.err.contains(summary.toUtf8()), r.err.constData());
        QStringList expected;
        for (auto it = tree.cbegin(); it != tree.cend(); ++it)
            expected.append(it.key() + QStringLiteral(".fgc"));
        expected.sort();
        QCOMPARE(filesUnder(QStringLiteral("packed")), expected);

        r = run(QStringList{QStringLiteral("restore"), QStringLiteral("-o"), QStringLiteral("restored"), QStringLiteral("packed/src")} + passArgs());
        EXPECT_EXIT(r, kExitOk);
        QStringList restoredExpected = tree.keys();
        restoredExpected.sort();
        QCOMPARE(filesUnder(QStringLiteral("restored")), restoredExpected);
        for (auto it = tree.cbegin(); it != tree.cend(); ++it)
            QVERIFY2(readFile(QStringLiteral("restored/") + it.key()) == it.value(), qPrintable(it.key()));
        const QFileInfo c(path(QStringLiteral("restored/src/sub/deeper/c.txt")));
        QCOMPARE(c.permissions() & (QFile::ReadUser | QFile::WriteUser | QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther),
                 QFile::ReadUser | QFile::WriteUser | QFile::ReadGroup);
        QCOMPARE(c.lastModified().toMSecsSinceEpoch(), qint64(1'000'000'000'250));

        // verify takes the folder too, and finds every container.
        r = run(QStringList{QStringLiteral("verify"), QStringLiteral("packed")} + passArgs());
        EXPECT_EXIT(r, kExitOk);
        QCOMPARE(r.out.count(": OK\n"), qsizetype(tree.size()));

        // Without -o: the output goes beside the input.
        writeFile(QStringLiteral("beside/x.txt"), "beside\n");
        r = run({QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("none"), QStringLiteral("beside/x.txt")});
        EXPECT_EXIT(r, kExitOk);
        QVERIFY2(r.err.contains("1 of 1 file packed in "), r.err.constData()); // one file: no plural
        QCOMPARE(filesUnder(QStringLiteral("beside")), QStringList({QStringLiteral("x.txt"), QStringLiteral("x.txt.fgc")}));
    }

    void metricsCsv()
    {
        writeFile(QStringLiteral("in.bin"), compressibleBytes(2'000'000));
        const Result r = run({QStringLiteral("pack"), QStringLiteral("--cipher"), QStringLiteral("none"), QStringLiteral("--metrics-csv"),
                              QStringLiteral("metrics.csv"), QStringLiteral("-o"), QStringLiteral("out"), QStringLiteral("in.bin")});
        EXPECT_EXIT(r, kExitOk);
        const QList<QByteArray> lines = readFile(QStringLiteral("metrics.csv")).trimmed().split('\n');
        QVERIFY2(lines.size() >= 2, "a header row and at least one data row");
        const QByteArray &header = lines.first();
        QVERIFY2(header.startsWith("elapsed_s,"), header.constData());
        QVERIFY(header.contains("cpu_tokens_total"));
        const qsizetype columns = header.count(',') + 1;
        QVERIFY(columns > 5);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            QCOMPARE(lines[i].count(',') + 1, columns);
            bool ok = false;
            lines[i].split(',').first().toDouble(&ok);
            QVERIFY2(ok, lines[i].constData());
        }
    }

    // --- compatible mode: the standard tools read what Flowgate wrote ---------------------------

    void compatibleMode_data()
    {
        QTest::addColumn<QString>("codec");
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QString>("extension");
        QTest::newRow("zstd") << QStringLiteral("zstd") << QStringLiteral("zstd") << QStringLiteral(".zst");
        QTest::newRow("zstd:19") << QStringLiteral("zstd:19") << QStringLiteral("zstd") << QStringLiteral(".zst");
        QTest::newRow("gzip") << QStringLiteral("gzip") << QStringLiteral("gzip") << QStringLiteral(".gz");
        QTest::newRow("lz4") << QStringLiteral("lz4") << QStringLiteral("lz4") << QStringLiteral(".lz4");
        QTest::newRow("lz4:9") << QStringLiteral("lz4:9") << QStringLiteral("lz4") << QStringLiteral(".lz4");
        QTest::newRow("xz") << QStringLiteral("xz:1") << QStringLiteral("xz") << QStringLiteral(".xz");
    }
    void compatibleMode()
    {
        QFETCH(QString, codec);
        QFETCH(QString, tool);
        QFETCH(QString, extension);
        // 3 MiB and a bit, 1 MiB chunks: four frames / members / streams.
        const QByteArray input = randomBytes(1024 * 1024, 5) + compressibleBytes(2 * 1024 * 1024 + 12'345);
        writeFile(QStringLiteral("big.bin"), input);
        writeFile(QStringLiteral("tiny.txt"), "t");
        writeFile(QStringLiteral("empty.txt"), {});
        const Result r = run({QStringLiteral("pack"), QStringLiteral("--compatible"), QStringLiteral("--codec"), codec, QStringLiteral("--chunk-size"),
                              QStringLiteral("1M"), QStringLiteral("-o"), QStringLiteral("out"), QStringLiteral("big.bin"), QStringLiteral("tiny.txt"),
                              QStringLiteral("empty.txt")});
        EXPECT_EXIT(r, kExitOk);
        QCOMPARE(filesUnder(QStringLiteral("out")),
                 QStringList({QStringLiteral("big.bin") + extension, QStringLiteral("empty.txt") + extension, QStringLiteral("tiny.txt") + extension}));
        for (const QString &name : {QStringLiteral("big.bin"), QStringLiteral("tiny.txt")}) {
            int code = 0;
            const QByteArray decoded = runTool(tool, {QStringLiteral("-d"), QStringLiteral("-c"), QStringLiteral("out/") + name + extension}, &code);
            QVERIFY2(code == 0, qPrintable(QStringLiteral("%1 -d -c failed with %2").arg(tool).arg(code)));
            QCOMPARE(decoded.size(), readFile(name).size());
            QVERIFY2(decoded == readFile(name), qPrintable(name + QStringLiteral(": not byte-identical")));
        }
    }

    /// An empty input must still give a file the standard tool accepts (one
    /// empty frame / member / stream), as `zstd`, `gzip` and `xz` themselves
    /// write for an empty file.
    void compatibleModeEmptyFile_data() { compatibleMode_data(); }
    void compatibleModeEmptyFile()
    {
        QFETCH(QString, codec);
        QFETCH(QString, tool);
        QFETCH(QString, extension);
        writeFile(QStringLiteral("empty.txt"), {});
        const Result r = run({QStringLiteral("pack"), QStringLiteral("--compatible"), QStringLiteral("--codec"), codec, QStringLiteral("-o"),
                              QStringLiteral("out"), QStringLiteral("empty.txt")});
        EXPECT_EXIT(r, kExitOk);
        int code = 0;
        const QByteArray decoded = runTool(tool, {QStringLiteral("-d"), QStringLiteral("-c"), QStringLiteral("out/empty.txt") + extension}, &code);
        QVERIFY2(code == 0, qPrintable(QStringLiteral("%1 -d -c rejects the compatible-mode output of an empty file (exit %2, %3 bytes)")
                                           .arg(tool)
                                           .arg(code)
                                           .arg(QFileInfo(path(QStringLiteral("out/empty.txt") + extension)).size())));
        QCOMPARE(decoded, QByteArray());
    }

    // --- every codec x cipher through the command line -------------------------------------------

    void roundTrip_data()
    {
        QTest::addColumn<QString>("codec");
        QTest::addColumn<QString>("cipher");
        for (const char *codec : {"zstd:1", "lz4", "gzip:1", "xz:0", "none"})
            for (const char *cipher : {"chacha20", "aes256gcm", "none"})
                QTest::addRow("%s/%s", codec, cipher) << QString::fromLatin1(codec) << QString::fromLatin1(cipher);
    }
    void roundTrip()
    {
        QFETCH(QString, codec);
        QFETCH(QString, cipher);
        const QMap<QString, QByteArray> files = {
            {QStringLiteral("empty"), QByteArray()},
            {QStringLiteral("one"), QByteArray("1")},
            {QStringLiteral("chunkminus1"), randomBytes(64 * 1024 - 1, 21)},
            {QStringLiteral("chunk"), compressibleBytes(64 * 1024)},
            {QStringLiteral("several"), compressibleBytes(100'000) + randomBytes(100'001, 22)},
        };
        QStringList args = {QStringLiteral("pack"), QStringLiteral("-q"), QStringLiteral("--codec"), codec, QStringLiteral("--cipher"), cipher,
                            QStringLiteral("--chunk-size"), QStringLiteral("64K"), QStringLiteral("-o"), QStringLiteral("packed")};
        if (cipher != u"none")
            args += passArgs();
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            writeFile(QStringLiteral("in/") + it.key(), it.value());
            args.append(QStringLiteral("in/") + it.key());
        }
        EXPECT_EXIT(run(args), kExitOk);
        const Result r = run(QStringList{QStringLiteral("restore"), QStringLiteral("-q"), QStringLiteral("-o"), QStringLiteral("out"),
                                         QStringLiteral("packed")}
                             + (cipher != u"none" ? passArgs() : QStringList()));
        EXPECT_EXIT(r, kExitOk);
        for (auto it = files.cbegin(); it != files.cend(); ++it)
            QVERIFY2(readFile(QStringLiteral("out/packed/") + it.key()) == it.value(), qPrintable(it.key()));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
