// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "crypto/bytes.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace flowgate {

/// A small heap buffer for key material. It is wiped (OPENSSL_cleanse) when it
/// is destroyed, resized or moved from; it cannot be copied by accident (use
/// clone()). Moving hands the heap block over; the moved-from object is empty.
class SecureBytes final
{
public:
    SecureBytes() = default;
    /// size zero bytes.
    explicit SecureBytes(std::size_t size);
    /// A copy of the given bytes.
    explicit SecureBytes(std::span<const std::uint8_t> bytes);
    ~SecureBytes();

    SecureBytes(SecureBytes &&other) noexcept;
    SecureBytes &operator=(SecureBytes &&other) noexcept;
    SecureBytes(const SecureBytes &) = delete;
    SecureBytes &operator=(const SecureBytes &) = delete;

    [[nodiscard]] static SecureBytes fromByteArray(const QByteArray &bytes);

    std::uint8_t *data() noexcept { return m_data; }
    const std::uint8_t *data() const noexcept { return m_data; }
    std::size_t size() const noexcept { return m_size; }
    bool isEmpty() const noexcept { return m_size == 0; }

    std::span<std::uint8_t> span() noexcept { return {m_data, m_size}; }
    std::span<const std::uint8_t> span() const noexcept { return {m_data, m_size}; }
    operator std::span<const std::uint8_t>() const noexcept { return span(); } // NOLINT: implicit on purpose

    /// An explicit copy.
    [[nodiscard]] SecureBytes clone() const;
    /// Wipes and frees the buffer; size() becomes 0.
    void clear() noexcept;

    /// Constant-time comparison (CRYPTO_memcmp) for equal sizes.
    [[nodiscard]] bool equals(std::span<const std::uint8_t> other) const noexcept;

    /// A QByteArray copy. The copy is NOT wiped automatically: pass it to
    /// wipe() when done. Only for handing a secret to an API that needs one.
    [[nodiscard]] QByteArray toByteArray() const;

private:
    std::uint8_t *m_data = nullptr;
    std::size_t m_size = 0;
};

/// Wipes the bytes of a QByteArray the caller owns (best effort: copies made
/// earlier by implicit sharing are not reached). Leaves it empty.
void wipe(QByteArray &bytes) noexcept;
void wipe(Bytes &bytes) noexcept;

/// Fills out with bytes from OpenSSL's CSPRNG (RAND_bytes). Returns false if
/// the generator failed (it is then not safe to go on: report it).
[[nodiscard]] bool fillRandom(std::span<std::uint8_t> out) noexcept;

/// n random bytes for salts and nonces, or nullopt if RAND_bytes failed.
[[nodiscard]] std::optional<Bytes> randomBytes(std::size_t n);

/// n random bytes for key material (wiped on destruction), or nullopt.
[[nodiscard]] std::optional<SecureBytes> randomSecret(std::size_t n);

/// Lowercase hexadecimal, two characters a byte (as sha256sum prints).
[[nodiscard]] QString toHex(std::span<const std::uint8_t> bytes);

/// The text of OpenSSL's most recent error on this thread (and clears the
/// queue), or "unknown OpenSSL error". For messages only.
[[nodiscard]] QString takeOpenSslError();

} // namespace flowgate
