// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "crypto/secure.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

namespace flowgate {

SecureBytes::SecureBytes(std::size_t size)
{
    if (size > 0) {
        m_data = new std::uint8_t[size]();
        m_size = size;
    }
}

SecureBytes::SecureBytes(std::span<const std::uint8_t> bytes)
    : SecureBytes(bytes.size())
{
    if (!bytes.empty())
        std::memcpy(m_data, bytes.data(), bytes.size());
}

SecureBytes::~SecureBytes()
{
    clear();
}

SecureBytes::SecureBytes(SecureBytes &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
{ }

SecureBytes &SecureBytes::operator=(SecureBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecureBytes SecureBytes::fromByteArray(const QByteArray &bytes)
{
    return SecureBytes(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t *>(bytes.constData()), static_cast<std::size_t>(bytes.size())));
}

SecureBytes SecureBytes::clone() const
{
    return SecureBytes(span());
}

void SecureBytes::clear() noexcept
{
    if (m_data) {
        OPENSSL_cleanse(m_data, m_size);
        delete[] m_data;
    }
    m_data = nullptr;
    m_size = 0;
}

bool SecureBytes::equals(std::span<const std::uint8_t> other) const noexcept
{
    if (other.size() != m_size)
        return false;
    if (m_size == 0)
        return true;
    return CRYPTO_memcmp(m_data, other.data(), m_size) == 0;
}

QByteArray SecureBytes::toByteArray() const
{
    return QByteArray(reinterpret_cast<const char *>(m_data), static_cast<qsizetype>(m_size));
}

void wipe(QByteArray &bytes) noexcept
{
    if (!bytes.isEmpty() && !bytes.isDetached()) {
        // Shared: writing would detach into a fresh copy and leave the shared
        // block untouched. Drop our reference only; the other owner wipes.
        bytes.clear();
        return;
    }
    if (!bytes.isEmpty())
        OPENSSL_cleanse(bytes.data(), static_cast<std::size_t>(bytes.size()));
    bytes.clear();
}

void wipe(Bytes &bytes) noexcept
{
    if (!bytes.empty())
        OPENSSL_cleanse(bytes.data(), bytes.size());
    bytes.clear();
}

bool fillRandom(std::span<std::uint8_t> out) noexcept
{
    std::size_t done = 0;
    while (done < out.size()) {
        const std::size_t step = std::min<std::size_t>(out.size() - done, INT_MAX);
        if (RAND_bytes(out.data() + done, static_cast<int>(step)) != 1)
            return false;
        done += step;
    }
    return true;
}

std::optional<Bytes> randomBytes(std::size_t n)
{
    Bytes out(n);
    if (!fillRandom(out))
        return std::nullopt;
    return out;
}

std::optional<SecureBytes> randomSecret(std::size_t n)
{
    SecureBytes out(n);
    if (!fillRandom(out.span()))
        return std::nullopt;
    return out;
}

QString toHex(std::span<const std::uint8_t> bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    QString text;
    text.reserve(static_cast<qsizetype>(bytes.size() * 2));
    for (const std::uint8_t b : bytes) {
        text.append(QLatin1Char(digits[b >> 4]));
        text.append(QLatin1Char(digits[b & 0x0f]));
    }
    return text;
}

QString takeOpenSslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("unknown OpenSSL error");
    char buffer[256] = {};
    ERR_error_string_n(code, buffer, sizeof buffer);
    return QString::fromLatin1(buffer);
}

} // namespace flowgate
