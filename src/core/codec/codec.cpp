// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/codec.h"

#include "codec/gzipcodec.h"
#include "codec/lz4codec.h"
#include "codec/nullcodec.h"
#include "codec/xzcodec.h"
#include "codec/zstdcodec.h"

#include <array>

namespace flowgate {

namespace {

constexpr std::array kAllCodecs = {CodecId::Zstd, CodecId::Lz4, CodecId::Gzip, CodecId::Xz, CodecId::None};

bool isKnown(CodecId id)
{
    return codecIdFromValue(quint8(id)).has_value();
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

/// "zstd levels are 1 to 19 (default 3)".
QString levelRange(CodecId id)
{
    QString text = CodecSpec::name(id) + QStringLiteral(" levels are ") + QString::number(CodecSpec::minLevel(id))
        + QStringLiteral(" to ") + QString::number(CodecSpec::maxLevel(id)) + QStringLiteral(" (default ")
        + QString::number(CodecSpec::defaultLevel(id));
    if (id == CodecId::Lz4)
        text += QStringLiteral(", the fast mode; 3 to 12 compress harder");
    return text + QLatin1Char(')');
}

QString validNames()
{
    return QStringLiteral("zstd, lz4, gzip, xz or none, optionally with a level such as zstd:19");
}

bool isAsciiInteger(const QString &text)
{
    qsizetype i = text.startsWith(QLatin1Char('-')) ? 1 : 0;
    if (i == text.size())
        return false;
    for (; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

QString tooLarge(CodecId id, std::size_t size)
{
    return CodecSpec::name(id) + QStringLiteral(": a chunk of ") + QString::number(quint64(size))
        + QStringLiteral(" bytes is larger than the limit of ") + QString::number(quint64(kMaxChunkSize))
        + QStringLiteral(" bytes");
}

QString nullBuffer(CodecId id)
{
    return CodecSpec::name(id) + QStringLiteral(": invalid arguments (null buffer)");
}

// Normalised pointers for the implementations, which never see null: a
// library given a null buffer of size 0 may refuse it (zlib) or do pointer
// arithmetic on it.
const std::uint8_t kNoInput = 0;

template<class Base, class T> std::unique_ptr<Base> initialised(std::unique_ptr<T> codec, QString *error)
{
    if (!codec->init(error))
        return nullptr;
    return codec;
}

} // namespace

std::optional<CodecId> codecIdFromValue(quint8 value)
{
    switch (CodecId(value)) {
    case CodecId::None:
    case CodecId::Zstd:
    case CodecId::Lz4:
    case CodecId::Gzip:
    case CodecId::Xz:
        return CodecId(value);
    }
    return std::nullopt;
}

// --- CodecSpec ---------------------------------------------------------------

std::optional<CodecSpec> CodecSpec::parse(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        setError(error, QStringLiteral("no codec given: use ") + validNames());
        return std::nullopt;
    }
    const qsizetype colon = trimmed.indexOf(QLatin1Char(':'));
    const QString namePart = (colon < 0 ? trimmed : trimmed.left(colon)).trimmed();
    std::optional<CodecId> id;
    for (const CodecId candidate : kAllCodecs) {
        if (namePart.compare(name(candidate), Qt::CaseInsensitive) == 0)
            id = candidate;
    }
    if (!id) {
        setError(error, QStringLiteral("unknown codec \"") + namePart + QStringLiteral("\": use ") + validNames());
        return std::nullopt;
    }
    if (colon < 0)
        return defaultFor(*id);

    const QString levelPart = trimmed.mid(colon + 1).trimmed();
    if (*id == CodecId::None) {
        setError(error, QStringLiteral("none takes no level: write \"none\""));
        return std::nullopt;
    }
    if (levelPart.isEmpty()) {
        setError(error, QStringLiteral("no level after \"") + name(*id) + QStringLiteral(":\": ") + levelRange(*id));
        return std::nullopt;
    }
    if (!isAsciiInteger(levelPart)) {
        setError(error,
            QStringLiteral("level \"") + levelPart + QStringLiteral("\" is not a whole number: ") + levelRange(*id));
        return std::nullopt;
    }
    bool ok = false;
    const qlonglong level = levelPart.toLongLong(&ok);
    if (!ok || level < minLevel(*id) || level > maxLevel(*id)) {
        setError(error,
            name(*id) + QStringLiteral(" level ") + levelPart + QStringLiteral(" is out of range: ") + levelRange(*id));
        return std::nullopt;
    }
    return CodecSpec{*id, int(level)};
}

QString CodecSpec::toString() const
{
    if (id == CodecId::None)
        return name(id);
    return name(id) + QLatin1Char(':') + QString::number(level);
}

bool CodecSpec::isValid() const
{
    return isKnown(id) && level >= minLevel(id) && level <= maxLevel(id);
}

int CodecSpec::defaultLevel(CodecId id)
{
    switch (id) {
    case CodecId::Zstd:
        return 3;
    case CodecId::Gzip:
    case CodecId::Xz:
        return 6;
    case CodecId::Lz4:
    case CodecId::None:
        break;
    }
    return 0;
}

int CodecSpec::minLevel(CodecId id)
{
    switch (id) {
    case CodecId::Zstd:
    case CodecId::Gzip:
        return 1;
    case CodecId::Lz4:
    case CodecId::Xz:
    case CodecId::None:
        break;
    }
    return 0;
}

int CodecSpec::maxLevel(CodecId id)
{
    switch (id) {
    case CodecId::Zstd:
        return 19;
    case CodecId::Lz4:
        return 12;
    case CodecId::Gzip:
    case CodecId::Xz:
        return 9;
    case CodecId::None:
        break;
    }
    return 0;
}

CodecSpec CodecSpec::defaultFor(CodecId id)
{
    return {id, defaultLevel(id)};
}

QString CodecSpec::name(CodecId id)
{
    switch (id) {
    case CodecId::None:
        return QStringLiteral("none");
    case CodecId::Zstd:
        return QStringLiteral("zstd");
    case CodecId::Lz4:
        return QStringLiteral("lz4");
    case CodecId::Gzip:
        return QStringLiteral("gzip");
    case CodecId::Xz:
        return QStringLiteral("xz");
    }
    return {};
}

QString CodecSpec::fileExtension(CodecId id)
{
    switch (id) {
    case CodecId::Zstd:
        return QStringLiteral(".zst");
    case CodecId::Lz4:
        return QStringLiteral(".lz4");
    case CodecId::Gzip:
        return QStringLiteral(".gz");
    case CodecId::Xz:
        return QStringLiteral(".xz");
    case CodecId::None:
        break;
    }
    return {};
}

// --- bounds and factories ----------------------------------------------------

std::size_t compressBound(CodecId id, std::size_t size)
{
    switch (id) {
    case CodecId::None:
        return NullCompressor::bound(size);
    case CodecId::Zstd:
        return ZstdCompressor::bound(size);
    case CodecId::Lz4:
        return Lz4Compressor::bound(size);
    case CodecId::Gzip:
        return GzipCompressor::bound(size);
    case CodecId::Xz:
        return XzCompressor::bound(size);
    }
    return 0;
}

std::unique_ptr<Compressor> makeCompressor(const CodecSpec &spec, QString *error)
{
    if (!spec.isValid()) {
        if (isKnown(spec.id))
            setError(error,
                QStringLiteral("invalid codec level ") + QString::number(spec.level) + QStringLiteral(": ")
                    + levelRange(spec.id));
        else
            setError(error, QStringLiteral("unknown codec id ") + QString::number(int(spec.id)));
        return nullptr;
    }
    switch (spec.id) {
    case CodecId::None:
        return std::make_unique<NullCompressor>();
    case CodecId::Zstd:
        return initialised<Compressor>(std::make_unique<ZstdCompressor>(spec.level), error);
    case CodecId::Lz4:
        return initialised<Compressor>(std::make_unique<Lz4Compressor>(spec.level), error);
    case CodecId::Gzip:
        return initialised<Compressor>(std::make_unique<GzipCompressor>(spec.level), error);
    case CodecId::Xz:
        return initialised<Compressor>(std::make_unique<XzCompressor>(spec.level), error);
    }
    return nullptr;
}

std::unique_ptr<Decompressor> makeDecompressor(CodecId id, QString *error)
{
    switch (id) {
    case CodecId::None:
        return std::make_unique<NullDecompressor>();
    case CodecId::Zstd:
        return initialised<Decompressor>(std::make_unique<ZstdDecompressor>(), error);
    case CodecId::Lz4:
        return initialised<Decompressor>(std::make_unique<Lz4Decompressor>(), error);
    case CodecId::Gzip:
        return initialised<Decompressor>(std::make_unique<GzipDecompressor>(), error);
    case CodecId::Xz:
        return initialised<Decompressor>(std::make_unique<XzDecompressor>(), error);
    }
    setError(error, QStringLiteral("unknown codec id ") + QString::number(int(id)));
    return nullptr;
}

// --- Compressor --------------------------------------------------------------

Compressor::~Compressor() = default;

bool Compressor::compress(const std::uint8_t *in, std::size_t size, Bytes &out, QString *error)
{
    if (size > kMaxChunkSize) {
        out.clear();
        setError(error, tooLarge(spec().id, size));
        return false;
    }
    // Not cleared first: resize() then only value-initialises the part
    // beyond the previous frame.
    out.resize(compressBound(spec().id, size));
    std::size_t written = 0;
    if (!compressInto(in, size, out.data(), out.size(), &written, error)) {
        out.clear();
        return false;
    }
    out.resize(written);
    return true;
}

bool Compressor::compressInto(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
    std::size_t *written, QString *error)
{
    if (size > kMaxChunkSize) {
        setError(error, tooLarge(spec().id, size));
        return false;
    }
    if ((!in && size > 0) || (!dst && capacity > 0) || !written) {
        setError(error, nullBuffer(spec().id));
        return false;
    }
    std::uint8_t noOutput = 0;
    QString message;
    std::size_t result = 0;
    if (!encode(in ? in : &kNoInput, size, dst ? dst : &noOutput, capacity, result, message)) {
        setError(error, message);
        return false;
    }
    *written = result;
    return true;
}

// --- Decompressor ------------------------------------------------------------

Decompressor::~Decompressor() = default;

bool Decompressor::decompress(
    const std::uint8_t *in, std::size_t size, std::size_t expectedSize, Bytes &out, QString *error)
{
    if (expectedSize > kMaxChunkSize) {
        out.clear();
        setError(error, tooLarge(id(), expectedSize));
        return false;
    }
    if (!in && size > 0) {
        out.clear();
        setError(error, nullBuffer(id()));
        return false;
    }
    if (!in)
        in = &kNoInput;
    QString message;
    // Before the allocation: a frame that records another size is refused
    // without touching memory for it.
    if (!checkFrame(in, size, expectedSize, message)) {
        out.clear();
        setError(error, message);
        return false;
    }
    out.resize(expectedSize);
    std::uint8_t noOutput = 0;
    if (!decode(in, size, expectedSize > 0 ? out.data() : &noOutput, expectedSize, message)) {
        out.clear();
        setError(error, message);
        return false;
    }
    return true;
}

bool Decompressor::decompressInto(
    const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString *error)
{
    if (expectedSize > kMaxChunkSize) {
        setError(error, tooLarge(id(), expectedSize));
        return false;
    }
    if ((!in && size > 0) || (!dst && expectedSize > 0)) {
        setError(error, nullBuffer(id()));
        return false;
    }
    if (!in)
        in = &kNoInput;
    std::uint8_t noOutput = 0;
    QString message;
    if (!checkFrame(in, size, expectedSize, message)
        || !decode(in, size, dst ? dst : &noOutput, expectedSize, message)) {
        setError(error, message);
        return false;
    }
    return true;
}

} // namespace flowgate
