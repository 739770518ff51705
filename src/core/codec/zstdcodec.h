// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace flowgate {

/// zstd: one frame per chunk with the content size and no checksum, made
/// with one reused ZSTD_CCtx whose parameters are set once (single-threaded
/// inside: the pipeline owns the threads).
class ZstdCompressor final : public Compressor
{
    Q_DISABLE_COPY_MOVE(ZstdCompressor)
public:
    explicit ZstdCompressor(int level);
    ~ZstdCompressor() override;

    /// Makes the context and sets its parameters.
    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecSpec spec() const override;
    [[nodiscard]] std::size_t memoryBytes() const override;

    static std::size_t bound(std::size_t size);

protected:
    bool encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity, std::size_t &written,
        QString &error) override;

private:
    int m_level;
    ZSTD_CCtx_s *m_cctx = nullptr;
};

/// zstd: exactly one frame (magic number, recorded content size equal to the
/// expected size, nothing after it), decoded in one pass straight into the
/// output with one reused ZSTD_DCtx.
class ZstdDecompressor final : public Decompressor
{
    Q_DISABLE_COPY_MOVE(ZstdDecompressor)
public:
    ZstdDecompressor();
    ~ZstdDecompressor() override;

    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecId id() const override { return CodecId::Zstd; }
    [[nodiscard]] std::size_t memoryBytes() const override;

protected:
    bool checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error) override;
    bool decode(
        const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error) override;

private:
    ZSTD_DCtx_s *m_dctx = nullptr;
};

} // namespace flowgate
