// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

struct evp_md_ctx_st;
struct evp_md_st;

namespace flowgate {

/// Incremental SHA-256 (OpenSSL EVP; SHA-NI where the CPU has it).
///
/// Feed the data in order with update(), then finish(). finish() also resets
/// the object, so one Sha256 can hash one file after another. Not
/// thread-safe. hex() prints a digest exactly as sha256sum does.
class Sha256 final
{
public:
    static constexpr std::size_t kDigestSize = 32;
    using Digest = std::array<std::uint8_t, kDigestSize>;

    Sha256();
    ~Sha256();
    Q_DISABLE_COPY_MOVE(Sha256)

    /// False if OpenSSL could not set up SHA-256 (then finish() fails).
    [[nodiscard]] bool isValid() const { return m_ctx != nullptr && !m_failed; }

    void update(std::span<const std::uint8_t> data);
    void update(const void *data, std::size_t size)
    {
        update(std::span<const std::uint8_t>(static_cast<const std::uint8_t *>(data), size));
    }
    void update(const QByteArray &data) { update(data.constData(), static_cast<std::size_t>(data.size())); }

    /// The digest of everything fed since the last reset, or nullopt if any
    /// step failed inside OpenSSL. Resets for the next message either way.
    [[nodiscard]] std::optional<Digest> finish();
    /// Forgets everything fed so far.
    void reset();

    /// Lowercase hexadecimal, 64 characters.
    [[nodiscard]] static QString hex(const Digest &digest);
    /// One-shot hash.
    [[nodiscard]] static std::optional<Digest> hash(std::span<const std::uint8_t> data);
    [[nodiscard]] static std::optional<Digest> hash(const QByteArray &data);

private:
    evp_md_st *m_md = nullptr;
    evp_md_ctx_st *m_ctx = nullptr;
    bool m_failed = false;
};

} // namespace flowgate
