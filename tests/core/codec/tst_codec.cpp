// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/codec.h"

#include <QFile>
#include <QList>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

#include <sys/mman.h>
#include <unistd.h>

using namespace flowgate;

Q_DECLARE_METATYPE(flowgate::CodecId)
Q_DECLARE_METATYPE(flowgate::CodecSpec)

namespace {

constexpr qint64 kMiB = qint64(1) << 20;
constexpr std::array kAllCodecs = {CodecId::Zstd, CodecId::Lz4, CodecId::Gzip, CodecId::Xz, CodecId::None};

enum class Data { Zeros, Random, Text };

const char *dataName(Data kind)
{
    switch (kind) {
    case Data::Zeros:
        return "zeros";
    case Data::Random:
        return "random";
    case Data::Text:
        return "text";
    }
    return "?";
}

/// 4 MiB of the given kind, made once from fixed seeds: tests take prefixes.
const Bytes &sample(Data kind)
{
    static const std::array<Bytes, 3> samples = [] {
        constexpr std::size_t size = 4 * kMiB;
        std::array<Bytes, 3> result;
        result[0].assign(size, 0);

        std::mt19937_64 rng(0x5eed'c0de'f10e'9a7eULL);
        Bytes &random = result[1];
        random.resize(size);
        for (std::size_t i = 0; i < size; i += 8) {
            const std::uint64_t v = rng();
            std::memcpy(random.data() + i, &v, 8);
        }

        // Log-like lines from a small vocabulary with numbers: compresses
        // about 3 to 5 times with zstd, like logs and source files.
        static const char *const words[] = {
            "the",
            "chunk",
            "governor",
            "token",
            "permit",
            "worker",
            "file",
            "reader",
            "writer",
            "cipher",
            "archive",
            "codec",
            "level",
            "memory",
            "budget",
            "queue",
            "wait",
            "done",
            "started",
            "failed",
            "resumed",
            "paused",
            "of",
            "and",
            "to",
            "in",
            "a",
            "for",
            "with",
            "on",
            "bytes",
            "MiB/s",
            "ms",
            "INFO",
            "DEBUG",
            "WARN",
        };
        std::mt19937 textRng(20240611);
        Bytes &text = result[2];
        text.reserve(size + 256);
        while (text.size() < size) {
            const auto append = [&text](const char *s) { text.insert(text.end(), s, s + std::strlen(s)); };
            append(words[33 + textRng() % 3]);
            const std::string stamp
                = " 2024-06-" + std::to_string(10 + textRng() % 20) + " " + std::to_string(textRng() % 100000) + ":";
            append(stamp.c_str());
            const int n = 4 + int(textRng() % 12);
            for (int i = 0; i < n; ++i) {
                text.push_back(' ');
                append(words[textRng() % 33]);
            }
            text.push_back('\n');
        }
        text.resize(size);
        return result;
    }();
    return samples[std::size_t(kind)];
}

/// Memory whose last byte is followed by an inaccessible page: a library
/// that reads or writes past the end crashes the test even though it is not
/// built with the sanitizers.
class GuardedBuffer final
{
    Q_DISABLE_COPY_MOVE(GuardedBuffer)
public:
    explicit GuardedBuffer(std::size_t size)
        : m_size(size)
    {
        const auto page = std::size_t(sysconf(_SC_PAGESIZE));
        const std::size_t dataPages = (size + page - 1) / page;
        m_mapped = (dataPages + 1) * page;
        void *base = mmap(nullptr, m_mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED)
            qFatal("mmap failed");
        m_base = static_cast<std::uint8_t *>(base);
        if (mprotect(m_base + dataPages * page, page, PROT_NONE) != 0)
            qFatal("mprotect failed");
        m_data = m_base + dataPages * page - size;
    }
    GuardedBuffer(const std::uint8_t *data, std::size_t size)
        : GuardedBuffer(size)
    {
        if (size > 0)
            std::memcpy(m_data, data, size);
    }
    explicit GuardedBuffer(const Bytes &bytes)
        : GuardedBuffer(bytes.data(), bytes.size())
    { }
    ~GuardedBuffer() { munmap(m_base, m_mapped); }

    [[nodiscard]] std::uint8_t *data() { return m_data; }
    [[nodiscard]] const std::uint8_t *data() const { return m_data; }
    [[nodiscard]] std::size_t size() const { return m_size; }

private:
    std::uint8_t *m_base = nullptr;
    std::uint8_t *m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_mapped = 0;
};

/// Empty when equal, else where they differ.
QByteArray difference(const std::uint8_t *a, std::size_t aSize, const std::uint8_t *b, std::size_t bSize)
{
    if (aSize != bSize)
        return "sizes differ: " + QByteArray::number(quint64(aSize)) + " vs " + QByteArray::number(quint64(bSize));
    if (aSize == 0)
        return {};
    const auto mismatch = std::mismatch(a, a + aSize, b);
    if (mismatch.first == a + aSize)
        return {};
    return "first difference at byte " + QByteArray::number(qint64(mismatch.first - a));
}

#define COMPARE_BYTES(a, aSize, b, bSize)                                                                              \
    do {                                                                                                               \
        const QByteArray diff_ = difference((a), (aSize), (b), (bSize));                                               \
        QVERIFY2(diff_.isEmpty(), diff_.constData());                                                                  \
    } while (false)

Bytes compressed(const CodecSpec &spec, const std::uint8_t *data, std::size_t size)
{
    QString error;
    auto compressor = makeCompressor(spec, &error);
    Bytes frame;
    if (!compressor || !compressor->compress(data, size, frame, &error))
        qFatal("compressing failed: %s", qPrintable(error));
    return frame;
}

bool hasIntegrityCheck(CodecId id)
{
    return id == CodecId::Gzip || id == CodecId::Xz;
}

QString toolFor(CodecId id)
{
    switch (id) {
    case CodecId::Zstd:
        return QStringLiteral("zstd");
    case CodecId::Lz4:
        return QStringLiteral("lz4");
    case CodecId::Gzip:
        return QStringLiteral("gzip");
    case CodecId::Xz:
        return QStringLiteral("xz");
    case CodecId::None:
        break;
    }
    return {};
}

} // namespace

class tst_Codec final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names();
    void parse_data();
    void parse();
    void toStringRoundTrip();
    void factories();

