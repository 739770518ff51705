// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "crypto/aead.h"

#include "crypto/secure.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace flowgate {

QString cipherName(CipherId cipher)
{
    switch (cipher) {
    case CipherId::None:
        return QStringLiteral("none");
    case CipherId::ChaCha20Poly1305:
        return QStringLiteral("chacha20");
    case CipherId::Aes256Gcm:
        return QStringLiteral("aes256gcm");
    }
    return QStringLiteral("unknown");
}

std::optional<CipherId> parseCipher(QStringView name)
{
    const QString n = name.trimmed().toString().toLower();
    if (n == QLatin1String("none"))
        return CipherId::None;
    if (n == QLatin1String("chacha20") || n == QLatin1String("chacha20-poly1305")
        || n == QLatin1String("chacha20poly1305"))
        return CipherId::ChaCha20Poly1305;
    if (n == QLatin1String("aes256gcm") || n == QLatin1String("aes-256-gcm"))
        return CipherId::Aes256Gcm;
    return std::nullopt;
}

std::optional<CipherId> cipherFromByte(quint8 value)
{
    switch (value) {
    case quint8(CipherId::None):
        return CipherId::None;
    case quint8(CipherId::ChaCha20Poly1305):
        return CipherId::ChaCha20Poly1305;
    case quint8(CipherId::Aes256Gcm):
        return CipherId::Aes256Gcm;
    default:
        return std::nullopt;
    }
}

AeadNonce counterNonce(quint64 counter)
{
    AeadNonce nonce{};
    for (int i = 0; i < 8; ++i)
        nonce[kAeadNonceSize - 1 - std::size_t(i)] = std::uint8_t(counter >> (8 * i));
    return nonce;
}

namespace {

const char *evpName(CipherId cipher)
{
    switch (cipher) {
    case CipherId::ChaCha20Poly1305:
        return "ChaCha20-Poly1305";
    case CipherId::Aes256Gcm:
        return "AES-256-GCM";
    case CipherId::None:
        break;
    }
    return nullptr;
}

// EVP takes int lengths: feed larger buffers in slices.
constexpr std::size_t kMaxStep = std::size_t(1) << 30;

} // namespace

Aead::Aead(CipherId cipher)
    : m_cipher(cipher)
{
    const char *name = evpName(cipher);
    if (!name) {
        m_error = QStringLiteral("cipher \"%1\" does not encrypt").arg(cipherName(cipher));
        return;
    }
    m_evpCipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
    if (!m_evpCipher) {
        m_error = QStringLiteral("OpenSSL does not provide %1: %2").arg(QLatin1String(name), takeOpenSslError());
        return;
    }
    m_ctx = EVP_CIPHER_CTX_new();
    if (!m_ctx) {
        m_error = QStringLiteral("cannot allocate a cipher context");
        EVP_CIPHER_free(m_evpCipher);
        m_evpCipher = nullptr;
    }
}

Aead::~Aead()
{
    EVP_CIPHER_CTX_free(m_ctx); // cleanses the key schedule
    EVP_CIPHER_free(m_evpCipher);
}

bool Aead::fail(const QString &what)
{
    m_error = what % QLatin1String(": ") % takeOpenSslError();
    return false;
}

bool Aead::setKey(std::span<const std::uint8_t> key)
{
    if (m_hasKey && m_key.equals(key))
        return true; // the same key again (the pipeline sets it per chunk)
    m_hasKey = false;
    m_key.clear();
    if (!m_ctx)
        return false;
    if (key.size() != kAeadKeySize) {
        m_error = QStringLiteral("the key must be %1 bytes, not %2").arg(kAeadKeySize).arg(key.size());
        return false;
    }
    // Full initialisation with the cipher: resets the context and computes
    // the key schedule; later calls only change the nonce and direction.
    if (EVP_CipherInit_ex2(m_ctx, m_evpCipher, key.data(), nullptr, 1, nullptr) != 1)
        return fail(QStringLiteral("cannot set the key"));
    m_key = SecureBytes(key);
    m_hasKey = true;
    return true;
}

bool Aead::begin(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad, bool encrypt)
{
    if (!m_ctx)
        return false;
    if (!m_hasKey) {
        m_error = QStringLiteral("no key set");
        return false;
    }
    // cipher == nullptr and key == nullptr: keep the key schedule, set the
    // nonce and direction, reset the per-message state.
    if (EVP_CipherInit_ex2(m_ctx, nullptr, nullptr, nonce.data(), encrypt ? 1 : 0, nullptr) != 1)
        return fail(QStringLiteral("cannot set the nonce"));
    std::size_t done = 0;
    while (done < aad.size()) {
        const std::size_t step = std::min(aad.size() - done, kMaxStep);
        int outl = 0;
        if (EVP_CipherUpdate(m_ctx, nullptr, &outl, aad.data() + done, int(step)) != 1)
            return fail(QStringLiteral("cannot add the associated data"));
        done += step;
    }
    return true;
}

