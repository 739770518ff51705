// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"

struct LZ4F_cctx_s;
struct LZ4F_dctx_s;

namespace flowgate {

/// lz4: one LZ4 frame (LZ4F) per chunk with the content size, 64 KiB linked
/// blocks and no checksums. Levels 0..2 are the fast compressor, made with
/// LZ4F_compressFrame (a fresh state on the stack per chunk, no
/// allocation); 3..12 the high-compression one, with one reused LZ4F_cctx.
class Lz4Compressor final : public Compressor
{
    Q_DISABLE_COPY_MOVE(Lz4Compressor)
public:
    explicit Lz4Compressor(int level);
    ~Lz4Compressor() override;

    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecSpec spec() const override;
    [[nodiscard]] std::size_t memoryBytes() const override;

    static std::size_t bound(std::size_t size);

protected:
    bool encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity, std::size_t &written,
        QString &error) override;

private:
    int m_level;
    LZ4F_cctx_s *m_cctx = nullptr;
};

/// lz4: exactly one LZ4 frame whose recorded content size is the expected
/// size (absent only for an empty chunk), decoded with one reused LZ4F_dctx
/// straight into the output.
class Lz4Decompressor final : public Decompressor
{
    Q_DISABLE_COPY_MOVE(Lz4Decompressor)
public:
    Lz4Decompressor();
    ~Lz4Decompressor() override;

    [[nodiscard]] bool init(QString *error);
    [[nodiscard]] CodecId id() const override { return CodecId::Lz4; }
    [[nodiscard]] std::size_t memoryBytes() const override;

protected:
    bool checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error) override;
    bool decode(
        const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error) override;

private:
    LZ4F_dctx_s *m_dctx = nullptr;
};

} // namespace flowgate
