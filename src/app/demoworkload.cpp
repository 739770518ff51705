// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "demoworkload.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>

namespace flowgate {

QStringList generateDemoFiles(const QString &dir)
{
    QStringList out;
    QRandomGenerator rng(20261127);
    // Words for text-like content (compresses about 3-4x).
    const QList<QByteArray> words = {"governor", "token", "chunk", "permit", "queue", "latency", "throughput",
        "saturation", "memory", "cipher", "checksum", "archive", "backup", "restore", "verify", "flowgate", "the", "of",
        "and", "a", "to", "in", "is", "for", "on", "with"};
    const int sizesMiB[] = {1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 3, 5, 7, 9};
    for (int i = 0; i < int(std::size(sizesMiB)); ++i) {
        const qint64 size = qint64(sizesMiB[i]) << 20;
        const int kind = i % 3;
        const QString path = QDir(dir).filePath(QStringLiteral("sample-%1-%2.%3")
                                                    .arg(i, 2, 10, QLatin1Char('0'))
                                                    .arg(kind == 0      ? QStringLiteral("text")
                                                            : kind == 1 ? QStringLiteral("mixed")
                                                                        : QStringLiteral("random"))
                                                    .arg(kind == 0 ? QStringLiteral("txt") : QStringLiteral("bin")));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            continue;
        QByteArray block;
        block.reserve(1 << 20);
        qint64 written = 0;
        while (written < size) {
            block.clear();
            while (block.size() < (1 << 20)) {
                if (kind == 0) {
                    block += words[int(rng.bounded(quint32(words.size())))];
                    block += rng.bounded(12) == 0 ? '\n' : ' ';
                } else if (kind == 1) {
                    // Half structured records, half noise.
                    block += QByteArray::number(written + block.size()) + ";"
                        + words[int(rng.bounded(quint32(words.size())))] + ";";
                    const quint64 r = rng.generate64();
                    block.append(reinterpret_cast<const char *>(&r), 8);
                } else {
                    const quint64 r = rng.generate64();
                    block.append(reinterpret_cast<const char *>(&r), 8);
                }
            }
            const qint64 n = std::min<qint64>(block.size(), size - written);
            f.write(block.constData(), n);
            written += n;
        }
        out << path;
    }
    return out;
}

} // namespace flowgate