    void roundTrip_data();
    void roundTrip();
    void deterministicWithReuse_data();
    void deterministicWithReuse();
    void reuseAcrossChunks_data();
    void reuseAcrossChunks();
    void compressIntoSmallBuffer_data();
    void compressIntoSmallBuffer();
    void chunkLimit_data();
    void chunkLimit();

    void compatibleMode_data();
    void compatibleMode();

    void truncated_data();
    void truncated();
    void flippedBytes_data();
    void flippedBytes();
    void garbage_data();
    void garbage();
    void wrongExpectedSize_data();
    void wrongExpectedSize();
    void trailingData_data();
    void trailingData();

    void compressionRatio();
};

// --- CodecSpec ----------------------------------------------------------------

void tst_Codec::names()
{
    const struct
    {
        CodecId id;
        const char *name;
        const char *extension;
        int min, def, max;
    } expected[] = {
        {CodecId::None, "none", "", 0, 0, 0},
        {CodecId::Zstd, "zstd", ".zst", 1, 3, 19},
        {CodecId::Lz4, "lz4", ".lz4", 0, 0, 12},
        {CodecId::Gzip, "gzip", ".gz", 1, 6, 9},
        {CodecId::Xz, "xz", ".xz", 0, 6, 9},
    };
    for (const auto &e : expected) {
        QCOMPARE(CodecSpec::name(e.id), QLatin1String(e.name));
        QCOMPARE(CodecSpec::fileExtension(e.id), QLatin1String(e.extension));
        QCOMPARE(CodecSpec::minLevel(e.id), e.min);
        QCOMPARE(CodecSpec::defaultLevel(e.id), e.def);
        QCOMPARE(CodecSpec::maxLevel(e.id), e.max);
        QVERIFY(CodecSpec::defaultFor(e.id).isValid());
    }
    // Stored values: never renumbered.
    QCOMPARE(quint8(CodecId::None), quint8(0));
    QCOMPARE(quint8(CodecId::Zstd), quint8(1));
    QCOMPARE(quint8(CodecId::Lz4), quint8(2));
    QCOMPARE(quint8(CodecId::Gzip), quint8(3));
    QCOMPARE(quint8(CodecId::Xz), quint8(4));
    for (int v = 0; v <= 4; ++v)
        QCOMPARE(codecIdFromValue(quint8(v)), std::optional<CodecId>(CodecId(v)));
    for (int v : {5, 6, 127, 255})
        QVERIFY(!codecIdFromValue(quint8(v)));

    QCOMPARE(CodecSpec().toString(), QStringLiteral("zstd:3"));
    QVERIFY(!(CodecSpec{CodecId::Zstd, 0}.isValid()));
    QVERIFY(!(CodecSpec{CodecId::None, 1}.isValid()));
    QVERIFY(!(CodecSpec{CodecId(9), 0}.isValid()));
}

