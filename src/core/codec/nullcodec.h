// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"

namespace flowgate {

/// none: the frame is the chunk itself.
class NullCompressor final : public Compressor
{
    Q_DISABLE_COPY_MOVE(NullCompressor)
public:
    NullCompressor() = default;
    ~NullCompressor() override = default;

    [[nodiscard]] CodecSpec spec() const override { return {CodecId::None, 0}; }

    static std::size_t bound(std::size_t size) { return size; }

protected:
    bool encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity, std::size_t &written,
        QString &error) override;
};

/// none: the frame must be exactly the expected size; it is copied.
class NullDecompressor final : public Decompressor
{
    Q_DISABLE_COPY_MOVE(NullDecompressor)
public:
    NullDecompressor() = default;
    ~NullDecompressor() override = default;

    [[nodiscard]] CodecId id() const override { return CodecId::None; }

protected:
    bool checkFrame(const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error) override;
    bool decode(
        const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error) override;
};

} // namespace flowgate
