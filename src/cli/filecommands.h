// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QStringList>

namespace flowgate::cli {

/// `flowgate-cli pack|restore|verify [options] PATH...`
int runFileCommand(const QString &command, const QStringList &arguments);
/// `flowgate-cli key export FILE | key import FILE [--replace]`
int runKeyCommand(const QStringList &arguments);
/// `flowgate-cli bench`: each stage alone on this machine, and the limit they allow.
int runBench(const QStringList &arguments);

} // namespace flowgate::cli
