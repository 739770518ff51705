// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/zstdcodec.h"

#include <utility>

#include <zstd.h>

namespace flowgate {

namespace {

QString zstdError(std::size_t code)
{
    return QString::fromUtf8(ZSTD_getErrorName(code));
}

} // namespace

ZstdCompressor::ZstdCompressor(int level)
    : m_level(level)
{ }

ZstdCompressor::~ZstdCompressor()
{
    ZSTD_freeCCtx(m_cctx);
}

bool ZstdCompressor::init(QString *error)
{
    m_cctx = ZSTD_createCCtx();
    if (!m_cctx) {
        if (error)
            *error = QStringLiteral("zstd: cannot create a compression context (out of memory)");
        return false;
    }
    const std::pair<ZSTD_cParameter, int> parameters[] = {
        {ZSTD_c_compressionLevel, m_level},
        {ZSTD_c_contentSizeFlag, 1},
        {ZSTD_c_checksumFlag, 0},
        {ZSTD_c_nbWorkers, 0},
    };
    for (const auto &[parameter, value] : parameters) {
        const std::size_t rc = ZSTD_CCtx_setParameter(m_cctx, parameter, value);
        if (ZSTD_isError(rc)) {
            if (error)
                *error = QStringLiteral("zstd: cannot set a compression parameter: ") + zstdError(rc);
            return false;
        }
    }
    return true;
}

CodecSpec ZstdCompressor::spec() const
{
    return {CodecId::Zstd, m_level};
}

std::size_t ZstdCompressor::bound(std::size_t size)
{
    return ZSTD_compressBound(size);
}

bool ZstdCompressor::encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
    std::size_t &written, QString &error)
{
    // ZSTD_compress2 resets the session, pledges `size` as the content size
    // and ends the frame; with capacity >= ZSTD_compressBound it writes
    // straight into dst.
    const std::size_t rc = ZSTD_compress2(m_cctx, dst, capacity, in, size);
    if (ZSTD_isError(rc)) {
        error = QStringLiteral("zstd: compression failed: ") + zstdError(rc);
        return false;
    }
    written = rc;
    return true;
}

ZstdDecompressor::ZstdDecompressor() = default;

ZstdDecompressor::~ZstdDecompressor()
{
    ZSTD_freeDCtx(m_dctx);
}

bool ZstdDecompressor::init(QString *error)
{
    m_dctx = ZSTD_createDCtx();
    if (!m_dctx) {
        if (error)
            *error = QStringLiteral("zstd: cannot create a decompression context (out of memory)");
        return false;
    }
    return true;
}

bool ZstdDecompressor::checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error)
{
    // The magic number is stored little-endian.
    const auto readLe32 = [](const std::uint8_t *p) {
        return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
    };
    if (size < 4 || readLe32(in) != ZSTD_MAGICNUMBER) {
        error = QStringLiteral("zstd: not a zstd frame (bad magic number)");
        return false;
    }
    const unsigned long long contentSize = ZSTD_getFrameContentSize(in, size);
    if (contentSize == ZSTD_CONTENTSIZE_ERROR) {
        error = QStringLiteral("zstd: corrupt or truncated frame header");
        return false;
    }
    if (contentSize == ZSTD_CONTENTSIZE_UNKNOWN) {
        error = QStringLiteral("zstd: the frame does not record its content size");
        return false;
    }
    if (contentSize != expectedSize) {
        error
            = QStringLiteral("zstd: the frame holds %1 bytes, expected %2").arg(contentSize).arg(quint64(expectedSize));
        return false;
    }
    // Walks the block headers only: catches truncation and trailing bytes.
    const std::size_t frameSize = ZSTD_findFrameCompressedSize(in, size);
    if (ZSTD_isError(frameSize)) {
        error = QStringLiteral("zstd: corrupt or truncated frame: ") + zstdError(frameSize);
        return false;
    }
    if (frameSize != size) {
        error = QStringLiteral("zstd: %1 unexpected bytes after the frame").arg(quint64(size - frameSize));
        return false;
    }
    return true;
}

bool ZstdDecompressor::decode(
    const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error)
{
    // Exactly one frame (checkFrame); a capacity of expectedSize stops any
    // output beyond it with dstSize_tooSmall.
    const std::size_t rc = ZSTD_decompressDCtx(m_dctx, dst, expectedSize, in, size);
    if (ZSTD_isError(rc)) {
        error = QStringLiteral("zstd: corrupt frame: ") + zstdError(rc);
        return false;
    }
    if (rc != expectedSize) {
        error
            = QStringLiteral("zstd: the frame gave %1 bytes, expected %2").arg(quint64(rc)).arg(quint64(expectedSize));
        return false;
    }
    return true;
}

std::size_t ZstdCompressor::memoryBytes() const
{
    return m_cctx ? ZSTD_sizeof_CCtx(m_cctx) : 0;
}

std::size_t ZstdDecompressor::memoryBytes() const
{
    return m_dctx ? ZSTD_sizeof_DCtx(m_dctx) : 0;
}

} // namespace flowgate
