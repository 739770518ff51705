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

#include <chrono>
#include <cstdio>
#include <functional>

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

/// MB/s (10^6 bytes of `bytes`) of the best of `rounds` runs of fn.
double measure(std::size_t bytes, int rounds, const std::function<void()> &fn)
{
    double best = 1e300;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return double(bytes) / 1e6 / best;
}

} // namespace

int runBench(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Measures each stage alone, on one core, on a corpus of this system's files (headers,\n"
                       "documentation, programs, libraries), then prints the throughput limit the stages allow\n"
                       "together on N cores: N / (sum over the stages of seconds per input MB).\n"
                       "With --make-corpus FILE it writes that corpus to FILE instead (for end-to-end runs)."));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("size"), QStringLiteral("Corpus size in MiB (default 64)."), QStringLiteral("MIB")},
        {QStringLiteral("codec"), QStringLiteral("Codec to measure (default zstd:3)."), QStringLiteral("CODEC")},
        {QStringLiteral("cipher"), QStringLiteral("Cipher to measure (default chacha20)."), QStringLiteral("CIPHER")},
        {QStringLiteral("cores"), QStringLiteral("Cores for the combined limit (default 2)."), QStringLiteral("N")},
        {QStringLiteral("chunk-size"), QStringLiteral("Chunk size in MiB (default 4)."), QStringLiteral("MIB")},
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
    QString error;
    const auto spec = CodecSpec::parse(
        p.isSet(QStringLiteral("codec")) ? p.value(QStringLiteral("codec")) : QStringLiteral("zstd:3"), &error);
    const auto cipher = parseCipher(
        p.isSet(QStringLiteral("cipher")) ? p.value(QStringLiteral("cipher")) : QStringLiteral("chacha20"));
    if (!ok || sizeMiB < 1 || cores < 1 || chunkMiB < 1 || !spec || !cipher || *cipher == CipherId::None) {
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
    const int rounds = 3;

    auto compressor = makeCompressor(*spec, &error);
    auto decompressor = makeDecompressor(spec->id, &error);
    Buffer compressed(total + total / 8 + 1024 * 1024 + compressBound(spec->id, chunk) * (total / chunk + 1));
    std::vector<std::size_t> frameSizes;
    std::size_t compressedTotal = 0;
    const double compressMBps = measure(total, rounds, [&] {
        frameSizes.clear();
        compressedTotal = 0;
        for (std::size_t off = 0; off < total; off += chunk) {
            const std::size_t n = std::min(chunk, total - off);
            std::size_t written = 0;
            if (!compressor->compressInto(data + off, n, compressed.data() + compressedTotal,
                    compressed.capacity() - compressedTotal, &written, &error))
                std::abort();
            frameSizes.push_back(written);
            compressedTotal += written;
        }
    });
    const double ratio = double(total) / double(std::max<std::size_t>(compressedTotal, 1));
    Buffer plain(chunk);
    const double decompressMBps = measure(total, rounds, [&] {
        std::size_t off = 0, in = 0;
        for (std::size_t f : frameSizes) {
            const std::size_t n = std::min(chunk, total - off);
            if (!decompressor->decompressInto(compressed.data() + in, f, plain.data(), n, &error))
                std::abort();
            off += n;
            in += f;
        }
    });

    Aead aead(*cipher);
    const auto key = randomSecret(kAeadKeySize);
    if (!key || !aead.setKey(key->span()))
        return ExitInternal;
    Buffer sealed(chunk + kAeadTagSize);
    const double sealMBps = measure(total, rounds, [&] {
        quint64 i = 0;
        for (std::size_t off = 0; off < total; off += chunk) {
            const std::size_t n = std::min(chunk, total - off);
            if (!aead.sealTo(counterNonce(i++), {}, std::span<const std::uint8_t>(data + off, n),
                    std::span<std::uint8_t>(sealed.data(), n + kAeadTagSize)))
                std::abort();
        }
    });
    const double shaMBps = measure(total, rounds, [&] {
        Sha256 h;
        h.update(data, total);
        (void)h.finish();
    });

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.bin"));
    const double writeMBps = measure(total, rounds, [&] {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            std::abort();
        for (std::size_t off = 0; off < total; off += chunk)
            f.write(corpus.constData() + off, qint64(std::min(chunk, total - off)));
    });
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    const double readMBps = measure(total, rounds, [&] {
        for (std::size_t off = 0; off < total; off += chunk)
            (void)posix::readFully(fd, plain.data(), std::min(chunk, total - off), off, &error);
    });
    ::close(fd);

    std::printf(
        "Stage speeds on one core (MB/s of the stage's own input; corpus %d MiB, %d MiB chunks):\n", sizeMiB, chunkMiB);
    std::printf("  %-28s %9.0f\n", "read (page cache)", readMBps);
    std::printf("  %-28s %9.0f\n", "SHA-256", shaMBps);
    std::printf("  %-28s %9.0f   (ratio %.2f)\n", qPrintable(QStringLiteral("compress %1").arg(spec->toString())),
        compressMBps, ratio);
    std::printf("  %-28s %9.0f\n", qPrintable(QStringLiteral("encrypt %1").arg(cipherName(*cipher))), sealMBps);
    std::printf("  %-28s %9.0f\n", "write (page cache)", writeMBps);
    std::printf(
        "  %-28s %9.0f\n", qPrintable(QStringLiteral("decompress %1").arg(CodecSpec::name(spec->id))), decompressMBps);

    // Seconds of CPU per input MB for each stage; encryption and writing see
    // the compressed bytes only.
    const double packCost
        = 1.0 / readMBps + 1.0 / shaMBps + 1.0 / compressMBps + (1.0 / ratio) / sealMBps + (1.0 / ratio) / writeMBps;
    const double restoreCost
        = (1.0 / ratio) / readMBps + (1.0 / ratio) / sealMBps + 1.0 / decompressMBps + 1.0 / shaMBps + 1.0 / writeMBps;
    std::printf("Limit on %d cores, all stages together (MB/s of original data):\n", cores);
    std::printf("  pack     %9.0f\n", double(cores) / packCost);
    std::printf("  restore  %9.0f\n", double(cores) / restoreCost);
    return ExitOk;
}

} // namespace flowgate::cli