void tst_Codec::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<CodecSpec>("expected");
    QTest::addColumn<QString>("errorContains");

    const auto ok = [](const char *tag, const char *text, CodecId id, int level) {
        QTest::newRow(tag) << QString::fromUtf8(text) << true << CodecSpec{id, level} << QString();
    };
    const auto bad = [](const char *tag, const char *text, const char *errorContains) {
        QTest::newRow(tag) << QString::fromUtf8(text) << false << CodecSpec{} << QString::fromUtf8(errorContains);
    };

    ok("zstd", "zstd", CodecId::Zstd, 3);
    ok("zstd:1", "zstd:1", CodecId::Zstd, 1);
    ok("zstd:19", "zstd:19", CodecId::Zstd, 19);
    ok("zstd:03", "zstd:03", CodecId::Zstd, 3);
    ok("lz4", "lz4", CodecId::Lz4, 0);
    ok("lz4:0", "lz4:0", CodecId::Lz4, 0);
    ok("lz4:1", "lz4:1", CodecId::Lz4, 1);
    ok("lz4:12", "lz4:12", CodecId::Lz4, 12);
    ok("gzip", "gzip", CodecId::Gzip, 6);
    ok("gzip:1", "gzip:1", CodecId::Gzip, 1);
    ok("gzip:9", "gzip:9", CodecId::Gzip, 9);
    ok("xz", "xz", CodecId::Xz, 6);
    ok("xz:0", "xz:0", CodecId::Xz, 0);
    ok("xz:9", "xz:9", CodecId::Xz, 9);
    ok("none", "none", CodecId::None, 0);
    // Case and whitespace.
    ok("upper case", "ZSTD:7", CodecId::Zstd, 7);
    ok("mixed case", "Gzip", CodecId::Gzip, 6);
    ok("surrounding spaces", "  xz:2  ", CodecId::Xz, 2);
    ok("tabs and newline", "\tlz4\n", CodecId::Lz4, 0);
    ok("spaces around colon", "zstd : 5", CodecId::Zstd, 5);
    ok("None upper", "NONE", CodecId::None, 0);

    // Out of range levels name the range.
    bad("zstd:0", "zstd:0", "1 to 19 (default 3)");
    bad("zstd:20", "zstd:20", "1 to 19 (default 3)");
    bad("zstd:-1", "zstd:-1", "1 to 19");
    bad("zstd huge", "zstd:99999999999999999999999", "1 to 19");
    bad("gzip:0", "gzip:0", "1 to 9 (default 6)");
    bad("gzip:10", "gzip:10", "1 to 9 (default 6)");
    bad("xz:10", "xz:10", "0 to 9 (default 6)");
    bad("xz:-3", "xz:-3", "0 to 9");
    bad("lz4:13", "lz4:13", "0 to 12 (default 0");
    bad("lz4:-1", "lz4:-1", "0 to 12");
    bad("none:0", "none:0", "none takes no level");
    bad("none:3", "none:3", "none takes no level");
    // Malformed levels.
    bad("missing level", "zstd:", "no level");
    bad("letters", "zstd:abc", "not a whole number");
    bad("plus sign", "zstd:+3", "not a whole number");
    bad("fraction", "gzip:6.5", "not a whole number");
    bad("two colons", "zstd:3:4", "not a whole number");
    bad("inner space", "zstd:1 9", "not a whole number");
    bad("arabic digits", "zstd:\u0663", "not a whole number");
    // Names.
    bad("empty", "", "no codec given");
    bad("blank", "   ", "no codec given");
    bad("colon only", ":3", "unknown codec");
    bad("unknown", "brotli", "zstd, lz4, gzip, xz or none");
    bad("unknown with level", "brotli:5", "unknown codec \"brotli\"");
    bad("alias gz", "gz", "unknown codec");
    bad("alias zst", "zst:3", "unknown codec");
    bad("split name", "zs td", "unknown codec");
    bad("percent", "%1:3", "unknown codec \"%1\"");
}

void tst_Codec::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(CodecSpec, expected);
    QFETCH(QString, errorContains);

    QString error;
    const std::optional<CodecSpec> spec = CodecSpec::parse(text, &error);
    QCOMPARE(spec.has_value(), valid);
    if (valid) {
        QCOMPARE(spec->id, expected.id);
        QCOMPARE(spec->level, expected.level);
        QVERIFY(spec->isValid());
        QVERIFY(error.isEmpty());
    } else {
        QVERIFY2(error.contains(errorContains), qPrintable(error));
    }
    // A null error pointer is fine.
    QCOMPARE(CodecSpec::parse(text, nullptr).has_value(), valid);
}

void tst_Codec::toStringRoundTrip()
{
    for (const CodecId id : kAllCodecs) {
        for (int level = CodecSpec::minLevel(id); level <= CodecSpec::maxLevel(id); ++level) {
            const CodecSpec spec{id, level};
            QString error;
            const auto parsed = CodecSpec::parse(spec.toString(), &error);
            QVERIFY2(parsed, qPrintable(error));
            QCOMPARE(*parsed, spec);
        }
    }
    QCOMPARE((CodecSpec{CodecId::Gzip, 9}.toString()), QStringLiteral("gzip:9"));
    QCOMPARE((CodecSpec{CodecId::Lz4, 0}.toString()), QStringLiteral("lz4:0"));
    QCOMPARE((CodecSpec{CodecId::None, 0}.toString()), QStringLiteral("none"));
}

void tst_Codec::factories()
{
    for (const CodecId id : kAllCodecs) {
        QString error;
        const auto compressor = makeCompressor(CodecSpec::defaultFor(id), &error);
        QVERIFY2(compressor, qPrintable(error));
        QCOMPARE(compressor->spec(), CodecSpec::defaultFor(id));
        const auto decompressor = makeDecompressor(id, &error);
        QVERIFY2(decompressor, qPrintable(error));
        QCOMPARE(decompressor->id(), id);
    }
    QString error;
    QVERIFY(!makeCompressor(CodecSpec{CodecId::Zstd, 20}, &error));
    QVERIFY2(error.contains(QLatin1String("1 to 19")), qPrintable(error));
    error.clear();
    QVERIFY(!makeCompressor(CodecSpec{CodecId(7), 1}, &error));
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!makeDecompressor(CodecId(7), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!makeDecompressor(CodecId(200)));
    QCOMPARE(compressBound(CodecId(7), 100), std::size_t(0));
}

// --- Round trips ------------------------------------------------------------------

