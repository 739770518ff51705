// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/gzipcodec.h"

#define ZLIB_CONST
#include <algorithm>
#include <limits>

#include <zlib.h>

namespace flowgate {

namespace {

constexpr int kWindowBits = 15 + 16; // 32 KiB window, gzip wrapper only
constexpr int kMemLevel = 8;
// Header (10) + trailer (8) + the smallest deflate stream (an empty fixed
// block, 2 bytes).
constexpr std::size_t kMinMemberSize = 20;
constexpr uInt kMaxAvail = std::numeric_limits<uInt>::max();

QString zlibError(const z_stream &stream, int rc)
{
    if (stream.msg)
        return QString::fromUtf8(stream.msg);
    return QString::fromUtf8(zError(rc));
}

} // namespace

GzipCompressor::GzipCompressor(int level)
    : m_level(level)
{ }

GzipCompressor::~GzipCompressor()
{
    if (m_stream)
        deflateEnd(m_stream.get());
}

bool GzipCompressor::init(QString *error)
{
    auto stream = std::make_unique<z_stream>();
    const int rc = deflateInit2(stream.get(), m_level, Z_DEFLATED, kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        if (error)
            *error = QStringLiteral("gzip: cannot create a compression context: ") + zlibError(*stream, rc);
        return false;
    }
    m_stream = std::move(stream);
    return true;
}

CodecSpec GzipCompressor::spec() const
{
    return {CodecId::Gzip, m_level};
}

std::size_t GzipCompressor::bound(std::size_t size)
{
    // deflateBound() for windowBits 15 and memLevel 8 at any level 1..9:
    // zlib's compressBound() less the zlib wrapper (6 bytes) plus the gzip
    // one (18 bytes, no optional header fields).
    return std::size_t(::compressBound(uLong(size))) - 6 + 18;
}

bool GzipCompressor::encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
    std::size_t &written, QString &error)
{
    z_stream &s = *m_stream;
    int rc = deflateReset(&s);
    if (rc != Z_OK) {
        error = QStringLiteral("gzip: cannot reset the compression context: ") + zlibError(s, rc);
        return false;
    }
    s.next_in = in;
    s.next_out = dst;
    std::size_t inLeft = size;
    std::size_t outLeft = capacity;
    // avail_in / avail_out are 32-bit: feed at most 4 GiB - 1 at a time.
    for (;;) {
        s.avail_in = uInt(std::min<std::size_t>(inLeft, kMaxAvail));
        s.avail_out = uInt(std::min<std::size_t>(outLeft, kMaxAvail));
        const uInt availIn = s.avail_in;
        const uInt availOut = s.avail_out;
        const int flush = inLeft == s.avail_in ? Z_FINISH : Z_NO_FLUSH;
        rc = deflate(&s, flush);
        inLeft -= availIn - s.avail_in;
        outLeft -= availOut - s.avail_out;
        if (rc == Z_STREAM_END)
            break;
        if (rc == Z_BUF_ERROR || (rc == Z_OK && outLeft == 0)) {
            error = QStringLiteral("gzip: the member does not fit in %1 bytes").arg(quint64(capacity));
            return false;
        }
        if (rc != Z_OK) {
            error = QStringLiteral("gzip: compression failed: ") + zlibError(s, rc);
            return false;
        }
    }
    written = capacity - outLeft;
    return true;
}

GzipDecompressor::GzipDecompressor() = default;

GzipDecompressor::~GzipDecompressor()
{
    if (m_stream)
        inflateEnd(m_stream.get());
}

bool GzipDecompressor::init(QString *error)
{
    auto stream = std::make_unique<z_stream>();
    const int rc = inflateInit2(stream.get(), kWindowBits);
    if (rc != Z_OK) {
        if (error)
            *error = QStringLiteral("gzip: cannot create a decompression context: ") + zlibError(*stream, rc);
        return false;
    }
    m_stream = std::move(stream);
    return true;
}

bool GzipDecompressor::checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error)
{
    if (size < kMinMemberSize || in[0] != 0x1f || in[1] != 0x8b || in[2] != Z_DEFLATED) {
        error = size < kMinMemberSize && size >= 2 && in[0] == 0x1f && in[1] == 0x8b
            ? QStringLiteral("gzip: truncated member")
            : QStringLiteral("gzip: not a gzip member (bad magic number)");
        return false;
    }
    if (size > kMaxAvail) {
        error = QStringLiteral("gzip: a member of %1 bytes is too large").arg(quint64(size));
        return false;
    }
    // ISIZE: the last four bytes, little-endian, the plain size modulo 2^32.
    const std::uint8_t *t = in + size - 4;
    const std::uint32_t isize
        = std::uint32_t(t[0]) | std::uint32_t(t[1]) << 8 | std::uint32_t(t[2]) << 16 | std::uint32_t(t[3]) << 24;
    if (isize != std::uint32_t(expectedSize)) {
        error = QStringLiteral("gzip: the member records %1 bytes, expected %2 (or it is truncated)")
                    .arg(isize)
                    .arg(quint64(expectedSize));
        return false;
    }
    return true;
}

bool GzipDecompressor::decode(
    const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error)
{
    z_stream &s = *m_stream;
    int rc = inflateReset(&s);
    if (rc != Z_OK) {
        error = QStringLiteral("gzip: cannot reset the decompression context: ") + zlibError(s, rc);
        return false;
    }
    // size <= 4 GiB - 1 (checkFrame); the output may be larger than that.
    s.next_in = in;
    s.avail_in = uInt(size);
    s.next_out = dst;
    std::size_t outLeft = expectedSize;
    for (;;) {
        s.avail_out = uInt(std::min<std::size_t>(outLeft, kMaxAvail));
        const uInt availOut = s.avail_out;
        const uInt availIn = s.avail_in;
        rc = inflate(&s, Z_NO_FLUSH);
        outLeft -= availOut - s.avail_out;
        if (rc == Z_STREAM_END)
            break;
        if (rc == Z_OK && (s.avail_in != availIn || s.avail_out != availOut))
            continue; // progress; go on
        if (rc == Z_OK || rc == Z_BUF_ERROR) {
            // No progress: out of input, or no room for more output.
            if (s.avail_in == 0)
                error = QStringLiteral("gzip: truncated member");
            else
                error = QStringLiteral("gzip: the member holds more than the expected %1 bytes")
                            .arg(quint64(expectedSize));
            return false;
        }
        if (rc == Z_MEM_ERROR)
            error = QStringLiteral("gzip: out of memory");
        else
            error = QStringLiteral("gzip: corrupt member: ") + zlibError(s, rc);
        return false;
    }
    if (s.avail_in != 0) {
        error = QStringLiteral("gzip: %1 unexpected bytes after the member").arg(s.avail_in);
        return false;
    }
    if (outLeft != 0) {
        error = QStringLiteral("gzip: the member gave %1 bytes, expected %2")
                    .arg(quint64(expectedSize - outLeft))
                    .arg(quint64(expectedSize));
        return false;
    }
    return true;
}

// zlib does not report it; its documented sizes for the default window
// (2^15) and memLevel 8: deflate (1 << 17) + (1 << 17), inflate 1 << 15, plus
// a few KiB of state each.
std::size_t GzipCompressor::memoryBytes() const
{
    return m_stream ? (std::size_t(1) << 18) + 8 * 1024 : 0;
}

std::size_t GzipDecompressor::memoryBytes() const
{
    return m_stream ? (std::size_t(1) << 15) + 8 * 1024 : 0;
}

} // namespace flowgate
