// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/codec.h"
#include "crypto/aead.h"
#include "crypto/secure.h"
#include "crypto/sha256.h"
#include "exitcodes.h"
#include "filecommands.h"
#include "helptext.h"
#include "pipeline/buffer.h"
#include "pipeline/posixfile.h"

#include <QCommandLineParser>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <latch>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace flowgate::cli {

namespace {

/// A corpus of real system files: headers, documentation, executables and
/// shared libraries, interleaved in blocks so every part of the buffer mixes
/// kinds (zstd -3 compresses it roughly 3x). Deterministic for a given system.
QByteArray buildCorpus(qint64 size)
{
    const QStringList roots = {QStringLiteral("/usr/include"), QStringLiteral("/usr/share/doc"),
        QStringLiteral("/usr/bin"), QStringLiteral("/usr/lib/x86_64-linux-gnu")};
    QList<QByteArray> parts(roots.size());
    const qint64 perKind = size / roots.size() + 1;
    for (int k = 0; k < roots.size(); ++k) {
        QStringList files;
        QDirIterator it(roots[k], QDir::Files | QDir::NoSymLinks, QDirIterator::Subdirectories);
        while (it.hasNext())
            files << it.next();
        files.sort();
        for (const QString &f : std::as_const(files)) {
            if (parts[k].size() >= perKind)
                break;
            QFile file(f);
            if (file.size() > 64 * 1024 * 1024 || !file.open(QIODevice::ReadOnly))
                continue;
            parts[k] += file.read(perKind - parts[k].size());
        }
    }
    QByteArray out;
    out.reserve(size);
    constexpr qint64 kBlock = 256 * 1024;
    qint64 pos = 0;
    while (out.size() < size) {
        bool any = false;
        for (const QByteArray &part : std::as_const(parts)) {
            if (pos < part.size()) {
                out += part.mid(pos, kBlock);
                any = true;
            }
        }
        if (!any)
            break;
        pos += kBlock;
    }
    while (out.size() < size && !out.isEmpty()) // a tiny system: repeat what there is
        out += out.left(size - out.size());
    out.truncate(size);
    return out;
}

/// A stage's speed in MB/s (10^6 bytes) of all its threads together: over
/// the median of its round times (the mean of the middle two for an even
/// count), what it typically does on this machine as it is now, and in its
/// best round, what it does when nothing else gets in the way.
struct Speed
{
    double typical = 0;
    double best = 0;
};

/// Runs fn(0) … fn(threads − 1) on `threads` threads that start together,
/// `rounds` times, each thread processing bytesPerThread per round.
Speed measure(std::size_t bytesPerThread, int threads, int rounds, const std::function<void(int)> &fn)
{
    std::vector<double> seconds;
    for (int r = 0; r < rounds; ++r) {
        std::latch start(threads + 1);
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                start.arrive_and_wait();
                fn(t);
            });
        const auto t0 = std::chrono::steady_clock::now();
        start.arrive_and_wait();
        for (std::thread &th : pool)
            th.join();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    const std::size_t n = seconds.size();
    const double median = n % 2 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
    const double megabytes = double(bytesPerThread) * threads / 1e6;
    return {megabytes / median, megabytes / seconds.front()};
}

/// One stage's speed alone on one core and on N cores at once.
struct StageSpeed
{
    Speed one;
    Speed all;
};

} // namespace