void tst_Codec::roundTrip_data()
{
    QTest::addColumn<CodecSpec>("spec");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<Data>("kind");

    const qint64 sizes[] = {0, 1, 100, 65535, 65536, 65537, kMiB + 3, 4 * kMiB};
    const auto add = [](const CodecSpec &spec, qint64 size, Data kind) {
        QTest::addRow("%s/%s/%lld", qPrintable(spec.toString()), dataName(kind), size) << spec << size << kind;
    };
    for (const CodecId id : kAllCodecs) {
        for (const qint64 size : sizes) {
            for (const Data kind : {Data::Zeros, Data::Random, Data::Text})
                add(CodecSpec::defaultFor(id), size, kind);
        }
    }
    // Other levels, on smaller chunks where they are slow.
    const struct
    {
        CodecSpec spec;
        qint64 maxSize = 0;
    } levels[] = {
        {{CodecId::Zstd, 1}, 4 * kMiB},
        {{CodecId::Zstd, 19}, 65537},
        {{CodecId::Lz4, 1}, 4 * kMiB},
        {{CodecId::Lz4, 9}, kMiB + 3},
        {{CodecId::Lz4, 12}, 65537},
        {{CodecId::Gzip, 1}, 4 * kMiB},
        {{CodecId::Gzip, 9}, kMiB + 3},
        {{CodecId::Xz, 0}, kMiB + 3},
        {{CodecId::Xz, 9}, 65537},
    };
    for (const auto &level : levels) {
        for (const qint64 size : sizes) {
            if (size > level.maxSize)
                continue;
            for (const Data kind : {Data::Zeros, Data::Random, Data::Text})
                add(level.spec, size, kind);
        }
    }
}

void tst_Codec::roundTrip()
{
    QFETCH(CodecSpec, spec);
    QFETCH(qint64, size);
    QFETCH(Data, kind);

    const std::uint8_t *plain = sample(kind).data();
    const GuardedBuffer input(plain, std::size_t(size));
    QString error;
    auto compressor = makeCompressor(spec, &error);
    QVERIFY2(compressor, qPrintable(error));

    Bytes frame;
    QVERIFY2(compressor->compress(input.data(), input.size(), frame, &error), qPrintable(error));
    QVERIFY(!frame.empty() || spec.id == CodecId::None);
    QVERIFY2(frame.size() <= compressBound(spec.id, std::size_t(size)),
        qPrintable(QStringLiteral("%1 > bound %2").arg(frame.size()).arg(compressBound(spec.id, std::size_t(size)))));

    // Into a buffer of exactly the bound, guarded: the same frame.
    GuardedBuffer boundBuffer(compressBound(spec.id, std::size_t(size)));
    std::size_t written = 0;
    QVERIFY2(
        compressor->compressInto(input.data(), input.size(), boundBuffer.data(), boundBuffer.size(), &written, &error),
        qPrintable(error));
    COMPARE_BYTES(boundBuffer.data(), written, frame.data(), frame.size());

    auto decompressor = makeDecompressor(spec.id, &error);
    QVERIFY2(decompressor, qPrintable(error));
    const GuardedBuffer guardedFrame(frame);
    Bytes out;
    QVERIFY2(decompressor->decompress(guardedFrame.data(), guardedFrame.size(), std::size_t(size), out, &error),
        qPrintable(error));
    COMPARE_BYTES(out.data(), out.size(), plain, std::size_t(size));

    // Into a guarded buffer of exactly the plain size.
    GuardedBuffer exact{std::size_t(size)};
    QVERIFY2(decompressor->decompressInto(guardedFrame.data(), guardedFrame.size(), exact.data(), exact.size(), &error),
        qPrintable(error));
    COMPARE_BYTES(exact.data(), exact.size(), plain, std::size_t(size));
}

void tst_Codec::deterministicWithReuse_data()
{
    QTest::addColumn<CodecSpec>("spec");
    for (const CodecId id : kAllCodecs)
        QTest::newRow(qPrintable(CodecSpec::name(id))) << CodecSpec::defaultFor(id);
    QTest::newRow("lz4:2") << CodecSpec{CodecId::Lz4, 2};
    QTest::newRow("lz4:9") << CodecSpec{CodecId::Lz4, 9};
    QTest::newRow("lz4:12") << CodecSpec{CodecId::Lz4, 12};
    QTest::newRow("gzip:1") << CodecSpec{CodecId::Gzip, 1};
    QTest::newRow("xz:0") << CodecSpec{CodecId::Xz, 0};
    QTest::newRow("zstd:19") << CodecSpec{CodecId::Zstd, 19};
}

void tst_Codec::deterministicWithReuse()
{
    // The same chunk gives the same frame from a fresh compressor and from
    // one that compressed other chunks (other sizes, other data) before.
    QFETCH(CodecSpec, spec);
    const Bytes &text = sample(Data::Text);
    const Bytes &random = sample(Data::Random);
    QString error;
    auto compressor = makeCompressor(spec, &error);
    QVERIFY(compressor);
    // Large and small chunks (lz4 treats inputs under 4 KiB differently).
    for (const std::size_t chunk : {std::size_t(200000), std::size_t(1500)}) {
        const std::uint8_t *plain = text.data() + 1000;
        const Bytes fresh = compressed(spec, plain, chunk);
        Bytes frame;
        QVERIFY(compressor->compress(random.data(), kMiB, frame, &error));
        QVERIFY(compressor->compress(text.data(), 5000, frame, &error));
        QVERIFY(compressor->compress(plain, chunk, frame, &error));
        COMPARE_BYTES(frame.data(), frame.size(), fresh.data(), fresh.size());
        QVERIFY(compressor->compress(text.data() + 7, 3000, frame, &error));
        QVERIFY(compressor->compress(random.data(), 100, frame, &error));
        QVERIFY(compressor->compress(plain, chunk, frame, &error));
        COMPARE_BYTES(frame.data(), frame.size(), fresh.data(), fresh.size());
    }
}

