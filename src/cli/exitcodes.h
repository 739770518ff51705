// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

namespace flowgate::cli {

/// flowgate-cli's exit codes (documented in `flowgate-cli --help` and the README).
enum ExitCode : int {
    ExitOk = 0, ///< everything asked for was done
    ExitUsage = 2, ///< bad command line: unknown option, bad value
    ExitInput = 3, ///< an input could not be used: missing, unreadable, special file, changed while read
    ExitDataIntegrity = 4, ///< a container is corrupt, truncated or tampered with, or the key/passphrase is wrong
    ExitIo = 5, ///< writing failed: disk full, permission denied, output exists without --force
    ExitCancelled = 6, ///< interrupted (SIGINT/SIGTERM); temporary outputs were removed
    ExitInternal = 70, ///< a bug: please report it
};

} // namespace flowgate::cli
