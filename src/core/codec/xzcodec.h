// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"

namespace flowgate {

/// xz: one .xz stream per chunk with one LZMA2 block and a CRC64 check, made
/// with one lzma_stream re-initialised for every chunk (liblzma reuses its
/// memory when the dictionary size does not change).
///
/// The dictionary is the level's preset one capped to the chunk size rounded
/// up to a power of two (at least 4 KiB): the same ratio (a dictionary
/// larger than the input is never used) with far less memory and set-up time
/// for small chunks, and decoder memory bounded by the chunk size.
class XzCompressor final : public Compressor
{
    Q_DISABLE_COPY_MOVE(XzCompressor)
public:
    explicit XzCompressor(int level);
    ~XzCompressor() override;

    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecSpec spec() const override;
    [[nodiscard]] std::size_t memoryBytes() const override;

    static std::size_t bound(std::size_t size);
    /// The dictionary size used for a chunk of \a size bytes at \a level.
    static std::size_t dictionarySize(int level, std::size_t size);

protected:
    bool encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity, std::size_t &written,
        QString &error) override;

private:
    struct Stream;
    int m_level;
    std::unique_ptr<Stream> m_stream;
};

/// xz: exactly one .xz stream with a CRC64 check whose index records the
/// expected size, decoded with a memory limit that allows the dictionary
/// the compressor uses for a chunk of that size and no more.
class XzDecompressor final : public Decompressor
{
    Q_DISABLE_COPY_MOVE(XzDecompressor)
public:
    XzDecompressor();
    ~XzDecompressor() override;

    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecId id() const override { return CodecId::Xz; }
    [[nodiscard]] std::size_t memoryBytes() const override;

    /// The decoder's memory limit for a chunk of \a expectedSize bytes.
    static std::uint64_t memoryLimit(std::size_t expectedSize);

protected:
    bool checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error) override;
    bool decode(
        const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error) override;

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
};

} // namespace flowgate
