// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "codec/nullcodec.h"

#include <cstring>

namespace flowgate {

bool NullCompressor::encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
    std::size_t &written, QString &error)
{
    if (capacity < size) {
        error = QStringLiteral("none: the chunk does not fit in %1 bytes").arg(quint64(capacity));
        return false;
    }
    if (size > 0)
        std::memcpy(dst, in, size);
    written = size;
    return true;
}

bool NullDecompressor::checkFrame(const std::uint8_t *, std::size_t size, std::size_t expectedSize, QString &error)
{
    if (size != expectedSize) {
        error = QStringLiteral("none: the frame holds %1 bytes, expected %2")
                    .arg(quint64(size))
                    .arg(quint64(expectedSize));
        return false;
    }
    return true;
}

bool NullDecompressor::decode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t, QString &)
{
    if (size > 0)
        std::memcpy(dst, in, size);
    return true;
}

} // namespace flowgate
