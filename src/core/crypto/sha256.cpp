// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "crypto/sha256.h"

#include "crypto/secure.h"

#include <openssl/evp.h>

namespace flowgate {

Sha256::Sha256()
{
    m_md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    m_ctx = EVP_MD_CTX_new();
    if (!m_md || !m_ctx) {
        EVP_MD_CTX_free(m_ctx);
        m_ctx = nullptr;
        return;
    }
    reset();
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_ctx);
    EVP_MD_free(m_md);
}

void Sha256::reset()
{
    if (!m_ctx)
        return;
    m_failed = EVP_DigestInit_ex2(m_ctx, m_md, nullptr) != 1;
}

void Sha256::update(std::span<const std::uint8_t> data)
{
    if (!m_ctx || m_failed || data.empty())
        return;
    if (EVP_DigestUpdate(m_ctx, data.data(), data.size()) != 1)
        m_failed = true;
}

std::optional<Sha256::Digest> Sha256::finish()
{
    if (!m_ctx)
        return std::nullopt;
    Digest digest{};
    unsigned int size = 0;
    const bool ok = !m_failed && EVP_DigestFinal_ex(m_ctx, digest.data(), &size) == 1 && size == kDigestSize;
    reset();
    if (!ok)
        return std::nullopt;
    return digest;
}

QString Sha256::hex(const Digest &digest)
{
    return toHex(digest);
}

std::optional<Sha256::Digest> Sha256::hash(std::span<const std::uint8_t> data)
{
    Sha256 sha;
    sha.update(data);
    return sha.finish();
}

std::optional<Sha256::Digest> Sha256::hash(const QByteArray &data)
{
    Sha256 sha;
    sha.update(data);
    return sha.finish();
}

} // namespace flowgate
