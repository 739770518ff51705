// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"

struct z_stream_s;

namespace flowgate {

/// gzip: one gzip member per chunk (zlib deflate with windowBits 15 + 16,
/// memLevel 8, the default strategy; header MTIME 0, OS 3), made with one
/// z_stream reset for every chunk.
class GzipCompressor final : public Compressor
{
    Q_DISABLE_COPY_MOVE(GzipCompressor)
public:
    explicit GzipCompressor(int level);
    ~GzipCompressor() override;

    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecSpec spec() const override;
    [[nodiscard]] std::size_t memoryBytes() const override;

    static std::size_t bound(std::size_t size);

protected:
    bool encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity, std::size_t &written,
        QString &error) override;

private:
    int m_level;
    std::unique_ptr<z_stream_s> m_stream; // initialised when non-null
};

/// gzip: exactly one gzip member whose trailer records the expected size
/// (ISIZE, modulo 2^32); zlib checks the CRC32 and the size while decoding.
class GzipDecompressor final : public Decompressor
{
    Q_DISABLE_COPY_MOVE(GzipDecompressor)
public:
    GzipDecompressor();
    ~GzipDecompressor() override;

    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecId id() const override { return CodecId::Gzip; }
    [[nodiscard]] std::size_t memoryBytes() const override;

protected:
    bool checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error) override;
    bool decode(
        const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error) override;

private:
    std::unique_ptr<z_stream_s> m_stream; // initialised when non-null
};

} // namespace flowgate
