// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/xzcodec.h"

#include <algorithm>

#include <lzma.h>

namespace flowgate {

namespace {

constexpr std::size_t kMinDictionary = 4096; // LZMA_DICT_SIZE_MIN
constexpr std::size_t kMaxPresetDictionary = std::size_t(64) << 20; // level 9
// Beyond the dictionary: the LZMA2 decoder's state and the stream, block and
// index decoders, all far below this.
constexpr std::uint64_t kDecoderOverhead = 1 << 20;
constexpr std::uint64_t kIndexMemoryLimit = 1 << 20;

QString lzmaError(lzma_ret rc)
{
    switch (rc) {
    case LZMA_MEM_ERROR:
        return QStringLiteral("out of memory");
    case LZMA_MEMLIMIT_ERROR:
        return QStringLiteral("the stream needs more memory than a chunk of this size may use");
    case LZMA_FORMAT_ERROR:
        return QStringLiteral("not in the .xz format");
    case LZMA_OPTIONS_ERROR:
        return QStringLiteral("unsupported options");
    case LZMA_DATA_ERROR:
        return QStringLiteral("corrupt data");
    case LZMA_BUF_ERROR:
        return QStringLiteral("truncated data");
    case LZMA_UNSUPPORTED_CHECK:
        return QStringLiteral("unsupported integrity check");
    case LZMA_PROG_ERROR:
        return QStringLiteral("invalid arguments (programming error)");
    default:
        return QStringLiteral("error %1").arg(int(rc));
    }
}

std::size_t roundUpDictionary(std::size_t size, std::size_t cap)
{
    std::size_t dictionary = kMinDictionary;
    while (dictionary < size && dictionary < cap)
        dictionary <<= 1;
    return std::min(dictionary, cap);
}

} // namespace

struct XzCompressor::Stream
{
    lzma_stream strm = LZMA_STREAM_INIT;
};

struct XzDecompressor::Stream
{
    lzma_stream strm = LZMA_STREAM_INIT;
};

XzCompressor::XzCompressor(int level)
    : m_level(level)
{ }

XzCompressor::~XzCompressor()
{
    if (m_stream)
        lzma_end(&m_stream->strm);
}

bool XzCompressor::init(QString *error)
{
    lzma_options_lzma options{};
    if (lzma_lzma_preset(&options, std::uint32_t(m_level))) {
        if (error)
            *error = QStringLiteral("xz: level %1 is not supported by liblzma").arg(m_level);
        return false;
    }
    m_stream = std::make_unique<Stream>();
    return true;
}

CodecSpec XzCompressor::spec() const
{
    return {CodecId::Xz, m_level};
}

std::size_t XzCompressor::bound(std::size_t size)
{
    // For one block; the streaming encoder writes a smaller block header (no
    // sizes) and the same LZMA2 chunks, index and footer.
    return lzma_stream_buffer_bound(size);
}

std::size_t XzCompressor::dictionarySize(int level, std::size_t size)
{
    lzma_options_lzma options{};
    if (lzma_lzma_preset(&options, std::uint32_t(level)))
        return 0;
    return roundUpDictionary(size, options.dict_size);
}

bool XzCompressor::encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
    std::size_t &written, QString &error)
{
    lzma_options_lzma options{};
    lzma_lzma_preset(&options, std::uint32_t(m_level)); // checked in init()
    options.dict_size = std::uint32_t(roundUpDictionary(size, options.dict_size));
    const lzma_filter filters[] = {
        {LZMA_FILTER_LZMA2, &options},
        {LZMA_VLI_UNKNOWN, nullptr},
    };
    lzma_stream &s = m_stream->strm;
    lzma_ret rc = lzma_stream_encoder(&s, filters, LZMA_CHECK_CRC64);
    if (rc != LZMA_OK) {
        error = QStringLiteral("xz: cannot start the stream: ") + lzmaError(rc);
        return false;
    }
    s.next_in = in;
    s.avail_in = size;
    s.next_out = dst;
    s.avail_out = capacity;
    for (;;) {
        rc = lzma_code(&s, LZMA_FINISH);
        if (rc == LZMA_STREAM_END)
            break;
        if (rc == LZMA_BUF_ERROR || (rc == LZMA_OK && s.avail_out == 0)) {
            error = QStringLiteral("xz: the stream does not fit in %1 bytes").arg(quint64(capacity));
            return false;
        }
        if (rc != LZMA_OK) {
            error = QStringLiteral("xz: compression failed: ") + lzmaError(rc);
            return false;
        }
    }
    written = capacity - s.avail_out;
    return true;
}

XzDecompressor::XzDecompressor() = default;

XzDecompressor::~XzDecompressor()
{
    if (m_stream)
        lzma_end(&m_stream->strm);
}

bool XzDecompressor::init(QString *)
{
    m_stream = std::make_unique<Stream>();
    return true;
}

