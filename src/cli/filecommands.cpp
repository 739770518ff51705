// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "filecommands.h"

#include "crypto/keychainsecretstore.h"
#include "crypto/masterkeymanager.h"
#include "exitcodes.h"
#include "format/containerformat.h"
#include "governor/governor.h"
#include "helptext.h"
#include "metrics/metricscsv.h"
#include "metrics/metricssampler.h"
#include "pipeline/engine.h"

#include <QCommandLineParser>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <span>
#include <system_error>
#include <thread>

#include <unistd.h>

namespace flowgate::cli {

namespace {

std::atomic<bool> g_interrupted{false};
void onSignal(int signal)
{
    // The second one quits at once, as it would have without this handler
    // (a later run removes what that leaves behind).
    if (g_interrupted.exchange(true)) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
    }
}

void err(const QString &text)
{
    std::fprintf(stderr, "flowgate-cli: %s\n", qPrintable(text));
}

/// "auto", "65536", "64K", "16M", "1G", "1.5G" (binary units).
std::optional<qint64> parseSize(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kKmMgGtT]?)(?:i?[bB])?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const double value = m.captured(1).toDouble();
    const QString unit = m.captured(2).toUpper();
    double mult = 1;
    if (unit == u"K")
        mult = 1024.0;
    else if (unit == u"M")
        mult = 1024.0 * 1024;
    else if (unit == u"G")
        mult = 1024.0 * 1024 * 1024;
    else if (unit == u"T")
        mult = 1024.0 * 1024 * 1024 * 1024;
    const double bytes = value * mult;
    if (bytes < 1 || bytes > 9.0e18)
        return std::nullopt;
    return qint64(bytes);
}

QString humanBytes(double bytes)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', u == 0 ? 0 : 1).arg(QLatin1String(units[u]));
}

int exitCodeFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None:
        return ExitOk;
    case ErrorKind::Input:
        return ExitInput;
    case ErrorKind::Key:
        return ExitInput;
    case ErrorKind::DataIntegrity:
        return ExitDataIntegrity;
    case ErrorKind::Io:
        return ExitIo;
    case ErrorKind::Cancelled:
        return ExitCancelled;
    }
    return ExitInternal;
}

/// Worse errors win: data integrity, then I/O, then input, then cancelled.
int severity(int code)
{
    switch (code) {
    case ExitDataIntegrity:
        return 5;
    case ExitIo:
        return 4;
    case ExitInput:
        return 3;
    case ExitCancelled:
        return 2;
    case ExitOk:
        return 0;
    default:
        return 1;
    }
}

struct InputItem
{
    QString path;
    QString outputDir; // empty: beside the input
};

/// pack: the keychain's master key, asked for on a thread of its own while
/// the run starts (see KeyMaterial::pending).
struct KeyLookup
{
    std::shared_ptr<PendingMasterKey> pending = std::make_shared<PendingMasterKey>();
    MasterKeyManager::KeyResult result; // written by ask(), read after finish()
    std::thread thread;

    KeyLookup() = default;
    ~KeyLookup() { finish(); }
    Q_DISABLE_COPY_MOVE(KeyLookup)

    void start()
    {
        try {
            thread = std::thread([this] { ask(); });
        } catch (const std::system_error &) {
            ask(); // no thread to be had: asked here, before the run
        }
    }
    void finish()
    {
        if (thread.joinable())
            thread.join();
    }

private:
    void ask()
    {
        KeychainSecretStore store;
        MasterKeyManager keys(store);
        result = keys.loadOrCreate();
        pending->resolve(result.ok() ? std::make_shared<const SecureBytes>(std::move(result.key)) : nullptr,
            result.keyId, result.message);
    }
};

/// QDir::mkpath() that also says which folders it made (appended to *made,
/// outermost first), so a run that stops before writing can take them back.
bool makePath(const QString &dir, QStringList *made)
{
    QStringList missing;
    for (QString d = QDir::cleanPath(dir); !QFileInfo::exists(d); d = QFileInfo(d).path()) {
        missing.prepend(d);
        if (QFileInfo(d).path() == d)
            break;
    }
    if (!QDir().mkpath(dir))
        return false;
    *made += missing;
    return true;
}