void tst_Codec::reuseAcrossChunks_data()
{
    QTest::addColumn<CodecSpec>("spec");
    for (const CodecId id : kAllCodecs)
        QTest::newRow(qPrintable(CodecSpec::name(id))) << CodecSpec::defaultFor(id);
}

void tst_Codec::reuseAcrossChunks()
{
    // One compressor, one decompressor and two vectors for a run of chunks of
    // changing sizes and kinds, as a worker uses them.
    QFETCH(CodecSpec, spec);
    QString error;
    auto compressor = makeCompressor(spec, &error);
    auto decompressor = makeDecompressor(spec.id, &error);
    QVERIFY(compressor && decompressor);

    const struct
    {
        Data kind;
        std::size_t offset, size;
    } chunks[] = {
        {Data::Text, 0, 1 << 20},
        {Data::Random, 7, 100},
        {Data::Text, 3, 0},
        {Data::Zeros, 0, 65536},
        {Data::Random, 0, 300000},
        {Data::Text, 123, 2 << 20},
        {Data::Text, 5, 1},
        {Data::Random, 11, 1 << 20},
        {Data::Text, 99, 65537},
    };
    Bytes frame;
    Bytes out;
    for (const auto &c : chunks) {
        const std::uint8_t *plain = sample(c.kind).data() + c.offset;
        QVERIFY2(compressor->compress(plain, c.size, frame, &error), qPrintable(error));
        QVERIFY2(decompressor->decompress(frame.data(), frame.size(), c.size, out, &error), qPrintable(error));
        COMPARE_BYTES(out.data(), out.size(), plain, c.size);
    }
}

void tst_Codec::compressIntoSmallBuffer_data()
{
    QTest::addColumn<CodecSpec>("spec");
    for (const CodecId id : kAllCodecs)
        QTest::newRow(qPrintable(CodecSpec::name(id))) << CodecSpec::defaultFor(id);
    QTest::newRow("lz4:9") << CodecSpec{CodecId::Lz4, 9};
    QTest::newRow("gzip:9") << CodecSpec{CodecId::Gzip, 9};
    QTest::newRow("xz:0") << CodecSpec{CodecId::Xz, 0};
}

void tst_Codec::compressIntoSmallBuffer()
{
    // Too little room fails cleanly and never writes past the buffer.
    QFETCH(CodecSpec, spec);
    QString error;
    auto compressor = makeCompressor(spec, &error);
    QVERIFY(compressor);
    for (const Data kind : {Data::Text, Data::Random}) {
        const std::size_t size = 150000;
        const std::uint8_t *plain = sample(kind).data();
        const Bytes frame = compressed(spec, plain, size);
        for (const std::size_t room :
            {std::size_t(0), std::size_t(1), std::size_t(16), frame.size() / 2, frame.size() - 1}) {
            GuardedBuffer small(room);
            std::size_t written = 12345;
            error.clear();
            QVERIFY(!compressor->compressInto(plain, size, small.data(), room, &written, &error));
            QVERIFY(!error.isEmpty());
            QCOMPARE(written, std::size_t(12345));
        }
        // And it still works afterwards.
        Bytes again;
        QVERIFY2(compressor->compress(plain, size, again, &error), qPrintable(error));
        COMPARE_BYTES(again.data(), again.size(), frame.data(), frame.size());
    }
    // Null buffers.
    std::size_t written = 0;
    QVERIFY(!compressor->compressInto(nullptr, 10, nullptr, 0, &written, &error));
    QVERIFY(!compressor->compressInto(sample(Data::Text).data(), 10, nullptr, 100, &written, &error));
    QVERIFY(!compressor->compressInto(sample(Data::Text).data(), 10, nullptr, 0, nullptr, &error));
}

void tst_Codec::chunkLimit_data()
{
    QTest::addColumn<CodecSpec>("spec");
    for (const CodecId id : kAllCodecs)
        QTest::newRow(qPrintable(CodecSpec::name(id))) << CodecSpec::defaultFor(id);
}

void tst_Codec::chunkLimit()
{
    // Sizes beyond kMaxChunkSize are refused before the buffers are touched
    // (the one-byte buffers below are never read).
    QFETCH(CodecSpec, spec);
    QString error;
    auto compressor = makeCompressor(spec, &error);
    auto decompressor = makeDecompressor(spec.id, &error);
    QVERIFY(compressor && decompressor);
    const std::uint8_t one = 0;
    Bytes out;
    QVERIFY(!compressor->compress(&one, kMaxChunkSize + 1, out, &error));
    QVERIFY2(error.contains(QLatin1String("larger than the limit")), qPrintable(error));
    QVERIFY(out.empty());

    const Bytes frame = compressed(spec, sample(Data::Text).data(), 1000);
    error.clear();
    QVERIFY(!decompressor->decompress(frame.data(), frame.size(), kMaxChunkSize + 1, out, &error));
    QVERIFY2(error.contains(QLatin1String("larger than the limit")), qPrintable(error));
    QCOMPARE(out.capacity(), std::size_t(0));
}

// --- Compatible mode -----------------------------------------------------------------

