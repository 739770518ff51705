// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/lz4codec.h"

#include <lz4frame.h>

namespace flowgate {

namespace {

constexpr int kFirstHcLevel = 3; // LZ4HC_CLEVEL_MIN

QString lz4Error(std::size_t code)
{
    return QString::fromUtf8(LZ4F_getErrorName(code));
}

/// The frame parameters of every chunk; the content size is set per chunk.
/// compressBound() and encode() must use the same ones.
LZ4F_preferences_t framePreferences(int level, std::size_t size)
{
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockLinked;
    prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
    prefs.frameInfo.frameType = LZ4F_frame;
    prefs.frameInfo.contentSize = size; // 0: not recorded (empty chunk)
    prefs.compressionLevel = level;
    prefs.autoFlush = 1; // whole input at once: no buffering inside LZ4F
    return prefs;
}

} // namespace

Lz4Compressor::Lz4Compressor(int level)
    : m_level(level)
{ }

Lz4Compressor::~Lz4Compressor()
{
    LZ4F_freeCompressionContext(m_cctx);
}

bool Lz4Compressor::init(QString *error)
{
    if (m_level < kFirstHcLevel)
        return true; // see encode()
    LZ4F_cctx *cctx = nullptr;
    const std::size_t rc = LZ4F_createCompressionContext(&cctx, LZ4F_VERSION);
    if (LZ4F_isError(rc)) {
        if (error)
            *error = QStringLiteral("lz4: cannot create a compression context: ") + lz4Error(rc);
        return false;
    }
    m_cctx = cctx;
    return true;
}

CodecSpec Lz4Compressor::spec() const
{
    return {CodecId::Lz4, m_level};
}

std::size_t Lz4Compressor::bound(std::size_t size)
{
    // The level does not change the bound.
    const LZ4F_preferences_t prefs = framePreferences(0, size);
    return LZ4F_compressFrameBound(size, &prefs);
}

bool Lz4Compressor::encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
    std::size_t &written, QString &error)
{
    const LZ4F_preferences_t prefs = framePreferences(m_level, size);
    if (m_level < kFirstHcLevel) {
        // Not the reused context: LZ4F resets a reused fast context only
        // partly (LZ4_resetStream_fast), and stale hash entries then change
        // the output, so a chunk would compress differently depending on what
        // the worker compressed before. LZ4F_compressFrame starts from a
        // fresh state on the stack and, with autoFlush, allocates nothing.
        const std::size_t rc = LZ4F_compressFrame(dst, capacity, in, size, &prefs);
        if (LZ4F_isError(rc)) {
            error = QStringLiteral("lz4: compression failed: ") + lz4Error(rc);
            return false;
        }
        written = rc;
        return true;
    }
    // High compression: the reused context (its reset does not depend on
    // the previous frames, and a fresh one would cost a 256 KiB
    // allocation per chunk).
    std::size_t pos = 0;
    const std::size_t header = LZ4F_compressBegin(m_cctx, dst, capacity, &prefs);
    if (LZ4F_isError(header)) {
        error = QStringLiteral("lz4: cannot start the frame: ") + lz4Error(header);
        return false;
    }
    pos += header;
    if (size > 0) {
        // The input stays put until compressEnd: LZ4F need not copy the
        // last 64 KiB aside for the linked blocks.
        LZ4F_compressOptions_t options{};
        options.stableSrc = 1;
        const std::size_t body = LZ4F_compressUpdate(m_cctx, dst + pos, capacity - pos, in, size, &options);
        if (LZ4F_isError(body)) {
            error = QStringLiteral("lz4: compression failed: ") + lz4Error(body);
            return false;
        }
        pos += body;
    }
    const std::size_t end = LZ4F_compressEnd(m_cctx, dst + pos, capacity - pos, nullptr);
    if (LZ4F_isError(end)) {
        error = QStringLiteral("lz4: cannot end the frame: ") + lz4Error(end);
        return false;
    }
    written = pos + end;
    return true;
}

