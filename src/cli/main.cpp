// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// flowgate-cli: the command-line twin of the Flowgate desktop app.

#include "exitcodes.h"
#include "filecommands.h"
#include "governordemo.h"

#include <QCoreApplication>
#include <QStringList>

#include <cstdio>

using namespace flowgate::cli;

namespace {

const char *const kUsage
    = "Usage: flowgate-cli <command> [options]\n"
      "\n"
      "Flowgate compresses, encrypts and checksums files in parallel under a resource\n"
      "governor that keeps the machine responsive.\n"
      "\n"
      "Commands:\n"
      "  pack            compress, encrypt and checksum files into .fgc containers\n"
      "  restore         restore .fgc containers to the original files, checking every chunk\n"
      "  verify          check .fgc containers completely without writing anything\n"
      "  bench           measure each stage on this machine and the limit they allow\n"
      "  key             export or import the keychain's master key (back-up)\n"
      "  governor-demo   run a synthetic workload through the governor and show its metrics\n"
      "\n"
      "First steps:\n"
      "  flowgate-cli pack --passphrase-file pass.txt -o packed ~/Documents\n"
      "  flowgate-cli restore --passphrase-file pass.txt -o restored packed\n"
      "Without --passphrase-file the master key in the system keychain is used (created on\n"
      "first use). --cipher none packs without encryption.\n"
      "\n"
      "Run 'flowgate-cli <command> --help' for the options of a command.\n"
      "\n"
      "Options:\n"
      "  -h, --help      show this help\n"
      "  -v, --version   show the version\n"
      "\n"
      "Exit codes:\n"
      "  0  success\n"
      "  2  usage error (unknown command or option, bad value)\n"
      "  3  input error (missing, unreadable or special file; file changed while read;\n"
      "     no key: keychain entry missing or no keychain service)\n"
      "  4  data-integrity error (corrupt, truncated or tampered container; wrong key or passphrase)\n"
      "  5  I/O error (disk full, permission denied, output exists without --force)\n"
      "  6  cancelled (interrupted; temporary outputs were removed)\n";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("flowgate-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("Flowgate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FLOWGATE_VERSION));

    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        std::fputs(kUsage, stderr);
        return ExitUsage;
    }
    const QString command = args.at(1);
    if (command == u"-h" || command == u"--help" || command == u"help") {
        std::fputs(kUsage, stdout);
        return ExitOk;
    }
    if (command == u"-v" || command == u"--version") {
        std::printf("flowgate-cli %s\n", FLOWGATE_VERSION);
        return ExitOk;
    }
    // The sub-command sees "flowgate-cli <command>" as its program name.
    args.removeAt(1);
    args[0] = QStringLiteral("flowgate-cli ") + command;
    if (command == u"governor-demo")
        return runGovernorDemo(args);
    if (command == u"pack" || command == u"restore" || command == u"verify")
        return runFileCommand(command, args);
    if (command == u"key")
        return runKeyCommand(args);
    if (command == u"bench")
        return runBench(args);

    std::fprintf(stderr, "flowgate-cli: unknown command \"%s\"\n\n%s", qPrintable(command), kUsage);
    return ExitUsage;
}