void tst_Codec::compatibleMode_data()
{
    QTest::addColumn<CodecSpec>("spec");
    QTest::addColumn<Data>("kind");
    QTest::addColumn<QList<int>>("chunks");

    const QList<int> threeChunks = {65536, 65536, 12345};
    const CodecSpec specs[] = {
        {CodecId::Zstd, 3},
        {CodecId::Zstd, 19},
        {CodecId::Lz4, 0},
        {CodecId::Lz4, 9},
        {CodecId::Gzip, 6},
        {CodecId::Gzip, 1},
        {CodecId::Xz, 6},
        {CodecId::Xz, 0},
    };
    for (const CodecSpec &spec : specs) {
        for (const Data kind : {Data::Text, Data::Random, Data::Zeros})
            QTest::addRow("%s/%s/3 chunks", qPrintable(spec.toString()), dataName(kind)) << spec << kind << threeChunks;
        QTest::addRow("%s/big chunks", qPrintable(spec.toString()))
            << spec << Data::Text << QList<int>{int(kMiB), int(kMiB), 1};
        QTest::addRow("%s/empty file", qPrintable(spec.toString())) << spec << Data::Text << QList<int>{0};
    }
}

void tst_Codec::compatibleMode()
{
    // The frames of a file's chunks, concatenated, are a file the standard
    // tool decompresses to the original bytes.
    QFETCH(CodecSpec, spec);
    QFETCH(Data, kind);
    QFETCH(QList<int>, chunks);

    const QString tool = toolFor(spec.id);
    const QString program = QStandardPaths::findExecutable(tool);
    QVERIFY2(!program.isEmpty(), qPrintable(tool + QStringLiteral(" is not installed (the test needs it)")));

    const std::uint8_t *plain = sample(kind).data();
    QString error;
    auto compressor = makeCompressor(spec, &error);
    QVERIFY(compressor);
    QByteArray file;
    std::size_t offset = 0;
    Bytes frame;
    for (const int size : chunks) {
        QVERIFY2(compressor->compress(plain + offset, std::size_t(size), frame, &error), qPrintable(error));
        file.append(reinterpret_cast<const char *>(frame.data()), qsizetype(frame.size()));
        offset += std::size_t(size);
    }

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("x") + CodecSpec::fileExtension(spec.id));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QCOMPARE(out.write(file), file.size());
    out.close();

    QProcess process;
    process.start(program, {QStringLiteral("-d"), QStringLiteral("-c"), QStringLiteral("-q"), path});
    QVERIFY2(process.waitForFinished(120000), qPrintable(process.errorString()));
    const QByteArray stderrText = process.readAllStandardError();
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0, stderrText.constData());
    const QByteArray restored = process.readAllStandardOutput();
    COMPARE_BYTES(
        reinterpret_cast<const std::uint8_t *>(restored.constData()), std::size_t(restored.size()), plain, offset);
}

// --- Hostile input --------------------------------------------------------------------

namespace {

void addHostileRows()
{
    QTest::addColumn<CodecSpec>("spec");
    QTest::addColumn<Data>("kind");
    QTest::addColumn<qint64>("size");
    for (const CodecId id : kAllCodecs) {
        const CodecSpec spec = CodecSpec::defaultFor(id);
        for (const Data kind : {Data::Text, Data::Random}) {
            for (const qint64 size : {qint64(3000), qint64(200000)})
                QTest::addRow("%s/%s/%lld", qPrintable(spec.toString()), dataName(kind), size) << spec << kind << size;
        }
    }
    QTest::addRow("lz4:9/text/200000") << CodecSpec{CodecId::Lz4, 9} << Data::Text << qint64(200000);
    QTest::addRow("xz:0/text/200000") << CodecSpec{CodecId::Xz, 0} << Data::Text << qint64(200000);
}

/// Decodes \a frame; must fail with a message and leave \a out empty.
bool refused(Decompressor &decompressor, const Bytes &frame, std::size_t expectedSize, QString *why)
{
    const GuardedBuffer guarded(frame);
    Bytes out;
    QString error;
    if (decompressor.decompress(guarded.data(), guarded.size(), expectedSize, out, &error)) {
        *why = QStringLiteral("accepted");
        return false;
    }
    if (error.isEmpty()) {
        *why = QStringLiteral("no error message");
        return false;
    }
    if (!out.empty()) {
        *why = QStringLiteral("output left after a failure");
        return false;
    }
    return true;
}

/// The decompressor still decodes a good frame.
bool stillWorks(Decompressor &decompressor, const Bytes &frame, const std::uint8_t *plain, std::size_t size)
{
    Bytes out;
    QString error;
    return decompressor.decompress(frame.data(), frame.size(), size, out, &error) && out.size() == size
        && (size == 0 || std::memcmp(out.data(), plain, size) == 0);
}

} // namespace

void tst_Codec::truncated_data()
{
    addHostileRows();
}

