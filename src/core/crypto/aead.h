// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "crypto/bytes.h"
#include "crypto/secure.h"

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

struct evp_cipher_ctx_st;
struct evp_cipher_st;

namespace flowgate {

/// The cipher of a container. The numbers are stored in files: never
/// renumber, only append.
enum class CipherId : quint8 {
    None = 0,
    ChaCha20Poly1305 = 1,
    Aes256Gcm = 2,
};

inline constexpr std::size_t kAeadKeySize = 32;
inline constexpr std::size_t kAeadNonceSize = 12;
inline constexpr std::size_t kAeadTagSize = 16;

using AeadNonce = std::array<std::uint8_t, kAeadNonceSize>;

/// "chacha20", "aes256gcm" or "none" (the CLI's spelling).
[[nodiscard]] QString cipherName(CipherId cipher);
/// Case-insensitive; accepts "chacha20", "chacha20-poly1305",
/// "chacha20poly1305", "aes256gcm", "aes-256-gcm", "none".
[[nodiscard]] std::optional<CipherId> parseCipher(QStringView name);
/// For a byte read from a file: the cipher it names, or nullopt if unknown.
[[nodiscard]] std::optional<CipherId> cipherFromByte(quint8 value);

/// A nonce made of a 64-bit counter, big-endian in the last 8 bytes, the first
/// 4 bytes zero. Unique as long as each counter value is used once per key;
/// with one derived key per file, the chunk index is such a counter.
[[nodiscard]] AeadNonce counterNonce(quint64 counter);

/// One AEAD context (ChaCha20-Poly1305 or AES-256-GCM through OpenSSL EVP).
///
/// Keep one per worker thread and reuse it: the EVP context is allocated once,
/// the key schedule is computed by setKey() and reused by every seal()/open()
/// until the next setKey(). Not thread-safe: one thread at a time.
///
/// seal() appends ciphertext followed by the 16-byte tag; open() checks the
/// tag (constant time, inside OpenSSL) and fails on any mismatch of key,
/// nonce, associated data, ciphertext or tag, without leaving any unverified
/// plaintext in the output.
class Aead final
{
public:
    /// cipher must be ChaCha20Poly1305 or Aes256Gcm; otherwise, or if OpenSSL
    /// cannot provide it, isValid() is false and every call fails.
    explicit Aead(CipherId cipher);
    ~Aead();
    Q_DISABLE_COPY_MOVE(Aead)

    [[nodiscard]] bool isValid() const { return m_ctx != nullptr; }
    CipherId cipher() const { return m_cipher; }
    /// What the last failing call failed on (for logs and messages).
    QString errorString() const { return m_error; }

    /// Sets (or replaces) the 32-byte key. Setting the key that is already
    /// set costs one comparison, so calling this before every chunk is fine.
    /// The context keeps a wiped-on-destruction copy of the key and OpenSSL's
    /// key schedule, which OpenSSL wipes when the context is freed.
    [[nodiscard]] bool setKey(std::span<const std::uint8_t> key);
    bool hasKey() const { return m_hasKey; }

    /// Appends ciphertext (plaintext.size() bytes) and the tag to out.
    [[nodiscard]] bool seal(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
        std::span<const std::uint8_t> plaintext, Bytes &out);
    [[nodiscard]] bool seal(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
        const std::uint8_t *plaintext, std::size_t size, Bytes &out)
    {
        return seal(nonce, aad, std::span<const std::uint8_t>(plaintext, size), out);
    }
    /// Writes ciphertext and tag to out, which must be exactly
    /// plaintext.size() + kAeadTagSize bytes. In place is allowed: out.data()
    /// may equal plaintext.data() (any other overlap is not).
    [[nodiscard]] bool sealTo(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
        std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> out);

    /// Verifies and decrypts ciphertextAndTag (at least kAeadTagSize bytes),
    /// appending the plaintext to out. On failure out is left as it was.
    [[nodiscard]] bool open(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
        std::span<const std::uint8_t> ciphertextAndTag, Bytes &out);
    /// Writes the plaintext to out, which must be exactly
    /// ciphertextAndTag.size() - kAeadTagSize bytes; in place allowed as for
    /// sealTo(). On failure out is zeroed, so no unverified plaintext remains.
    [[nodiscard]] bool openTo(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
        std::span<const std::uint8_t> ciphertextAndTag, std::span<std::uint8_t> out);

private:
    [[nodiscard]] bool begin(
        std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad, bool encrypt);
    [[nodiscard]] bool crypt(const std::uint8_t *in, std::uint8_t *out, std::size_t size);
    bool fail(const QString &what);

    CipherId m_cipher;
    SecureBytes m_key;
    evp_cipher_st *m_evpCipher = nullptr;
    evp_cipher_ctx_st *m_ctx = nullptr;
    bool m_hasKey = false;
    QString m_error;
};

} // namespace flowgate
