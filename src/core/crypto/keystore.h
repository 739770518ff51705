// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

// The key sources in one include: the SecretStore interface and its test
// fake, the OS keychain store, and the master key manager. The key
// derivations (deriveFileKey, derivePassphraseKey) are in crypto/kdf.h.
#include "crypto/kdf.h"
#include "crypto/keychainsecretstore.h"
#include "crypto/masterkeymanager.h"
#include "crypto/secretstore.h"