/// True when one of the containers is encrypted with the keychain's master
/// key, as its header says. A container that cannot be read or parsed here is
/// left to the engine, which reports it.
bool anyNeedsKeychain(const QList<InputItem> &items)
{
    for (const InputItem &item : items) {
        if (!QFileInfo(item.path).isFile()) // never open a FIFO or a device here
            continue;
        QFile f(item.path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray head = f.read(64 * 1024);
        fgc::Header header;
        std::size_t consumed = 0;
        const auto bytes = std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t *>(head.constData()), std::size_t(head.size()));
        if (fgc::parseHeader(bytes, &header, &consumed, nullptr, nullptr) == fgc::ParseStatus::Ok
            && header.keySource == fgc::KeySource::Keychain)
            return true;
    }
    return false;
}

/// Expands folders recursively (sorted, so runs are repeatable). Pack takes
/// every regular file; restore and verify take *.fgc files.
bool collectInputs(const QStringList &paths, bool containersOnly, const QString &outputDir, QList<InputItem> *items,
    QList<FileReport> *problems, QStringList *notes, JobMode mode)
{
    bool any = false;
    for (const QString &raw : paths) {
        const QFileInfo fi(raw);
        if (!fi.exists() && !fi.isSymLink()) {
            FileReport missing;
            missing.mode = mode;
            missing.input = raw;
            missing.state = FileState::Failed;
            missing.errorKind = ErrorKind::Input;
            missing.error = QStringLiteral("no such file or folder");
            problems->append(missing);
            continue;
        }
        if (fi.isDir()) {
            QStringList found;
            QDirIterator it(fi.absoluteFilePath(), QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString p = it.next();
                if (containersOnly && !p.endsWith(QStringLiteral(".fgc")))
                    continue;
                if (!it.fileInfo().isFile()) {
                    // A FIFO, socket or device (or a link to one, or a broken link)
                    // found in a folder: not packed, and said so. Named on the
                    // command line, the engine reports it as an error instead.
                    notes->append(QStringLiteral("skipped %1: not a regular file").arg(p));
                    continue;
                }
                if (QFileInfo(p).fileName().endsWith(QStringLiteral(".part"))
                    && QFileInfo(p).fileName().startsWith(u'.'))
                    continue; // an unfinished output of an interrupted run
                found.append(p);
            }
            found.sort();
            const QDir base(fi.absoluteFilePath());
            for (const QString &p : std::as_const(found)) {
                InputItem item;
                item.path = p;
                if (!outputDir.isEmpty()) {
                    // Keep the folder's structure under the output folder.
                    const QString rel = base.relativeFilePath(QFileInfo(p).absolutePath());
                    item.outputDir = QDir(outputDir).filePath(fi.fileName() + (rel == u"." ? QString() : u'/' + rel));
                }
                items->append(item);
                any = true;
            }
        } else {
            items->append({fi.absoluteFilePath(), outputDir});
            any = true;
        }
    }
    return any;
}

QJsonObject toJson(const FileReport &r)
{
    QJsonObject o;
    o[QStringLiteral("input")] = r.input;
    o[QStringLiteral("output")] = r.output.isEmpty() ? QJsonValue() : QJsonValue(r.output);
    o[QStringLiteral("mode")] = jobModeName(r.mode);
    o[QStringLiteral("state")] = fileStateName(r.state);
    o[QStringLiteral("original_size")] = double(r.originalSize);
    o[QStringLiteral("input_size")] = double(r.inputSize);
    o[QStringLiteral("output_size")] = double(r.outputSize);
    o[QStringLiteral("ratio")] = r.ratio;
    o[QStringLiteral("sha256")] = r.sha256.isEmpty() ? QJsonValue() : QJsonValue(r.sha256);
    o[QStringLiteral("seconds")] = r.seconds;
    o[QStringLiteral("chunk_size")] = double(r.chunkSize);
    o[QStringLiteral("chunks")] = double(r.chunks);
    o[QStringLiteral("error_kind")]
        = r.errorKind == ErrorKind::None ? QJsonValue() : QJsonValue(errorKindName(r.errorKind));
    o[QStringLiteral("error")] = r.error.isEmpty() ? QJsonValue() : QJsonValue(r.error);
    o[QStringLiteral("notes")] = QJsonArray::fromStringList(r.notes);
    return o;
}

