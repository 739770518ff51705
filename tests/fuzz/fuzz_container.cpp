// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// libFuzzer target for the .fgc container reader.
//
// Each input is a container: it is written to a memfd and verified by the
// real Engine (one Governor and Engine for the whole run), exactly as
// `flowgate-cli verify` does. The target asserts that the verify finishes
// (no hang: 30 s at most) with a consistent report; AddressSanitizer and
// UBSan catch the rest.
//
// Keys, so the fuzzer's byte changes cannot make it slow:
// - keychain containers get a fixed master key (whatever key id they name);
// - passphrase containers get a fixed passphrase (run_fuzz.sh makes its
//   seeds with the same one), but scrypt runs for at most
//   kMaxPassphraseDerivations distinct (salt, cost) pairs per process — the
//   seeds' — and never at more than the default cost; any other pair gets
//   no passphrase (a key error, at once): a fuzzer-chosen scrypt cost or salt
//   would otherwise cost up to several seconds and 1 GiB each.
//
// Unencrypted containers carry CRC-32s, which no mutation gets right by
// chance; an attacker computes them. So an unencrypted input whose record
// structure parses is verified a second time with its chunk CRCs and its
// trailer check recomputed: that run reaches the decompressors with
// arbitrary frames.

#include "crypto/secure.h"
#include "format/containerformat.h"
#include "governor/governor.h"
#include "pipeline/engine.h"

#include <QString>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

using namespace flowgate;

namespace {

/// run_fuzz.sh writes the same words into the passphrase file of its seeds.
const char kPassphrase[] = "flowgate fuzz passphrase";
constexpr std::size_t kMaxPassphraseDerivations = 8;
/// The Engine keeps every report; start a fresh one now and then.
constexpr int kRunsPerEngine = 20000;

struct Fixture
{
    Governor governor;
    std::unique_ptr<Engine> engine;
    int fd = -1;
    QString path;
    std::set<QByteArray> passphraseJobs; ///< (salt, cost) pairs allowed to run scrypt
    int runs = 0;

    static ResourceConfig config()
    {
        ResourceConfig c;
        c.cpuTokens = 2;
        c.storageType = StorageType::custom(4);
        return c;
    }

