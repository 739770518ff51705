// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QStringList>

namespace flowgate {

/// Writes sample files into dir (text-like, binary-like and random data of
/// several sizes, about 400 MiB in all) and returns their paths. Runs on a
/// worker thread.
QStringList generateDemoFiles(const QString &dir);

} // namespace flowgate
