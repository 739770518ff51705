// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governordemo.h"

#include "advisor/advisor.h"
#include "exitcodes.h"
#include "governor/governor.h"
#include "helptext.h"
#include "metrics/metricscsv.h"
#include "metrics/metricssampler.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QThreadPool>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace flowgate::cli {

namespace {

std::atomic<bool> g_interrupted{false};

void onSignal(int)
{
    g_interrupted.store(true);
}

void busyFor(std::chrono::microseconds d)
{
    const auto end = std::chrono::steady_clock::now() + d;
    volatile std::uint64_t x = 0;
    while (std::chrono::steady_clock::now() < end) {
        for (int i = 0; i < 1000; ++i)
            x = x + std::uint64_t(i);
    }
}

void out(const QString &line)
{
    std::fputs(qPrintable(line), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

struct DemoSettings
{
    int files = 80;
    int chunksPerFile = 32;
    int chunkKiB = 256;
    std::chrono::microseconds cpuPerChunk{5000};
    std::chrono::microseconds ioPerChunk{1000};
    int resizeAtSeconds = -1;
    int resizeTo = 0;
};

/// One file: its reader hands chunks to workers on the pool, bounded by the
/// per-file limiter; the file slot is released when the last chunk is written.
class DemoFile final
{
public:
    DemoFile(Governor &governor, QThreadPool &pool, const DemoSettings &settings, const CancellationToken &cancel,
        Permit slot, std::atomic<int> &filesLeft)
        : m_governor(governor)
        , m_pool(pool)
        , m_settings(settings)
        , m_cancel(cancel)
        , m_slot(std::move(slot))
        , m_filesLeft(filesLeft)
        , m_limiter(governor.makeFileLimiter())
        , m_start(std::chrono::steady_clock::now())
        , m_remaining(settings.chunksPerFile)
    { }

    static void start(const std::shared_ptr<DemoFile> &file)
    {
        file->m_pool.start([file] { file->read(); });
    }

private:
    void read()
    {
        ConcurrencyMetrics &m = m_governor.metrics();
        const auto self = m_self.lock();
        for (int i = 0; i < m_settings.chunksPerFile; ++i) {
            Permit perFile = m_limiter->acquire(m_cancel);
            if (!perFile) {
                chunkDone(false, m_settings.chunksPerFile - i);
                return;
            }
            {
                Permit io = m_governor.acquireIo(m_cancel);
                if (!io) {
                    chunkDone(false, m_settings.chunksPerFile - i);
                    return;
                }
                std::this_thread::sleep_for(m_settings.ioPerChunk);
                m.addBytesIn(quint64(m_settings.chunkKiB) * 1024);
            }
            m.chunkQueued();
            m.taskSpawned();
            const auto queuedAt = std::chrono::steady_clock::now();
            auto permit = std::make_shared<Permit>(std::move(perFile));
            m_pool.start([this, self, permit, queuedAt] { work(queuedAt); });
        }
    }

    void work(std::chrono::steady_clock::time_point queuedAt)
    {
        ConcurrencyMetrics &m = m_governor.metrics();
        m.chunkDequeued(quint64(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - queuedAt).count()));
        bool ok = false;
        {
            MemoryGuard buffer(m_governor, qint64(m_settings.chunkKiB) * 1024 * 2);
            Permit cpu = m_governor.acquireCpu(m_cancel);
            if (cpu) {
                m.workerStarted();
                busyFor(m_settings.cpuPerChunk);
                m.workerFinished();
                cpu = Permit();
                Permit io = m_governor.acquireIo(m_cancel);
                if (io) {
                    std::this_thread::sleep_for(m_settings.ioPerChunk / 2);
                    m.addBytesOut(quint64(m_settings.chunkKiB) * 1024 / 3);
                    ok = true;
                }
            }
        }
        if (ok)
            m.taskCompleted();
        else
            m.taskFailed();
        chunkDone(ok, 1);
    }

    void chunkDone(bool, int count)
    {
        if (m_remaining.fetch_sub(count) - count == 0) {
            m_governor.metrics().recordFileLatency(
                quint64(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - m_start)
                            .count()));
            m_slot = Permit();
            m_filesLeft.fetch_sub(1);
        }
    }

public:
    std::weak_ptr<DemoFile> m_self;

private:
    Governor &m_governor;
    QThreadPool &m_pool;
    const DemoSettings &m_settings;
    CancellationToken m_cancel;
    Permit m_slot;
    std::atomic<int> &m_filesLeft;
    std::shared_ptr<TokenPool> m_limiter;
    std::chrono::steady_clock::time_point m_start;
    std::atomic<int> m_remaining;
};

bool parsePositive(const QCommandLineParser &p, const QString &name, int *value, QString *error)
{
    if (!p.isSet(name))
        return true;
    bool ok = false;
    const int v = p.value(name).toInt(&ok);
    if (!ok || v < 1) {
        *error = QStringLiteral("--%1 needs a positive whole number, not \"%2\"").arg(name, p.value(name));
        return false;
    }
    *value = v;
    return true;
}

} // namespace