void addTuningOptions(QCommandLineParser &p)
{
    p.addOptions({
        {QStringLiteral("cpu-tokens"),
            QStringLiteral("CPU tokens: chunks compressed/encrypted at once (default: cores - 1, at least 1)."),
            QStringLiteral("N")},
        {QStringLiteral("io-tokens"), QStringLiteral("I/O tokens: reads and writes at once (default: from --storage)."),
            QStringLiteral("N")},
        {QStringLiteral("storage"),
            QStringLiteral("nvme (24 I/O tokens), ssd (12), hdd (4), auto (12) or a number (default auto)."),
            QStringLiteral("TYPE")},
        {QStringLiteral("memory-limit"),
            QStringLiteral("Hard memory limit for chunk buffers, e.g. 512M or 2G (default: none; the gauge's capacity "
                           "is 40 GiB capped at 80 % of RAM)."),
            QStringLiteral("SIZE")},
        {QStringLiteral("per-file-workers"), QStringLiteral("Chunks of one file in flight at once (default 4)."),
            QStringLiteral("N")},
        {QStringLiteral("files-in-flight"), QStringLiteral("Files processed at once (default 4)."),
            QStringLiteral("N")},
        {QStringLiteral("background"),
            QStringLiteral("Lower the workers' CPU and I/O priority (nice 19, idle I/O class).")},
        {QStringLiteral("metrics-csv"),
            QStringLiteral("Write the governor's metrics (4 samples a second) to FILE as CSV."),
            QStringLiteral("FILE")},
        {QStringLiteral("json"),
            QStringLiteral("Print a machine-readable report (one object per file) on standard output.")},
        {{QStringLiteral("q"), QStringLiteral("quiet")},
            QStringLiteral("No progress display and no resource summary lines.")},
    });
}

bool positiveOption(const QCommandLineParser &p, const QString &name, int *out, QString *error)
{
    if (!p.isSet(name))
        return true;
    bool ok = false;
    const int v = p.value(name).toInt(&ok);
    if (!ok || v < 1 || v > 100000) {
        *error = QStringLiteral("--%1 needs a positive whole number, not \"%2\"").arg(name, p.value(name));
        return false;
    }
    *out = v;
    return true;
}

} // namespace