int runBench(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Measures each stage alone on a corpus of this system's files (headers, documentation,\n"
                       "programs, libraries), on one core and on N cores at once, then prints the throughput\n"
                       "limit the stages allow together on N cores: 1 / (sum over the stages of seconds per\n"
                       "input MB with N cores on that stage).\n"
                       "Each stage runs --rounds times. The speeds and the limit come from the median of each\n"
                       "stage's round times: what this machine typically does as it is now, to compare with\n"
                       "one run of a pack. The limit from each stage's best round is printed beside it.\n"
                       "With --make-corpus FILE it writes that corpus to FILE instead (for end-to-end runs)."));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("size"), QStringLiteral("Corpus size in MiB (default 64)."), QStringLiteral("MIB")},
        {QStringLiteral("codec"), QStringLiteral("Codec to measure (default zstd:3)."), QStringLiteral("CODEC")},
        {QStringLiteral("cipher"), QStringLiteral("Cipher to measure (default chacha20)."), QStringLiteral("CIPHER")},
        {QStringLiteral("cores"), QStringLiteral("Cores for the combined limit (default 2)."), QStringLiteral("N")},
        {QStringLiteral("chunk-size"), QStringLiteral("Chunk size in MiB (default 4)."), QStringLiteral("MIB")},
        {QStringLiteral("rounds"), QStringLiteral("Rounds of each stage (default 3)."), QStringLiteral("N")},
        {QStringLiteral("make-corpus"), QStringLiteral("Write the corpus to FILE and exit."), QStringLiteral("FILE")},
    });
    if (!p.parse(arguments)) {
        std::fprintf(stderr, "flowgate-cli bench: %s\n", qPrintable(p.errorText()));
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(subcommandHelp(p, arguments.value(0))), stdout);
        return ExitOk;
    }
    bool ok = true;
    const int sizeMiB = p.isSet(QStringLiteral("size")) ? p.value(QStringLiteral("size")).toInt(&ok) : 64;
    const int cores = p.isSet(QStringLiteral("cores")) ? p.value(QStringLiteral("cores")).toInt(&ok) : 2;
    const int chunkMiB = p.isSet(QStringLiteral("chunk-size")) ? p.value(QStringLiteral("chunk-size")).toInt(&ok) : 4;
    // A value that is not a number reads as 0, which is refused below.
    const int rounds = p.isSet(QStringLiteral("rounds")) ? p.value(QStringLiteral("rounds")).toInt() : 3;
    QString error;
    const auto spec = CodecSpec::parse(
        p.isSet(QStringLiteral("codec")) ? p.value(QStringLiteral("codec")) : QStringLiteral("zstd:3"), &error);
    const auto cipher = parseCipher(
        p.isSet(QStringLiteral("cipher")) ? p.value(QStringLiteral("cipher")) : QStringLiteral("chacha20"));
    if (!ok || sizeMiB < 1 || cores < 1 || chunkMiB < 1 || rounds < 1 || rounds > 99 || !spec || !cipher
        || *cipher == CipherId::None) {
        std::fprintf(stderr, "flowgate-cli bench: bad option value (see --help)\n");
        return ExitUsage;
    }

    std::fprintf(stderr, "Building a %d MiB corpus from system files...\n", sizeMiB);
    const QByteArray corpus = buildCorpus(qint64(sizeMiB) * 1024 * 1024);
    if (p.isSet(QStringLiteral("make-corpus"))) {
        QFile out(p.value(QStringLiteral("make-corpus")));
        if (!out.open(QIODevice::WriteOnly) || out.write(corpus) != corpus.size()) {
            std::fprintf(stderr, "flowgate-cli bench: cannot write %s: %s\n", qPrintable(out.fileName()),
                qPrintable(out.errorString()));
            return ExitIo;
        }
        std::printf("%s: %lld bytes\n", qPrintable(out.fileName()), static_cast<long long>(corpus.size()));
        return ExitOk;
    }

    const auto *data = reinterpret_cast<const std::uint8_t *>(corpus.constData());
    const std::size_t total = std::size_t(corpus.size());
    const std::size_t chunk = std::size_t(chunkMiB) * 1024 * 1024;
    // Each stage runs alone: on one core, then on `cores` threads at once
    // (each its own context and buffers), as the pipeline runs it. Cores of
    // a machine rarely scale perfectly (shared caches, memory bandwidth,
    // sibling hardware threads), so the limit uses the speeds measured
    // together, not the one-core speed times the cores.
    const auto stage = [&](const std::function<void(int)> &fn) {
        StageSpeed speed;
        speed.one = measure(total, 1, rounds, fn);
        speed.all = measure(total, cores, rounds, fn);
        return speed;
    };

    struct PerThread
    {
        std::unique_ptr<Compressor> compressor;
        std::unique_ptr<Decompressor> decompressor;
        std::unique_ptr<Aead> aead;
        Buffer compressed;
        Buffer plain;
        Buffer sealed;
        std::vector<std::size_t> frameSizes;
        std::size_t compressedTotal = 0;
        QString error;
    };
    const auto key = randomSecret(kAeadKeySize);
    if (!key)
        return ExitInternal;
    std::vector<PerThread> threads(static_cast<std::size_t>(cores));
    for (PerThread &t : threads) {
        t.compressor = makeCompressor(*spec, &error);
        t.decompressor = makeDecompressor(spec->id, &error);
        t.aead = std::make_unique<Aead>(*cipher);
        if (!t.compressor || !t.decompressor || !t.aead->setKey(key->span())) {
            std::fprintf(stderr, "flowgate-cli bench: %s\n", qPrintable(error));
            return ExitInternal;
        }
        t.compressed = Buffer(compressBound(spec->id, chunk) * (total / chunk + 1));
        t.plain = Buffer(chunk);
        t.sealed = Buffer(chunk + kAeadTagSize);
    }

    const StageSpeed compress = stage([&](int i) {
        PerThread &t = threads[std::size_t(i)];
        t.frameSizes.clear();
        t.compressedTotal = 0;
        for (std::size_t off = 0; off < total; off += chunk) {
            const std::size_t n = std::min(chunk, total - off);
            std::size_t written = 0;
            if (!t.compressor->compressInto(data + off, n, t.compressed.data() + t.compressedTotal,
                    t.compressed.capacity() - t.compressedTotal, &written, &t.error))
                std::abort();
            t.frameSizes.push_back(written);
            t.compressedTotal += written;
        }
    });
    const double ratio = double(total) / double(std::max<std::size_t>(threads[0].compressedTotal, 1));
    const StageSpeed decompress = stage([&](int i) {
        PerThread &t = threads[std::size_t(i)];
        std::size_t off = 0, in = 0;
        for (std::size_t f : t.frameSizes) {
            const std::size_t n = std::min(chunk, total - off);
            if (!t.decompressor->decompressInto(t.compressed.data() + in, f, t.plain.data(), n, &t.error))
                std::abort();
            off += n;
            in += f;
        }
    });
    const StageSpeed seal = stage([&](int i) {
        PerThread &t = threads[std::size_t(i)];
        quint64 index = 0;
        for (std::size_t off = 0; off < total; off += chunk) {
            const std::size_t n = std::min(chunk, total - off);
            if (!t.aead->sealTo(counterNonce(index++), {}, std::span<const std::uint8_t>(data + off, n),
                    std::span<std::uint8_t>(t.sealed.data(), n + kAeadTagSize)))
                std::abort();
        }
    });
    const StageSpeed sha = stage([&](int) {
        Sha256 h;
        for (std::size_t off = 0; off < total; off += chunk)
            h.update(data + off, std::min(chunk, total - off));
        (void)h.finish();
    });

    QTemporaryDir dir;
    const auto pathOf = [&](int i) { return dir.filePath(QStringLiteral("bench-%1.bin").arg(i)); };
    const StageSpeed write = stage([&](int i) {
        QFile f(pathOf(i));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
            std::abort();
        QString writeError;
        posix::Failure failure = posix::Failure::None;
        for (std::size_t off = 0; off < total; off += chunk)
            if (!posix::writeFully(f.handle(), data + off, std::min(chunk, total - off), &writeError, &failure))
                std::abort();
    });
    const StageSpeed read = stage([&](int i) {
        PerThread &t = threads[std::size_t(i)];
        const int fd = ::open(QFile::encodeName(pathOf(i)).constData(), O_RDONLY | O_CLOEXEC);
        for (std::size_t off = 0; off < total; off += chunk)
            (void)posix::readFully(fd, t.plain.data(), std::min(chunk, total - off), off, &t.error);
        ::close(fd);
    });

    std::printf("Stage speeds, each stage alone (MB/s of the stage's own input, median of %d rounds;\n"
                "corpus %d MiB, %d MiB chunks):\n",
        rounds, sizeMiB, chunkMiB);
    std::printf("  %-28s %9s %9s\n", "", "1 core", qPrintable(QStringLiteral("%1 cores").arg(cores)));
    const auto row = [](const QString &name, const StageSpeed &speed, const QString &note = {}) {
        std::printf(
            "  %-28s %9.0f %9.0f%s\n", qPrintable(name), speed.one.typical, speed.all.typical, qPrintable(note));
    };
    row(QStringLiteral("read (page cache)"), read);
    row(QStringLiteral("SHA-256"), sha);
    row(QStringLiteral("compress %1").arg(spec->toString()), compress,
        QStringLiteral("   (ratio %1)").arg(ratio, 0, 'f', 2));
    row(QStringLiteral("encrypt %1").arg(cipherName(*cipher)), seal);
    row(QStringLiteral("write (page cache)"), write);
    row(QStringLiteral("decompress %1").arg(CodecSpec::name(spec->id)), decompress);

    // Seconds per input MB of each stage with all cores busy with it; the
    // stages share the cores, so their costs add up. Encryption and writing
    // (pack) and reading and decryption (restore) see the compressed bytes.
    using Pick = double (*)(const StageSpeed &);
    const auto packCost = [&](Pick at) {
        return 1.0 / at(read) + 1.0 / at(sha) + 1.0 / at(compress) + (1.0 / ratio) / at(seal)
            + (1.0 / ratio) / at(write);
    };
    const auto restoreCost = [&](Pick at) {
        return (1.0 / ratio) / at(read) + (1.0 / ratio) / at(seal) + 1.0 / at(decompress) + 1.0 / at(sha)
            + 1.0 / at(write);
    };
    const Pick allTypical = [](const StageSpeed &s) { return s.all.typical; };
    const Pick allBest = [](const StageSpeed &s) { return s.all.best; };
    const Pick oneTypical = [](const StageSpeed &s) { return s.one.typical; };
    std::printf("Limit on %d cores, all stages together (MB/s of original data):\n", cores);
    std::printf("  %-8s %13s %12s\n", "", "median rounds", "best rounds");
    std::printf("  pack     %13.0f %12.0f\n", 1.0 / packCost(allTypical), 1.0 / packCost(allBest));
    std::printf("  restore  %13.0f %12.0f\n", 1.0 / restoreCost(allTypical), 1.0 / restoreCost(allBest));
    std::printf("(If %d cores each ran at the one-core speed, median rounds: pack %.0f, restore %.0f.)\n", cores,
        double(cores) / packCost(oneTypical), double(cores) / restoreCost(oneTypical));
    return ExitOk;
}

} // namespace flowgate::cli