std::uint64_t XzDecompressor::memoryLimit(std::size_t expectedSize)
{
    return std::uint64_t(roundUpDictionary(expectedSize, kMaxPresetDictionary)) + kDecoderOverhead;
}

bool XzDecompressor::checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error)
{
    constexpr std::size_t kHeader = LZMA_STREAM_HEADER_SIZE; // the footer has the same size
    if (size < 2 * kHeader) {
        error = QStringLiteral("xz: not an .xz stream, or a truncated one (%1 bytes)").arg(quint64(size));
        return false;
    }
    lzma_stream_flags header;
    lzma_ret rc = lzma_stream_header_decode(&header, in);
    if (rc != LZMA_OK) {
        error = rc == LZMA_FORMAT_ERROR ? QStringLiteral("xz: not an .xz stream (bad magic number)")
                                        : QStringLiteral("xz: corrupt stream header: ") + lzmaError(rc);
        return false;
    }
    lzma_stream_flags footer;
    rc = lzma_stream_footer_decode(&footer, in + size - kHeader);
    if (rc != LZMA_OK) {
        error = rc == LZMA_FORMAT_ERROR ? QStringLiteral("xz: truncated stream, or bytes after its end")
                                        : QStringLiteral("xz: corrupt stream footer: ") + lzmaError(rc);
        return false;
    }
    if (lzma_stream_flags_compare(&header, &footer) != LZMA_OK) {
        error = QStringLiteral("xz: the stream header and footer disagree");
        return false;
    }
    if (header.check != LZMA_CHECK_CRC64) {
        error = QStringLiteral("xz: the stream has integrity check %1, expected CRC64").arg(int(header.check));
        return false;
    }
    if (footer.backward_size > size - 2 * kHeader) {
        error = QStringLiteral("xz: corrupt stream footer (index size)");
        return false;
    }
    const std::size_t indexEnd = size - kHeader;
    std::size_t pos = indexEnd - std::size_t(footer.backward_size);
    lzma_index *index = nullptr;
    std::uint64_t indexMemory = kIndexMemoryLimit;
    rc = lzma_index_buffer_decode(&index, &indexMemory, nullptr, in, &pos, indexEnd);
    if (rc != LZMA_OK) {
        error = QStringLiteral("xz: corrupt index: ") + lzmaError(rc);
        return false;
    }
    const lzma_vli fileSize = lzma_index_file_size(index);
    const lzma_vli plainSize = lzma_index_uncompressed_size(index);
    lzma_index_end(index, nullptr);
    if (pos != indexEnd || fileSize != size) {
        error = QStringLiteral("xz: corrupt index (sizes disagree with the stream)");
        return false;
    }
    if (plainSize != expectedSize) {
        error = QStringLiteral("xz: the stream holds %1 bytes, expected %2")
                    .arg(quint64(plainSize))
                    .arg(quint64(expectedSize));
        return false;
    }
    return true;
}

bool XzDecompressor::decode(
    const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error)
{
    lzma_stream &s = m_stream->strm;
    // One stream only (no LZMA_CONCATENATED): bytes after it are an error.
    lzma_ret rc = lzma_stream_decoder(&s, memoryLimit(expectedSize), 0);
    if (rc != LZMA_OK) {
        error = QStringLiteral("xz: cannot start decoding: ") + lzmaError(rc);
        return false;
    }
    s.next_in = in;
    s.avail_in = size;
    s.next_out = dst;
    s.avail_out = expectedSize;
    for (;;) {
        const std::size_t availIn = s.avail_in;
        const std::size_t availOut = s.avail_out;
        rc = lzma_code(&s, LZMA_FINISH);
        if (rc == LZMA_STREAM_END)
            break;
        if (rc == LZMA_OK && (s.avail_in != availIn || s.avail_out != availOut))
            continue;
        if (rc == LZMA_OK || rc == LZMA_BUF_ERROR) {
            if (s.avail_out == 0 && s.avail_in != 0)
                error
                    = QStringLiteral("xz: the stream holds more than the expected %1 bytes").arg(quint64(expectedSize));
            else
                error = QStringLiteral("xz: truncated stream");
            return false;
        }
        error = QStringLiteral("xz: corrupt stream: ") + lzmaError(rc);
        return false;
    }
    if (s.avail_in != 0) {
        error = QStringLiteral("xz: %1 unexpected bytes after the stream").arg(quint64(s.avail_in));
        return false;
    }
    if (s.avail_out != 0) {
        error = QStringLiteral("xz: the stream gave %1 bytes, expected %2")
                    .arg(quint64(expectedSize - s.avail_out))
                    .arg(quint64(expectedSize));
        return false;
    }
    return true;
}

std::size_t XzCompressor::memoryBytes() const
{
    return m_stream ? std::size_t(lzma_memusage(&m_stream->strm)) : 0;
}

std::size_t XzDecompressor::memoryBytes() const
{
    return m_stream ? std::size_t(lzma_memusage(&m_stream->strm)) : 0;
}

} // namespace flowgate