int runGovernorDemo(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Runs a synthetic workload through the resource governor: many \"files\" whose chunks\n"
                       "do simulated reads, CPU work and writes under the CPU, I/O, per-file and files-in-flight\n"
                       "limits. Prints the summary line every 10 s and a report at the end."));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("files"), QStringLiteral("Number of simulated files (default 80)."), QStringLiteral("N")},
        {QStringLiteral("chunks"), QStringLiteral("Chunks per file (default 32)."), QStringLiteral("N")},
        {QStringLiteral("cpu-ms"), QStringLiteral("CPU work per chunk in ms (default 5)."), QStringLiteral("MS")},
        {QStringLiteral("io-ms"), QStringLiteral("Simulated read time per chunk in ms (default 1)."),
            QStringLiteral("MS")},
        {QStringLiteral("cpu-tokens"), QStringLiteral("CPU tokens (default: cores - 1, at least 1)."),
            QStringLiteral("N")},
        {QStringLiteral("io-tokens"), QStringLiteral("I/O tokens (default: from --storage)."), QStringLiteral("N")},
        {QStringLiteral("storage"), QStringLiteral("nvme, ssd, hdd, auto or a number (default auto)."),
            QStringLiteral("TYPE")},
        {QStringLiteral("per-file-workers"), QStringLiteral("Chunks of one file in flight at once (default 4)."),
            QStringLiteral("N")},
        {QStringLiteral("files-in-flight"), QStringLiteral("Files processed at once (default 4)."),
            QStringLiteral("N")},
        {QStringLiteral("resize-at"),
            QStringLiteral("After SECONDS, change the CPU tokens to --resize-to (live retuning)."),
            QStringLiteral("SECONDS")},
        {QStringLiteral("resize-to"), QStringLiteral("CPU tokens to switch to at --resize-at."), QStringLiteral("N")},
        {QStringLiteral("metrics-csv"), QStringLiteral("Write every metrics sample (4 per second) to FILE as CSV."),
            QStringLiteral("FILE")},
        {QStringLiteral("summary-every"), QStringLiteral("Seconds between summary lines (default 10)."),
            QStringLiteral("SECONDS")},
    });
    if (!p.parse(arguments)) {
        std::fprintf(stderr, "flowgate-cli governor-demo: %s\n", qPrintable(p.errorText()));
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(subcommandHelp(p, arguments.value(0))), stdout);
        return ExitOk;
    }

    DemoSettings s;
    ResourceConfig config;
    QString error;
    int cpuMs = 5, ioMs = 1, cpuTokens = 0, ioTokens = 0, perFile = 4, inFlight = 4, resizeAt = 0, resizeTo = 0,
        summaryEvery = 10;
    bool ok = parsePositive(p, QStringLiteral("files"), &s.files, &error)
        && parsePositive(p, QStringLiteral("chunks"), &s.chunksPerFile, &error)
        && parsePositive(p, QStringLiteral("cpu-ms"), &cpuMs, &error)
        && parsePositive(p, QStringLiteral("io-ms"), &ioMs, &error)
        && parsePositive(p, QStringLiteral("cpu-tokens"), &cpuTokens, &error)
        && parsePositive(p, QStringLiteral("io-tokens"), &ioTokens, &error)
        && parsePositive(p, QStringLiteral("per-file-workers"), &perFile, &error)
        && parsePositive(p, QStringLiteral("files-in-flight"), &inFlight, &error)
        && parsePositive(p, QStringLiteral("resize-at"), &resizeAt, &error)
        && parsePositive(p, QStringLiteral("resize-to"), &resizeTo, &error)
        && parsePositive(p, QStringLiteral("summary-every"), &summaryEvery, &error);
    if (ok && p.isSet(QStringLiteral("storage"))) {
        const auto type = StorageType::fromString(p.value(QStringLiteral("storage")));
        if (!type) {
            error = QStringLiteral("--storage takes nvme, ssd, hdd, auto or a positive number, not \"%1\"")
                        .arg(p.value(QStringLiteral("storage")));
            ok = false;
        } else {
            config.storageType = *type;
        }
    }
    if (ok && p.isSet(QStringLiteral("resize-at")) != p.isSet(QStringLiteral("resize-to"))) {
        error = QStringLiteral("--resize-at and --resize-to go together");
        ok = false;
    }
    if (!ok) {
        std::fprintf(stderr, "flowgate-cli governor-demo: %s\n", qPrintable(error));
        return ExitUsage;
    }
    s.cpuPerChunk = std::chrono::milliseconds(cpuMs);
    s.ioPerChunk = std::chrono::milliseconds(ioMs);
    if (cpuTokens > 0)
        config.cpuTokens = cpuTokens;
    if (ioTokens > 0)
        config.ioTokens = ioTokens;
    s.resizeAtSeconds = p.isSet(QStringLiteral("resize-at")) ? resizeAt : -1;
    s.resizeTo = resizeTo;

    // Open the CSV before the run, so a bad path fails at once.
    const QString csvPath = p.value(QStringLiteral("metrics-csv"));
    std::unique_ptr<QSaveFile> csv;
    if (!csvPath.isEmpty()) {
        csv = std::make_unique<QSaveFile>(csvPath);
        if (!csv->open(QIODevice::WriteOnly)) {
            std::fprintf(stderr, "flowgate-cli governor-demo: cannot write %s: %s\n", qPrintable(csvPath),
                qPrintable(csv->errorString()));
            return ExitIo;
        }
    }

    Governor governor(config);
    governor.setPerFileWorkers(perFile);
    governor.setFilesInFlight(inFlight);

    MetricsSampler::Options options;
    options.summaryEvery = std::chrono::seconds(summaryEvery);
    MetricsSampler sampler(governor, options);
    sampler.setSummaryCallback([](const QString &line) { out(line); });

    out(QStringLiteral("Governor demo: %1 files x %2 chunks, %3 ms CPU + %4 ms I/O per chunk")
            .arg(s.files)
            .arg(s.chunksPerFile)
            .arg(cpuMs)
            .arg(ioMs));
    out(QStringLiteral(
        "  CPU tokens %1, I/O tokens %2 (storage %3), per-file workers %4, files in flight %5, memory capacity %6 MiB")
            .arg(governor.cpuTokensTotal())
            .arg(governor.ioTokensTotal())
            .arg(governor.storageType().toString())
            .arg(perFile)
            .arg(inFlight)
            .arg(governor.memoryCapacity() >> 20));

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    QThreadPool pool;
    pool.setMaxThreadCount(inFlight * (perFile + 1) + 2);
    CancellationSource cancel;
    std::atomic<int> filesLeft{s.files};
    const auto start = std::chrono::steady_clock::now();
    const PoolIntegral cpuAtStart = governor.cpuPool().integral();
    const PoolIntegral ioAtStart = governor.ioPool().integral();
    sampler.start();

    std::thread dispatcher([&] {
        for (int f = 0; f < s.files; ++f) {
            Permit slot = governor.acquireFileSlot(cancel.token());
            if (!slot) {
                filesLeft.fetch_sub(s.files - f);
                return;
            }
            auto file = std::make_shared<DemoFile>(governor, pool, s, cancel.token(), std::move(slot), filesLeft);
            file->m_self = file;
            DemoFile::start(file);
        }
    });

    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    bool resized = false;
    while (filesLeft.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (g_interrupted.load() && !cancel.isCancelled()) {
            out(QStringLiteral("Interrupted: cancelling..."));
            cancel.cancel();
        }
        if (!resized && s.resizeAtSeconds >= 0 && elapsed >= s.resizeAtSeconds) {
            resized = true;
            const int before = governor.cpuTokensTotal();
            governor.setCpuTokens(s.resizeTo);
            sampler.addNote(QStringLiteral("cpu tokens %1 -> %2").arg(before).arg(s.resizeTo));
            out(QStringLiteral("Live retuning: CPU tokens %1 -> %2").arg(before).arg(s.resizeTo));
        }
        if (tty) {
            const auto &m = governor.metrics();
            std::fprintf(stdout, "\r  %5.1f s  chunks %llu/%llu  CPU %d/%d  I/O %d/%d  queue %d   ", elapsed,
                static_cast<unsigned long long>(m.tasksCompleted()),
                static_cast<unsigned long long>(qint64(s.files) * s.chunksPerFile), governor.cpuTokensInUse(),
                governor.cpuTokensTotal(), governor.ioTokensInUse(), governor.ioTokensTotal(), m.cpuQueueDepth());
            std::fflush(stdout);
        }
    }
    dispatcher.join();
    pool.waitForDone();
    if (tty)
        std::fputs("\n", stdout);
    sampler.sampleNow();
    sampler.stop();

    const MetricsSnapshot last = *sampler.latest();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out(QStringLiteral("Done in %1 s: %2 chunks completed, %3 failed")
            .arg(seconds, 0, 'f', 1)
            .arg(last.tasksCompleted)
            .arg(last.tasksFailed));
    out(QStringLiteral("  CPU wait  P50 %1 ms  P95 %2 ms  P99 %3 ms (whole run)")
            .arg(last.cpuWaitRun.p50Ms, 0, 'f', 3)
            .arg(last.cpuWaitRun.p95Ms, 0, 'f', 3)
            .arg(last.cpuWaitRun.p99Ms, 0, 'f', 3));
    out(QStringLiteral("  I/O wait  P50 %1 ms  P95 %2 ms  P99 %3 ms")
            .arg(last.ioWaitRun.p50Ms, 0, 'f', 3)
            .arg(last.ioWaitRun.p95Ms, 0, 'f', 3)
            .arg(last.ioWaitRun.p99Ms, 0, 'f', 3));
    out(QStringLiteral("  Queue wait P50 %1 ms  P95 %2 ms  P99 %3 ms, max queue depth %4")
            .arg(last.queueWaitRun.p50Ms, 0, 'f', 3)
            .arg(last.queueWaitRun.p95Ms, 0, 'f', 3)
            .arg(last.queueWaitRun.p99Ms, 0, 'f', 3)
            .arg(last.queueDepthMax));
    out(QStringLiteral("  Peak memory %1 MiB").arg(double(last.memoryPeakBytes) / (1 << 20), 0, 'f', 1));
    const PoolIntegral cpuAtEnd = governor.cpuPool().integral();
    const PoolIntegral ioAtEnd = governor.ioPool().integral();
    const auto runSaturation = [](const PoolIntegral &a, const PoolIntegral &b) {
        const double cap = b.capacityTokenSeconds - a.capacityTokenSeconds;
        return cap > 0 ? 100.0 * (b.heldTokenSeconds - a.heldTokenSeconds) / cap : 0.0;
    };
    out(QStringLiteral("  Saturation over the run: CPU %1 %, I/O %2 %")
            .arg(runSaturation(cpuAtStart, cpuAtEnd), 0, 'f', 1)
            .arg(runSaturation(ioAtStart, ioAtEnd), 0, 'f', 1));

    // Hints over the last 10 s of the run.
    const Advisor advisor;
    const auto hints = advisor.evaluate(sampler.snapshotsSince(last.elapsedMs - 10'000));
    for (const AdvisorHint &hint : hints)
        out(QStringLiteral("  Hint: %1. %2 %3").arg(hint.title, hint.evidence, hint.action));

    if (csv) {
        QString csvError;
        if (!MetricsCsv::write(*csv, sampler.snapshots(), &csvError) || !csv->commit()) {
            std::fprintf(stderr, "flowgate-cli governor-demo: cannot write %s: %s\n", qPrintable(csvPath),
                qPrintable(csvError.isEmpty() ? csv->errorString() : csvError));
            return ExitIo;
        }
        out(QStringLiteral("Metrics: %1 samples written to %2").arg(sampler.snapshots().size()).arg(csvPath));
    }
    return cancel.isCancelled() ? ExitCancelled : ExitOk;
}

} // namespace flowgate::cli