int runFileCommand(const QString &command, const QStringList &arguments)
{
    const bool pack = command == u"pack";
    const JobMode mode = pack ? JobMode::Pack : command == u"restore" ? JobMode::Restore : JobMode::Verify;
    QCommandLineParser p;
    if (pack) {
        p.setApplicationDescription(
            QStringLiteral("Packs files: each FILE becomes FILE.fgc (compressed, encrypted and checksummed).\n"
                           "Folders are taken recursively. The input is never modified.\n"
                           "\nExample:\n  flowgate-cli pack --passphrase-file pass.txt -o /backup ~/Documents"));
    } else if (mode == JobMode::Restore) {
        p.setApplicationDescription(
            QStringLiteral("Restores .fgc containers to their original files (name, mode and modification time),\n"
                           "checking every chunk. Folders are searched for *.fgc recursively.\n"
                           "\nExample:\n  flowgate-cli restore --passphrase-file pass.txt -o ~/restored /backup"));
    } else {
        p.setApplicationDescription(
            QStringLiteral("Checks .fgc containers completely (every chunk, the trailer and the SHA-256 of the\n"
                           "original) without writing anything."));
    }
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("PATH"),
        pack ? QStringLiteral("Files or folders to pack.") : QStringLiteral("Containers or folders of containers."),
        QStringLiteral("PATH..."));
    if (pack) {
        p.addOptions({
            {QStringLiteral("codec"),
                QStringLiteral("zstd[:1-19] (default zstd:3), lz4, gzip[:1-9], xz[:0-9] or none."),
                QStringLiteral("CODEC")},
            {QStringLiteral("cipher"), QStringLiteral("chacha20 (default), aes256gcm or none."),
                QStringLiteral("CIPHER")},
            {QStringLiteral("chunk-size"), QStringLiteral("auto (by file size, the default) or a size such as 4M."),
                QStringLiteral("SIZE")},
            {QStringLiteral("compatible"),
                QStringLiteral(
                    "Write a plain .zst/.gz/.lz4/.xz stream that the standard tools read (implies --cipher none).")},
        });
    }
    if (mode != JobMode::Verify)
        p.addOptions({
            {{QStringLiteral("o"), QStringLiteral("output-dir")},
                QStringLiteral("Write outputs under DIR (default: beside each input)."), QStringLiteral("DIR")},
            {QStringLiteral("force"), QStringLiteral("Overwrite outputs that already exist.")},
        });
    p.addOptions({
        {QStringLiteral("passphrase-file"),
            QStringLiteral("Read the passphrase from the first line of FILE (instead of the keychain's master key)."),
            QStringLiteral("FILE")},
    });
    addTuningOptions(p);
    if (!p.parse(arguments)) {
        err(p.errorText());
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(subcommandHelp(p, arguments.value(0))), stdout);
        return ExitOk;
    }
    if (p.positionalArguments().isEmpty()) {
        err(QStringLiteral("%1: nothing to do: give at least one file or folder (see --help)").arg(command));
        return ExitUsage;
    }

    // --- settings ---
    QString error;
    JobSettings settings;
    settings.mode = mode;
    ResourceConfig config;
    int cpuTokens = 0, ioTokens = 0, perFile = 4, inFlight = 4;
    if (!positiveOption(p, QStringLiteral("cpu-tokens"), &cpuTokens, &error)
        || !positiveOption(p, QStringLiteral("io-tokens"), &ioTokens, &error)
        || !positiveOption(p, QStringLiteral("per-file-workers"), &perFile, &error)
        || !positiveOption(p, QStringLiteral("files-in-flight"), &inFlight, &error)) {
        err(error);
        return ExitUsage;
    }
    if (cpuTokens)
        config.cpuTokens = cpuTokens;
    if (ioTokens)
        config.ioTokens = ioTokens;
    if (p.isSet(QStringLiteral("storage"))) {
        const auto type = StorageType::fromString(p.value(QStringLiteral("storage")));
        if (!type) {
            err(QStringLiteral("--storage takes nvme, ssd, hdd, auto or a positive number, not \"%1\"")
                    .arg(p.value(QStringLiteral("storage"))));
            return ExitUsage;
        }
        config.storageType = *type;
    }
    if (p.isSet(QStringLiteral("memory-limit"))) {
        const auto size = parseSize(p.value(QStringLiteral("memory-limit")));
        if (!size) {
            err(QStringLiteral("--memory-limit takes a size such as 512M or 2G, not \"%1\"")
                    .arg(p.value(QStringLiteral("memory-limit"))));
            return ExitUsage;
        }
        config.memoryHardLimit = *size;
        config.memoryLimit = *size; // the gauge's capacity: utilisation is measured against the limit
    }
    if (pack) {
        if (p.isSet(QStringLiteral("codec"))) {
            const auto spec = CodecSpec::parse(p.value(QStringLiteral("codec")), &error);
            if (!spec) {
                err(QStringLiteral("--codec: %1").arg(error));
                return ExitUsage;
            }
            settings.codec = *spec;
        }
        if (p.isSet(QStringLiteral("cipher"))) {
            const auto cipher = parseCipher(p.value(QStringLiteral("cipher")));
            if (!cipher) {
                err(QStringLiteral("--cipher takes chacha20, aes256gcm or none, not \"%1\"")
                        .arg(p.value(QStringLiteral("cipher"))));
                return ExitUsage;
            }
            settings.cipher = *cipher;
        }
        if (p.isSet(QStringLiteral("chunk-size")) && p.value(QStringLiteral("chunk-size")) != u"auto") {
            const auto size = parseSize(p.value(QStringLiteral("chunk-size")));
            if (!size || *size < fgc::kMinChunkSize || *size > fgc::kMaxChunkSize) {
                err(QStringLiteral("--chunk-size takes auto or a size from 4K to 256M, not \"%1\"")
                        .arg(p.value(QStringLiteral("chunk-size"))));
                return ExitUsage;
            }
            settings.chunkSize = quint32(*size);
        }
        settings.compatible = p.isSet(QStringLiteral("compatible"));
        if (settings.compatible) {
            if (p.isSet(QStringLiteral("cipher")) && settings.cipher != CipherId::None) {
                err(QStringLiteral("--compatible writes a plain stream that standard tools read: it cannot be "
                                   "encrypted (use --cipher none)"));
                return ExitUsage;
            }
            if (settings.codec.id == CodecId::None) {
                err(QStringLiteral("--compatible needs a codec (zstd, gzip, lz4 or xz)"));
                return ExitUsage;
            }
            settings.cipher = CipherId::None;
        }
    }
    QStringList madeDirs; // output folders this run made, outermost first
    if (mode != JobMode::Verify) {
        settings.force = p.isSet(QStringLiteral("force"));
        if (p.isSet(QStringLiteral("output-dir"))) {
            const QString dir = p.value(QStringLiteral("output-dir"));
            if (!makePath(dir, &madeDirs) || !QFileInfo(dir).isDir()) {
                err(QStringLiteral("cannot use %1 as the output folder").arg(dir));
                return ExitIo;
            }
            settings.outputDir = QFileInfo(dir).absoluteFilePath();
        }
    }

    // --- inputs ---
    QList<InputItem> items;
    QList<FileReport> problems; // inputs that never reach the engine; in the report too
    QStringList notes;
    collectInputs(p.positionalArguments(), !pack, settings.outputDir, &items, &problems, &notes, mode);
    for (const FileReport &problem : std::as_const(problems))
        err(QStringLiteral("%1: %2").arg(problem.input, problem.error));
    for (const QString &note : std::as_const(notes))
        err(note);
    const bool json = p.isSet(QStringLiteral("json"));
    const auto printJson = [&](const QJsonArray &files, int exitCode) {
        QJsonObject root;
        root[QStringLiteral("command")] = command;
        root[QStringLiteral("files")] = files;
        root[QStringLiteral("exit_code")] = exitCode;
        std::fputs(QJsonDocument(root).toJson(QJsonDocument::Indented).constData(), stdout);
    };
    QJsonArray array;
    for (const FileReport &problem : std::as_const(problems))
        array.append(toJson(problem));
    // A run that stops before the engine still prints its report with --json.
    const auto stop = [&](int exitCode) {
        if (json)
            printJson(array, exitCode);
        return exitCode;
    };
    if (items.isEmpty()) {
        const QString searched = p.positionalArguments().join(QStringLiteral(", "));
        err(pack ? QStringLiteral("pack: no files to pack in %1").arg(searched)
                 : QStringLiteral("%1: no .fgc containers found in %2").arg(command, searched));
        return stop(ExitInput);
    }

    // --- keys (never stored in clear; the keychain only through the Secret Service) ---
    // Restore and verify ask the keychain only when a container needs its key:
    // unencrypted and passphrase containers never touch it.
    const bool needsKey = pack ? settings.cipher != CipherId::None : anyNeedsKeychain(items);
    std::unique_ptr<KeyLookup> keyLookup; // pack with the keychain's key
    if (p.isSet(QStringLiteral("passphrase-file"))) {
        QFile f(p.value(QStringLiteral("passphrase-file")));
        if (!f.open(QIODevice::ReadOnly)) {
            err(QStringLiteral("cannot read the passphrase file %1: %2").arg(f.fileName(), f.errorString()));
            return stop(ExitInput);
        }
        QString passphrase = QString::fromUtf8(f.readLine());
        while (passphrase.endsWith(u'\n') || passphrase.endsWith(u'\r'))
            passphrase.chop(1);
        if (passphrase.isEmpty()) {
            err(QStringLiteral("the passphrase file %1 is empty").arg(f.fileName()));
            return stop(ExitInput);
        }
        settings.keys = KeyMaterial::fromPassphrase(passphrase);
    } else if (needsKey && pack) {
        // The keychain answers on its own thread while the run starts: files
        // are read and compressed meanwhile, and only sealing waits for the
        // key (about 16 ms of D-Bus, most of the start-up of a pack).
        // (Asked when the run begins, below: no early return comes between.)
        keyLookup = std::make_unique<KeyLookup>();
        settings.keys = KeyMaterial::fromPendingMasterKey(keyLookup->pending);
    } else if (needsKey) {
        KeychainSecretStore store;
        MasterKeyManager keys(store);
        auto result = keys.load();
        if (result.ok())
            settings.keys = KeyMaterial::fromMasterKey(std::move(result.key), result.keyId);
        else // each container that needs the key fails with this cause; the others carry on
            settings.keys.keychainError = result.message;
    }

    // --- the run ---
    Governor governor(config);
    governor.setPerFileWorkers(perFile);
    governor.setFilesInFlight(inFlight);
    governor.setBackgroundMode(p.isSet(QStringLiteral("background")));
    MetricsSampler sampler(governor);
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    const bool progress = !quiet && ::isatty(STDERR_FILENO) == 1;
    // The governor's summary lines ("Resources: ...") are progress too.
    if (!json && !quiet)
        sampler.setSummaryCallback([](const QString &line) { std::fprintf(stderr, "%s\n", qPrintable(line)); });
    else
        sampler.setSummaryCallback([](const QString &) {});
    std::unique_ptr<QSaveFile> csv;
    if (p.isSet(QStringLiteral("metrics-csv"))) {
        csv = std::make_unique<QSaveFile>(p.value(QStringLiteral("metrics-csv")));
        if (!csv->open(QIODevice::WriteOnly)) {
            err(QStringLiteral("cannot write %1: %2").arg(csv->fileName(), csv->errorString()));
            return stop(ExitIo);
        }
    }

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    const auto start = std::chrono::steady_clock::now();
    if (keyLookup)
        keyLookup->start();
    sampler.start();
    Engine engine(governor);
    quint64 totalBytes = 0;
    for (const InputItem &item : std::as_const(items)) {
        JobSettings s = settings;
        if (!item.outputDir.isEmpty()) {
            makePath(item.outputDir, &madeDirs);
            s.outputDir = item.outputDir;
        }
        totalBytes += quint64(QFileInfo(item.path).size());
        engine.addFile(item.path, s);
    }
    bool cancelled = false;
    while (!engine.waitForIdle(std::chrono::milliseconds(200))) {
        if (g_interrupted.load() && !cancelled) {
            cancelled = true;
            engine.cancelAll();
            if (!json)
                err(QStringLiteral(
                    "interrupted: cancelling (temporary outputs are removed; Ctrl-C again quits at once)..."));
        }
        if (progress) {
            const auto &m = governor.metrics();
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            // Bytes read of the inputs (files when packing, containers when
            // restoring or verifying): the total is the sum of their sizes.
            const double done = double(m.bytesIn());
            const double rate = secs > 0 ? done / secs : 0;
            const double eta = rate > 0 && totalBytes > done ? (double(totalBytes) - done) / rate : 0;
            std::fprintf(stderr, "\r  %s of %s  %.0f MB/s  CPU %d/%d  I/O %d/%d  ETA %.0f s   ",
                qPrintable(humanBytes(done)), qPrintable(humanBytes(double(totalBytes))), rate / 1e6,
                governor.cpuTokensInUse(), governor.cpuTokensTotal(), governor.ioTokensInUse(),
                governor.ioTokensTotal(), eta);
            std::fflush(stderr);
        }
    }
    if (progress)
        std::fputs("\r\033[K", stderr);
    // Pack with the keychain: the run started while the key was asked for.
    bool keyFailed = false;
    if (keyLookup) {
        if (cancelled && !keyLookup->pending->isResolved() && !json)
            err(QStringLiteral("waiting for the keychain to answer (press Ctrl-C again to quit at once)..."));
        keyLookup->finish();
        // An interrupted run reports the interruption, whatever the keychain said.
        keyFailed = !cancelled && !keyLookup->result.ok();
    }
    if (keyFailed)
        sampler.setSummaryCallback([](const QString &) {}); // no closing summary for a run that wrote nothing
    (void)sampler.sampleNow();
    sampler.stop();
    if (keyFailed) {
        // Every file waited for this key and stopped without an output; the
        // folders made for their outputs go too (only empty ones can).
        for (auto it = madeDirs.crbegin(); it != madeDirs.crend(); ++it)
            QDir().rmdir(*it);
        err(QStringLiteral("%1\nUse --passphrase-file FILE to encrypt with a passphrase instead, or --cipher none.")
                .arg(keyLookup->result.message));
        return stop(ExitInput);
    }
    if (keyLookup && keyLookup->result.created)
        err(QStringLiteral(
            "a new master key (id %1) was created in the keychain. Back it up: flowgate-cli key export FILE")
                .arg(keyLookup->result.keyId));

    // --- the report ---
    const QList<FileReport> reports = engine.reports();
    int exitCode = problems.isEmpty() ? ExitOk : ExitInput;
    int okCount = 0;
    quint64 in = 0, out = 0;
    for (const FileReport &r : reports) {
        const int code = exitCodeFor(r.errorKind);
        if (severity(code) > severity(exitCode))
            exitCode = code;
        if (r.state == FileState::Done) {
            ++okCount;
            in += pack ? r.originalSize : r.inputSize;
            out += r.outputSize;
        }
        if (!json) {
            for (const QString &note : r.notes)
                err(note);
        }
        if (json) {
            array.append(toJson(r));
        } else if (r.state == FileState::Done) {
            if (pack)
                std::printf("%s  %s -> %s (%s, %.1f %%)\n", qPrintable(r.sha256), qPrintable(r.input),
                    qPrintable(r.output), qPrintable(humanBytes(double(r.outputSize))), r.ratio * 100.0);
            else if (mode == JobMode::Restore)
                std::printf("%s  %s -> %s\n", qPrintable(r.sha256), qPrintable(r.input), qPrintable(r.output));
            else
                std::printf("%s  %s: OK\n", qPrintable(r.sha256), qPrintable(r.input));
        } else {
            // Engine messages usually name the file already.
            QString message = r.error.startsWith(r.input) ? r.error : QStringLiteral("%1: %2").arg(r.input, r.error);
            if (r.errorKind == ErrorKind::Key && !p.isSet(QStringLiteral("passphrase-file"))
                && r.error.contains(u"passphrase") && !r.error.contains(u"keychain's master key"))
                message += QStringLiteral(" (--passphrase-file FILE)");
            err(message);
        }
    }
    if (json) {
        printJson(array, exitCode);
    } else {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        // "1 of 1 file", "2 of 3 files": the noun follows the total.
        err((reports.size() == 1 ? QStringLiteral("%1 of %2 file %3 in %4 s (%5 in, %6 out, %7 MB/s)")
                                 : QStringLiteral("%1 of %2 files %3 in %4 s (%5 in, %6 out, %7 MB/s)"))
                .arg(okCount)
                .arg(reports.size())
                .arg(pack                          ? QStringLiteral("packed")
                        : mode == JobMode::Restore ? QStringLiteral("restored")
                                                   : QStringLiteral("verified"))
                .arg(secs, 0, 'f', 1)
                .arg(humanBytes(double(in)), humanBytes(double(out)))
                .arg(secs > 0 ? double(mode == JobMode::Restore ? out : in) / 1e6 / secs : 0.0, 0, 'f', 0));
    }
    if (csv) {
        QString csvError;
        if (!MetricsCsv::write(*csv, sampler.snapshots(), &csvError) || !csv->commit()) {
            err(QStringLiteral("cannot write %1: %2")
                    .arg(csv->fileName(), csvError.isEmpty() ? csv->errorString() : csvError));
            if (severity(ExitIo) > severity(exitCode))
                exitCode = ExitIo;
        }
    }
    return exitCode;
}

int runKeyCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Backs up or restores the keychain's master key.\n\n"
                       "  key export FILE   write the master key to FILE (mode 0600). Anyone with this file\n"
                       "                    can decrypt your containers: keep it somewhere safe and offline.\n"
                       "  key import FILE   store the key from FILE in the keychain (--replace to replace a\n"
                       "                    different key already there)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("ACTION"), QStringLiteral("export or import"));
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the key file"));
    p.addOption({QStringLiteral("replace"), QStringLiteral("import: replace a different key in the keychain.")});
    if (!p.parse(arguments)) {
        err(p.errorText());
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(subcommandHelp(p, arguments.value(0))), stdout);
        return ExitOk;
    }
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || (pos[0] != u"export" && pos[0] != u"import")) {
        err(QStringLiteral("usage: flowgate-cli key export FILE | key import FILE [--replace]"));
        return ExitUsage;
    }
    KeychainSecretStore store;
    MasterKeyManager keys(store);
    const auto result = pos[0] == u"export" ? keys.exportToFile(pos[1])
                                            : keys.importFromFile(pos[1], p.isSet(QStringLiteral("replace")));
    if (!result.ok()) {
        err(result.message);
        return result.error == MasterKeyManager::Error::FileExists || result.error == MasterKeyManager::Error::FileError
            ? ExitIo
            : ExitInput;
    }
    if (pos[0] == u"export")
        std::printf("Master key %s written to %s. Keep it safe: it decrypts every container made with it.\n",
            qPrintable(result.keyId), qPrintable(pos[1]));
    else
        std::printf("Master key %s %s.\n", qPrintable(result.keyId),
            result.created ? "imported into the keychain" : "is already in the keychain");
    return ExitOk;
}

} // namespace flowgate::cli