    Fixture()
        : governor(config())
    {
        governor.setPerFileWorkers(4);
        governor.setFilesInFlight(1);
        engine = std::make_unique<Engine>(governor);
        fd = ::memfd_create("fgc-fuzz-input", MFD_CLOEXEC);
        if (fd < 0) {
            std::perror("memfd_create");
            std::abort();
        }
        path = QStringLiteral("/proc/self/fd/%1").arg(fd);
    }
};

Fixture &fixture()
{
    static Fixture *f = new Fixture; // never destroyed: worker threads may outlive main()
    return *f;
}

SecureBytes fixedMasterKey()
{
    std::array<std::uint8_t, kMasterKeySize> key{};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = std::uint8_t(0xa0 + i);
    return SecureBytes(std::span<const std::uint8_t>(key));
}

KeyMaterial keysFor(Fixture &f, const fgc::Header *header)
{
    if (!header || header->keySource == fgc::KeySource::None)
        return KeyMaterial::none();
    if (header->keySource == fgc::KeySource::Keychain)
        return KeyMaterial::fromMasterKey(fixedMasterKey(), toHex(header->keyId));
    QByteArray job(reinterpret_cast<const char *>(header->jobSalt.data()), int(header->jobSalt.size()));
    job += char(header->scrypt.log2N);
    job += QByteArray::number(header->scrypt.r) + ':' + QByteArray::number(header->scrypt.p);
    if (f.passphraseJobs.count(job) == 0) {
        if (f.passphraseJobs.size() >= kMaxPassphraseDerivations
            || header->scrypt.memoryBytes() > ScryptParams{}.memoryBytes())
            return KeyMaterial::fromMasterKey(fixedMasterKey(), QStringLiteral("0000000000000000"));
        f.passphraseJobs.insert(job);
    }
    return KeyMaterial::fromPassphrase(QString::fromLatin1(kPassphrase), header->scrypt);
}

[[noreturn]] void failure(const char *what, const FileReport &r)
{
    std::fprintf(stderr, "fuzz_container: %s (state %s, error kind %s, error \"%s\")\n", what,
                 qPrintable(fileStateName(r.state)), qPrintable(errorKindName(r.errorKind)), qPrintable(r.error));
    std::abort();
}

FileReport verify(Fixture &f, const std::uint8_t *data, std::size_t size, const fgc::Header *header)
{
    if (::ftruncate(f.fd, 0) != 0 || (size > 0 && ::pwrite(f.fd, data, size, 0) != ssize_t(size))) {
        std::perror("writing the memfd");
        std::abort();
    }
    if (++f.runs % kRunsPerEngine == 0) {
        f.engine.reset(); // cancels nothing: it is idle
        f.engine = std::make_unique<Engine>(f.governor);
    }
    JobSettings s;
    s.mode = JobMode::Verify;
    s.keys = keysFor(f, header);
    const int id = f.engine->addFile(f.path, s);
    if (!f.engine->waitForIdle(std::chrono::seconds(30))) {
        std::fprintf(stderr, "fuzz_container: the verify did not finish within 30 s (hang)\n");
        std::abort();
    }
    const FileReport r = f.engine->report(id);
    // The report must be consistent: done and clean, or failed with a reason.
    if (r.state == FileState::Done) {
        if (r.errorKind != ErrorKind::None || !r.error.isEmpty())
            failure("a verified file carries an error", r);
        if (r.sha256.size() != 64)
            failure("a verified file has no SHA-256", r);
        if (!header)
            failure("a file whose header does not parse was verified", r);
        if (r.inputSize != size)
            failure("a verified file was not read to its end", r);
    } else {
        if (r.state != FileState::Failed)
            failure("the verify neither succeeded nor failed", r);
        if (r.errorKind == ErrorKind::None || r.errorKind == ErrorKind::Cancelled || r.error.isEmpty())
            failure("a failed verify says no reason", r);
    }
    if (f.governor.cpuTokensInUse() != 0 || f.governor.ioTokensInUse() != 0)
        failure("permits still held after the file finished", r);
    return r;
}

void put32(std::uint8_t *p, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = std::uint8_t(v >> (8 * i));
}

/// Recomputes the CRC-32 of every chunk record that parses, and the
/// trailer's check, of an unencrypted container. True if anything changed.
bool fixUpChecksums(std::vector<std::uint8_t> &b, const fgc::Header &h, std::size_t headerSize, const fgc::Hash &headerHash)
{
    if (h.encrypted())
        return false;
    bool changed = false;
    const std::size_t prefix = fgc::chunkRecordPrefixSize(h);
    std::size_t off = headerSize;
    const quint64 chunks = h.chunkCount();
    for (quint64 i = 0; i < chunks; ++i) {
        if (b.size() - off < prefix || b[off] != fgc::kChunkTag)
            break;
        fgc::ChunkRecord r;
        if (fgc::parseChunkPrefix(h, std::span<const std::uint8_t>(b.data() + off, prefix), &r, nullptr) != fgc::ParseStatus::Ok)
            return changed;
        if (b.size() - off - prefix < r.storedSize)
            return changed;
        const quint32 crc = fgc::chunkCrc(headerHash, i, r.last, r.plainSize,
                                          std::span<const std::uint8_t>(b.data() + off + prefix, r.storedSize));
        if (crc != r.crc) {
            put32(b.data() + off + fgc::kChunkRecordBaseSize, crc);
            changed = true;
        }
        off += prefix + r.storedSize;
    }
    const std::size_t trailer = 1 + fgc::storedTrailerSize(h);
    if (b.size() - off >= trailer && b[off] == fgc::kTrailerTag) {
        const std::span<const std::uint8_t, fgc::kTrailerPayloadSize> payload(b.data() + off + 1, fgc::kTrailerPayloadSize);
        const fgc::Hash check = fgc::trailerCheck(headerHash, payload);
        std::uint8_t *stored = b.data() + off + 1 + fgc::kTrailerPayloadSize;
        if (std::memcmp(stored, check.data(), check.size()) != 0) {
            std::memcpy(stored, check.data(), check.size());
            changed = true;
        }
    }
    return changed;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Fixture &f = fixture();
    fgc::Header header;
    std::size_t headerSize = 0;
    fgc::Hash headerHash{};
    QString error;
    const bool parsed = size > 0
        && fgc::parseHeader(std::span<const std::uint8_t>(data, size), &header, &headerSize, &headerHash, &error)
            == fgc::ParseStatus::Ok;
    const FileReport first = verify(f, data, size, parsed ? &header : nullptr);
    // run_fuzz.sh first runs the seeds alone with this set: each must verify
    // (the target's keys match the seeds', so fuzzing starts deep).
    static const bool seedsMustVerify = std::getenv("FLOWGATE_FUZZ_SEEDS_MUST_VERIFY") != nullptr;
    if (seedsMustVerify && size > 0 && first.state != FileState::Done)
        failure("a seed container does not verify", first);
    if (parsed) {
        std::vector<std::uint8_t> fixed(data, data + size);
        if (fixUpChecksums(fixed, header, headerSize, headerHash))
            verify(f, fixed.data(), fixed.size(), &header);
    }
    return 0;
}