bool Aead::crypt(const std::uint8_t *in, std::uint8_t *out, std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const std::size_t step = std::min(size - done, kMaxStep);
        int outl = 0;
        if (EVP_CipherUpdate(m_ctx, out + done, &outl, in + done, int(step)) != 1 || outl != int(step))
            return fail(QStringLiteral("cipher update failed"));
        done += step;
    }
    return true;
}

bool Aead::sealTo(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> out)
{
    if (out.size() != plaintext.size() + kAeadTagSize) {
        m_error = QStringLiteral("the output must be the plaintext size plus %1 bytes").arg(kAeadTagSize);
        return false;
    }
    if (!begin(nonce, aad, true))
        return false;
    if (!crypt(plaintext.data(), out.data(), plaintext.size()))
        return false;
    int outl = 0;
    if (EVP_CipherFinal_ex(m_ctx, out.data() + plaintext.size(), &outl) != 1 || outl != 0)
        return fail(QStringLiteral("cannot finish encryption"));
    if (EVP_CIPHER_CTX_ctrl(m_ctx, EVP_CTRL_AEAD_GET_TAG, int(kAeadTagSize), out.data() + plaintext.size()) != 1)
        return fail(QStringLiteral("cannot read the tag"));
    return true;
}

bool Aead::seal(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> plaintext, Bytes &out)
{
    const std::size_t old = out.size();
    // The plaintext might live inside out: resizing could move it.
    const bool aliases = !plaintext.empty() && !out.empty() && plaintext.data() >= out.data()
        && plaintext.data() < out.data() + out.size();
    if (aliases) {
        const Bytes copy(plaintext.begin(), plaintext.end());
        return seal(nonce, aad, std::span<const std::uint8_t>(copy), out);
    }
    out.resize(old + plaintext.size() + kAeadTagSize);
    if (!sealTo(nonce, aad, plaintext, std::span<std::uint8_t>(out).subspan(old))) {
        out.resize(old);
        return false;
    }
    return true;
}

bool Aead::openTo(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> ciphertextAndTag, std::span<std::uint8_t> out)
{
    if (ciphertextAndTag.size() < kAeadTagSize) {
        m_error = QStringLiteral("the message is shorter than its tag");
        return false;
    }
    const std::size_t size = ciphertextAndTag.size() - kAeadTagSize;
    if (out.size() != size) {
        m_error = QStringLiteral("the output must be the message size minus %1 bytes").arg(kAeadTagSize);
        return false;
    }
    // EVP wants a writable tag buffer; keep our own copy.
    std::uint8_t tag[kAeadTagSize];
    std::memcpy(tag, ciphertextAndTag.data() + size, kAeadTagSize);

    bool ok = begin(nonce, aad, false) && crypt(ciphertextAndTag.data(), out.data(), size);
    if (ok && EVP_CIPHER_CTX_ctrl(m_ctx, EVP_CTRL_AEAD_SET_TAG, int(kAeadTagSize), tag) != 1)
        ok = fail(QStringLiteral("cannot set the tag"));
    if (ok) {
        int outl = 0;
        // The tag comparison happens here, in constant time (CRYPTO_memcmp).
        if (EVP_CipherFinal_ex(m_ctx, out.data() + size, &outl) != 1 || outl != 0) {
            ERR_clear_error(); // a tag mismatch is an answer, not an error
            m_error = QStringLiteral("authentication failed: wrong key, or the data was changed");
            ok = false;
        }
    }
    if (!ok && !out.empty())
        OPENSSL_cleanse(out.data(), out.size());
    return ok;
}

bool Aead::open(std::span<const std::uint8_t, kAeadNonceSize> nonce, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> ciphertextAndTag, Bytes &out)
{
    if (ciphertextAndTag.size() < kAeadTagSize) {
        m_error = QStringLiteral("the message is shorter than its tag");
        return false;
    }
    const bool aliases = !ciphertextAndTag.empty() && !out.empty() && ciphertextAndTag.data() >= out.data()
        && ciphertextAndTag.data() < out.data() + out.size();
    if (aliases) {
        const Bytes copy(ciphertextAndTag.begin(), ciphertextAndTag.end());
        return open(nonce, aad, std::span<const std::uint8_t>(copy), out);
    }
    const std::size_t old = out.size();
    out.resize(old + ciphertextAndTag.size() - kAeadTagSize);
    if (!openTo(nonce, aad, ciphertextAndTag, std::span<std::uint8_t>(out).subspan(old))) {
        out.resize(old);
        return false;
    }
    return true;
}

} // namespace flowgate
