// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QStringList>

namespace flowgate::cli {

/// `flowgate-cli governor-demo`: a synthetic workload of many "files" whose
/// chunks do simulated I/O and CPU work through the governor, printing the
/// periodic summary line and, on request, writing the metrics CSV.
int runGovernorDemo(const QStringList &arguments);

} // namespace flowgate::cli