Lz4Decompressor::Lz4Decompressor() = default;

Lz4Decompressor::~Lz4Decompressor()
{
    LZ4F_freeDecompressionContext(m_dctx);
}

bool Lz4Decompressor::init(QString *error)
{
    LZ4F_dctx *dctx = nullptr;
    const std::size_t rc = LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION);
    if (LZ4F_isError(rc)) {
        if (error)
            *error = QStringLiteral("lz4: cannot create a decompression context: ") + lz4Error(rc);
        return false;
    }
    m_dctx = dctx;
    return true;
}

bool Lz4Decompressor::checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error)
{
    LZ4F_resetDecompressionContext(m_dctx);
    LZ4F_frameInfo_t info{};
    std::size_t consumed = size;
    const std::size_t rc = LZ4F_getFrameInfo(m_dctx, &info, in, &consumed);
    LZ4F_resetDecompressionContext(m_dctx);
    if (LZ4F_isError(rc)) {
        error = QStringLiteral("lz4: not an LZ4 frame, or a corrupt or truncated header: ") + lz4Error(rc);
        return false;
    }
    if (info.frameType != LZ4F_frame) {
        error = QStringLiteral("lz4: a skippable frame, not a data frame");
        return false;
    }
    // Compressor records the content size of every non-empty chunk.
    if (info.contentSize != expectedSize) {
        if (info.contentSize == 0)
            error = QStringLiteral("lz4: the frame does not record its content size");
        else
            error = QStringLiteral("lz4: the frame holds %1 bytes, expected %2")
                        .arg(quint64(info.contentSize))
                        .arg(quint64(expectedSize));
        return false;
    }
    return true;
}

bool Lz4Decompressor::decode(
    const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error)
{
    LZ4F_resetDecompressionContext(m_dctx);
    // dst holds the whole chunk: linked blocks find their history there.
    LZ4F_decompressOptions_t options{};
    options.stableDst = 1;
    std::size_t inPos = 0;
    std::size_t outPos = 0;
    for (;;) {
        std::size_t outRoom = expectedSize - outPos;
        std::size_t inLeft = size - inPos;
        const std::size_t rc = LZ4F_decompress(m_dctx, dst + outPos, &outRoom, in + inPos, &inLeft, &options);
        if (LZ4F_isError(rc)) {
            LZ4F_resetDecompressionContext(m_dctx);
            error = QStringLiteral("lz4: corrupt frame: ") + lz4Error(rc);
            return false;
        }
        inPos += inLeft;
        outPos += outRoom;
        if (rc == 0)
            break; // the frame is complete
        if (inLeft == 0 && outRoom == 0) {
            // No progress: out of input, or out of room for more output.
            LZ4F_resetDecompressionContext(m_dctx);
            if (inPos == size)
                error = QStringLiteral("lz4: truncated frame");
            else
                error
                    = QStringLiteral("lz4: the frame holds more than the expected %1 bytes").arg(quint64(expectedSize));
            return false;
        }
    }
    if (inPos != size) {
        error = QStringLiteral("lz4: %1 unexpected bytes after the frame").arg(quint64(size - inPos));
        return false;
    }
    if (outPos != expectedSize) {
        error = QStringLiteral("lz4: the frame gave %1 bytes, expected %2")
                    .arg(quint64(outPos))
                    .arg(quint64(expectedSize));
        return false;
    }
    return true;
}

// lz4frame does not report it: its context holds the match tables (16 KiB,
// 256 KiB with the HC levels) and, for a frame made in one call, no buffers.
std::size_t Lz4Compressor::memoryBytes() const
{
    return m_cctx ? (m_level >= 3 ? 256 * 1024 : 16 * 1024) + 4 * 1024 : 0;
}

std::size_t Lz4Decompressor::memoryBytes() const
{
    return m_dctx ? 64 * 1024 + 4 * 1024 : 0;
}

} // namespace flowgate
