// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "crypto/kdf.h"

#include <algorithm>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace flowgate {

namespace {

void setError(QString *error, const QString &text)
{
    if (error)
        *error = text;
}

struct KdfDeleter
{
    void operator()(EVP_KDF *kdf) const { EVP_KDF_free(kdf); }
    void operator()(EVP_KDF_CTX *ctx) const { EVP_KDF_CTX_free(ctx); }
};

// OSSL_PARAM wants non-const pointers for input buffers it only reads.
void *mutableData(std::span<const std::uint8_t> bytes)
{
    static std::uint8_t empty = 0;
    return bytes.empty() ? &empty : const_cast<std::uint8_t *>(bytes.data());
}

} // namespace

quint64 ScryptParams::memoryBytes() const
{
    const quint64 N = n();
    return 128 * quint64(r) * (N + 2) + 128 * quint64(r) * quint64(p);
}

bool isAcceptable(const ScryptParams &params, QString *why)
{
    if (params.log2N < 10 || params.log2N > 24) {
        setError(why, QStringLiteral("scrypt N = 2^%1 is outside 2^10 … 2^24").arg(params.log2N));
        return false;
    }
    if (params.r < 1 || params.r > 64) {
        setError(why, QStringLiteral("scrypt r = %1 is outside 1 … 64").arg(params.r));
        return false;
    }
    if (params.p < 1 || params.p > 16) {
        setError(why, QStringLiteral("scrypt p = %1 is outside 1 … 16").arg(params.p));
        return false;
    }
    if (params.memoryBytes() > kScryptMaxMemory + (quint64(1) << 20)) {
        setError(why,
            QStringLiteral("scrypt would need %1 MiB of memory (at most %2 MiB allowed)")
                .arg(params.memoryBytes() >> 20)
                .arg(kScryptMaxMemory >> 20));
        return false;
    }
    return true;
}

std::optional<SecureBytes> hkdfSha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
    std::span<const std::uint8_t> info, std::size_t length, QString *error)
{
    if (length == 0 || length > 255 * 32) {
        setError(error, QStringLiteral("HKDF-SHA256 cannot produce %1 bytes").arg(length));
        return std::nullopt;
    }
    std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!ctx) {
        setError(error, QStringLiteral("OpenSSL does not provide HKDF: ") + takeOpenSslError());
        return std::nullopt;
    }
    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    int n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, mutableData(ikm), ikm.size());
    if (!salt.empty())
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mutableData(salt), salt.size());
    if (!info.empty())
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, mutableData(info), info.size());
    params[n] = OSSL_PARAM_construct_end();

    SecureBytes out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
        setError(error, QStringLiteral("HKDF-SHA256 failed: ") + takeOpenSslError());
        return std::nullopt;
    }
    return out;
}

std::optional<SecureBytes> scrypt(QByteArrayView passphraseUtf8, std::span<const std::uint8_t> salt, quint64 N,
    quint32 r, quint32 p, std::size_t length, QString *error)
{
    if (N < 2 || (N & (N - 1)) != 0 || r == 0 || p == 0 || length == 0) {
        setError(error, QStringLiteral("invalid scrypt parameters"));
        return std::nullopt;
    }
    // The work area as EVP_PBE_scrypt computes it (B: 128 r p, V: 128 r
    // (N + 2)), plus slack; its default ceiling (32 MiB) is too small for us.
    const quint64 maxmem = 128 * quint64(r) * (N + 2) + 128 * quint64(r) * quint64(p) + (quint64(1) << 16);
    static const char empty[] = "";
    const char *pass = passphraseUtf8.isEmpty() ? empty : passphraseUtf8.data();
    const unsigned char *saltData = salt.empty() ? reinterpret_cast<const unsigned char *>(empty) : salt.data();
    SecureBytes out(length);
    if (EVP_PBE_scrypt(
            pass, std::size_t(passphraseUtf8.size()), saltData, salt.size(), N, r, p, maxmem, out.data(), out.size())
        != 1) {
        setError(error,
            QStringLiteral("scrypt failed (N = %1, r = %2, p = %3; out of memory?): %4")
                .arg(N)
                .arg(r)
                .arg(p)
                .arg(takeOpenSslError()));
        return std::nullopt;
    }
    return out;
}

std::optional<SecureBytes> deriveFileKey(
    std::span<const std::uint8_t> masterKey, std::span<const std::uint8_t> fileSalt, QString *error)
{
    if (masterKey.size() != kMasterKeySize) {
        setError(
            error, QStringLiteral("the master key must be %1 bytes, not %2").arg(kMasterKeySize).arg(masterKey.size()));
        return std::nullopt;
    }
    if (fileSalt.size() != kFileSaltSize) {
        setError(
            error, QStringLiteral("the file salt must be %1 bytes, not %2").arg(kFileSaltSize).arg(fileSalt.size()));
        return std::nullopt;
    }
    const std::span<const std::uint8_t> info(
        reinterpret_cast<const std::uint8_t *>(kFileKeyInfo), sizeof kFileKeyInfo - 1);
    return hkdfSha256(masterKey, fileSalt, info, kFileKeySize, error);
}

std::optional<SecureBytes> derivePassphraseKey(
    const QString &passphrase, std::span<const std::uint8_t> jobSalt, const ScryptParams &params, QString *error)
{
    if (passphrase.isEmpty()) {
        setError(error, QStringLiteral("the passphrase is empty"));
        return std::nullopt;
    }
    if (jobSalt.size() < kJobSaltSize) {
        setError(error, QStringLiteral("the passphrase salt must be at least %1 bytes").arg(kJobSaltSize));
        return std::nullopt;
    }
    if (!isAcceptable(params, error))
        return std::nullopt;
    QString normalised = passphrase.normalized(QString::NormalizationForm_C);
    QByteArray utf8 = normalised.toUtf8();
    auto key = scrypt(utf8, jobSalt, params.n(), params.r, params.p, kMasterKeySize, error);
    wipe(utf8);
    if (!normalised.isEmpty() && normalised.isDetached())
        std::fill(normalised.begin(), normalised.end(), QChar(u'\0'));
    return key;
}

} // namespace flowgate