void tst_Codec::truncated()
{
    QFETCH(CodecSpec, spec);
    QFETCH(Data, kind);
    QFETCH(qint64, size);
    const std::uint8_t *plain = sample(kind).data();
    const Bytes frame = compressed(spec, plain, std::size_t(size));
    auto decompressor = makeDecompressor(spec.id);
    QVERIFY(decompressor);

    // Every length up to 64 and in the last 64 bytes, and 64 in between.
    QList<std::size_t> lengths;
    for (std::size_t n = 0; n < frame.size(); ++n) {
        if (n < 64 || n + 64 >= frame.size() || n % std::max<std::size_t>(1, frame.size() / 64) == 0)
            lengths.append(n);
    }
    for (const std::size_t n : lengths) {
        const Bytes cut(frame.begin(), frame.begin() + qsizetype(n));
        QString why;
        QVERIFY2(refused(*decompressor, cut, std::size_t(size), &why),
            qPrintable(QStringLiteral("cut to %1 of %2 bytes: %3").arg(n).arg(frame.size()).arg(why)));
        if (n % 16 == 0)
            QVERIFY(stillWorks(*decompressor, frame, plain, std::size_t(size)));
    }
    // Through decompressInto as well, with a guarded destination.
    GuardedBuffer dst{std::size_t(size)};
    for (const std::size_t n : {std::size_t(0), frame.size() / 2, frame.size() - 1}) {
        const GuardedBuffer cut(frame.data(), n);
        QString error;
        QVERIFY(!decompressor->decompressInto(cut.data(), cut.size(), dst.data(), dst.size(), &error));
        QVERIFY(!error.isEmpty());
    }
    QVERIFY(stillWorks(*decompressor, frame, plain, std::size_t(size)));
}

void tst_Codec::flippedBytes_data()
{
    addHostileRows();
}

void tst_Codec::flippedBytes()
{
    // A flipped byte anywhere: never a crash or an over-read. gzip and xz
    // carry checksums, so they either refuse or (a flip in a field no one
    // reads, such as the gzip MTIME) give the original bytes. zstd and lz4
    // frames carry no checksum by design (chunks are authenticated above the
    // codec), and none none at all: they refuse or give expectedSize bytes.
    QFETCH(CodecSpec, spec);
    QFETCH(Data, kind);
    QFETCH(qint64, size);
    const std::uint8_t *plain = sample(kind).data();
    const Bytes frame = compressed(spec, plain, std::size_t(size));
    auto decompressor = makeDecompressor(spec.id);
    QVERIFY(decompressor);

    GuardedBuffer guarded(frame);
    const std::uint8_t masks[] = {0x01, 0x80, 0xff, 0x10, 0x42};
    int flips = 0;
    int detected = 0;
    Bytes out;
    for (std::size_t pos = 0; pos < frame.size(); ++pos) {
        if (frame.size() > 2048 && pos >= 256 && pos + 256 < frame.size() && pos % (frame.size() / 512) != 0)
            continue;
        const std::uint8_t mask = masks[pos % std::size(masks)];
        guarded.data()[pos] ^= mask;
        QString error;
        const bool ok = decompressor->decompress(guarded.data(), guarded.size(), std::size_t(size), out, &error);
        guarded.data()[pos] ^= mask;
        ++flips;
        if (!ok) {
            ++detected;
            QVERIFY2(!error.isEmpty(), qPrintable(QStringLiteral("no message for a flip at %1").arg(pos)));
            QVERIFY(out.empty());
            if (detected % 8 == 0)
                QVERIFY(stillWorks(*decompressor, frame, plain, std::size_t(size)));
            continue;
        }
        QCOMPARE(out.size(), std::size_t(size));
        if (hasIntegrityCheck(spec.id) || spec.id == CodecId::None) {
            if (spec.id == CodecId::None)
                continue;
            QVERIFY2(std::memcmp(out.data(), plain, out.size()) == 0,
                qPrintable(QStringLiteral("wrong bytes accepted after a flip at %1").arg(pos)));
        }
    }
    QVERIFY(stillWorks(*decompressor, frame, plain, std::size_t(size)));
    qInfo("%s: %d of %d flipped bytes refused", qPrintable(spec.toString()), detected, flips);
    if (spec.id != CodecId::None)
        QVERIFY(detected > 0);
}

void tst_Codec::garbage_data()
{
    QTest::addColumn<CodecId>("id");
    for (const CodecId id : kAllCodecs)
        QTest::newRow(qPrintable(CodecSpec::name(id))) << id;
}

void tst_Codec::garbage()
{
    QFETCH(CodecId, id);
    auto decompressor = makeDecompressor(id);
    QVERIFY(decompressor);
    const Bytes &random = sample(Data::Random);
    const Bytes &text = sample(Data::Text);
    const std::size_t expected = 1000;
    for (const std::size_t n : {0, 1, 3, 4, 11, 12, 17, 24, 64, 999, 1001, 4096, 100000}) {
        for (const Bytes *source : {&random, &text}) {
            const Bytes junk(source->begin() + 77, source->begin() + 77 + qsizetype(n));
            QString why;
            QVERIFY2(refused(*decompressor, junk, expected, &why),
                qPrintable(QStringLiteral("%1 bytes of garbage: %2").arg(n).arg(why)));
            QVERIFY2(refused(*decompressor, junk, 0, &why) || (n == 0 && id == CodecId::None),
                qPrintable(QStringLiteral("%1 bytes of garbage, expecting nothing: %2").arg(n).arg(why)));
        }
    }
    if (id == CodecId::None)
        return;
    // A real frame header followed by garbage.
    const Bytes frame = compressed(CodecSpec::defaultFor(id), text.data(), 50000);
    for (const std::size_t keep : {4, 6, 8, 12, 16, 24, 32}) {
        Bytes mixed(random.begin(), random.begin() + qsizetype(frame.size()));
        std::copy(frame.begin(), frame.begin() + qsizetype(keep), mixed.begin());
        QString why;
        QVERIFY2(refused(*decompressor, mixed, 50000, &why),
            qPrintable(QStringLiteral("header of %1 bytes and garbage: %2").arg(keep).arg(why)));
    }
    QVERIFY(stillWorks(*decompressor, frame, text.data(), 50000));
}

void tst_Codec::wrongExpectedSize_data()
{
    QTest::addColumn<CodecSpec>("spec");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<Data>("kind");
    for (const CodecId id : kAllCodecs) {
        const CodecSpec spec = CodecSpec::defaultFor(id);
        for (const qint64 size : {qint64(0), qint64(1), qint64(1000), qint64(65536), kMiB + 3}) {
            for (const Data kind : {Data::Text, Data::Zeros})
                QTest::addRow("%s/%s/%lld", qPrintable(spec.toString()), dataName(kind), size) << spec << size << kind;
        }
    }
}

void tst_Codec::wrongExpectedSize()
{
    // A valid frame with the wrong expected size is refused, and when the
    // expected size is larger than the frame's, before anything is allocated.
    QFETCH(CodecSpec, spec);
    QFETCH(qint64, size);
    QFETCH(Data, kind);
    const std::uint8_t *plain = sample(kind).data();
    const Bytes frame = compressed(spec, plain, std::size_t(size));
    auto decompressor = makeDecompressor(spec.id);
    QVERIFY(decompressor);

    QList<qint64> wrong
        = {size + 1, size * 2 + 1, size + 4096, qint64(1) << 32, qint64(kMaxChunkSize), 0, size + (qint64(1) << 32)};
    if (size > 0)
        wrong << size - 1 << size / 2;
    for (const qint64 expected : wrong) {
        if (expected == size || expected < 0)
            continue;
        const GuardedBuffer guarded(frame);
        Bytes out;
        QString error;
        QVERIFY2(!decompressor->decompress(guarded.data(), guarded.size(), std::size_t(expected), out, &error),
            qPrintable(QStringLiteral("expected %1 accepted").arg(expected)));
        QVERIFY(!error.isEmpty());
        QVERIFY(out.empty());
        // The frame records its plain size: a wrong one is refused before
        // the output is allocated.
        QCOMPARE(out.capacity(), std::size_t(0));

        if (expected <= 4 * kMiB) {
            GuardedBuffer dst{std::size_t(expected)};
            error.clear();
            QVERIFY(!decompressor->decompressInto(guarded.data(), guarded.size(), dst.data(), dst.size(), &error));
            QVERIFY(!error.isEmpty());
        }
    }
    QVERIFY(stillWorks(*decompressor, frame, plain, std::size_t(size)));
}

void tst_Codec::trailingData_data()
{
    QTest::addColumn<CodecSpec>("spec");
    for (const CodecId id : kAllCodecs)
        QTest::newRow(qPrintable(CodecSpec::name(id))) << CodecSpec::defaultFor(id);
}

void tst_Codec::trailingData()
{
    // Exactly one frame: anything after it is refused, a second frame too.
    QFETCH(CodecSpec, spec);
    const Bytes &text = sample(Data::Text);
    const std::size_t size = 10000;
    const Bytes frame = compressed(spec, text.data(), size);
    const Bytes empty = compressed(spec, text.data(), 0);
    auto decompressor = makeDecompressor(spec.id);
    QVERIFY(decompressor);

    QString why;
    for (const std::size_t extra : {1, 2, 4, 12, 100}) {
        Bytes longer = frame;
        longer.insert(longer.end(), text.begin(), text.begin() + qsizetype(extra));
        QVERIFY2(refused(*decompressor, longer, size, &why), qPrintable(QStringLiteral("+%1: %2").arg(extra).arg(why)));
        Bytes zeros = frame;
        zeros.resize(zeros.size() + extra, 0);
        QVERIFY2(refused(*decompressor, zeros, size, &why),
            qPrintable(QStringLiteral("+%1 zero bytes: %2").arg(extra).arg(why)));
    }
    if (spec.id != CodecId::None) {
        Bytes twoFrames = frame;
        twoFrames.insert(twoFrames.end(), frame.begin(), frame.end());
        QVERIFY2(refused(*decompressor, twoFrames, size, &why), qPrintable(why));
        QVERIFY2(refused(*decompressor, twoFrames, 2 * size, &why), qPrintable(why));
        Bytes withEmpty = frame;
        withEmpty.insert(withEmpty.end(), empty.begin(), empty.end());
        QVERIFY2(refused(*decompressor, withEmpty, size, &why), qPrintable(why));
    }
    QVERIFY(stillWorks(*decompressor, frame, text.data(), size));
}

// --- Report ---------------------------------------------------------------------------

void tst_Codec::compressionRatio()
{
    // Informational: the ratio of each codec on the text-like sample. No
    // timing: the machines are shared.
    const Bytes &text = sample(Data::Text);
    const std::size_t size = 4 * kMiB;
    const CodecSpec specs[]
        = {{CodecId::Zstd, 3}, {CodecId::Zstd, 1}, {CodecId::Lz4, 0}, {CodecId::Gzip, 6}, {CodecId::Xz, 6}};
    for (const CodecSpec &spec : specs) {
        const Bytes frame = compressed(spec, text.data(), size);
        const double ratio = double(size) / double(frame.size());
        qInfo("%s on %zu bytes of text-like data: %zu bytes, ratio %.2f", qPrintable(spec.toString()), size,
            frame.size(), ratio);
        QVERIFY(ratio > 1.5); // the sample is compressible
    }
}

QTEST_GUILESS_MAIN(tst_Codec)
#include "tst_codec.moc"
